"""Reconcile an edited workbook: what broke, what the budget rules say, and what was edited.

budgetplan never trusts what a workbook says it computed: it reads the inputs back, recomputes
everything, rebuilds the workbook those inputs give, and compares each formula and cached value
with it. Every problem is a finding with a severity, a stable code, a sheet and a cell.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from budgetplan import layout as L
from budgetplan.actuals import ActualsReport, budget_against_actual, load_actuals
from budgetplan.checks import run_checks
from budgetplan.compute import Figures, compute
from budgetplan.findings import Finding, Severity
from budgetplan.formulas import normal_spelling, normal_spelling_xml, quoted_sheet, to_r1c1
from budgetplan.items import flatten as _flatten
from budgetplan.items import items as _items
from budgetplan.loader import Loaded, Source, load, reference_findings
from budgetplan.model import Programme
from budgetplan.reader import (
    Locator,
    ReadError,
    Workbook,
    corrupt_as_read_error,
    open_workbook,
    read_programme,
)
from budgetplan.xlsxfile import (
    RawCell,
    ScannedCell,
    cell_type,
    decode_formula,
    open_xlsx,
    raw_formula_cells_of,
    raw_value,
    scan_formula_cells,
    sheet_parts,
)

#: Findings of one kind reported per sheet before they are summarised.
MAX_PER_SHEET = 25


def normalise(formula: str, row: int, col: int) -> str:
    """A formula in a form that Excel's and LibreOffice's re-saves do not change."""
    return to_r1c1(normal_spelling(formula.removeprefix("=")), row, col)


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
) -> Reconciliation:
    """Read ``path`` back, check its integrity and the budget rules, list the edits, and set
    the actual commitments and payments of ``actuals`` against the budget.

    Raises ReadError when the file is not a readable budgetplan workbook, LoadError when the
    scenario cannot be read, ActualsError when the actuals cannot.
    """
    path = Path(path)
    wb = open_workbook(path, allow_macros)
    with corrupt_as_read_error(path), ThreadPoolExecutor(1) as pool:
        # zlib lets go of the interpreter while it inflates: the 100 MB Phasing part of a large
        # workbook is read on the other core while this one reads and checks the inputs
        phasing = pool.submit(_read_part, path, wb.parts.get("phasing"))
        return _reconcile(wb, path, scenario, actuals, phasing.result)


def _read_part(path: Path, part: str | None) -> bytes | None:
    if part is None:
        return None
    with open_xlsx(path, allow_macros=True) as zf:
        return zf.read(part)


def _reconcile(
    wb: Workbook,
    path: Path,
    scenario: str | Path | None,
    actuals: str | Path | None,
    phasing_xml: Callable[[], bytes | None],
) -> Reconciliation:
    programme, loc = read_programme(wb)
    result = Reconciliation(path, programme, list(wb.findings), lang=wb.lang)
    if programme is None:
        return result
    refs = reference_findings(programme, None, "")
    for f in refs:
        result.findings.append(_located(f, loc, wb))
    if refs:
        return result
    fig = compute(programme)
    result.findings += _integrity(wb, fig, phasing_xml())
    for check in run_checks(fig):
        for f in check.findings:
            result.findings.append(_located(f, loc, wb))
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
        original = load(scenario)
        result.edits = diff_programmes(original.programme, programme)
        for e in result.edits:
            result.findings.append(
                Finding(
                    Severity.INFO,
                    f"EDIT_{e.what.upper()}",
                    f"{e.item}{'.' + e.field if e.field else ''}: {_show(e.old)} -> {_show(e.new)}",
                    "carry it into the scenario with --write-scenario",
                    file=str(path),
                )
            )
    return result


def _show(value: object) -> str:
    return "-" if value is None else str(value)


def _located(f: Finding, loc: Locator, wb: Workbook) -> Finding:
    sheet, cell = loc.find(f.path)
    return Finding(f.severity, f.code, f.message, f.hint, f.path, str(wb.path), None, sheet, cell)


# --------------------------------------------------------------------------- integrity


def _integrity(wb: Workbook, fig: Figures, phasing_xml: bytes | None) -> list[Finding]:
    """Compare every formula and cached value with the workbook these inputs give
    (``phasing_xml``: the workbook's Phasing sheet, read ahead)."""
    findings: list[Finding] = []
    programme = fig.programme
    expected_rows: list[str] = []  # the Phasing data rows, as budgetplan writes them
    names = [L.sheet_name(key, wb.lang) for key in L.SHEETS]
    with tempfile.TemporaryDirectory(prefix="budgetplan-reconcile-") as tmp:
        from budgetplan.workbook.writer import write_workbook

        expected_path = Path(tmp) / "expected.xlsx"
        with _stored_zip():  # read back at once: compressing it would be wasted time
            write_workbook(
                programme,
                Source("expected", "expected", ""),
                expected_path,
                wb.lang,
                figures=fig,
                risk=False,
                phasing_rows=expected_rows,
            )
        with open_xlsx(expected_path) as zf:
            expected_xml = {p.name: zf.read(p.part) for p in sheet_parts(zf)}
    # the sheet names each sheet's formulas use (their quoting is one of the re-saves' spellings)
    first_row = expected_rows[0].encode() if expected_rows else b""
    uses = {
        name: [n for n in names if quoted_sheet(n).encode() in xml + first_row]
        for name, xml in expected_xml.items()
    }
    expected = {name: _scan(xml, uses[name]) for name, xml in expected_xml.items()}
    phasing_rows: int | None = None
    with open_xlsx(wb.path, allow_macros=True) as zf:
        actual = {
            key: _scan(zf.read(part), uses.get(L.sheet_name(key, wb.lang), names))
            for key, part in wb.parts.items()
            if key != "phasing"
        }
    phasing_name = L.sheet_name("phasing", wb.lang)
    if phasing_xml is not None:
        used = uses.get(phasing_name, names)
        start = _start_of_same_rows(phasing_xml, expected_rows)
        if start is not None:  # the data rows are as written: only the head rows to compare
            actual["phasing"] = _scan(phasing_xml[:start], used)
            phasing_rows = len(expected_rows)
        else:  # re-saved or edited: every cell
            actual["phasing"] = _scan(phasing_xml, used)
            expected[phasing_name] += _scan("".join(expected_rows).encode(), used)
            phasing_rows = sum(
                1 for c in actual["phasing"] if c[0] == b"A" and int(c[1]) > L.FIRST_DATA_ROW
            )

    n_lines = len(programme.cost_lines)
    if phasing_rows is not None and phasing_rows != n_lines:
        if phasing_rows > n_lines:
            message = (
                f"the Phasing sheet has {phasing_rows} line rows for {n_lines} cost lines: "
                "a row was deleted from the cost-line inputs"
            )
            hint = "restore the row, or rebuild the workbook from its scenario"
            severity = Severity.ERROR
        else:
            message = (
                f"{n_lines - phasing_rows} cost line(s) added in the inputs have no Phasing row yet"
            )
            hint = "rebuild the workbook (budgetplan build) to phase them"
            severity = Severity.WARNING
        findings.append(
            Finding(
                severity,
                "PHASING_ROWS",
                message,
                hint,
                file=str(wb.path),
                sheet=wb.names.get("phasing", ""),
                cell="A5",
            )
        )
        skip = {"phasing", "timeline", "summary", "checks", "pilots"}
    else:
        skip = set()

    counts: Counter[tuple[str, str]] = Counter()
    types: dict[bytes, bytes] = {}  # cell attributes -> cell type (a few dozen distinct ones)

    def type_of(attrs: bytes) -> bytes:
        t = types.get(attrs)
        if t is None:
            t = types[attrs] = cell_type(attrs)
        return t

    def add(key: str, severity: Severity, code: str, message: str, hint: str, ref: str) -> None:
        counts[(key, code)] += 1
        if counts[(key, code)] <= MAX_PER_SHEET:
            findings.append(
                Finding(
                    severity, code, message, hint, file=str(wb.path), sheet=wb.names[key], cell=ref
                )
            )

    for key in L.SHEETS:
        if key not in wb.names or key in skip:
            continue
        scanned_exp = expected.get(L.sheet_name(key, wb.lang), [])
        scanned_act = actual.get(key, [])
        if _all_alike(scanned_exp, scanned_act):
            continue
        exp = raw_formula_cells_of(scanned_exp)
        act = raw_formula_cells_of(scanned_act)
        for (col, row), cell in exp.items():
            ref = f"{col}{row}"
            got = act.get((col, row))
            if got is None:
                value = _value_at(wb, key, col, row)
                formula = decode_formula(cell[0])
                if value in ("", None):
                    add(
                        key,
                        Severity.ERROR,
                        "FORMULA_MISSING",
                        "formula deleted",
                        f"restore ={formula}",
                        ref,
                    )
                else:
                    add(
                        key,
                        Severity.ERROR,
                        "FORMULA_REPLACED",
                        f"formula replaced by the constant {value!r}",
                        f"restore ={formula} (totals must stay live formulas)",
                        ref,
                    )
                continue
            if (got[0] != cell[0] or got[3] is not None) and not _same_formula(cell, got, row, col):
                text = decode_formula(got[0])
                code = "FORMULA_BROKEN" if "#REF!" in text else "FORMULA_CHANGED"
                add(
                    key,
                    Severity.ERROR,
                    code,
                    f"formula ={text} differs from the layout's",
                    f"restore ={decode_formula(cell[0])}",
                    ref,
                )
                continue
            have_type, want_type = type_of(got[2]), type_of(cell[2])
            if got[1] == cell[1] and have_type == want_type:
                continue  # same value, stored the same way
            if have_type == want_type == b"n" and got[1] and cell[1]:
                with contextlib.suppress(ValueError):  # 0 and 0.0, 0.1 and 0.10000000000000001
                    if abs(float(got[1]) - float(cell[1])) <= 0.005:
                        continue
            have, want = raw_value(got), raw_value(cell)
            if isinstance(have, tuple):
                add(
                    key,
                    Severity.ERROR,
                    "FORMULA_ERROR",
                    f"the formula gives {have[1]}",
                    "check the inputs it uses",
                    ref,
                )
            elif have is not None and not _same(have, want):
                add(
                    key,
                    Severity.ERROR,
                    "VALUE_STALE",
                    f"shows {have!r} but the inputs give {want!r}",
                    "recalculate the workbook (F9), or check what changed",
                    ref,
                )
        for (col, row), got in act.items():
            if (col, row) in exp:
                continue
            text = decode_formula(got[0])
            if text.removeprefix("=") in ("TRUE", "FALSE"):
                continue  # LibreOffice stores a typed TRUE/FALSE as a formula (TRUE())
            if key not in skip:
                add(
                    key,
                    Severity.WARNING,
                    "FORMULA_ADDED",
                    f"a formula ={text} where the layout has an input or nothing",
                    "type the value itself: inputs are values",
                    f"{col}{row}",
                )
    for (key, code), n in counts.items():
        if n > MAX_PER_SHEET:
            findings.append(
                Finding(
                    Severity.ERROR if code != "FORMULA_ADDED" else Severity.WARNING,
                    code,
                    f"... and {n - MAX_PER_SHEET} more cells like these",
                    "",
                    file=str(wb.path),
                    sheet=wb.names[key],
                )
            )
    return findings


def _start_of_same_rows(data: bytes, rows: list[str]) -> int | None:
    """Where the Phasing data rows begin in the sheet's XML ``data`` when they are, byte for
    byte, the ``rows`` budgetplan writes for these inputs (a workbook nobody re-saved)."""
    start = pos = data.find(b'<row r="%d"' % (L.FIRST_DATA_ROW + 1))
    if start < 0:
        return None
    for row in rows:  # row by row, in place: no copy of a 100 MB sheet
        expected = row.encode()
        if not data.startswith(expected, pos):
            return None
        pos += len(expected)
    return start if data.startswith(b"</sheetData>", pos) else None


def _scan(xml: bytes, sheet_names: Iterable[str]) -> list[ScannedCell]:
    return scan_formula_cells(normal_spelling_xml(xml, sheet_names))


def _all_alike(expected: list[ScannedCell], actual: list[ScannedCell]) -> bool:
    """The same formulas in the same cells, with the same cached values (numbers to the half
    cent): a sheet as written, or re-saved by a client that changed nothing but spellings.
    Checked list against list; a sheet that is not alike is compared cell by cell to say where."""
    if len(expected) != len(actual):
        return False
    if [(c[0], c[1], c[4]) for c in expected] != [(c[0], c[1], c[4]) for c in actual]:
        return False
    attrs_e, attrs_a = [c[2] for c in expected], [c[2] for c in actual]
    types = {attrs: cell_type(attrs) for attrs in {*attrs_e, *attrs_a}}  # a few dozen
    kinds = list(map(types.__getitem__, attrs_e))
    if kinds != list(map(types.__getitem__, attrs_a)):
        return False
    values = zip([c[5] for c in expected], [c[5] for c in actual], kinds, strict=True)
    for want, have, kind in values:
        if want == have:
            continue
        if kind != b"n" or not want or not have:
            return False
        try:  # 0 and 0.0, 0.1 and 0.10000000000000001
            if abs(float(want) - float(have)) > 0.005:
                return False
        except ValueError:
            return False
    return True


def _same_formula(expected: RawCell, got: RawCell, row: int, col: str) -> bool:
    """Same formula once re-saves' spellings are undone, or in relative R1C1 form (Excel's
    shared formulas)."""
    want_text, have_text = decode_formula(expected[0]), decode_formula(got[0])
    if got[3] is None and normal_spelling(have_text) == normal_spelling(want_text):
        return True
    want = normalise(want_text, row, _col_index(col))
    origin = (got[3][1], _col_index(got[3][0])) if got[3] else (row, _col_index(col))
    return want == normalise(have_text, *origin)


@contextlib.contextmanager
def _stored_zip() -> Iterator[None]:
    """Have xlsxwriter store the parts of the expected workbook instead of deflating them."""
    import zipfile

    import xlsxwriter.workbook as xw

    saved = xw.ZIP_DEFLATED
    xw.ZIP_DEFLATED = zipfile.ZIP_STORED  # type: ignore[misc]
    try:
        yield
    finally:
        xw.ZIP_DEFLATED = saved  # type: ignore[misc]


def _col_index(col: str) -> int:
    n = 0
    for ch in col:
        n = n * 26 + ord(ch) - 64
    return n


def _value_at(wb: Workbook, key: str, col: str, row: int) -> object:
    return wb.cell(key, row - 1, _col_index(col) - 1)


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return float(a) == float(b)  # type: ignore[arg-type]
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 0.005
    if a in ("", None) and b in ("", None):
        return True
    return a == b


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
