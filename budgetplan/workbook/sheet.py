"""The worksheet class budgetplan writes with."""

from __future__ import annotations

from xlsxwriter.worksheet import CellFormulaTuple, Worksheet


class FastWorksheet(Worksheet):
    """An xlsxwriter worksheet with a leaner formula path.

    For every formula, xlsxwriter searches for dynamic-array functions and runs some thirty
    regular expressions to add the ``_xlfn.`` prefix to Excel 365 function names; on the
    360,000 formulas of a 10,000-line Phasing sheet that costs more than writing the file.
    budgetplan writes no dynamic-array or array formula and prefixes the newer functions it uses
    (MINIFS, MAXIFS) itself; ``tests/test_workbook.py`` checks every formula against that rule.
    """

    def _prepare_formula(self, formula, expand_future_functions=False):  # type: ignore[no-untyped-def]
        return formula[1:] if formula.startswith("=") else formula

    def _write_formula(self, row, col, formula, cell_format=None, value=0):  # type: ignore[no-untyped-def]
        if self._check_dimensions(row, col):
            return -1
        if formula.startswith("="):
            formula = formula[1:]
        if self.constant_memory and row > self.previous_row:
            self._write_single_row(row)
        self.table[row][col] = CellFormulaTuple(formula, cell_format, value)
        return 0
