"""The worksheet class budgetplan writes with, and a fast path for long uniform rows."""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import CellFormulaTuple, Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from budgetplan.xlsx.workbook import splice


def escape(text: str) -> str:
    """XML character data, as xlsxwriter escapes it (quotes are left alone)."""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def row_xml(row: int, cells_xml: str, height: float | None = None) -> str:
    """The ``<row>`` element of 0-based ``row`` holding ``cells_xml``, as budgetplan writes it
    (``height``: points, for a row of wrapped text)."""
    if height:
        return f'<row r="{row + 1}" ht="{height:g}" customHeight="1">{cells_xml}</row>'
    return f'<row r="{row + 1}">{cells_xml}</row>'


class FastWorksheet(Worksheet):
    """An xlsxwriter worksheet with a leaner formula path and a whole-row writer.

    For every formula, xlsxwriter searches for dynamic-array functions and runs some thirty
    regular expressions to add the ``_xlfn.`` prefix to Excel 365 function names; on the
    360,000 formulas of a 10,000-line Phasing sheet that costs more than writing the file.
    budgetplan writes no dynamic-array or array formula and no function newer than Excel 2016
    (``formulas.EXCEL_2016_FUNCTIONS``): ``tests/test_excel2016.py`` checks every formula of every
    workbook it writes against that list.
    """

    def _check_dimensions(self, row, col, ignore_row=False, ignore_col=False):  # type: ignore[no-untyped-def]
        # In constant-memory mode xlsxwriter silently drops a cell written to a row already
        # flushed; budgetplan's writers must write rows in order, so say it loudly.
        result = super()._check_dimensions(row, col, ignore_row, ignore_col)
        if result == -2:
            raise RuntimeError(f"{self.name}: row {row + 1} written after later rows")
        return result

    def _prepare_formula(self, formula, expand_future_functions=False):  # type: ignore[no-untyped-def]
        return formula[1:] if formula.startswith("=") else formula

    # Charts carry the values of their series (previewers that do not recalculate draw from
    # them); in constant-memory mode xlsxwriter no longer has those cells when it writes a chart,
    # so the values written through write_number/string/formula are kept here for it.
    def _kept(self) -> dict[tuple[int, int], object]:
        kept = self.__dict__.get("_chart_values")
        if kept is None:
            kept = self.__dict__["_chart_values"] = {}
        return kept

    def _write_number(self, row, col, number, cell_format=None):  # type: ignore[no-untyped-def]
        self._kept()[(row, col)] = f"{number:.16g}"
        return super()._write_number(row, col, number, cell_format)

    def _write_string(self, row, col, string, cell_format=None):  # type: ignore[no-untyped-def]
        self._kept()[(row, col)] = string
        return super()._write_string(row, col, string, cell_format)

    def _get_range_data(self, row_start, col_start, row_end, col_end):  # type: ignore[no-untyped-def]
        kept = self._kept()
        return [
            kept.get((r, c))
            for r in range(row_start, row_end + 1)
            for c in range(col_start, col_end + 1)
        ]

    def _write_formula(self, row, col, formula, cell_format=None, value=0):  # type: ignore[no-untyped-def]
        if self._check_dimensions(row, col):
            return -1
        self._kept()[(row, col)] = f"{value:.16g}" if isinstance(value, int | float) else value
        if formula.startswith("="):
            formula = formula[1:]
        if self.constant_memory and row > self.previous_row:
            self._write_single_row(row)
        self.table[row][col] = CellFormulaTuple(formula, cell_format, value)
        return 0

    def write_row_xml(
        self, row: int, first_col: int, last_col: int, cells_xml: str, height: float | None = None
    ) -> None:
        """Write a whole row given as its ``<c>`` elements (constant-memory mode only).

        The row must be new: rows are written in order and nothing else may be in it.
        """
        if not self.constant_memory:
            raise RuntimeError("write_row_xml needs constant_memory mode")
        if row <= self.previous_row and self.table.get(row):
            raise ValueError(f"row {row + 1} already holds cells")
        if row > self.previous_row:
            self._write_single_row(row)
        self._check_dimensions(row, first_col)
        self._check_dimensions(row, last_col)
        self.fh.write(row_xml(row, cells_xml, height))
        self._raw_row = row

    def _set_xml_writer(self, filename):  # type: ignore[no-untyped-def]
        self._sheet_file = filename  # the sheet's XML file, for splice.register
        return super()._set_xml_writer(filename)

    def _write_optimized_sheet_data(self):  # type: ignore[no-untyped-def]
        # The rows stay in their temporary file: a marker stands for them, and the zip copies
        # them from there (budgetplan.xlsx.workbook.splice), not through another file.
        sheet_file = getattr(self, "_sheet_file", None)
        if self.dim_rowmin is None or not isinstance(sheet_file, str) or not splice.active():
            return super()._write_optimized_sheet_data()
        self._xml_start_tag("sheetData")
        self.row_data_fh.close()
        self.fh.write(splice.MARKER)
        splice.register(sheet_file, self.row_data_filename)
        self._xml_end_tag("sheetData")
        return None

    def _write_single_row(self, current_row_num=0):  # type: ignore[no-untyped-def]
        # A row written whole by write_row_xml is already in the file: do not write it again
        # (xlsxwriter would, as an empty row, when the row carries a comment).
        if getattr(self, "_raw_row", None) == self.previous_row:
            self._raw_row = None
            self.previous_row = current_row_num
            self.table.clear()
            return
        super()._write_single_row(current_row_num)


