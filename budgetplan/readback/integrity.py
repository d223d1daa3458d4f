"""Integrity of a workbook that came back: every formula and cached value against what its inputs
give.

budgetplan never trusts what a workbook says it computed. From the input cells alone it renders,
with the writer's own code, the formulas and cached values the workbook should hold, and compares
them with the file's. A Phasing sheet nobody re-saved is compared row by row, byte for byte, in
place; a re-saved one (Excel, LibreOffice) first has the spellings a re-save changes made one, then
is compared list against list, and cell by cell only where it differs, to say where.
"""

from __future__ import annotations

import html
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path

from openpyxl.utils.cell import column_index_from_string

from budgetplan.compute.checks import CheckResult
from budgetplan.compute.figures import Figures
from budgetplan.core.display import shown
from budgetplan.core.findings import Finding, Severity, said
from budgetplan.core.menu import SCHEDULE
from budgetplan.core.source import Source
from budgetplan.readback.respelling import ResavedRows
from budgetplan.readback.sheet_stream import SheetStream, row_chunks
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.formula_local import typed_as
from budgetplan.xlsx.formulas import (
    names_in,
    normal_spelling,
    normal_spelling_xml,
    quoted_sheet,
    to_r1c1,
    unquoted_sheets,
)
from budgetplan.xlsx.reader import Workbook
from budgetplan.xlsx.workbook.context import RowPlan, RowSink
from budgetplan.xlsx.workbook.sheet import RowTemplate
from budgetplan.xlsx.xlsxfile import (
    RawCell,
    ScannedCell,
    cell_type,
    decode_formula,
    open_xlsx,
    raw_formula_cells_of,
    raw_value,
    scan_formula_cells,
    shared_strings,
    sheet_parts,
)

#: Findings of one kind reported per sheet before they are summarised.
MAX_PER_SHEET = 25
#: Sheets whose formulas follow the number of cost lines: not compared when the Phasing sheet
#: has a row more or less than the inputs have lines (one finding says so instead).
FOLLOW_LINES = frozenset({"phasing", "timeline", "summary", "checks", "pilots"})
#: Cached amounts closer than this are the same (a client may store 0.1 as 0.10000000000000001).
HALF_CENT = 0.005


def _as_read(value: object, lang: str) -> str:
    """A cell's value as its reader sees it (text quoted)."""
    if isinstance(value, str):
        return f"« {value} »" if lang == "fr" else repr(value)
    return shown(value, lang)


def check_integrity(
    wb: Workbook,
    fig: Figures,
    checks: list[CheckResult],
    formulas_only: bool = False,
    line_offsets: tuple[int, ...] | None = None,
    milestone_offsets: tuple[int, ...] | None = None,
    served_offsets: tuple[int, ...] | None = None,
    evaluation_offsets: tuple[int, ...] | None = None,
) -> list[Finding]:
    """Compare every formula and cached value of ``wb`` with what the inputs behind ``fig`` (and
    their ``checks``) give. ``formulas_only``: ``fig`` is a stand-in of the right shape (some
    inputs could not be read), so only the formulas are compared, not the values.
    ``line_offsets``: the row each line was read from (0-based from the first data row), when
    lines were typed further down."""
    offsets = (line_offsets, milestone_offsets, served_offsets, evaluation_offsets)
    names = [L.sheet_name(key, wb.lang) for key in L.SHEETS]
    with _phasing_stream(wb) as stream:
        phasing = _PhasingRows(wb, stream, names, formulas_only)
        # the writer renders the Phasing rows one at a time into ``phasing``, which compares
        # them with the file's as it inflates: neither side's sheet is ever held whole
        expected_xml = _expected_sheets(wb, fig, checks, phasing, offsets)
        phasing.finish()
    # the sheet names each sheet's formulas use (their quoting is one of the re-saves' spellings)
    uses = {
        name: [n for n in names if quoted_sheet(n).encode() in xml]
        for name, xml in expected_xml.items()
    }
    rows = len(fig.lines) + spare_lines(wb, fig)
    if line_offsets:
        rows = max(rows, max(line_offsets) + 1)
    mismatch = _phasing_rows_finding(wb, phasing.line_rows if stream else None, rows)
    skip = FOLLOW_LINES if mismatch is not None else frozenset()
    notes, compared = _Report(wb), _Report(wb)  # notes typed beside the tables come first
    for key in L.SHEETS:
        if key not in wb.names:
            continue
        name = L.sheet_name(key, wb.lang)
        if key == "phasing":
            if key not in skip:
                phasing.compare_head(expected_xml.get(name, b""))
                compared.take(phasing.report)
            continue
        if key not in skip or key in _NOTED:  # read once: its formulas and the notes beside
            have = _read_sheet(wb, key, uses.get(name, names), expected_xml.get(name), notes)
        if key in skip:
            continue
        want = _scan(expected_xml.get(name, b""), uses.get(name, names))
        if not _all_alike(want, _without_typed_booleans(want, have)):
            _compare_cells(
                wb,
                key,
                raw_formula_cells_of(want),
                raw_formula_cells_of(have),
                compared,
                formulas_only,
            )
    if mismatch is not None:
        notes.findings.append(mismatch)
    notes.take(compared)
    return notes.all()


