"""One writer per file: a command writing a file holds a lock beside it, and a second command
writing the same file meanwhile is refused rather than left to race it (whose check of the
target, whose backup, whose rename would win).

The lock is an advisory ``flock`` on ``.NAME.lock`` next to the target: the system releases it
when its process ends, however it ends, so a killed writer never leaves a file locked. Where
``fcntl`` does not exist (Windows) writes are not locked.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import Finding, Severity, said

#: Files this process holds the lock of, with how many nested writes hold it.
_HELD: dict[str, int] = {}


class Busy(BudgetplanError):
    """Another command is writing the same file."""

    def __init__(self, target: Path):
        super().__init__(
            [
                Finding(
                    Severity.ERROR,
                    "BUSY",
                    said(
                        "another budgetplan command is writing this file",
                        "une autre commande budgetplan écrit ce fichier",
                    ),
                    said(
                        "wait for it to finish, then run this one again",
                        "attendre qu'elle finisse, puis relancer celle-ci",
                    ),
                    file=str(target),
                )
            ]
        )


#: Longest file name most file systems take (ext4, APFS, NTFS: 255 bytes).
NAME_MAX = 255


def beside(target: Path, suffix: str, room: int = 0) -> str:
    """The name of a hidden file beside ``target``: ``.NAME`` + ``suffix``, or, when that (with
    ``room`` bytes more for what is added to it) would be too long a name for the file system,
    ``.`` + a digest of NAME + ``suffix``: a legal 250-byte workbook name is not refused for the
    sake of its lock or its temporary file."""
    name = f".{target.name}{suffix}"
    if len(name.encode("utf-8")) + room <= NAME_MAX:
        return name
    import hashlib

    return f".{hashlib.sha256(target.name.encode('utf-8')).hexdigest()[:32]}{suffix}"


def lock_path(target: Path) -> Path:
    return target.parent / beside(target, ".lock")


@contextlib.contextmanager
def writing(target: Path) -> Iterator[None]:
    """Hold the lock of ``target`` for the block; Busy when another process holds it. Nested
    holds in one process (a build's check, backup and write) share it."""
    key = str(target.absolute())
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here
        yield
        return
    fd = _acquire(target, fcntl)
    _HELD[key] = 1
    try:
        yield
    finally:
        del _HELD[key]
        with contextlib.suppress(OSError):
            os.unlink(lock_path(target))
        os.close(fd)  # the lock goes with the descriptor


def _acquire(target: Path, fcntl: object) -> int:
    """The descriptor of the locked lock file; a lock file another writer removed between our
    open and our lock is opened again."""
    lock = lock_path(target)
    for _ in range(10):
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]
        except BlockingIOError:
            os.close(fd)
            raise Busy(target) from None
        try:
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)
    raise Busy(target)
