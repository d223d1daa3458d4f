"""Nothing lost: refuse to overwrite a workbook that is open or holds edits not reconciled."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

from budgetplan.core.fingerprint import fingerprint


@dataclass(frozen=True)
class Refusal:
    message: str
    hint: str


def lock_files(target: Path) -> list[Path]:
    """Lock files Excel (``~$NAME.xlsx``) and LibreOffice (``.~lock.NAME.xlsx#``) leave beside
    a workbook they have open."""
    folder, name = target.parent, target.name
    return [p for p in (folder / f"~${name}", folder / f".~lock.{name}#") if p.exists()]


def check_overwrite(target: Path) -> Refusal | None:
    """Why ``target`` must not be overwritten, or None when it may be."""
    locks = lock_files(target)
    if locks:
        return Refusal(
            f"is open in {'Excel' if locks[0].name.startswith('~$') else 'LibreOffice'} "
            f"(lock file {locks[0].name})",
            "close it there first, then build again",
        )
    if not target.exists():
        return None
    from budgetplan.xlsx.reader import ReadError, open_workbook, read_programme

    try:
        wb = open_workbook(target)
    except ReadError:
        return Refusal(
            "exists and is not a budgetplan workbook",
            "choose another output (-o), or use --force to replace it (a backup is kept)",
        )
    stored = wb.about.get("fingerprint", "")
    programme, _ = read_programme(wb)
    if programme is None or fingerprint(programme) != stored:
        return Refusal(
            "holds edits that were not reconciled",
            "run `budgetplan reconcile` on it first, or use --force to replace it "
            "(a dated backup is kept)",
        )
    return None


def backup(target: Path, now: dt.datetime | None = None) -> Path:
    """Copy ``target`` to ``NAME.YYYYMMDD-HHMMSS.bak.xlsx`` beside it."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    copy = target.with_name(f"{target.stem}.{stamp}.bak{target.suffix}")
    shutil.copy2(target, copy)
    return copy
