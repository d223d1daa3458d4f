"""What every sheet writer needs: the workbook, its styles, the figures and the language."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from xlsxwriter.utility import xl_range
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from budgetplan.compute.figures import Figures
from budgetplan.core.codes import formula_text
from budgetplan.core.labels import Lang, label
from budgetplan.core.source import Source
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.workbook.sheet import FastWorksheet, RowTemplate
from budgetplan.xlsx.workbook.styles import Styles


class RowSink(Protocol):
    """Takes a sheet's rows one at a time, in order: the 0-based row, its cells' cached values
    and the template that renders them (``template.render_row(row, values)``)."""

    def add(self, row: int, values: list[object], template: RowTemplate, /) -> None: ...


#: Sheets whose tables' calculated columns no check reads (their errors are counted apart).
WATCHED_TABLE_SHEETS = frozenset({"pilots"})


@dataclass(frozen=True)
class RowPlan:
    """Where the rows of the tables a person adds to go: empty cost-line and milestone rows after
    the items, and, for reconcile's expected workbook, the row (0-based from the first data row)
    each item was read from when the file leaves empty rows between them."""

    spare_lines: int = L.SPARE_LINES
    line_offsets: tuple[int, ...] | None = None
    spare_milestones: int = L.SPARE_MILESTONES
    milestone_offsets: tuple[int, ...] | None = None
    spare_served: int = L.SPARE_SERVED
    served_offsets: tuple[int, ...] | None = None
    spare_evaluations: int = L.SPARE_EVALUATIONS
    evaluation_offsets: tuple[int, ...] | None = None


def _at_rows(n: int, spare: int, offsets: tuple[int, ...] | None) -> list[int | None]:
    """For each row of a table of ``n`` items and ``spare`` empty rows (more if ``offsets``
    place items further down), the index of the item it holds, or None."""
    rows = max(n + spare, max(offsets) + 1) if offsets else n + spare
    at: list[int | None] = [None] * rows
    for i, offset in enumerate(offsets or range(n)):
        at[offset] = i
    return at


@dataclass
class Context:
    wb: Workbook
    styles: Styles
    fig: Figures
    lang: Lang
    source: Source
    version: str
    sheets: dict[str, Worksheet] = field(default_factory=dict)
    checks_ok: bool = True  # the master check, as the writer's run of the checks found it
    #: cells to highlight, with the old value for a comment: (table, item id) -> {field: old}
    highlights: dict[tuple[str, str], dict[str, object]] = field(default_factory=dict)
    #: Set for reconcile's expected workbook, which only serves to compare formulas and cached
    #: values: the Phasing data rows go here as XML instead of into the file, the Inputs value
    #: rows are not rendered, and the About sheet carries no fingerprint.
    phasing_rows: RowSink | None = None
    rows: RowPlan = field(default_factory=lambda: RowPlan(0, None, 0, None, 0, None, 0, None))
    #: ranges of the input cells that hold numbers, dates or booleans (see define_typed_as_text)
    typed_numbers: list[str] = field(default_factory=list)
    #: ranges of figures no check reads, whose errors ERRORS_SHOWN counts (see watch)
    watched: list[str] = field(default_factory=list)

    @property
    def spare_lines(self) -> int:
        return self.rows.spare_lines

    @property
    def line_offsets(self) -> tuple[int, ...] | None:
        return self.rows.line_offsets

    @property
    def spare_milestones(self) -> int:
        return self.rows.spare_milestones

    @property
    def milestone_offsets(self) -> tuple[int, ...] | None:
        return self.rows.milestone_offsets

    @property
    def formulas_only(self) -> bool:
        """Reconcile's expected workbook: only its formulas and their values are compared."""
        return self.phasing_rows is not None

    def t(self, key: str) -> str:
        return label(key, self.lang)

    def code(self, code: StrEnum) -> str:
        """``code`` as the workbook's formulas compare it: its name, quoted."""
        return formula_text(code, self.lang)

    def name(self, sheet_key: str) -> str:
        return L.sheet_name(sheet_key, self.lang)

    def q(self, sheet_key: str) -> str:
        return L.quote(self.name(sheet_key))

    def add_sheet(self, key: str) -> Worksheet:
        """Add the sheet of layout key ``key`` under its name in the workbook's language."""
        ws = self.wb.add_worksheet(self.name(key), worksheet_class=FastWorksheet)
        self.sheets[key] = ws
        return ws

    def define(self, name: str, sheet_key: str, ref: str) -> None:
        """Define ``name`` (one of ``layout.NAMES``, laid out by this sheet) as ``ref``."""
        spec = L.NAME_BY_ID[name]
        assert spec.sheet == sheet_key and spec.table is None, (name, sheet_key)
        self.wb.define_name(name, f"={self.q(sheet_key)}!{ref}")

    def define_columns(self, table: L.Table, n_rows: int) -> None:
        """Define the names over the columns of ``table``, holding ``n_rows`` items; note its
        number inputs for ``TYPED_AS_TEXT``."""
        for spec in L.column_names(table):
            self.wb.define_name(spec.name, L.name_ref(spec, n_rows, self.lang))
        for col in table.columns:
            if col.is_input and col.kind in L.NUMBER_KINDS and n_rows > 0:
                self.typed_numbers.append(table.range(col.key, n_rows, self.lang))
            if not col.is_input and table.sheet in WATCHED_TABLE_SHEETS:
                self.watch(table.range(col.key, n_rows, self.lang))

    def watch(self, ref: str) -> None:
        """Count the errors ``ref`` shows in ``ERRORS_SHOWN`` (check FIGURES_SOUND): figures
        that no check reads, yet the officer reads."""
        self.watched.append(ref)

    def define_counts(self) -> None:
        """``TYPED_AS_TEXT``: how many cells typed as numbers, dates or booleans (every number
        input of the tables defined, every scalar number parameter) hold text, which formulas
        would compare as text, silently (``"deux">=2`` is TRUE)."""
        ranges = list(self.typed_numbers)
        ranges += [name for _key, _label, kind, name in L.PARAMETERS if kind in L.NUMBER_KINDS]
        counted = "+".join(f"SUMPRODUCT(--ISTEXT({r}))" for r in ranges) or "0"
        self.wb.define_name("TYPED_AS_TEXT", f"={counted}")
        shown = "+".join(f"SUMPRODUCT(--ISERROR({r}))" for r in self.watched) or "0"
        self.wb.define_name("ERRORS_SHOWN", f"={shown}")

    # counts used for ranges
    @property
    def n_lines(self) -> int:
        return len(self.fig.lines)

    def owns(self, item: object) -> bool:
        """Whether ``item`` (a pilot, a cost line, or a child row ``(parent id, item)``) is an
        input of the contributor this workbook was made for (always, in a plain build)."""
        mine = self.source.owns
        if not mine:
            return True
        if isinstance(item, tuple):
            parent = item[0]
            return parent in mine or self._pilot_of_line.get(parent) in mine
        if hasattr(item, "milestones"):  # a pilot
            return getattr(item, "id", None) in mine
        return getattr(item, "pilot", None) in mine

    @functools.cached_property
    def _pilot_of_line(self) -> dict[str, str]:
        return {lf.id: lf.line.pilot for lf in self.fig.lines}

    @property
    def line_rows(self) -> int:
        """Rows of the cost-line table and of the Phasing sheet: the lines, then the spare ones."""
        rows = self.n_lines + self.spare_lines
        if self.line_offsets:
            rows = max(rows, max(self.line_offsets) + 1)
        return rows

    def line_at_row(self) -> list[int | None]:
        """For each cost-line row, the index of the line it holds, or None for an empty row."""
        at: list[int | None] = [None] * self.line_rows
        offsets = self.line_offsets or range(self.n_lines)
        for i, offset in enumerate(offsets):
            at[offset] = i
        return at

    @property
    def n_milestones(self) -> int:
        return sum(len(p.milestones) for p in self.fig.programme.pilots)

    @property
    def milestone_rows(self) -> int:
        rows = self.n_milestones + self.spare_milestones
        if self.milestone_offsets:
            rows = max(rows, max(self.milestone_offsets) + 1)
        return rows

    def milestone_at_row(self) -> list[int | None]:
        """For each milestone row, the index of the milestone it holds (in the layout's child
        order), or None for an empty row."""
        at: list[int | None] = [None] * self.milestone_rows
        for i, offset in enumerate(self.milestone_offsets or range(self.n_milestones)):
            at[offset] = i
        return at

    @property
    def n_served(self) -> int:
        return sum(len(p.serves) for p in self.fig.programme.pilots)

    def served_at_row(self) -> list[int | None]:
        """For each row of the events served (and of the readiness table), the index of the
        event served it holds (in the layout's child order, that of ``fig.readiness``)."""
        return _at_rows(self.n_served, self.rows.spare_served, self.rows.served_offsets)

    @property
    def n_evaluations(self) -> int:
        return sum(len(p.evaluations) for p in self.fig.programme.pilots)

    def evaluation_at_row(self) -> list[int | None]:
        """For each evaluation row, the index of the evaluation it holds (in the layout's child
        order, that of ``fig.evaluations``), or None for an empty row."""
        return _at_rows(
            self.n_evaluations, self.rows.spare_evaluations, self.rows.evaluation_offsets
        )

    @property
    def n_years(self) -> int:
        return len(self.fig.years)


