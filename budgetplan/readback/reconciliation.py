"""Reconcile an edited workbook: what broke, what the budget rules say, and what was edited.

budgetplan never trusts what a workbook says it computed: it reads the inputs back, recomputes
everything and compares each formula and cached value with what those inputs give
(:mod:`budgetplan.readback.integrity`). Every problem is a finding with a severity, a stable code, a sheet
and a cell.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import Figures, compute
from budgetplan.core.bulk import collector_paused
from budgetplan.core.display import show, shown
from budgetplan.core.findings import Finding, Severity, said
from budgetplan.core.fingerprint import fingerprint
from budgetplan.core.items import flatten as _flatten
from budgetplan.core.items import item_paths
from budgetplan.core.items import items as _items
from budgetplan.core.menu import CARRY
from budgetplan.core.model import Programme
from budgetplan.core.money import eur
from budgetplan.readback.actuals import ActualsReport, budget_against_actual, load_actuals
from budgetplan.readback.formats import format_findings
from budgetplan.readback.integrity import check_integrity
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.reader import (
    Locator,
    ReadError,
    Workbook,
    corrupt_as_read_error,
    open_workbook,
    read_programme,
)
from budgetplan.yamlio.catalogue import translated
from budgetplan.yamlio.loader import Loaded, load, reference_findings
from budgetplan.yamlio.origin import Origin, find_origin


@dataclass
class Edit:
    """One input that differs from the original scenario."""

    what: str  # "changed", "added", "removed"
    item: str  # e.g. "cost_lines[SCAN-EQ]"
    field: str
    old: object
    new: object


@dataclass
class Reconciliation:
    path: Path
    programme: Programme | None
    findings: list[Finding] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    lang: str = "fr"
    actuals: ActualsReport | None = None
    #: where the scenario it was built from was found (``find_scenario``), or looked for
    origin: Origin | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors


def reconcile(
    path: str | Path,
    scenario: str | Path | None = None,
    actuals: str | Path | None = None,
    allow_macros: bool = False,
    find_scenario: bool = False,
    known_as: str | Path | None = None,
) -> Reconciliation:
    """Read ``path`` back, check its integrity and the budget rules, list the edits, and set
    the actual commitments and payments of ``actuals`` against the budget. ``find_scenario``:
    with no ``scenario``, look for the one the workbook was built from (its About sheet names
    it and its hash: see :mod:`budgetplan.yamlio.origin`) and list the edits against it.

    Raises ReadError when the file is not a readable budgetplan workbook, LoadError when the
    scenario cannot be read, ActualsError when the actuals cannot. ``known_as``: the path the
    workbook is known by, where the scenario is looked for beside it, when ``path`` is a copy
    of it (the add-on reads a copy of the document open in LibreOffice).
    """
    path = Path(path)
    with collector_paused():
        wb = open_workbook(path, allow_macros)
    if scenario is not None or not find_scenario:
        with corrupt_as_read_error(path), collector_paused():
            return _reconcile(wb, path, scenario, actuals)
    with corrupt_as_read_error(path), collector_paused():
        read = read_programme(wb)
    if read[0] is not None and fingerprint(read[0]) == wb.about.get("fingerprint"):
        # the inputs are those written: no edit to list, no scenario to look for
        with corrupt_as_read_error(path), collector_paused():
            result = _reconcile(wb, path, None, actuals, read)
        result.origin = Origin(unchanged=True)
        return result
    with tempfile.TemporaryDirectory(prefix="budgetplan-origin-") as tmp:
        where = Path(known_as) if known_as is not None else path
        origin = find_origin(where, wb.about.get("source", ""), wb.about.get("hash", ""), Path(tmp))
        with corrupt_as_read_error(path), collector_paused():
            result = _reconcile(wb, path, origin.path, actuals, read)
        result.origin = origin
        return result


def reconcile_opened(
    wb: Workbook,
    read: tuple[Programme | None, Locator] | None = None,
    scenario: Loaded | None = None,
) -> Reconciliation:
    """:func:`reconcile` of a workbook already opened (and its inputs already read: ``read``,
    as :func:`read_programme` gives them), against ``scenario`` already loaded (or none), with
    no actuals."""
    with corrupt_as_read_error(wb.path), collector_paused():
        return _reconcile(wb, wb.path, scenario, None, read)


def _reconcile(
    wb: Workbook,
    path: Path,
    scenario: str | Path | Loaded | None,
    actuals: str | Path | None,
    read: tuple[Programme | None, Locator] | None = None,
) -> Reconciliation:
    programme, loc = read_programme(wb) if read is None else read
    corrupt = [f for f in wb.findings if f.code == "CORRUPT"]
    if corrupt:  # a sheet that cannot be read: the workbook is not one to reconcile
        raise ReadError(corrupt)
    result = Reconciliation(path, programme, list(wb.findings), lang=wb.lang)
    if programme is None:
        result.findings += _formula_findings(wb)
        if scenario is not None:  # the other edits, each unreadable cell taken as it was
            _edits_beside_bad_values(result, wb, scenario)
        return result
    refs = reference_findings(programme, None, "")
    for f in refs:
        result.findings.append(_located(f, loc, wb))
    if refs:
        return result
    fig = compute(programme)
    checks = run_checks(fig)
    result.findings += check_integrity(
        wb,
        fig,
        checks,
        line_offsets=line_offsets(loc, len(programme.cost_lines)),
        milestone_offsets=child_offsets(loc, programme, "milestones"),
        served_offsets=child_offsets(loc, programme, "serves"),
        evaluation_offsets=child_offsets(loc, programme, "evaluations"),
    )
    for check in checks:
        for f in check.findings:
            result.findings.append(_located(f, loc, wb))
    result.findings += format_findings(wb)
    if actuals is not None:
        rows, bad = load_actuals(actuals, fig)
        report = budget_against_actual(fig, rows)
        result.actuals = report
        result.findings += bad
        line_index = {line.id: i for i, line in enumerate(programme.cost_lines)}
        for f in report.findings:
            if f.path and f.path[0] == "line":
                f = _located(
                    Finding(
                        f.severity,
                        f.code,
                        f.message,
                        f.hint,
                        ("cost_lines", line_index[str(f.path[1])], "id"),
                    ),
                    loc,
                    wb,
                )
            else:
                f = Finding(
                    f.severity,
                    f.code,
                    f.message,
                    f.hint,
                    file=str(actuals),
                    line=int(f.extra.get("row", 0)) or None,
                )  # type: ignore[call-overload]
            result.findings.append(f)
    if scenario is not None:
        loaded = scenario if isinstance(scenario, Loaded) else load(scenario)
        # the scenario's texts as a workbook in this language shows them
        original = translated(loaded.programme, loaded.source.path, wb.lang)
        result.edits = diff_programmes(original, programme)
        result.findings += edit_findings(result.edits, original, fig, loc, wb)
    return result


def edit_findings(
    edits: list[Edit], original: Programme, fig: Figures, loc: Locator, wb: Workbook
) -> list[Finding]:
    """Each edit at the cell it was typed in, its values as a reader writes them, and for a
    cost line what it does to the line's AE; then what all the edits do to the AE allocated
    and to the headroom of the budget year."""
    before = compute(original)
    ae_before = {lf.id: lf.ttc for lf in before.lines}
    ae_after = {lf.id: lf.ttc for lf in fig.lines}
    paths = item_paths(fig.programme)
    records = _items(fig.programme) if edits else {}  # what each edited item is called
    out, priced = [], set()
    for e in edits:
        where = paths.get(e.item)
        sheet, cell = ("", "") if where is None else loc.find((*where, *e.field.split(".")))
        text = f"{e.item}{'.' + e.field if e.field else ''}: {show(e.old)} -> {show(e.new)}"
        text_fr = f"{_in_words(e, records)} : {shown(e.old, 'fr')} -> {shown(e.new, 'fr')}"
        if e.item.startswith("cost_lines["):
            line = e.item[len("cost_lines[") : -1]
            old, new = ae_before.get(line, 0), ae_after.get(line, 0)
            if old != new and line not in priced:  # said once, at the line's first edit
                priced.add(line)
                text_fr += (
                    f" (AE de la ligne {eur(old, 'fr')} -> {eur(new, 'fr')}, "
                    f"{_signed(new - old, 'fr')})"
                )
                text += f" (AE of the line {eur(old)} -> {eur(new)}, {_signed(new - old)})"
        out.append(
            Finding(
                Severity.INFO,
                f"EDIT_{e.what.upper()}",
                said(text, text_fr),
                said(
                    f"kept in this workbook; to carry it into the scenario: {CARRY.menu('en')} (or "
                    "budgetplan reconcile --write-scenario)",
                    f"gardée dans ce classeur ; pour la reporter dans le scénario : "
                    f"{CARRY.menu('fr')} (ou budgetplan reconcile --write-scenario)",
                ),
                file=str(wb.path),
                sheet=sheet,
                cell=cell,
                extra={"item": e.item, "field": e.field},
            )
        )
    if edits:
        year = fig.budget_year
        out.append(
            Finding(
                Severity.INFO,
                "EDIT_IMPACT",
                said(
                    f"the edits move the AE allocated from {eur(before.total_ae)} to "
                    f"{eur(fig.total_ae)} ({_signed(fig.total_ae - before.total_ae)}) and the "
                    f"{year} headroom from {eur(before.headroom.get(year, 0))} to "
                    f"{eur(fig.headroom.get(year, 0))}",
                    f"les modifications font passer les AE allouées de "
                    f"{eur(before.total_ae, 'fr')} à {eur(fig.total_ae, 'fr')} "
                    f"({_signed(fig.total_ae - before.total_ae, 'fr')}) et la marge {year} de "
                    f"{eur(before.headroom.get(year, 0), 'fr')} à "
                    f"{eur(fig.headroom.get(year, 0), 'fr')}",
                ),
                said(
                    f"kept in this workbook; to carry them into the scenario: {CARRY.menu('en')} (or "
                    "budgetplan reconcile --write-scenario)",
                    f"gardées dans ce classeur ; pour les reporter dans le scénario : "
                    f"{CARRY.menu('fr')} (ou budgetplan reconcile --write-scenario)",
                ),
                file=str(wb.path),
            )
        )
    return out


def _in_words(edit: Edit, records: dict[str, dict[str, object]]) -> str:
    """An edit's place as the workbook says it: ``Quantité de la ligne SCAN-EQ (« Scanners
    corporels »)``, the path kept for JSON (``extra``). ``records``: the programme's items
    (:func:`budgetplan.core.items.items`), for the item's label or name."""
    kind, _, rest = edit.item.partition("[")
    ident = rest.split("]")[0]
    kind = kind.split(".")[-1]
    found = L.ITEM_KINDS.get(kind)
    name, of_name = (found[1], found[2]) if found else ("l'élément", "de l'élément")
    head = L.field_label(kind, edit.field, "fr")
    text = f"{head} {of_name} {ident}" if edit.field else f"{name} {ident}".capitalize()
    record = records.get(edit.item, {})
    described = record.get("label") or record.get("name") or ""
    return f"{text} (« {described} »)" if described else text