def _outside(report: _Report, key: str, ref: str, value: str) -> None:
    report.add(
        key,
        Severity.WARNING,
        "CELL_OUTSIDE",
        said(
            f"{value!r} is typed outside the workbook's tables: budgetplan does not read it, "
            "and a new build would not keep it",
            f"{value!r} est saisi hors des tableaux du classeur : budgetplan ne le lit pas "
            "et une nouvelle construction ne le garderait pas",
        ),
        said(
            "carry the note into the scenario file (a rationale, a comment), then delete it",
            "reporter la note dans le fichier de scénario (justification, commentaire), puis "
            "l'effacer",
        ),
        ref,
    )


# --------------------------------------------------------------------------- the Phasing sheet


@contextmanager
def _phasing_stream(wb: Workbook) -> Iterator[SheetStream | None]:
    """The workbook's Phasing sheet as it inflates (None when it has none)."""
    part = wb.parts.get("phasing")
    if part is None:
        yield None
        return
    with open_xlsx(wb.path, allow_macros=True) as zf:
        stream = SheetStream(zf, part)
        try:
            yield stream
        finally:
            stream.close()


class _PhasingRows:
    """Takes the Phasing data rows as the writer renders them and compares each with the file's
    as it inflates. A row found byte for byte where it stands (a sheet nobody re-saved) is let
    go at once; from the first that differs on, the rows are compared a chunk of ROWS row
    numbers at a time, both sides in their normal spelling, list against list, and cell by cell
    only where a chunk differs. Memory: a chunk of rows, whatever the size of the sheet."""

    ROWS = 500
    FIRST_ROWS = 20  # the first chunk, while the re-save's spelling is not learnt
    _NUMBER = re.compile(r'<row r="(\d+)"')
    _LINE_CELL = re.compile(rb'<(?:\w+:)?c r="A(\d+)"[^>]*?>\s*<(?:\w+:)?f')

    def __init__(
        self, wb: Workbook, stream: SheetStream | None, names: list[str], formulas_only: bool
    ):
        self.wb, self.stream, self.names, self.formulas_only = wb, stream, names, formulas_only
        self.report = _Report(wb)
        self.line_rows = 0  # rows of the file's with a formula in column A (a cost line's)
        #: expected rows of the chunk being gathered: 0-based row, cached values, template
        self.pending: list[tuple[int, list[object], RowTemplate]] = []
        self.quoted: set[str] = set()  # the sheet names the expected rows' formulas quote
        self.strings: list[str] | None = None  # the shared strings, read if a note needs them
        #: the rows as the re-saved file spells them, learnt on a chunk found alike
        self.resaved: ResavedRows | None = None
        self.learnt_from = False  # whether a chunk found alike was learnt from
        self.high: int | None = None  # chunk mode: the row number the chunk ends before
        self.masters_want: dict[bytes, tuple[str, int, bytes]] = {}
        self.masters_have: dict[bytes, tuple[str, int, bytes]] = {}
        head = stream.head(L.FIRST_DATA_ROW + 1) if stream is not None else b""
        self.head = head
        self.head_have = _scan(head, names)
        self.head_cells = raw_formula_cells_of(self.head_have, self.masters_have)

    def add(self, row: int, values: list[object], template: RowTemplate) -> None:
        if self.stream is None:
            return
        number = row + 1
        if self.high is None:
            resaved = self.resaved
            spelled = (
                resaved.render_row(row, values)
                if resaved is not None
                else template.render_row(row, values).encode()
            )
            if self.stream.match(spelled):
                self.line_rows += 1
                return
            # the first row that differs: a chunk of rows compared cell by cell (a short one
            # while the re-save's spelling is not learnt, to learn it early)
            first = self.resaved is None and not self.learnt_from
            self.high = number + (self.FIRST_ROWS if first else self.ROWS)
        while number >= self.high:
            self._compare_chunk()
            if self.resaved is not None:  # back to matching rows in place
                self.high = None
                self.add(row, values, template)
                return
            self.high += self.ROWS
        self.pending.append((row, values, template))

    def finish(self) -> None:
        """Compare what is left: the last chunk, and the file's rows past the expected ones."""
        if self.stream is None or (self.high is None and self.stream.at_end()):
            return
        while True:
            if self.high is None:
                number = self.stream.next_row_number()
                if number is None:
                    return
                self.high = number + self.ROWS
            self._compare_chunk()
            self.high = None

    def _typed_beside(
        self,
        xml: bytes,
        formulas: set[tuple[bytes, bytes]] | frozenset[tuple[bytes, bytes]] = frozenset(),
        built_refs: set[bytes] | frozenset[bytes] = frozenset(),
    ) -> None:
        """The values in ``xml`` where the layout has no cell (CELL_OUTSIDE): cells with a value
        and no formula, but where a formula is expected (``formulas``: typed over it, which the
        comparison reports) or the writer wrote one (``built_refs``: the header rows)."""
        for m in _CELL.finditer(xml):
            ref, body = m.group(1), m.group(3)
            if not body or b"<f" in body or ref in built_refs:
                continue
            letters = ref.rstrip(b"0123456789")
            if (letters, ref[len(letters) :]) in formulas:
                continue
            value = _VALUE.search(body)
            text = (value.group(1) or value.group(2) or b"") if value else b""
            if text:
                shown = self._text(m.group(2), text)
                _outside(self.report, "phasing", ref.decode(), shown)

    def _text(self, attrs: bytes, raw: bytes) -> str:
        """A typed value as its reader sees it (a shared string's text, not its index)."""
        if cell_type(attrs) == b"s" and raw.isdigit():
            if self.strings is None:
                self.strings = shared_strings(self.wb.path)
            if int(raw) < len(self.strings):
                return self.strings[int(raw)][:60]
        return html.unescape(raw.decode("utf-8", "replace"))[:60]

    def _used(self, want_xml: bytes) -> list[str]:
        """The sheet names the chunk's expected formulas quote: every expected row quotes those
        of the first (one shape of row per table), checked in its first and last rows."""
        ends = want_xml[:65536] + want_xml[-65536:]
        self.quoted.update(n for n in self.names if quoted_sheet(n).encode() in ends)
        return [n for n in self.names if n in self.quoted]

    def _number(self, row: str) -> int:
        m = self._NUMBER.match(row)
        return int(m.group(1)) if m else 0

    def _compare_chunk(self) -> None:
        assert self.stream is not None and self.high is not None
        pending, self.pending = self.pending, []
        want_xml = "".join(t.render_row(row, values) for row, values, t in pending).encode()
        have_xml = self.stream.rows_below(self.high)
        self.line_rows += sum(
            1 for m in self._LINE_CELL.finditer(have_xml) if int(m.group(1)) > L.FIRST_DATA_ROW
        )
        used = self._used(want_xml)
        # the writer's rows differ from the normal spelling only by their quoted sheet names (no
        # &quot;, &apos; nor TRUE(); were one to appear, the cell-by-cell comparison, which
        # respells each formula, would still find them alike)
        want_xml = unquoted_sheets(want_xml, used)
        want, have = scan_formula_cells(want_xml), _scan(have_xml, used)
        if have_xml.count(b"</v>") + have_xml.count(b"</is>") > sum(1 for c in have if c[5]):
            self._typed_beside(have_xml, {(c[0], c[1]) for c in want})  # a value, no formula
        have = _without_typed_booleans(want, have)
        if b'"shared"' in have_xml:  # Excel's shared formulas: their masters carry on
            have_cells = raw_formula_cells_of(have, self.masters_have)
            if _all_alike(want, have):
                return
        elif _all_alike(want, have):
            if not self.learnt_from and pending:  # learn the re-save's spelling from these rows
                self.learnt_from = True
                rows = [(row, values) for row, values, _ in pending]
                self.resaved = ResavedRows.learn(pending[0][2], rows, have_xml, used)
            return
        else:
            have_cells = raw_formula_cells_of(have, self.masters_have)
        _compare_cells(
            self.wb,
            "phasing",
            raw_formula_cells_of(want, self.masters_want),
            have_cells,
            self.report,
            self.formulas_only,
        )

    def compare_head(self, expected_xml: bytes) -> None:
        """The rows above the data (headers, totals) against the sheet as the writer made it."""
        built = {m.group(1) for m in _CELL.finditer(expected_xml)}
        self._typed_beside(self.head, built_refs=built)
        want = _scan(expected_xml, self.names)
        if not _all_alike(want, _without_typed_booleans(want, self.head_have)):
            _compare_cells(
                self.wb,
                "phasing",
                raw_formula_cells_of(want),
                self.head_cells,
                self.report,
                self.formulas_only,
            )


