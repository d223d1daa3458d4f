"""Reports budgetplan writes (comparison, reconciliation, diff workbooks) carry a stamp of the
values they held when written, so that a later run can tell whether someone has since typed
into them: an edited report is kept as a backup before it is replaced, an untouched one simply
replaced (no backup clutter).

The stamp is a custom document property (``budgetplan-values``: SHA-256 of every cell's value,
as python-calamine reads them), which Excel and LibreOffice keep when they save; a report whose
stamp is gone or differs counts as edited.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

PROPERTY = "budgetplan-values"
PLACEHOLDER = "0" * 64
_STAMP = re.compile(rb"<vt:lpwstr>([0-9a-f]{64})</vt:lpwstr>")


def values_digest(path: Path) -> str:
    """SHA-256 of every cell value of every sheet, in order."""
    from python_calamine import CalamineWorkbook

    digest = hashlib.sha256()
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        digest.update(b"\x00sheet\x00" + name.encode("utf-8"))
        for row in book.get_sheet_by_name(name).to_python():
            digest.update(repr(row).encode("utf-8") + b"\n")
    return digest.hexdigest()


def stamp(path: Path) -> None:
    """Put the digest of ``path``'s values into its custom property (written by xlsxwriter as
    :data:`PLACEHOLDER`, see :func:`set_placeholder`): the zip is written again, part for part."""
    digest = values_digest(path).encode()
    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in parts:
            if info.filename == "docProps/custom.xml":
                data = data.replace(PLACEHOLDER.encode(), digest)
            zout.writestr(info, data)


def set_placeholder(workbook: object) -> None:
    """Ask an xlsxwriter workbook for the custom property :func:`stamp` fills in."""
    workbook.set_custom_property(PROPERTY, PLACEHOLDER)  # type: ignore[attr-defined]


def edited_since_written(path: Path) -> bool:
    """Whether the report at ``path`` holds values other than those budgetplan wrote (or
    cannot be read to tell: then it is kept too)."""
    try:
        with zipfile.ZipFile(path) as zf:
            custom = zf.read("docProps/custom.xml")
        found = _STAMP.search(custom)
        return found is None or found.group(1).decode() != values_digest(path)
    except Exception:  # noqa: BLE001 - unreadable: keep it, as an edited one
        return True


def keep_if_edited(target: Path) -> Path | None:
    """Back ``target`` up when it holds values someone typed since budgetplan wrote it; return
    the backup (None: nothing to keep, the target may simply be replaced)."""
    from budgetplan.xlsx.safety import backup

    if target.is_file() and edited_since_written(target):
        return backup(target)
    return None
