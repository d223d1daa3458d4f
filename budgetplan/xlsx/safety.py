"""Nothing lost: refuse to overwrite a workbook that is open or holds edits not reconciled."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from budgetplan.core.findings import said
from budgetplan.core.fingerprint import fingerprint
from budgetplan.core.model import Programme

if TYPE_CHECKING:
    from budgetplan.xlsx.reader import Locator, Workbook


@dataclass(frozen=True)
class Refusal:
    message: str
    hint: str


def lock_files(target: Path) -> list[Path]:
    """Lock files Excel and LibreOffice (``.~lock.NAME.xlsx#``) leave beside a workbook they
    have open. Excel's owner file is ``~$NAME.xlsx`` for a short name and, for a longer one, the
    name with its first two characters replaced (``~$ogramme-2022.xlsx`` for
    ``programme-2022.xlsx``): both are looked for."""
    folder, name = target.parent, target.name
    owners = {f"~${name}", f"~${name[2:]}"} if len(name) > 2 else {f"~${name}"}
    candidates = [folder / n for n in sorted(owners)] + [folder / f".~lock.{name}#"]
    return [p for p in candidates if _exists(p)]


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a name too long for the file system does not (no application
    could have made that lock file)."""
    try:
        path.lstat()
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Existing:
    """The workbook a build would replace, as :func:`check_overwrite` read it: the typed-over
    check takes it from there (a 100,000-line workbook is read once, not twice)."""

    wb: Workbook
    programme: Programme | None
    loc: Locator


def check_overwrite(
    target: Path, building: Programme | None = None
) -> tuple[Refusal | None, bool, Existing | None]:
    """Why ``target`` must not be overwritten (None when it may be), whether it holds
    anything a backup should keep, and the workbook as read (None when it was not read).

    A workbook whose input cells were edited may be replaced once its edits are carried into
    the programme being built (``building``: reconcile, then ``--write-scenario``); it is then
    backed up all the same.
    """
    locks = lock_files(target)
    if locks:
        app = "Excel" if locks[0].name.startswith("~$") else "LibreOffice"
        refusal = Refusal(
            said(
                f"is open in {app} (lock file {locks[0].name})",
                f"est ouvert dans {app} (fichier de verrou {locks[0].name})",
            ),
            said(
                "close it there first, then build again",
                "le fermer d'abord, puis relancer la construction",
            ),
        )
        return refusal, True, None
    if not target.exists():
        return None, False, None
    from budgetplan.xlsx.reader import ReadError, open_workbook, read_programme

    try:
        wb = open_workbook(target)
    except ReadError as exc:
        older = next((f for f in exc.findings if f.code == "LAYOUT_VERSION"), None)
        if older is not None:  # a budgetplan workbook of another layout: its edits unread
            refusal = Refusal(
                older.message,
                said(
                    "carry its edits into the scenario with the budgetplan that wrote it, or "
                    "replace it with --force (a backup is kept)",
                    "reporter ses saisies dans le scénario avec le budgetplan qui l'a écrit, ou "
                    "le remplacer avec --force (une copie de sauvegarde est gardée)",
                ),
            )
            return refusal, True, None
        refusal = Refusal(
            said(
                "exists and is not a budgetplan workbook",
                "existe et n'est pas un classeur budgetplan",
            ),
            said(
                "choose another output (-o), or use --force to replace it (a backup is kept)",
                "choisir une autre sortie (-o), ou le remplacer avec --force (une copie de "
                "sauvegarde est gardée)",
            ),
        )
        return refusal, True, None
    stored = wb.about.get("fingerprint", "")
    programme, loc = read_programme(wb)
    existing = Existing(wb, programme, loc)
    held = fingerprint(programme) if programme is not None else None
    if held == stored:
        return None, False, existing  # as budgetplan wrote it
    if held is not None and building is not None and held == fingerprint(building):
        return None, True, existing  # edited, and the edits are in what is being built
    refusal = Refusal(
        said("holds edits that were not reconciled", "contient des saisies non rapprochées"),
        said(
            "run `budgetplan reconcile` on it with --write-scenario first, or use --force to "
            "replace it (a dated backup is kept)",
            "lancer d'abord `budgetplan reconcile` dessus avec --write-scenario, ou le remplacer "
            "avec --force (une copie datée est gardée)",
        ),
    )
    return refusal, True, existing


def backup(target: Path, now: dt.datetime | None = None) -> Path:
    """Copy ``target`` to ``NAME.YYYYMMDD-HHMMSS.bak.xlsx`` beside it (``-2``, ``-3``... when a
    backup of that second exists: a backup never replaces another), written to a temporary
    file and renamed once whole and checked, so that a full disk leaves no truncated backup
    with a convincing name. Raises OSError if the copy cannot be made."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    n, copy = 1, target.with_name(f"{target.stem}.{stamp}.bak{target.suffix}")
    while copy.exists():
        n += 1
        copy = target.with_name(f"{target.stem}.{stamp}-{n}.bak{target.suffix}")
    tmp = copy.with_name(f".{copy.name}.tmp")
    try:
        shutil.copy2(target, tmp)
        if tmp.stat().st_size != target.stat().st_size:
            raise OSError(f"the backup {copy.name} came out short (is the disk full?)")
        try:
            os.link(tmp, copy)  # fails rather than replace a backup made meanwhile
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: rename (checked free just above)
            os.replace(tmp, copy)
    finally:
        tmp.unlink(missing_ok=True)
    return copy
