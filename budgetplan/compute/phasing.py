"""Spread a line's payments (CP) over months, tied to the cent."""

from __future__ import annotations

import datetime as dt


def month_index(start: dt.date, month: dt.date) -> int:
    """Months from ``start`` to ``month`` (both first-of-month dates)."""
    return (month.year - start.year) * 12 + month.month - start.month


def spread_flat(total_cents: int, months: int) -> list[int]:
    """Split ``total_cents`` over ``months`` equal parts by largest remainder.

    Every part gets ``total // months`` cents; the ``total % months`` cents left over go one each
    to the earliest months (all remainders are equal, ties go to the earliest). The parts always
    sum to the total exactly; the workbook uses the same rule in its Phasing formulas.
    """
    if months <= 0:
        raise ValueError("months must be positive")
    base, remainder = divmod(total_cents, months)
    return [base + (1 if k < remainder else 0) for k in range(months)]


def place(parts: list[int], first_index: int, period_months: int) -> tuple[list[int], int]:
    """Lay ``parts`` into a period row starting at ``first_index``; return the row and what fell out."""
    row = [0] * period_months
    outside = 0
    for k, cents in enumerate(parts):
        idx = first_index + k
        if 0 <= idx < period_months:
            row[idx] += cents
        else:
            outside += cents
    return row, outside
