"""Exact money: amounts are ``Decimal`` euros rounded to the cent, computed as integer cents."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from budgetplan.core.findings import said

CENT = Decimal("0.01")
#: Largest amount budgetplan accepts (one trillion euros): anything above is a typing error.
MAX_AMOUNT = Decimal("1000000000000")


def to_decimal(value: object) -> Decimal:
    """Turn a YAML/JSON/cell value into a Decimal without going through binary floats."""
    if isinstance(value, bool):
        raise ValueError(
            said(
                "expected an amount, got a true/false value",
                "un montant est attendu, pas une valeur vrai/faux",
            )
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        result = parse_amount(value)
    else:
        raise ValueError(
            said(
                f"expected a number, got {type(value).__name__}",
                f"un nombre est attendu, pas {type(value).__name__}",
            )
        )
    if not result.is_finite():
        raise ValueError(
            said(
                "amount must be a finite number (not NaN or infinity)",
                "un montant est un nombre fini (ni NaN ni l'infini)",
            )
        )
    return result


#: A lone comma followed by three digits, after one to three digits that do not start with 0.
_AMBIGUOUS = re.compile(r"[-+]?[1-9]\d{0,2},\d{3}")


def parse_amount(text: str) -> Decimal:
    """An amount as people type it: ``1 234,56``, ``1234.56``, ``1.234,56``, ``-12,5 €``.

    The one amount parser: spaces (also non-breaking), apostrophes and the euro sign are dropped;
    when both a comma and a point appear the last one is the decimal mark, a lone comma is a
    decimal comma. ``1,500`` is refused: a thousands separator in English, a decimal comma in
    French, it would be read wrong by one of them. Not rounded: callers round with
    :func:`round_cent` or :func:`to_cents`.
    """
    s = text.strip().replace("€", "").replace("\u202f", "").replace("\xa0", "")
    s = s.replace(" ", "").replace("'", "")
    if _AMBIGUOUS.fullmatch(s):
        small = f"{Decimal(s.replace(',', '.')).normalize():f}"
        whole, comma = s.replace(",", ""), small.replace(".", ",")
        raise ValueError(
            said(
                f"{text!r} could be {small} (decimal comma) or {whole} (thousands): "
                f"write {whole} or {comma}",
                f"{text!r} peut se lire {comma} (virgule décimale) ou {whole} (milliers) : "
                f"écrire {whole} ou {comma}",
            )
        )
    if "," in s and "." in s:
        s = (
            s.replace(".", "").replace(",", ".")
            if s.rfind(",") > s.rfind(".")
            else s.replace(",", "")
        )
    elif "," in s:
        s = s.replace(",", ".")
    if "e" in s.lower() and any(c.isdigit() for c in s):
        # 1,5e3 or 1E6: nobody writes an amount so; a reader would take it for text or a code
        raise ValueError(
            said(
                f"{text!r} is in scientific notation: write the amount in full digits "
                "(1500, 1 000 000)",
                f"{text!r} est en notation scientifique : écrire le montant en chiffres "
                "(1500, 1 000 000)",
            )
        )
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValueError(
            said(f"{text!r} is not a number", f"{text!r} n'est pas un nombre")
        ) from None
    if not value.is_finite():
        raise ValueError(
            said(f"{text!r} is not a finite number", f"{text!r} n'est pas un nombre fini")
        )
    return value


def round_cent(value: Decimal) -> Decimal:
    """Round half away from zero to the cent, as Excel's ROUND(x, 2) does."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: Decimal) -> int:
    """Euros (Decimal) to integer cents, rounding half away from zero."""
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def spread_shares(total_cents: int, weights: list[int]) -> list[int]:
    """Split ``total_cents`` in proportion to ``weights`` (non-negative, not all zero) by largest
    remainder: each part is its exact share rounded down, and the cents left over go one each to
    the largest remainders (ties to the earliest). The parts always sum to the total."""
    whole = sum(weights)
    if whole <= 0 or min(weights) < 0:
        raise ValueError("weights must be non-negative and not all zero")
    shares = [divmod(total_cents * w, whole) for w in weights]
    left = total_cents - sum(q for q, _ in shares)
    order = sorted(range(len(weights)), key=lambda k: (-shares[k][1], k))
    extra = set(order[:left])
    return [q + (1 if k in extra else 0) for k, (q, _) in enumerate(shares)]


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def eur(cents: int, lang: str = "en", *, unit: bool = True) -> str:
    """An amount for people, the one way each language writes it: ``1 234 567.89 EUR`` in
    English text, ``1 234 567,89 €`` in French (thousands grouped by spaces in both, so that a
    figure reads the same in every report). ``unit=False`` leaves the currency out (tables)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    grouped = f"{whole:,}".replace(",", " ")
    if lang == "fr":
        return f"{sign}{grouped},{rest:02d}" + (" €" if unit else "")
    return f"{sign}{grouped}.{rest:02d}" + (" EUR" if unit else "")
