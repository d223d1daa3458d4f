"""The defined names a spreadsheet formula refers to, found without a formula parser: the checks
name their inputs this way (``compute/checks.py``), and loading a scenario must not import a
spreadsheet library for it. ``tests/test_layout.py`` holds it equal to openpyxl's tokenizer on
every formula budgetplan writes."""

from __future__ import annotations

import re

_STRING = re.compile(r'"(?:[^"]|"")*"')
_QUOTED_SHEET = re.compile(r"'(?:[^']|'')*'!")
#: an operand: letters, digits, _ and . (and $ for cell references), not right after a sheet's
#: ! nor before a function's (
_OPERAND = re.compile(r"(?<![\w.$!])([^\W\d][\w.$]*|\$[\w.$]+)(?![\w.$(!])")
_CELL = re.compile(r"\$?[A-Za-z]{1,3}\$?\d+")


def names_in(formula: str) -> list[str]:
    """The defined names ``formula`` refers to (operands that are neither cells nor booleans),
    in order of first use."""
    text = _QUOTED_SHEET.sub("'!", _STRING.sub('""', formula))
    out: list[str] = []
    for m in _OPERAND.finditer(text):
        value = m.group(1)
        if _CELL.fullmatch(value) or value.upper() in ("TRUE", "FALSE") or "$" in value:
            continue
        if value not in out:
            out.append(value)
    return out
