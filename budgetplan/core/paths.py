"""What a path given to budgetplan is, found before it is opened: opening a named pipe blocks
until someone writes into it, a device (``/dev/zero``) never ends. Every door that reads a file
(scenarios, workbooks, returns, actuals) asks this first."""

from __future__ import annotations

import stat
from pathlib import Path

from budgetplan.core.findings import said

#: The message of a path that is neither a regular file nor a folder.
NOT_REGULAR = said(
    "is not a regular file (a pipe, a device or a socket)",
    "n'est pas un fichier ordinaire (un tube, un périphérique ou une socket)",
)


def special_file(path: str | Path) -> bool:
    """True for a path that exists and is neither a regular file nor a folder (following
    links); a missing or unreadable path is left to the caller's own open."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
