"""Cost and schedule risk by Monte Carlo (numpy, vectorised, seeded).

Cost: each line's cost excluding VAT is drawn from its low / likely / high estimate (likely =
quantity x unit cost), PERT (default) or triangular, with lines of the same pilot correlated
through a Gaussian copula; VAT is added per line. Contingency lines are the buffer, not a risk:
they are left out of the draw, and the contingency needed is what reaching P80 takes above the
plan.

Schedule: each milestone's planned duration (from its latest prerequisite) is drawn from a
triangular law between 90% and (1 + slip) times the plan, the slip depending on the kind of
milestone (assumptions below); dates propagate along the dependencies to each pilot's first
operational milestone, and the probability that it falls on or before the lead time of each
event it serves is counted.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
from scipy.special import betaincinv, ndtr

from budgetplan.compute.figures import Figures, compute
from budgetplan.core.model import MilestoneKind, Nature, Programme

#: Schedule slip assumed per kind of milestone: the most a duration may stretch (0.6 = +60%).
SLIP = {
    MilestoneKind.LEGAL: 0.8,  # laws and decrees slip the most
    MilestoneKind.PROCUREMENT: 0.6,  # tenders: 4 to 12 months in practice
    MilestoneKind.DELIVERY: 0.5,
    MilestoneKind.OPERATIONAL: 0.3,
    MilestoneKind.EVALUATION: 0.3,
}
EARLIEST = 0.9  # a duration is at best 90% of its plan
GRID = 1025  # points of the tabulated inverse CDF of each PERT law (standardised, cached)


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
        }


def _inverse(kind: str, low: float, mode: float, high: float, u: np.ndarray) -> np.ndarray:
    """Quantiles of a three-point law at ``u`` (vectorised)."""
    width = high - low
    if width <= 0:
        return np.full_like(u, mode)
    if kind == "triangular":
        c = (mode - low) / width
        return np.where(
            u < c,
            low + np.sqrt(u * width * (mode - low)),
            high - np.sqrt((1 - u) * width * (high - mode)),
        )
    alpha = round(1 + 4 * (mode - low) / width, 4)
    beta = round(1 + 4 * (high - mode) / width, 4)
    return low + width * np.interp(u, _GRID, _standard_pert(alpha, beta))


_GRID = np.linspace(0.0, 1.0, GRID)


@functools.lru_cache(maxsize=4096)
def _standard_pert(alpha: float, beta: float) -> np.ndarray:
    """Quantiles of Beta(alpha, beta) on the grid: lines with the same shape share them."""
    return betaincinv(alpha, beta, _GRID)


def simulate(
    programme: Programme,
    iterations: int = 10_000,
    seed: int = 2022,
    distribution: str = "pert",
    correlation: float = 0.5,
    figures: Figures | None = None,
) -> RiskResult:
    if distribution not in ("pert", "triangular"):
        raise ValueError("distribution is pert or triangular")
    if not 0 <= correlation <= 1:
        raise ValueError("correlation is between 0 and 1")
    if not 1 <= iterations <= 5_000_000:
        raise ValueError("iterations between 1 and 5,000,000")
    rng = np.random.default_rng(seed)
    fig = figures if figures is not None else compute(programme)
    pilots = [p.id for p in programme.pilots]
    drawn = [lf for lf in fig.lines if lf.line.nature is not Nature.CONTINGENCY]
    contingency = sum(lf.ttc for lf in fig.lines if lf.line.nature is Nature.CONTINGENCY) / 100
    z_pilot = rng.standard_normal((iterations, len(pilots)))
    index = {pid: i for i, pid in enumerate(pilots)}
    a, b = np.sqrt(correlation), np.sqrt(1 - correlation)
    totals = np.zeros(iterations)
    by_pilot = {pid: np.zeros(iterations) for pid in pilots}
    for lf in drawn:
        z_line = rng.standard_normal(iterations)  # one line at a time: memory stays flat
        u = ndtr(a * z_pilot[:, index[lf.line.pilot]] + b * z_line)
        likely = lf.ht / 100
        low = min(float(lf.line.estimate.low), likely)
        high = max(float(lf.line.estimate.high), likely)
        cost = _inverse(distribution, low, likely, high, u) * (1 + float(lf.vat_rate))
        totals += cost
        by_pilot[lf.line.pilot] += cost
    planned = sum(lf.ttc for lf in drawn) / 100
    p50, p80, p90 = np.percentile(totals, [50, 80, 90])
    net = fig.net_ae[fig.budget_year] / 100
    result = RiskResult(
        iterations,
        seed,
        distribution,
        correlation,
        planned,
        contingency,
        net,
        float(p50),
        float(p80),
        float(p90),
        float(np.mean(totals > net)),
        float(max(0.0, p80 - planned)),
    )
    for pid, draws in by_pilot.items():
        q = np.percentile(draws, [50, 80, 90])
        result.pilots[pid] = {"p50": float(q[0]), "p80": float(q[1]), "p90": float(q[2])}
    result.readiness = _schedule(programme, fig, rng, iterations)
    result.totals = np.sort(totals)
    return result


def _schedule(
    programme: Programme,
    fig,
    rng: np.random.Generator,  # type: ignore[no-untyped-def]
    iterations: int,
) -> dict[str, dict[str, float]]:
    origin = dt.date(1970, 1, 1)
    milestones = {m.id: m for p in programme.pilots for m in p.milestones}
    order: list[str] = []
    seen: set[str] = set()

    def visit(mid: str) -> None:
        if mid in seen:
            return
        seen.add(mid)
        for dep in milestones[mid].depends_on:
            if dep in milestones:
                visit(dep)
        order.append(mid)

    for mid in milestones:
        visit(mid)
    dates: dict[str, np.ndarray] = {}
    for mid in order:
        m = milestones[mid]
        deps = [d for d in m.depends_on if d in milestones]
        planned = float((m.date - origin).days)
        if not deps:
            dates[mid] = np.full(iterations, planned)
            continue
        start_planned = max((milestones[d].date - origin).days for d in deps)
        duration = max(0.0, planned - start_planned)
        start = np.max(np.stack([dates[d] for d in deps]), axis=0)
        if duration == 0:
            dates[mid] = start
            continue
        drawn = rng.triangular(
            duration * EARLIEST, duration, duration * (1 + SLIP[m.kind]), iterations
        )
        dates[mid] = start + drawn
    out: dict[str, dict[str, float]] = {}
    for pilot in programme.pilots:
        ops = [m.id for m in pilot.milestones if m.kind is MilestoneKind.OPERATIONAL]
        if not pilot.serves:
            continue
        for served in pilot.serves:
            event = programme.event(served.event)
            required = float(
                ((event.first_day - dt.timedelta(days=served.lead_days)) - origin).days
            )
            if not ops:
                p = 0.0
            else:
                first = np.min(np.stack([dates[o] for o in ops]), axis=0)
                p = float(np.mean(first <= required))
            out.setdefault(pilot.id, {})[served.event] = p
    _ = fig
    return out


def sheet_iterations(n_lines: int) -> int:
    """Iterations for the workbook's Risk sheet: 10,000 up to 200 cost lines, then fewer so that a
    build stays fast (two million draws at most, 200 iterations at least)."""
    return 10_000 if n_lines <= 200 else max(200, 2_000_000 // max(n_lines, 1))


#: The seed of every simulation budgetplan writes (the Risk sheet, the comparison workbook) and
#: the default of ``budgetplan risk``: the same programme always shows the same figures.
SEED = 2022


def sheet_simulation(fig: Figures) -> RiskResult:
    """The simulation the Risk sheet shows, from the figures already computed."""
    return simulate(fig.programme, sheet_iterations(len(fig.lines)), SEED, figures=fig)
