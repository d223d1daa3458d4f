"""Every number format budgetplan writes, spelt so that it means the same in every locale.

A format code in an xlsx file is locale-free: ``,`` groups thousands and ``.`` is the decimal
mark, whatever the reader's language. But LibreOffice in French reads an *unquoted* space after
the digits (``#,##0.00 "€"``) as the French thousands separator and saves it back as a scaling
comma (``#,##0.00,\\€``): every amount then shows 1,000 times too small (``50 000,00€`` for
fifty million). Literal text is therefore always quoted, space included (``" €"``), and nothing
but digit placeholders, ``,`` and ``.`` stands between the digits. ``tests/test_libreoffice.py``
saves a workbook in a French LibreOffice and reads back what each cell shows.
"""

from __future__ import annotations

from collections.abc import Iterator

#: euros to the cent: 50 000 000,00 € (fr), 50,000,000.00 € (en)
MONEY = '#,##0.00" €";-#,##0.00" €"'
#: whole euros, for risk figures and chart axes: 50 000 000 €
MONEY_WHOLE = '#,##0" €";-#,##0" €"'
RATE = "0.00%"
PERCENT = "0.0%"
PERCENT_WHOLE = "0%"
INT = "#,##0"
PLAIN_INT = "0"
#: a year: 2022, never 2,022 nor 2 022
YEAR = "0"
#: a year of payment credits: CP 2024
CP_YEAR = '"CP "0'
DATE = "dd/mm/yyyy"
MONTH = "mm/yyyy"
MONTH_ONLY = "mm"
CORRELATION = "0.00"
#: Booleans shown in the workbook's language: Excel shows a boolean as TRUE/FALSE in its own
#: language whatever the format, but LibreOffice shows it as 1/0 without a format saying how.
BOOLEAN = {"fr": '"VRAI";"VRAI";"FAUX"', "en": '"TRUE";"TRUE";"FALSE"'}


def titre(number_label: str) -> str:
    """A titre's number followed by its name: T3 – Dépenses de fonctionnement."""
    return f'"T"0" – {number_label}"'


def syntax(code: str) -> Iterator[tuple[str, bool]]:
    """Each character of a format code with whether it is format syntax (not quoted, escaped
    or inside brackets)."""
    quoted = escaped = False
    depth = 0
    for ch in code:
        if escaped:
            escaped = False
            yield ch, False
        elif ch == "\\" and not quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif quoted:
            yield ch, False
        elif ch == "[":
            depth += 1
            yield ch, False
        elif ch == "]":
            depth = max(0, depth - 1)
            yield ch, False
        else:
            yield ch, depth == 0


def spaces_outside_quotes(code: str) -> bool:
    """Whether a format code has a space that is not inside quotes (or escaped): the spelling
    a French LibreOffice turns into a scaling comma."""
    return any(ch == " " and is_syntax for ch, is_syntax in syntax(code))