class RowTemplate:
    """The XML of a row of formula cells whose formulas differ only by their row number.

    ``columns`` holds (column, formula with ``{r}`` for the 1-based row, format, value type);
    :meth:`render` fills in the row and each cell's cached value. The text of each cell is cut
    once where the row number goes, so a row is made by joins alone (three times faster than
    ``str.format`` on the 10 kB rows of the Phasing sheet, which reconcile renders again).
    """

    def __init__(self, columns: list[tuple[int, str, Format | None, str]]):
        #: heads[i]: the text before value i, cut where the row number goes
        self.heads: list[list[str]] = []
        self.kinds: list[str] = []
        #: each cell's column letters and formula (``{r}`` for the row, no "="), for a reader
        #: that spells the same rows another way (readback.respelling)
        self.formulas: list[tuple[str, str]] = []
        before = ""
        for col, formula, fmt, kind in columns:
            self.formulas.append((xl_col_to_name(col), formula.removeprefix("=")))
            xf = f' s="{fmt._get_xf_index()}"' if fmt is not None else ""
            t = {"str": ' t="str"', "bool": ' t="b"'}.get(kind, "")
            body = escape(formula.removeprefix("="))
            head = f'{before}<c r="{xl_col_to_name(col)}{{r}}"{xf}{t}><f>{body}</f><v>'
            self.heads.append(head.split("{r}"))
            self.kinds.append(kind)
            before = "</v></c>"
        self.tail = before
        self.first_col = columns[0][0]
        self.last_col = columns[-1][0]

    def render(self, r: int, values: list[object]) -> str:
        row = str(r)
        out = []
        for head, kind, value in zip(self.heads, self.kinds, values, strict=True):
            out.append(row.join(head))
            if kind == "str":
                out.append(escape(str(value)))
            elif kind == "bool":
                out.append("1" if value else "0")
            else:  # a whole number as spreadsheets write it (12, not 12.0)
                out.append(str(value).removesuffix(".0"))
        out.append(self.tail)
        return "".join(out)

    def render_row(self, row: int, values: list[object]) -> str:
        """The whole ``<row>`` of 0-based ``row``, as the writer writes it."""
        return row_xml(row, self.render(row + 1, values))


class ValueRow:
    """The XML of a row of plain value cells (numbers, text, booleans, blanks) with formats.

    Text is escaped as xlsxwriter escapes it (XML entities, control characters as _xHHHH_,
    whitespace preserved) and is always written as an inline string: never a formula or link.
    """

    def __init__(self, columns: list[tuple[int, Format | None]]):
        self.cells = [
            (xl_col_to_name(col), f' s="{fmt._get_xf_index()}"' if fmt is not None else "")
            for col, fmt in columns
        ]
        self.first_col = columns[0][0]
        self.last_col = columns[-1][0]

    def render(self, r: int, values: list[object]) -> str:
        out = []
        for (letter, xf), value in zip(self.cells, values, strict=True):
            head = f'<c r="{letter}{r}"{xf}'
            if value is None or value == "":
                out.append(head + "/>")
            elif isinstance(value, bool):
                out.append(f'{head} t="b"><v>{1 if value else 0}</v></c>')
            elif isinstance(value, int | float):
                out.append(f"{head}><v>{value:.16G}</v></c>")
            else:
                text = escape(XMLwriter._escape_control_characters(str(value)))
                space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
                out.append(f'{head} t="inlineStr"><is><t{space}>{text}</t></is></c>')
        return "".join(out)