#: Sheets only budgetplan writes (no input table): every value on them is one it wrote (the
#: About sheet aside: its rows follow the metadata it holds, which grows between versions).
CALCULATED_SHEETS = ("summary", "checks", "credits", "timeline", "risk")
_CELL = re.compile(
    rb'<(?:\w+:)?c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)', re.S
)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>|<(?:\w+:)?t[^>]*>([^<]*)</(?:\w+:)?t>")


def _read_sheet(
    wb: Workbook, key: str, used: list[str], expected_xml: bytes | None, notes: _Report
) -> list[ScannedCell]:
    """The formula cells of a sheet of the workbook, in one pass over its XML a piece of rows at
    a time (the Lines sheet is 1 GB at 100,000 lines), and, on a sheet of _NOTED, the values
    where the workbook as built has no cell and no table reads one: notes typed by a reader
    beside the tables (any column of a calculated sheet; on an input sheet, a column no input
    table spans, since rows typed into a table are read as inputs), added to ``notes``."""
    part = wb.parts.get(key)
    if part is None:
        return []
    noted = key in _NOTED and expected_xml is not None
    built = {m.group(1) for m in _CELL.finditer(expected_xml)} if noted and expected_xml else set()
    beside = _BESIDE.get(key, _CELL)  # the cells in no table's columns
    cells: list[ScannedCell] = []
    with open_xlsx(wb.path, allow_macros=True) as zf:
        for piece in row_chunks(zf, part):
            cells += _scan(piece, used)
            for m in beside.finditer(piece) if noted else ():
                ref = m.group(1)
                if not m.group(3) or ref in built:
                    continue
                value = _VALUE.search(m.group(3))
                text = (value.group(1) or value.group(2) or b"") if value else b""
                if text:
                    _outside(notes, key, ref.decode(), _shown(wb, key, ref.decode(), text))
    return cells


