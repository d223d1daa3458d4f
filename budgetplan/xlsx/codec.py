"""Cell codecs: how one value of each kind of cell is written and read back.

A workbook cell holds a number, a string, a boolean or nothing. Each kind of input cell
(``layout.Kind``) has one codec here: ``encode`` turns a model value into the cell value the writer
stores, ``decode`` turns what a reader finds in the cell (python-calamine's value, or what a person
typed) into the value the model wants, or raises :class:`CellError` saying what is wrong. The writer
and the reader use nothing else, so that they cannot disagree on the Excel epoch, the separator of a
list of ids, the spelling of booleans or how an amount is stored.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

from budgetplan.core import codes as code_names
from budgetplan.core.findings import said
from budgetplan.core.labels import Lang
from budgetplan.core.money import parse_amount

#: Day 0 of Excel's (and LibreOffice's default) date serial numbers, as the 1900 system counts
#: them from 1 March 1900 on.
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Largest serial number a spreadsheet shows as a date (31/12/9999).
LAST_SERIAL = 2958465
#: Separator of a list of ids in one cell (a milestone's prerequisites).
LIST_SEPARATOR = ";"
#: Spellings of booleans a person may type, in either language (upper case).
TRUE_WORDS = frozenset({"TRUE", "VRAI", "1", "OUI", "YES"})
FALSE_WORDS = frozenset({"FALSE", "FAUX", "0", "NON", "NO"})
#: Formats a date typed as text may take.
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%m/%Y", "%Y-%m")

CellValue = None | bool | int | float | str


class CellError(ValueError):
    """A cell whose value is not of its column's kind; the message says what was found."""


def serial(day: dt.date | None) -> int:
    """Excel's serial number of a date (0 for none)."""
    return (day - EXCEL_EPOCH).days if day else 0