def add_table(
    ws: Worksheet,
    styles: Styles,
    table: L.Table,
    n_rows: int,
    headers: list[str],
) -> None:
    """Declare an Excel table over the header row and ``n_rows`` data rows.

    The workbook is written in xlsxwriter's constant-memory mode, which refuses ``add_table``;
    the table part itself does not depend on it. We write the header row, declare the table
    while the header row is the current row, then write the header cells again as inline strings.
    """
    first, last = L.HEADER_ROW, L.HEADER_ROW + max(n_rows, 1)
    fit_header(ws, [(h, c.width) for h, c in zip(headers, table.columns, strict=True)])
    for i, text in enumerate(headers):
        ws.write_string(first, table.first_col + i, text, styles.header)
    ws.constant_memory = False
    # add_table writes the headers again as shared strings, which the inline headers written
    # below replace: left in, they are strings no cell uses (54 in the default workbook)
    ws._write_string = lambda *args, **kwargs: 0  # type: ignore[method-assign]
    try:
        # Declared over one data row, then widened: add_table records every cell of its range to
        # detect overlaps (two million entries for a 100,000-line table); the layout keeps the
        # tables of a sheet apart, so that record is not needed.
        result = ws.add_table(
            first,
            table.first_col,
            first + 1,
            table.last_col,
            {
                "name": table.name,
                "style": "Table Style Light 1",
                "columns": [{"header": h, "header_format": styles.header} for h in headers],
                "autofilter": True,
            },
        )
    finally:
        del ws._write_string  # the class's own again
        ws.constant_memory = True
    full = xl_range(first, table.first_col, last, table.last_col)
    ws.tables[-1]["range"] = full
    ws.tables[-1]["a_range"] = full
    ws.tables[-1]["autofilter"] = full
    if result not in (0, None):
        raise RuntimeError(f"could not declare table {table.name} ({result})")
    for i, text in enumerate(headers):
        ws.write_string(first, table.first_col + i, text, styles.header)