def _table_columns() -> dict[str, frozenset[bytes]]:
    """The column letters each input sheet's tables span (inputs, and their calculations)."""
    from xlsxwriter.utility import xl_col_to_name

    spans: dict[str, set[bytes]] = {}
    for table in (v for v in vars(L).values() if isinstance(v, L.Table)):
        if table.sheet in CALCULATED_SHEETS or table.sheet in ("phasing", "about"):
            continue
        letters = spans.setdefault(table.sheet, set())
        for col in range(table.first_col, table.first_col + len(table.columns)):
            letters.add(xl_col_to_name(col).encode())
    return {sheet: frozenset(cols) for sheet, cols in spans.items()}


def _shown(wb: Workbook, key: str, ref: str, raw: bytes) -> str:
    """The value of a cell as its reader sees it (a shared string's text, not its index)."""
    from xlsxwriter.utility import xl_cell_to_rowcol

    row, col = xl_cell_to_rowcol(ref)
    rows = wb.values[key]
    if row < len(rows) and col < len(rows[row]) and rows[row][col] not in (None, ""):
        return str(rows[row][col])[:60]
    return raw.decode("utf-8", "replace")[:60]


def _spare(wb: Workbook, rows_key: str, written_key: str, read: int) -> int:
    try:
        rows = int(wb.about.get(rows_key, ""))
        written = int(wb.about.get(written_key, ""))
    except ValueError:
        return 0  # made before empty rows existed
    return max(rows - max(read, written), 0)