def from_serial(number: float) -> dt.date:
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def blank(value: Any) -> bool:
    """Whether a cell read back holds nothing (empty, or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- encoders


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def encode_text(value: Any) -> CellValue:
    value = _plain(value)
    return None if value is None or value == "" else str(value)


def encode_ids(value: Any) -> CellValue:
    if value is None or value == "":
        return None
    if isinstance(value, tuple | list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def encode_number(value: Any) -> CellValue:
    value = _plain(value)
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value  # type: ignore[no-any-return]


def encode_bool(value: Any) -> CellValue:
    return None if value is None or value == "" else bool(value)


def encode_date(value: Any) -> CellValue:
    return None if value is None or value == "" else serial(value)


# --------------------------------------------------------------------------- decoders


def decode_text(value: Any) -> Any:
    if blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        raise CellError(
            said(f"expected text, found a date {value}", f"texte attendu, date trouvée {value}")
        )
    return str(value)


def decode_choice(value: Any) -> Any:
    return None if blank(value) else decode_text(value)


def decode_ids(value: Any) -> Any:
    text = decode_text(value)
    return tuple(t.strip() for t in text.split(LIST_SEPARATOR) if t.strip())


def decode_bool(value: Any) -> Any:
    if blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):  # 1/0, as LibreOffice may store them
        return value == 1
    if isinstance(value, str):
        word = value.strip().upper()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
    raise CellError(
        said(
            f"expected TRUE or FALSE (VRAI/FAUX, 1/0, oui/non), found {value!r}",
            f"VRAI ou FAUX attendu (TRUE/FALSE, 1/0, oui/non), trouvé {value!r}",
        )
    )


#: Digits before the decimal point of any number a cell may hold: past them (1e999999999 typed as
#: text would become a billion-digit integer) the cell is refused before any arithmetic.
MAX_DIGITS = 15


def _number(value: Any, text_ok: bool) -> Any:
    if blank(value):
        return None
    if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
        raise CellError(
            said(f"expected a number, found {value!r}", f"nombre attendu, trouvé {value!r}")
        )
    if isinstance(value, str):
        try:
            number = parse_amount(value)
        except ValueError as exc:
            ambiguous = "could be" in str(exc)
            raise CellError(
                exc.args[0]  # said in both languages
                if ambiguous
                else said(
                    f"expected a number, found text {value!r}",
                    f"nombre attendu, texte trouvé {value!r}",
                )
            ) from None
        if number.is_finite() and number.adjusted() > MAX_DIGITS:  # before any {number:f}
            raise CellError(_too_long(value[:40]))
        if not text_ok:
            raise CellError(
                said(
                    f"{value!r} is text, which the workbook's own totals leave out: "
                    f"type the number {number:f} in the cell",
                    f"{value!r} est du texte, que les totaux du classeur ne comptent pas : "
                    f"saisir le nombre {number:f} dans la cellule",
                )
            )
    else:
        number = Decimal(repr(float(value)))
    if not number.is_finite():
        raise CellError(said("expected a finite number", "nombre fini attendu"))
    if number.adjusted() > MAX_DIGITS:
        raise CellError(_too_long(value))
    return number


def _too_long(value: Any) -> str:
    return said(
        f"{value!r} is out of range: type a number of at most 15 digits",
        f"{value!r} est hors limites : saisir un nombre de 15 chiffres au plus",
    )


def decode_decimal(value: Any) -> Any:
    """An amount, a rate or a count: a number cell. The same figure as text is refused (SUM and
    SUMIFS skip text, so budgetplan would count what the workbook does not)."""
    return _number(value, text_ok=False)


def decode_whole(value: Any) -> Any:
    return _whole(_number(value, text_ok=False), value)


def decode_titre(value: Any) -> Any:
    """A titre: its drop-down lists the numbers as text (2, 3, 5, 6), so text is read too."""
    return _whole(_number(value, text_ok=True), value)


def _whole(number: Any, value: Any) -> Any:
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellError(
            said(
                f"expected a whole number, found {value!r}",
                f"nombre entier attendu, trouvé {value!r}",
            )
        )
    return int(number)


def decode_date(value: Any) -> Any:
    if blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and 1 <= value <= LAST_SERIAL:
        return from_serial(value)
    if isinstance(value, str):
        text = value.strip()
        for fmt in DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                pass
    raise CellError(
        said(
            f"expected a date (dd/mm/yyyy), found {value!r}",
            f"date attendue (jj/mm/aaaa), trouvé {value!r}",
        )
    )


# --------------------------------------------------------------------------- fast paths
# Reading a 10,000-line workbook decodes 190,000 cells: each kind's common case comes first.


def _fast_text(value: Any) -> Any:
    if type(value) is str and value and not value.isspace():
        return value
    return decode_text(value)


def _fast_choice(value: Any) -> Any:
    if type(value) is str and value and not value.isspace():
        return value
    return decode_choice(value)


def _fast_decimal(value: Any) -> Any:
    if type(value) is float and math.isfinite(value):
        return Decimal(repr(value))
    return decode_decimal(value)


def _fast_whole(value: Any) -> Any:
    if type(value) is float and value.is_integer():
        return int(value)
    return decode_whole(value)


def _fast_titre(value: Any) -> Any:
    if type(value) is float and value.is_integer():
        return int(value)
    return decode_titre(value)


def _fast_date(value: Any) -> Any:
    if type(value) is dt.date:
        return value
    if type(value) is dt.datetime:
        return value.date()
    return decode_date(value)


class Codec:
    """How cells of one kind are written (``encode``) and read back (``decode``)."""

    __slots__ = ("decode", "encode", "fast_decode", "kind")

    def __init__(
        self,
        kind: str,
        encode: Callable[[Any], CellValue],
        decode: Callable[[Any], Any],
        fast_decode: Callable[[Any], Any] | None = None,
    ):
        self.kind = kind
        self.encode = encode
        self.decode = decode
        self.fast_decode = fast_decode or decode


CODECS: dict[str, Codec] = {
    "text": Codec("text", encode_text, decode_text, _fast_text),
    "note": Codec("note", encode_text, decode_text, _fast_text),  # text shown wrapped
    "choice": Codec("choice", encode_text, decode_choice, _fast_choice),
    "ids": Codec("ids", encode_ids, decode_ids),
    "bool": Codec("bool", encode_bool, decode_bool),
    "int": Codec("int", encode_number, decode_whole, _fast_whole),
    "year": Codec("year", encode_number, decode_whole, _fast_whole),  # shown without a separator
    "titre": Codec("titre", encode_number, decode_titre, _fast_titre),
    "money": Codec("money", encode_number, decode_decimal, _fast_decimal),
    "rate": Codec("rate", encode_number, decode_decimal, _fast_decimal),
    "date": Codec("date", encode_date, decode_date, _fast_date),
    "month": Codec("month", encode_date, decode_date, _fast_date),
}


def codec(kind: str, codes: type[StrEnum] | None = None, lang: Lang = "fr") -> Codec:
    """The codec of cells of ``kind``; a ``code`` cell's also needs its list and the workbook's
    language (it shows the code's name in that language)."""
    if kind == "code":
        if codes is None:
            raise CellError("a code column needs its list of codes")
        return _code_codec(codes, lang)
    try:
        return CODECS[kind]
    except KeyError:
        raise CellError(f"unknown kind {kind}") from None


@functools.cache
def _code_codec(codes: type[StrEnum], lang: Lang) -> Codec:
    def encode(value: Any) -> CellValue:
        return None if blank(value) else code_names.name(value, codes, lang)

    def decode(value: Any) -> Any:
        if blank(value):
            return None
        code = code_names.read(codes, decode_text(value))
        if code is None:
            choices = " / ".join(code_names.names(codes, lang))
            raise CellError(
                said(
                    f"expected one of {choices} (the drop-down list), found {value!r}",
                    f"une valeur de la liste déroulante attendue ({choices}), trouvé {value!r}",
                )
            )
        return code.value

    return Codec("code", encode, decode)
