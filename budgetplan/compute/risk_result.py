"""What a simulation gives (``RiskResult``) and the figures of it the Risk sheet lists, in the
order the writer lays them out: no numerical library is loaded to write a workbook (the
simulation itself is ``risk``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: The seed of every simulation budgetplan writes (the Risk sheet, the comparison workbook) and
#: the default of ``budgetplan risk``: the same programme always shows the same figures.
SEED = 2022


@dataclass
class RiskResult:
    iterations: int
    seed: int
    distribution: str
    correlation: float
    planned: float  # EUR incl. VAT, lines drawn (contingency excluded)
    contingency_planned: float
    envelope_net: float
    p50: float
    p80: float
    p90: float
    probability_over_envelope: float
    contingency_p80: float  # what reaching P80 takes above the plan
    pilots: dict[str, dict[str, float]] = field(default_factory=dict)
    readiness: dict[str, dict[str, float]] = field(default_factory=dict)
    #: the lines that drive the spread of the total: (line, its share of the standard deviation
    #: of the total in EUR, the shares adding up to it), largest first
    cost_drivers: list[tuple[str, float]] = field(default_factory=list)
    #: the milestones that drive each pilot's operational date: (milestone, correlation)
    readiness_drivers: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    totals: np.ndarray | None = None  # sorted draws of the total, for the S-curve

    def as_dict(self) -> dict[str, object]:
        return {
            "iterations": self.iterations,
            "seed": self.seed,
            "distribution": self.distribution,
            "correlation": self.correlation,
            "planned": round(self.planned, 2),
            "contingency_planned": round(self.contingency_planned, 2),
            "envelope_net": round(self.envelope_net, 2),
            "p50": round(self.p50, 2),
            "p80": round(self.p80, 2),
            "p90": round(self.p90, 2),
            "probability_over_envelope": round(self.probability_over_envelope, 4),
            "contingency_p80": round(self.contingency_p80, 2),
            "pilots": {k: {q: round(v, 2) for q, v in d.items()} for k, d in self.pilots.items()},
            "readiness": {
                k: {e: round(p, 4) for e, p in d.items()} for k, d in self.readiness.items()
            },
            "cost_drivers": [{"line": k, "std_share": round(v, 2)} for k, v in self.cost_drivers],
            "readiness_drivers": {
                k: [{"milestone": m, "correlation": round(c, 3)} for m, c in v]
                for k, v in self.readiness_drivers.items()
            },
        }


#: The figures the Risk sheet lists first, one a row from SHEET_FIRST_ROW (0-based), label in
#: column A and value in column B, in this order.
SHEET_FIGURES = (
    "iterations",
    "planned",
    "p50",
    "p80",
    "p90",
    "envelope_net",
    "probability_over_envelope",
    "contingency_p80",
    "contingency_planned",
)
SHEET_FIRST_ROW = 3


def within_accepted(probability_over: float, accepted: float) -> bool:
    """The rule of the check RISK_OVERRUN (and of the Summary's verdict): the probability of
    exceeding the envelope, as the Risk sheet stores it (0.01 %), no more than the accepted."""
    return round(probability_over, 4) <= round(accepted, 4)