def spare_milestones(wb: Workbook, fig: Figures) -> int:
    """The empty milestone rows the workbook should still have (see :func:`spare_lines`)."""
    read = sum(len(p.milestones) for p in fig.programme.pilots)
    return _spare(wb, "milestone_rows", "milestones", read)


def spare_served(wb: Workbook, fig: Figures) -> int:
    """The empty rows of the events served the workbook should still have."""
    return _spare(wb, "served_rows", "served", sum(len(p.serves) for p in fig.programme.pilots))


def spare_evaluations(wb: Workbook, fig: Figures) -> int:
    """The empty evaluation rows the workbook should still have."""
    read = sum(len(p.evaluations) for p in fig.programme.pilots)
    return _spare(wb, "evaluation_rows", "evaluations", read)


def spare_lines(wb: Workbook, fig: Figures) -> int:
    """The empty cost-line rows the workbook should still have: the rows it was made with (About)
    less its lines, the ones it was made with or, when more were read, those (a line typed into
    a spare row fills one; a deleted row leaves the Phasing sheet a row too many)."""
    return _spare(wb, "line_rows", "lines", len(fig.lines))


#: The names over the Risk sheet's figures: a formula reading one shows the simulation of the
#: last build, which an edit does not rerun (RISK_STALE, a warning, where it differs).
RISK_NAMES = frozenset(n.name for n in L.NAMES if n.sheet == "risk")


def _expected_sheets(
    wb: Workbook,
    fig: Figures,
    checks: list[CheckResult],
    phasing_rows: RowSink,
    offsets: tuple[tuple[int, ...] | None, ...] = (None, None, None, None),
) -> dict[str, bytes]:
    """The XML of each sheet of the workbook ``fig`` gives, by name, but for the Phasing data rows
    (given to ``phasing_rows``) and the values-only rows of the inputs (not made): a few hundred
    kilobytes whatever the size of the programme."""
    from budgetplan.xlsx.workbook.writer import write_workbook

    with tempfile.TemporaryDirectory(prefix="budgetplan-reconcile-") as tmp:
        path = Path(tmp) / "expected.xlsx"
        write_workbook(
            fig.programme,
            Source("expected", "expected", ""),
            path,
            wb.lang,
            figures=fig,
            phasing_rows=phasing_rows,
            checks=checks,
            rows=RowPlan(
                spare_lines(wb, fig),
                offsets[0],
                spare_milestones(wb, fig),
                offsets[1],
                spare_served(wb, fig),
                offsets[2],
                spare_evaluations(wb, fig),
                offsets[3],
            ),
        )
        with open_xlsx(path) as zf:
            return {p.name: zf.read(p.part) for p in sheet_parts(zf)}


def _scan(xml: bytes, sheet_names: Iterable[str]) -> list[ScannedCell]:
    """The formula cells of a sheet (or of a chunk of its rows), in their normal spelling: one
    respelling pass over the XML given, which is a sheet at most (Phasing comes in chunks)."""
    return scan_formula_cells(normal_spelling_xml(xml, sheet_names))


# --------------------------------------------------------------------------- comparing


def _same_number(want: bytes, have: bytes) -> bool:
    try:
        return abs(float(want) - float(have)) <= HALF_CENT
    except ValueError:
        return False


#: How LibreOffice stores a TRUE or FALSE typed into an input cell: as a formula.
_TYPED_BOOLEANS = frozenset({b"TRUE", b"FALSE", b"TRUE()", b"FALSE()"})


def _without_typed_booleans(
    expected: list[ScannedCell], actual: list[ScannedCell]
) -> list[ScannedCell]:
    """The file's formula cells but the booleans LibreOffice stores as formulas (TRUE()) in
    cells where the layout has an input: the cell-by-cell comparison passes them too."""
    if len(actual) == len(expected):
        return actual
    formulas = {(c[0], c[1]) for c in expected}
    return [c for c in actual if c[4] not in _TYPED_BOOLEANS or (c[0], c[1]) in formulas]


def _kind(attrs: bytes) -> bytes:
    """A cell's type as the comparison sees it: a boolean formula's result is a number to
    LibreOffice (it saves TRUE as t="n" and 1)."""
    kind = cell_type(attrs)
    return b"n" if kind == b"b" else kind


_WHERE_AND_FORMULA = itemgetter(0, 1, 4)
_VALUE_OF = itemgetter(5)


