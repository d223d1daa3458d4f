"""The procurement route an amount implies, from the thresholds in force."""

from __future__ import annotations

from budgetplan.core.model import ROUTE_ORDER, Nature, Route, Thresholds
from budgetplan.core.money import to_cents

NO_PROCUREMENT = {Nature.PERSONNEL, Nature.GRANT, Nature.CONTINGENCY, Nature.TRANSFER}


def formal_threshold_cents(nature: Nature, thresholds: Thresholds) -> int:
    if nature is Nature.WORKS:
        amount = thresholds.formal_works
    elif nature is Nature.DEFENCE_SECURITY:
        amount = thresholds.formal_defence_security
    else:
        amount = thresholds.formal_supplies_services
    return to_cents(amount)


def implied_route(ht_cents: int, nature: Nature, innovative: bool, thresholds: Thresholds) -> Route:
    """The least demanding route the amount (excluding VAT) allows.

    Below the direct threshold (or the innovative-purchase one) no publicity nor competition is
    needed; below the formal threshold of the nature an adapted procedure (MAPA) is enough; above
    it a formal tender is required. Personnel, grants and contingency are not purchases.
    """
    if nature in NO_PROCUREMENT:
        return Route.NOT_APPLICABLE
    direct = thresholds.direct_innovative if innovative else thresholds.direct
    if ht_cents < to_cents(direct):
        return Route.DIRECT
    if ht_cents < formal_threshold_cents(nature, thresholds):
        return Route.ADAPTED
    return Route.FORMAL


#: Routes open to one nature of purchase only.
ROUTE_NATURE = {Route.RD_EXEMPT: Nature.SERVICES, Route.NEGOTIATED_DEFENCE: Nature.DEFENCE_SECURITY}


def route_allowed(declared: Route, implied: Route, nature: Nature | None = None) -> bool:
    """A declared route is allowed when it is at least as demanding as the implied one (and,
    for the routes of one nature, when the purchase is of that nature)."""
    if declared in ROUTE_NATURE and nature is not None and nature is not ROUTE_NATURE[declared]:
        return False
    return ROUTE_ORDER.index(declared) >= ROUTE_ORDER.index(implied)


def need_key(pilot: str, nature: Nature, need: str) -> str:
    """The need a line belongs to, as the workbook spells it (compared ignoring case)."""
    return need.strip() or f"{pilot}|{nature.value}"
