"""Write one input value into a cell by its kind; text always as text, never a formula or link."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum

from xlsxwriter.worksheet import Worksheet

from budgetplan.layout import Kind
from budgetplan.workbook.context import serial
from budgetplan.workbook.styles import Styles


def write_value(
    ws: Worksheet,
    row: int,
    col: int,
    kind: Kind,
    value: object,
    styles: Styles,
    role: str = "input",
) -> None:
    fmt = styles.cell(kind, role)  # type: ignore[arg-type]
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif kind == "bool":
        ws.write_boolean(row, col, bool(value), fmt)
    elif kind in ("date", "month"):
        assert isinstance(value, dt.date)
        ws.write_number(row, col, serial(value), fmt)
    elif kind in ("money", "rate", "int", "titre"):
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, Decimal):
            value = float(value) if value != value.to_integral_value() else int(value)
        ws.write_number(row, col, value, fmt)  # type: ignore[arg-type]
    else:
        text = value.value if isinstance(value, Enum) else value
        if isinstance(text, tuple | list):
            text = ";".join(str(t) for t in text)
        ws.write_string(row, col, str(text), fmt)


def field_value(obj: object, key: str) -> object:
    """Value of a dotted field (``cp.start``) of a model, or None where a part is missing."""
    for part in key.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj
