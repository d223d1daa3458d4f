"""Formula text utilities: relative (R1C1) form, and the numeric literals a formula holds."""

from __future__ import annotations

import re
from collections.abc import Iterable

from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils.cell import column_index_from_string

from budgetplan.core.formula_names import names_in  # noqa: F401 - re-exported

_CELL = re.compile(r"(\$?)([A-Za-z]{1,3})(\$?)(\d+)")
_QUOTED_SHEET = re.compile(r"'((?:[^']|'')+)'!")
_BOOL_CALL = re.compile(r"\b(TRUE|FALSE)\(\)")


def normal_spelling(text: str) -> str:
    """Undo what a re-save changes without changing meaning: sheet quotes, TRUE() for TRUE."""
    if "()" in text:
        text = _BOOL_CALL.sub(r"\1", text)
    if "'" in text:
        text = _QUOTED_SHEET.sub(lambda m: m.group(1).replace("''", "'") + "!", text)
    return text


def quoted_sheet(name: str) -> str:
    """How a formula refers to sheet ``name`` with quotes: ``'Name'!``."""
    return "'" + name.replace("'", "''") + "'!"


def normal_spelling_xml(data: bytes, sheet_names: Iterable[str]) -> bytes:
    """A sheet's XML with the spellings re-saves change made one, in bulk: quotes escaped or not,
    ``sheet_names`` quoted or not, TRUE() or TRUE. Two sheets compared cell by cell after this
    differ only where a formula or value really does. (Each step is a pass over the XML, 100 MB
    for a 10,000-line Phasing sheet: pass only the sheet names its formulas use.)"""
    data = data.replace(b"&quot;", b'"')
    if b"&apos;" in data:
        data = data.replace(b"&apos;", b"'")
    # TRUE() is TRUE (no function name ends in TRUE or FALSE: plain replaces, not a regex pass)
    data = data.replace(b"TRUE()", b"TRUE").replace(b"FALSE()", b"FALSE")
    return unquoted_sheets(data, sheet_names)


def unquoted_sheets(data: bytes, sheet_names: Iterable[str]) -> bytes:
    """``data`` with the references to ``sheet_names`` unquoted (``'Lignes'!`` as ``Lignes!``)."""
    for name in sheet_names:
        data = data.replace(quoted_sheet(name).encode(), name.encode() + b"!")
    return data


def _cell_r1c1(match: re.Match[str], row: int, col: int) -> str:
    col_abs, letters, row_abs, digits = match.groups()
    c = column_index_from_string(letters.upper())
    r = int(digits)
    rpart = f"R{r}" if row_abs else (f"R[{r - row}]" if r != row else "R")
    cpart = f"C{c}" if col_abs else (f"C[{c - col}]" if c != col else "C")
    return rpart + cpart


def to_r1c1(formula: str, row: int, col: int) -> str:
    """The formula with every A1 reference made relative to (``row``, ``col``), both 1-based.

    Two cells whose formulas have the same R1C1 form compute the same thing relative to
    themselves: that is what "one consistent formula across a row" means.
    """
    tok = Tokenizer(formula if formula.startswith("=") else "=" + formula)
    out = []
    for token in tok.items:
        if token.type == Token.OPERAND and token.subtype == Token.RANGE:
            value = token.value
            sheet, bang, ref = value.rpartition("!")
            parts = ref.split(":")
            if all(_CELL.fullmatch(p) for p in parts):
                ref = ":".join(_CELL.sub(lambda m: _cell_r1c1(m, row, col), p) for p in parts)
                value = f"{sheet}{bang}{ref}"
            out.append(value)
        else:
            out.append(token.value)
    return "=" + "".join(out)


def numeric_literals(formula: str) -> list[str]:
    """The numbers typed into a formula (not references, not names, not strings)."""
    tok = Tokenizer(formula if formula.startswith("=") else "=" + formula)
    return [t.value for t in tok.items if t.type == Token.OPERAND and t.subtype == Token.NUMBER]


#: The worksheet functions budgetplan may write: each exists in Excel 2016 and LibreOffice 7.
#: Workbooks must open in the ministries' Excel 2016, where a newer function shows #NAME?.
EXCEL_2016_FUNCTIONS = frozenset(
    {
        "ABS",
        "AND",
        "COUNTIF",
        "COUNTIFS",
        "DATE",
        "DAY",
        "EDATE",
        "EOMONTH",
        "FIND",
        "IF",
        "IFERROR",
        "INDEX",
        "INT",
        "ISERROR",
        "ISTEXT",
        "ISNUMBER",
        "LARGE",
        "LEFT",
        "LEN",
        "MATCH",
        "MAX",
        "MIN",
        "MOD",
        "MONTH",
        "N",
        "NOT",
        "OR",
        "REPT",
        "RIGHT",
        "ROUND",
        "ROWS",
        "SEARCH",
        "SUBSTITUTE",
        "SUM",
        "SUMIFS",
        "SUMPRODUCT",
        "TRIM",
        "YEAR",
    }
)
#: Functions added after Excel 2016 (Excel 2019, Microsoft 365), named in the refusal message.
NEWER_THAN_EXCEL_2016 = frozenset(
    {
        "CONCAT",
        "FILTER",
        "IFS",
        "LAMBDA",
        "LET",
        "MAXIFS",
        "MINIFS",
        "RANDARRAY",
        "SEQUENCE",
        "SORT",
        "SORTBY",
        "SWITCH",
        "TEXTJOIN",
        "UNIQUE",
        "XLOOKUP",
        "XMATCH",
    }
)


def functions_in(formula: str) -> set[str]:
    """The worksheet functions a formula calls, upper case, without Excel's ``_xlfn.`` prefix."""
    tok = Tokenizer(formula if formula.startswith("=") else "=" + formula)
    return {
        t.value[:-1].upper().removeprefix("_XLFN.").removeprefix("_XLWS.")
        for t in tok.items
        if t.type == Token.FUNC and t.subtype == Token.OPEN
    }


_CELL_REF = re.compile(r"^(?:'[^']+'!|[^!]+!)?\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?$")


def tokenized_names_in(formula: str) -> list[str]:
    """:func:`budgetplan.core.formula_names.names_in` by openpyxl's tokenizer: the reference
    the light version is tested against."""
    out: list[str] = []
    for token in Tokenizer(formula if formula.startswith("=") else "=" + formula).items:
        is_range = token.type == Token.OPERAND and token.subtype == Token.RANGE
        value = token.value
        named = is_range and not _CELL_REF.match(value) and value not in ("TRUE", "FALSE")
        if named and value not in out:
            out.append(value)
    return out
