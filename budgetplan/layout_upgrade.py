"""Bring a workbook of an earlier layout to this one (``budgetplan upgrade``): its inputs read
by their header rows, the edits typed there kept, every computed sheet written anew. The About
sheet keeps naming the scenario it was built from, so reconcile still lists those edits."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from budgetplan.core.findings import Severity, said
from budgetplan.core.source import Source
from budgetplan.publish import Built, publish
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.reader import ReadError, open_workbook, read_programme


@dataclass(frozen=True)
class Upgraded:
    source: Path
    layout: str  # the layout it was written with
    built: Built


def upgraded_path(path: Path) -> Path:
    """Where the upgraded workbook goes by default: beside it, named for the layout."""
    return path.with_name(f"{path.stem}-mise-en-page-{L.LAYOUT_VERSION}.xlsx")


def upgrade(path: Path, output: Path | None = None, force: bool = False) -> Upgraded:
    """Read ``path`` (an earlier layout among ``layout.LAYOUTS_UPGRADABLE``) and write its
    programme in this layout to ``output``, never over ``path`` itself. Raises ReadError (the
    layout cannot be read, an input cannot be read) or OverwriteRefused."""
    path = Path(path)
    wb = open_workbook(path, upgrading=True)
    written = wb.about.get("layout", "")
    if written == L.LAYOUT:
        raise ReadError.of(
            "LAYOUT_CURRENT",
            said(
                f"is already in layout {L.LAYOUT}: nothing to upgrade",
                f"est déjà dans la mise en page {L.LAYOUT} : rien à mettre à jour",
            ),
            said("reconcile it as it is", "le rapprocher tel quel (budgetplan reconcile)"),
            file=path,
        )
    if wb.about.get("contributor"):
        raise ReadError.of(
            "CONTRIBUTOR_WORKBOOK",
            said(
                f"is {wb.about['contributor']}'s workbook: a signed return cannot be rewritten",
                f"est le classeur de {wb.about['contributor']} : un retour signé ne peut pas "
                "être réécrit",
            ),
            said(
                "consolidate it with the budgetplan that split it, or split again with this one",
                "le consolider avec le budgetplan qui l'a découpé, ou découper à nouveau avec "
                "celui-ci (budgetplan split)",
            ),
            file=path,
        )
    programme, _places = read_programme(wb)
    errors = [f for f in wb.findings if f.severity is Severity.ERROR]
    if programme is None or errors:
        raise ReadError([replace(f, file=f.file or str(path)) for f in errors])
    target = Path(output) if output is not None else upgraded_path(path)
    if target.resolve() == path.resolve():
        raise ReadError.of(
            "OWN_INPUT",
            said(
                f"{target} is the workbook being upgraded: it is kept as it is",
                f"{target} est le classeur à mettre à jour : il est gardé tel quel",
            ),
            said("write to another file (-o)", "écrire dans un autre fichier (-o)"),
            file=target,
        )
    source = Source(
        wb.about.get("scenario", path.stem), wb.about.get("source", ""), wb.about.get("hash", "")
    )
    return Upgraded(path, written, publish(programme, source, target, wb.lang, force))
