"""The precision at which every computed float is stored in a workbook, a report or JSON.

Figures drawn by numpy (risk quantiles, probabilities, correlations) differ in their last bits
from one build of numpy to another; stored at full precision they would give other bytes on
another machine. Each kind of figure is rounded once, here, at a stated precision, before any
writer sees it (Python's ``round``: correctly rounded, half to even on exact ties).
"""

from __future__ import annotations

#: euros: to the cent
MONEY_DIGITS = 2
#: probabilities (0 to 1): to 0.01 %
PROBABILITY_DIGITS = 4
#: correlations (-1 to 1): three decimals
CORRELATION_DIGITS = 3


def stored(value: float, digits: int) -> float:
    """``value`` as it is stored: rounded to ``digits`` decimals, never ``-0.0``."""
    return round(float(value), digits) + 0.0


def money(value: float) -> float:
    return stored(value, MONEY_DIGITS)


def probability(value: float) -> float:
    return stored(value, PROBABILITY_DIGITS)


def correlation(value: float) -> float:
    return stored(value, CORRELATION_DIGITS)
