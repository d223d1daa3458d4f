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


#: Characters of column width a landscape A4 page holds at PRINT_SCALE (LibreOffice, measured),
#: and at full scale; no sheet prints below MIN_SCALE.
CHARS_PER_PAGE = 160
CHARS_AT_FULL_SCALE = 104
MIN_SCALE = 58


def pages_for(table: L.Table) -> int:
    """How many page widths a wide input table needs at a readable scale."""
    return -(-int(sum(c.width for c in table.columns)) // CHARS_PER_PAGE)


def page_setup(
    ws: Worksheet,
    title: str,
    repeat_rows: int = L.HEADER_ROW,
    *,
    repeat_cols: int = 0,
    breaks: Sequence[int] = (),
    by_block: bool = False,
    pages_wide: int = 0,
    widest: float = 0,
) -> None:
    """A4 landscape, header rows repeated, title and page numbers.

    A narrow sheet is fitted to the page width. A wide one (``by_block``) prints at
    PRINT_SCALE across as many pages as it needs, a page starting at each of ``breaks`` (a
    table, a year, the chart beside a table: one block per page width), its first
    ``repeat_cols`` columns repeated on each page: shrunk to one page it would be unreadable.
    One wide table prints across ``pages_wide`` pages (see ``pages_for``). ``widest``, the
    width of the widest block that should print whole, lowers the scale to fit it (not below
    MIN_SCALE).
    """
    ws.set_landscape()
    ws.set_paper(9)
    ws.repeat_rows(0, repeat_rows)
    if repeat_cols:
        ws.repeat_columns(0, repeat_cols - 1)
    if pages_wide:  # one wide table: across that many pages, at the scale that takes
        ws.fit_to_pages(pages_wide, 0)
    elif by_block or repeat_cols or breaks:
        if breaks:
            ws.set_v_pagebreaks(sorted(set(breaks) - {0}))
        # the widest block (in characters of column width) on one page width where it can be
        fit = int(100 * CHARS_AT_FULL_SCALE / widest) if widest else PRINT_SCALE
        ws.set_print_scale(max(MIN_SCALE, min(PRINT_SCALE, fit)))
    else:
        ws.fit_to_pages(1, 0)
    ws.set_header("&L&B" + title.replace("&", "&&") + "&R&D")
    ws.set_footer("&C&P / &N")


def fit_header(ws: Worksheet, labels: list[tuple[str, float]], row: int = L.HEADER_ROW) -> None:
    """The header row as tall as its longest wrapped label (``(label, column width)``) needs,
    never lower than another table's on the same row made it."""
    height = row_height([(text, width - 1) for text, width in labels])  # bold: a little wider
    if height and height > ws.row_sizes.get(row, [0])[0]:
        ws.set_row(row, height)


def print_fitted(ws: Worksheet, title: str, header_row: int) -> None:
    """A report sheet (reconciliation, diff) printed as the workbook's are: A4 landscape,
    fitted to the page width, its header row repeated, title and page numbers."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_header("&L&B" + title.replace("&", "&&"))
    ws.set_footer("&C&P / &N")


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