def _all_alike(expected: list[ScannedCell], actual: list[ScannedCell]) -> bool:
    """The same formulas in the same cells, with the same cached values (numbers to the half
    cent): a sheet as written, or re-saved by a client that changed nothing but spellings.
    Checked list against list; a sheet that is not alike is compared cell by cell to say where."""
    if len(expected) != len(actual):
        return False
    if list(map(_WHERE_AND_FORMULA, expected)) != list(map(_WHERE_AND_FORMULA, actual)):
        return False
    attrs_e, attrs_a = [c[2] for c in expected], [c[2] for c in actual]
    types = {attrs: _kind(attrs) for attrs in {*attrs_e, *attrs_a}}  # a few dozen
    kinds = list(map(types.__getitem__, attrs_e))
    kinds_a = list(map(types.__getitem__, attrs_a))
    if kinds == kinds_a and list(map(_VALUE_OF, expected)) == list(map(_VALUE_OF, actual)):
        return True  # the same values spelled the same: the common case, in C
    values = zip([c[5] for c in expected], [c[5] for c in actual], kinds, kinds_a, strict=True)
    for want, have, kind, kind_a in values:
        if kind != kind_a:
            if want or have:  # an empty result is empty whatever type it is said to have
                return False
            continue
        if want != have and (kind != b"n" or not want or not have or not _same_number(want, have)):
            return False
    return True


def _phasing_rows_finding(wb: Workbook, rows: int | None, n_lines: int) -> Finding | None:
    """``n_lines``: the rows the Phasing sheet should have (the lines and the spare rows)."""
    if rows is None or rows == n_lines:
        return None
    if rows > n_lines:
        severity, message, hint = (
            Severity.ERROR,
            said(
                f"the Phasing sheet has {rows} line rows for {n_lines} cost lines: "
                "a row was deleted from the cost-line inputs",
                f"l'échéancier a {rows} lignes pour {n_lines} lignes de coût : une ligne a été "
                "supprimée des saisies",
            ),
            said(
                "restore the row, or rebuild the workbook from its scenario",
                "rétablir la ligne, ou reconstruire le classeur à partir de son scénario",
            ),
        )
    else:
        severity, message, hint = (
            Severity.WARNING,
            said(
                f"{n_lines - rows} cost line(s) added in the inputs have no Phasing row yet",
                f"{n_lines - rows} ligne(s) de coût ajoutée(s) n'ont pas encore de ligne "
                "d'échéancier",
            ),
            said(
                "rebuild the workbook (budgetplan build) to phase them",
                "reconstruire le classeur (budgetplan build) pour les échelonner",
            ),
        )
    return Finding(
        severity,
        "PHASING_ROWS",
        message,
        hint,
        file=str(wb.path),
        sheet=wb.names.get("phasing", ""),
        cell=f"A{L.FIRST_DATA_ROW + 1}",
    )