def set_widths(ws: Worksheet, table: L.Table) -> None:
    for i, col in enumerate(table.columns):
        ws.set_column(table.first_col + i, table.first_col + i, col.width)


LINE_HEIGHT, MAX_LINES = 12.75, 8  # points a wrapped line takes; lines shown at most


def row_height(texts: list[tuple[str, float]]) -> float | None:
    """The height that shows every wrapped text of a row (``(text, column width)``), None
    when one line does: set here, since neither Excel nor LibreOffice sizes it on opening."""
    lines = max((math.ceil(len(t) / max(w - 1, 1)) for t, w in texts if t), default=1)
    return None if lines <= 1 else LINE_HEIGHT * min(lines, MAX_LINES) + 2


#: Print scale of the sheets printed block by block: 10-point text prints at 6.5 points, the
#: smallest a reader takes on paper (tests/test_print.py measures it in the PDF).
PRINT_SCALE = 65


#: Pixels of column width (xlsxwriter's: 7 per character plus 5) a landscape A4 page holds
#: at full scale in LibreOffice between the MARGINS: 780 measured (a column ending at 785 goes
#: to the next page), less a margin; no sheet prints below MIN_SCALE.
PAGE_PIXELS = 770
MIN_SCALE = 58
#: Page margins (inches: left, right, top, bottom) and the header's and footer's.
MARGINS = (0.4, 0.4, 0.6, 0.6)
HEADER_MARGIN = 0.25
#: Pixels of a column whose width is not set (8.43 characters, Calc's and Excel's default).
DEFAULT_PIXELS = 64