def _signed(cents: int, lang: str = "en") -> str:
    return ("+" if cents >= 0 else "") + eur(cents, lang)


def line_offsets(loc: Locator, n_lines: int) -> tuple[int, ...] | None:
    """The row each cost line was read from, counted from the first data row; None when the
    lines stand one after the other from the top (as budgetplan writes them)."""
    offsets = tuple(
        loc.rows[("cost_lines", i)][1].excel_row - 1 - L.FIRST_DATA_ROW for i in range(n_lines)
    )
    return None if offsets == tuple(range(n_lines)) else offsets


def child_offsets(loc: Locator, programme: Programme, via: str) -> tuple[int, ...] | None:
    """The row each milestone (``via`` "milestones") or event served ("serves") was read from,
    pilot by pilot as the layout lists them; None when they stand as budgetplan writes them."""
    offsets = tuple(
        loc.rows[("pilots", pi, via, k)][1].excel_row - 1 - L.FIRST_DATA_ROW
        for pi, pilot in enumerate(programme.pilots)
        for k in range(len(getattr(pilot, via)))
    )
    return None if offsets == tuple(range(len(offsets))) else offsets


def _edits_beside_bad_values(
    result: Reconciliation, wb: Workbook, scenario: str | Path | Loaded
) -> None:
    """The edits of a workbook some of whose cells cannot be read: it is read again with each
    unreadable cell as the scenario has it, so that one bad value hides no other edit."""
    loaded = scenario if isinstance(scenario, Loaded) else load(scenario)
    original = translated(loaded.programme, loaded.source.path, wb.lang)
    again = wb.with_originals(original)
    programme, loc = read_programme(again)
    if programme is None:
        return
    refs = reference_findings(programme, None, "")  # an id typed where none is: said too
    result.findings += [_located(f, loc, again) for f in refs]
    result.edits = diff_programmes(original, programme)
    # with a reference unresolved the programme cannot be computed: the edits are listed
    # without what they cost
    fig = compute(programme) if not refs else compute(original)
    found = edit_findings(result.edits, original, fig, loc, again)
    result.findings += [f for f in found if not (refs and f.code == "EDIT_IMPACT")]


