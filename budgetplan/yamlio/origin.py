"""The scenario a workbook was built from, found by what its About sheet records (the source and
its SHA-256): the packaged default programme, the file as named, the file of that name beside
the workbook, or a version of it in its git history. Reconcile lists a workbook's edits against
it without being told where it is, and says where it looked."""

from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass, field
from pathlib import Path

from budgetplan.core.findings import said
from budgetplan.yamlio.history import git_versions
from budgetplan.yamlio.loader import DEFAULT_NAME, MAX_SCENARIO_BYTES, default_scenario_path

PACKAGED = "budgetplan:"


@dataclass
class Origin:
    #: the file to read the scenario from (a copy, for a version out of git's history), or None
    path: Path | None = None
    #: where it was found, said for the officer
    where: str = ""
    #: every place looked at, in order
    tried: list[str] = field(default_factory=list)
    #: whether ``path`` is the user's own file, which --write-scenario may carry edits into
    own_file: bool = False
    #: the workbook's inputs are those it was written with (its About sheet's fingerprint):
    #: there is no edit to list, and no scenario was looked for
    unchanged: bool = False


def _digest(path: Path) -> str | None:
    """The SHA-256 of a regular file no larger than a scenario may be, or None (missing, a
    folder, a pipe, unreadable, too large: a returned workbook's About sheet may name any
    file, and is not trusted to make budgetplan read a big one)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SCENARIO_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _candidates(workbook: Path, source: str) -> list[Path]:
    if source.startswith(PACKAGED):
        name = source.removeprefix(PACKAGED)
        return [default_scenario_path()] if name == DEFAULT_NAME else []
    named = Path(source)
    out = [named]
    if not named.is_absolute():
        out.append(workbook.parent / named)
    out.append(workbook.parent / named.name)
    unique: list[Path] = []
    for path in out:
        if all(path.resolve() != p.resolve() for p in unique):
            unique.append(path)
    return unique


def find_origin(workbook: Path, source: str, sha256: str, tmp: Path) -> Origin:
    """Where the scenario recorded as ``source`` with hash ``sha256`` is now: the first place
    whose file has that hash. A version from git history is copied into ``tmp``."""
    origin = Origin()
    if not source or len(sha256) != 64:
        return origin
    places = _candidates(workbook, source)
    for path in places:
        origin.tried.append(str(path))
        if _digest(path) == sha256:
            origin.path = path
            origin.own_file = not source.startswith(PACKAGED)
            origin.where = (
                said(f"the default programme ({source})", f"le programme par défaut ({source})")
                if source.startswith(PACKAGED)
                else said(f"{path}", f"{path}")
            )
            return origin
    for path in places:
        if source.startswith(PACKAGED) or not path.parent.is_dir():
            continue
        origin.tried.append(
            said(f"the git history of {path}", f"l'historique git de {path}")  # type: ignore[arg-type]
        )
        for n, data in enumerate(git_versions(path)):
            if hashlib.sha256(data).hexdigest() == sha256:
                kept = tmp / path.name
                kept.write_bytes(data)
                origin.path = kept
                origin.where = (
                    said(
                        f"{path} as its last commit holds it (git)",
                        f"{path} tel que son dernier commit le contient (git)",
                    )
                    if n == 0
                    else said(
                        f"{path} as it was {n} version(s) before its last commit (git history)",
                        f"{path} tel qu'il était {n} version(s) avant son dernier commit "
                        "(historique git)",
                    )
                )
                return origin
    return origin