def paginate(
    ws: Worksheet,
    last_col: int,
    repeat_cols: int,
    breaks: Sequence[int] = (),
    blocks: Sequence[int] = (),
) -> tuple[int, list[int]]:
    """The print scale and the columns that start a page across, up to ``last_col``.

    Each of ``breaks`` starts a page (a chart, a Gantt beside a table). Each of ``blocks``
    (tables side by side) starts one unless the whole block fits on what is left of the
    current page. A block too wide for a page is cut at the column that would overflow it. The
    first ``repeat_cols`` columns print again on every page. The scale is the largest (from
    PRINT_SCALE down to MIN_SCALE) that prints on the fewest page widths: no orphan column on a
    page of its own when a slightly smaller scale holds it.
    """
    given = {c: 0 if i.hidden else i.width for c, i in ws.col_info.items() if i.width is not None}
    width = [given.get(c, DEFAULT_PIXELS) for c in range(last_col + 1)]
    repeated = sum(width[:repeat_cols])
    starts = sorted({*breaks, *blocks, last_col + 1})

    def block_width(col: int) -> int:  # from a block's first column to its last one given a
        end = next(s for s in starts if s > col)  # width (not the gap before the next block)
        while end > col + 1 and end - 1 not in given:
            end -= 1
        return sum(width[col:end])

    def breaks_at(scale: int) -> list[int]:
        room = PAGE_PIXELS * 100 / scale
        out: list[int] = []
        used = 0
        for col in range(last_col + 1):
            gap_broke = bool(out) and out[-1] == col - 1  # a gap column already began the page
            forced = (
                col > 0
                and not gap_broke
                and (col in breaks or (col in blocks and used + block_width(col) > room))
            )
            if forced or (used + width[col] > room and used > repeated):
                out.append(col)  # (a gap column that overflows starts the next block's page)
                used = repeated if col >= repeat_cols else 0
            used += width[col]
        return out

    best = (PRINT_SCALE, breaks_at(PRINT_SCALE))
    for scale in range(PRINT_SCALE - 1, MIN_SCALE - 1, -1):
        found = breaks_at(scale)
        if len(found) < len(best[1]):
            best = (scale, found)
    return best


def _paper(ws: Worksheet, title: str, *, dated: bool) -> None:
    """A4 landscape between the MARGINS, the title in the header (and the date), page numbers."""
    ws.set_landscape()
    ws.set_paper(9)
    left, right, top, bottom = MARGINS
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    header = "&L&B" + title.replace("&", "&&") + ("&R&D" if dated else "")
    ws.set_header(header, {"margin": HEADER_MARGIN})
    ws.set_footer("&C&P / &N", {"margin": HEADER_MARGIN})


def page_setup(
    ws: Worksheet,
    title: str,
    repeat_rows: int = L.HEADER_ROW,
    *,
    repeat_cols: int = 0,
    breaks: Sequence[int] = (),
    blocks: Sequence[int] = (),
    paged: bool = False,
    last_col: int | None = None,
) -> None:
    """A4 landscape, header rows repeated, title and page numbers.

    A narrow sheet is fitted to the page width. A wide one (``paged``, or with ``breaks``,
    ``blocks`` or ``repeat_cols``) prints across as many pages as it needs (see ``paginate``),
    its first ``repeat_cols`` columns repeated on each page: shrunk to one page it would be
    unreadable. ``last_col`` is the last printed column (by default the last one given a
    width).
    """
    _paper(ws, title, dated=True)
    ws.repeat_rows(0, repeat_rows)
    if repeat_cols:
        ws.repeat_columns(0, repeat_cols - 1)
    if paged or repeat_cols or breaks or blocks:
        last = max(ws.col_info, default=0) if last_col is None else last_col
        scale, starts = paginate(ws, last, repeat_cols, breaks, blocks)
        if starts:
            ws.set_v_pagebreaks(starts)
        ws.set_print_scale(scale)
    else:
        ws.fit_to_pages(1, 0)


def fit_header(ws: Worksheet, labels: list[tuple[str, float]], row: int = L.HEADER_ROW) -> None:
    """The header row as tall as its longest wrapped label (``(label, column width)``) needs,
    never lower than another table's on the same row made it."""
    height = row_height([(text, width - 1) for text, width in labels])  # bold: a little wider
    if height and height > ws.row_sizes.get(row, [0])[0]:
        ws.set_row(row, height)


def print_fitted(ws: Worksheet, title: str, header_row: int) -> None:
    """A report sheet (reconciliation, diff) printed as the workbook's are: A4 landscape,
    fitted to the page width, its header row repeated, title and page numbers."""
    _paper(ws, title, dated=False)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)


def protect(ws: Worksheet, *, editable_rows: bool) -> None:
    """Sheet protection with no password: locked cells are protected, inputs stay editable."""
    ws.protect(
        "",
        {
            "autofilter": True,
            "sort": True,
            "format_columns": True,
            "format_rows": True,
            "insert_rows": editable_rows,
            "delete_rows": editable_rows,
        },
    )