def _formula_findings(wb: Workbook) -> list[Finding]:
    """The formulas typed over, changed or deleted in a workbook whose inputs do not all read,
    so that no finding hides another: they are compared with those of a stand-in programme of
    the same shape (each unreadable cell standing in for by its column's value in another row)."""
    stand_in = wb.with_stand_ins()
    programme, loc = read_programme(stand_in)
    if programme is None or reference_findings(programme, None, ""):
        return []  # the inputs are too broken to know the shape: their findings say why
    fig = compute(programme)
    found = check_integrity(
        stand_in,
        fig,
        run_checks(fig),
        formulas_only=True,
        line_offsets=line_offsets(loc, len(programme.cost_lines)),
        milestone_offsets=child_offsets(loc, programme, "milestones"),
        served_offsets=child_offsets(loc, programme, "serves"),
        evaluation_offsets=child_offsets(loc, programme, "evaluations"),
    )
    return [f for f in found if f.code.startswith("FORMULA_") or f.code == "PHASING_ROWS"]


def _located(f: Finding, loc: Locator, wb: Workbook) -> Finding:
    sheet, cell = loc.find(f.path)
    return Finding(f.severity, f.code, f.message, f.hint, f.path, str(wb.path), None, sheet, cell)


# --------------------------------------------------------------------------- edits


def diff_programmes(old: Programme, new: Programme) -> list[Edit]:
    """Field-level differences between two programmes, items matched by their ids."""
    a, b = _items(old), _items(new)
    edits: list[Edit] = []
    for item in a.keys() | b.keys():
        if item not in b:
            edits.append(Edit("removed", item, "", item, None))
        elif item not in a:
            edits.append(Edit("added", item, "", None, item))
        else:
            fa, fb = _flatten(a[item]), _flatten(b[item])  # type: ignore[arg-type]
            for key in sorted(fa.keys() | fb.keys()):
                if fa.get(key) != fb.get(key):
                    edits.append(Edit("changed", item, key, fa.get(key), fb.get(key)))
    order = {"programme": 0}
    return sorted(edits, key=lambda e: (order.get(e.item, 1), e.item, e.field))


__all__ = [
    "Edit",
    "Loaded",
    "ReadError",
    "Reconciliation",
    "diff_programmes",
    "reconcile",
    "xl_rowcol_to_cell",
]
