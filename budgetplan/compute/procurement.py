"""The procurement route an amount implies, from the thresholds in force."""

from __future__ import annotations

from budgetplan.core.model import ROUTE_ORDER, Nature, Route, Thresholds
from budgetplan.core.money import to_cents

NO_PROCUREMENT = {Nature.PERSONNEL, Nature.GRANT, Nature.CONTINGENCY}


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


def route_allowed(declared: Route, implied: Route) -> bool:
    """A declared route is allowed when it is at least as demanding as the implied one."""
    return ROUTE_ORDER.index(declared) >= ROUTE_ORDER.index(implied)
