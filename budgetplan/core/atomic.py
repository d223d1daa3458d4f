"""Write a file atomically: a temporary file in the target folder, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from budgetplan.core.lock import beside, writing


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` only on success.

    An interrupted or failed write leaves the previous file whole and no temporary behind
    (SIGTERM too: the command line turns it into an exit that runs this clean-up). The
    temporaries a killed writer left (SIGKILL, a power cut) are removed by the next write to the
    same file once they are STALE_AFTER old.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _naming(exc, target) from None
    with writing(target):  # a second writer of the same file is refused meanwhile
        try:
            remove_stale(target)
            prefix = beside(target, ".", room=_RANDOM + len(".tmp"))
            fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=target.parent)
        except OSError as exc:
            raise _naming(exc, target) from None
        os.close(fd)
        tmp_path = Path(tmp)
        try:
            yield tmp_path
            os.chmod(tmp_path, _mode_for(target))
            os.replace(tmp_path, target)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
            if isinstance(exc, OSError):
                raise _naming(exc, target) from None
            raise


#: Characters tempfile adds to a temporary file's name.
_RANDOM = 8

#: Age after which a temporary file of a write is a leftover: no write of budgetplan's takes
#: that long (a 100,000-line workbook takes under a minute).
STALE_AFTER = 3600.0


def remove_stale(target: Path) -> list[Path]:
    """Remove the temporaries ``.NAME.xlsx.XXXX.tmp`` that a killed write to ``target`` left
    beside it, older than STALE_AFTER seconds; return them."""
    import time

    now, removed = time.time(), []
    prefix = beside(target, ".", room=_RANDOM + len(".tmp"))
    for leftover in target.parent.glob(f"{glob_escape(prefix)}*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.is_file() and now - leftover.stat().st_mtime > STALE_AFTER:
                leftover.unlink()
                removed.append(leftover)
    return removed


def glob_escape(name: str) -> str:
    """``name`` matched as it is by a glob pattern (brackets, stars and question marks)."""
    import glob

    return glob.escape(name)


def _naming(exc: OSError, target: Path) -> OSError:
    """The same error, naming the file the user asked for rather than our temporary one."""
    return OSError(exc.errno, exc.strerror or str(exc), str(target))


def _mode_for(target: Path) -> int:
    """Keep the mode of the file replaced; a new file gets the usual 0666 less the umask."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