class _Report:
    """The findings of the comparison: MAX_PER_SHEET of a kind per sheet, then one summary."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.findings: list[Finding] = []
        self.counts: Counter[tuple[str, str]] = Counter()

    def add(
        self, key: str, severity: Severity, code: str, message: str, hint: str, ref: str
    ) -> None:
        self.counts[(key, code)] += 1
        if self.counts[(key, code)] <= MAX_PER_SHEET:
            self.findings.append(
                Finding(
                    severity,
                    code,
                    message,
                    hint,
                    file=str(self.wb.path),
                    sheet=self.wb.names[key],
                    cell=ref,
                )
            )

    def take(self, other: _Report) -> None:
        """Add the findings of ``other`` (one sheet's, gathered apart) after these."""
        self.findings += other.findings
        self.counts.update(other.counts)

    def all(self) -> list[Finding]:
        more = [
            Finding(
                Severity.ERROR if code != "FORMULA_ADDED" else Severity.WARNING,
                code,
                said(
                    f"... and {n - MAX_PER_SHEET} more cells like these",
                    f"... et {n - MAX_PER_SHEET} autres cellules de ce genre",
                ),
                "",
                file=str(self.wb.path),
                sheet=self.wb.names[key],
            )
            for (key, code), n in self.counts.items()
            if n > MAX_PER_SHEET
        ]
        return self.findings + more


def _no_formula(
    wb: Workbook, key: str, ref: str, row: int, col: str, formula: str, report: _Report
) -> None:
    """An expected formula that is not in the file: deleted, or typed over by a constant."""
    value = wb.cell(key, row - 1, column_index_from_string(col) - 1)
    restore = said(f"restore ={formula}", f"rétablir ={typed_as(formula, 'fr')}")
    if value in ("", None):
        report.add(
            key,
            Severity.ERROR,
            "FORMULA_MISSING",
            said("formula deleted", "formule effacée"),
            restore,
            ref,
        )
        return
    report.add(
        key,
        Severity.ERROR,
        "FORMULA_REPLACED",
        said(
            f"formula replaced by the constant {_as_read(value, 'en')}",
            f"formule remplacée par la constante {_as_read(value, 'fr')}",
        ),
        said(
            f"restore ={formula} (totals must stay live formulas)",
            f"rétablir ={typed_as(formula, 'fr')} (les totaux restent des formules)",
        ),
        ref,
    )


def _other_formula(key: str, ref: str, text: str, formula: str, report: _Report) -> None:
    """The file's formula ``text`` where the layout has ``formula``."""
    report.add(
        key,
        Severity.ERROR,
        "FORMULA_BROKEN" if "#REF!" in text else "FORMULA_CHANGED",
        said(
            f"formula ={text} differs from the layout's",
            f"la formule ={typed_as(text, 'fr')} diffère de celle du modèle",
        ),
        said(f"restore ={formula}", f"rétablir ={typed_as(formula, 'fr')}"),
        ref,
    )


def _other_value(
    key: str, ref: str, formula: str, have: object, want: object, report: _Report
) -> None:
    """The file's cached value ``have`` where the inputs give ``want``: an error value, a risk
    figure of the last build, or a stale value."""
    if isinstance(have, tuple):
        report.add(
            key,
            Severity.ERROR,
            "FORMULA_ERROR",
            said(f"the formula gives {have[1]}", f"la formule donne {have[1]}"),
            said("check the inputs it uses", "vérifier les saisies qu'elle lit"),
            ref,
        )
    elif have is None or _same(have, want):
        return
    elif RISK_NAMES & set(names_in(formula)):
        report.add(  # the risk of the last build: stale by design once an input changed
            key,
            Severity.WARNING,
            "RISK_STALE",
            said(
                f"shows {_as_read(have, 'en')}, the Risk sheet's simulation of the last "
                f"build; the inputs as they are give {_as_read(want, 'en')}",
                f"affiche {_as_read(have, 'fr')}, la simulation de la feuille Risque au "
                f"dernier build ; les saisies actuelles donnent {_as_read(want, 'fr')}",
            ),
            said(
                f"rerun the simulation: {SCHEDULE.menu('en')} (or, at the command line, "
                "budgetplan reconcile --write-scenario, then build)",
                f"relancer la simulation : {SCHEDULE.menu('fr')} (ou, en ligne de commande, "
                "budgetplan reconcile --write-scenario, puis build)",
            ),
            ref,
        )
    else:
        report.add(
            key,
            Severity.ERROR,
            "VALUE_STALE",
            said(
                f"shows {_as_read(have, 'en')} but the inputs give {_as_read(want, 'en')}",
                f"affiche {_as_read(have, 'fr')} mais les saisies donnent {_as_read(want, 'fr')}",
            ),
            said(
                "a value budgetplan computes from the inputs (a schedule, a date after a "
                f"closure): {SCHEDULE.menu('en')} (or, at the command line, budgetplan reconcile "
                "--write-scenario, then build); a workbook never recalculated: Ctrl+Shift+F9",
                "une valeur que budgetplan calcule à partir des saisies (un calendrier, une "
                f"date après une fermeture) : {SCHEDULE.menu('fr')} (ou, en ligne de commande, "
                "budgetplan reconcile --write-scenario, puis build) ; un classeur jamais "
                "recalculé : Ctrl+Maj+F9",
            ),
            ref,
        )


def _formulas_added(
    key: str,
    expected: dict[tuple[str, int], RawCell],
    actual: dict[tuple[str, int], RawCell],
    report: _Report,
) -> None:
    """The file's formulas where the layout has an input or nothing."""
    for (col, row), got in actual.items():
        if (col, row) in expected:
            continue
        text = decode_formula(got[0])
        if text.removeprefix("=") in ("TRUE", "FALSE"):
            continue  # LibreOffice stores a typed TRUE/FALSE as a formula (TRUE())
        report.add(
            key,
            Severity.WARNING,
            "FORMULA_ADDED",
            said(
                f"a formula ={text} where the layout has an input or nothing",
                f"une formule ={typed_as(text, 'fr')} là où le modèle a une saisie ou rien",
            ),
            said(
                "type the value itself: inputs are values",
                "saisir la valeur : les saisies sont des valeurs",
            ),
            f"{col}{row}",
        )


def _compare_cells(
    wb: Workbook,
    key: str,
    expected: dict[tuple[str, int], RawCell],
    actual: dict[tuple[str, int], RawCell],
    report: _Report,
    formulas_only: bool = False,
) -> None:
    """Each expected formula cell against the file's (the hot loop of reconcile: a cell that
    agrees costs a few comparisons; one that does not is told by the functions above), then
    the file's formulas not expected."""
    types: dict[bytes, bytes] = {}  # cell attributes -> cell type (a few dozen distinct ones)

    def type_of(attrs: bytes) -> bytes:
        t = types.get(attrs)
        if t is None:
            t = types[attrs] = cell_type(attrs)
        return t

    for (col, row), cell in expected.items():
        got = actual.get((col, row))
        if got is None:
            _no_formula(wb, key, f"{col}{row}", row, col, decode_formula(cell[0]), report)
            continue
        if (got[0] != cell[0] or got[3] is not None) and not _same_formula(cell, got, row, col):
            text, formula = decode_formula(got[0]), decode_formula(cell[0])
            _other_formula(key, f"{col}{row}", text, formula, report)
            continue
        if formulas_only:
            continue
        have_type, want_type = type_of(got[2]), type_of(cell[2])
        if have_type == want_type and (
            got[1] == cell[1] or (have_type == b"n" and got[1] and _same_number(cell[1], got[1]))
        ):
            continue  # the same value, maybe spelled otherwise (0 and 0.0)
        formula = decode_formula(cell[0])
        _other_value(key, f"{col}{row}", formula, raw_value(got), raw_value(cell), report)
    _formulas_added(key, expected, actual, report)


def normalise(formula: str, row: int, col: int) -> str:
    """A formula in a form that Excel's and LibreOffice's re-saves do not change."""
    return to_r1c1(normal_spelling(formula.removeprefix("=")), row, col)


def _same_formula(expected: RawCell, got: RawCell, row: int, col: str) -> bool:
    """Same formula once re-saves' spellings are undone, or in relative R1C1 form (Excel's
    shared formulas)."""
    from openpyxl.formula.tokenizer import TokenizerError

    want_text, have_text = decode_formula(expected[0]), decode_formula(got[0])
    try:
        if got[3] is None and normal_spelling(have_text) == normal_spelling(want_text):
            return True
        want = normalise(want_text, row, column_index_from_string(col))
        origin = (
            (got[3][1], column_index_from_string(got[3][0]))
            if got[3]
            else (row, column_index_from_string(col))
        )
        return want == normalise(have_text, *origin)
    except TokenizerError:  # a formula no spreadsheet could parse (="abc): not the same one
        return False


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):  # TRUE and 1 alike; FALSE and a blank not
        numbers = all(isinstance(v, int | float) for v in (a, b))
        return numbers and float(a) == float(b)  # type: ignore[arg-type]
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= HALF_CENT
    if a in ("", None) and b in ("", None):
        return True
    return a == b


def _cells_beside(columns: frozenset[bytes]) -> re.Pattern[bytes]:
    """:data:`_CELL` but for the cells in ``columns``: the regular expression passes over the
    table's cells in C (a Python step per cell took a tenth of a second at 5,000 lines)."""
    letters = b"|".join(sorted(columns))
    return re.compile(
        _CELL.pattern.replace(b'c r="(', b'c r="(?!(?:' + letters + b")[0-9])("), re.S
    )


_TABLE_COLUMNS = _table_columns()
#: On each input sheet, the cells outside its tables' columns.
_BESIDE = {key: _cells_beside(columns) for key, columns in _TABLE_COLUMNS.items()}
#: The sheets whose notes typed beside the tables are looked for (Phasing: as it streams).
_NOTED = frozenset((*CALCULATED_SHEETS, *_TABLE_COLUMNS))
