"""Values as people read them in reports and text views: one way for each kind of value,
never a Python repr, and text that stays on its line (so that no label can forge a record)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal


def escape(text: str) -> str:
    """Text on one line that cannot pass for another record: backslashes, line breaks, control
    and bidirectional-override characters written as escapes."""
    out = []
    for ch in text.replace("\\", "\\\\"):
        if ch == "\n":
            out.append("\\n")
        elif ch in "\r\t" or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def plain(value: Decimal) -> str:
    """A decimal the same however it was typed (0.2, 0.20) or read back (40, 40.0)."""
    return format(value.normalize(), "f") if value else "0"


def show(value: object, none: str = "-") -> str:
    """A value as a reviewer reads it: dates dd/mm/yyyy, numbers as typed, a schedule as
    ``mm/yyyy=amount`` pairs, yes or no, a code for an enum, nothing as ``none``."""
    if value is None or value == "":
        return none
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dict):
        return (
            "; ".join(
                f"{k:%m/%Y}={show(v)}" if isinstance(k, dt.date) else f"{k}={show(v)}"
                for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            )
            or none
        )
    if isinstance(value, list | tuple):
        return ", ".join(show(v) for v in value) or none
    if hasattr(value, "value"):  # an enum: its code
        return str(value.value)
    return escape(str(value))


def shown(value: object, lang: str, none: str = "-") -> str:
    """A value as a workbook in ``lang`` shows it: VRAI/FAUX (TRUE/FALSE), whole numbers
    without ``.0``, a decimal comma and thin-space thousands in French, an error value as its
    code, dates dd/mm/yyyy; otherwise as :func:`show`."""
    if isinstance(value, bool):
        return ("VRAI" if value else "FAUX") if lang == "fr" else ("TRUE" if value else "FALSE")
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else f"{value:,.2f}"
        return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text
    if isinstance(value, Decimal):
        return plain(value).replace(".", ",") if lang == "fr" else plain(value)
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "error":
        return str(value[1])
    return show(value, none)
