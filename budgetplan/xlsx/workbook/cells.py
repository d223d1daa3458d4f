"""Write one input value into a cell by its kind; text always as text, never a formula or link."""

from __future__ import annotations

from enum import StrEnum

from xlsxwriter.worksheet import Worksheet

from budgetplan.core.labels import Lang
from budgetplan.xlsx.codec import codec
from budgetplan.xlsx.layout import Kind, field_value
from budgetplan.xlsx.workbook.styles import Styles


def write_value(
    ws: Worksheet,
    row: int,
    col: int,
    kind: Kind,
    value: object,
    styles: Styles,
    role: str = "input",
    *,
    codes: type[StrEnum] | None = None,
    lang: Lang = "fr",
) -> None:
    """Write ``value`` as its kind's codec encodes it: text as text, never a formula or link; a
    code by its name in ``lang`` (its list in ``codes``)."""
    fmt = styles.cell(kind, role)  # type: ignore[arg-type]
    cell = codec(kind, codes, lang).encode(value)
    if cell is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(cell, bool):
        ws.write_boolean(row, col, cell, fmt)
    elif isinstance(cell, str):
        ws.write_string(row, col, cell, fmt)
    else:
        ws.write_number(row, col, cell, fmt)


__all__ = ["field_value", "write_value"]
