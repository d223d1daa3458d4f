"""Cost and schedule risk by Monte Carlo (numpy, vectorised, seeded).

Cost: each line's cost excluding VAT is drawn from its low / likely / high estimate (likely =
quantity x unit cost), PERT (default) or triangular, with lines of the same pilot correlated
through a Gaussian copula; VAT is added per line. Contingency lines are the buffer, not a risk:
they are left out of the draw, and the contingency needed is what reaching P80 takes above the
plan.

Schedule: each computed milestone's duration is drawn from a triangular law over its low,
likely and high days (the spread of its kind when it gives none: laws and decrees included);
the network's forward pass carries each draw to each pilot's first operational milestone, and
the probability that it falls on or before the lead time of each event it serves is counted.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import betaincinv, ndtr

from budgetplan.compute.figures import Figures, compute
from budgetplan.compute.risk_result import SEED, RiskResult
from budgetplan.compute.schedule import (
    SCHEDULE_DRAWS,
    Network,
    readiness_drivers,
    ready_probabilities,
)
from budgetplan.core import precision
from budgetplan.core.errors import SaidError
from budgetplan.core.findings import said
from budgetplan.core.model import Nature, Programme

GRID = 1025  # points of the tabulated inverse CDF of each PERT law (standardised, cached)


def _inverse(kind: str, low: float, mode: float, high: float, u: np.ndarray) -> np.ndarray:
    """Quantiles of a three-point law at ``u`` (vectorised)."""
    width = high - low
    if width <= 0:
        return np.full_like(u, mode)
    if kind == "triangular":
        c = (mode - low) / width
        drawn: np.ndarray = np.where(
            u < c,
            low + np.sqrt(u * width * (mode - low)),
            high - np.sqrt((1 - u) * width * (high - mode)),
        )
        return drawn
    alpha = round(1 + 4 * (mode - low) / width, 4)
    beta = round(1 + 4 * (high - mode) / width, 4)
    quantiles: np.ndarray = low + width * np.interp(u, _GRID, _standard_pert(alpha, beta))
    return quantiles


_GRID = np.linspace(0.0, 1.0, GRID)


@functools.lru_cache(maxsize=4096)
def _standard_pert(alpha: float, beta: float) -> np.ndarray:
    """Quantiles of Beta(alpha, beta) on the grid: lines with the same shape share them."""
    grid: np.ndarray = betaincinv(alpha, beta, _GRID)
    return grid


#: Memory a simulation may take: the figures above it are refused before any draw.
MAX_RISK_BYTES = 600_000_000


class RiskTooLarge(SaidError, ValueError):
    """A simulation that would not fit in MAX_RISK_BYTES: its message and what to do."""

    code = "RISK_TOO_LARGE"


def _fr(number: float) -> str:
    """A whole number as French writes it (1 140)."""
    return f"{number:,.0f}".replace(",", " ")


def _check_memory(programme: Programme, iterations: int) -> None:
    """Raise RiskTooLarge when ``iterations`` draws would not fit in MAX_RISK_BYTES, saying how
    many would."""
    need = memory_needed(programme, iterations)
    if need > MAX_RISK_BYTES:
        per_draw = memory_needed(programme, 2) - memory_needed(programme, 1)
        most = (MAX_RISK_BYTES - memory_needed(programme, 0)) // per_draw
        raise RiskTooLarge(
            said(
                f"{iterations:,} draws of {len(programme.pilots)} pilots need about "
                f"{need / 1e6:,.0f} MB, over the {MAX_RISK_BYTES / 1e6:,.0f} MB a simulation may "
                "take",
                f"{_fr(iterations)} tirages de {len(programme.pilots)} pilotes demandent "
                f"environ {_fr(need / 1e6)} Mo, au-delà des {_fr(MAX_RISK_BYTES / 1e6)} Mo "
                "permis à une simulation",
            ),
            said(
                f"lower --iterations to {most:,} at most (10,000 give percentiles to about 1%)",
                f"ramener --iterations à {_fr(most)} au plus (10 000 donnent les centiles à 1 % "
                "près)",
            ),
        )


def memory_needed(programme: Programme, iterations: int) -> int:
    """Bytes a simulation of ``iterations`` draws holds at its peak: per draw, the pilots'
    shocks and totals (two float64 each), the totals and a few working arrays, and the
    schedule's draws in chunks (bounded apart)."""
    return iterations * 8 * (2 * len(programme.pilots) + 6) + 100_000_000


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
    _check_memory(programme, iterations)
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
    keep = len(drawn) * iterations <= DRIVER_CELLS  # each line's draws, for the drivers
    kept: list[np.ndarray] = []
    for lf in drawn:
        z_line = rng.standard_normal(iterations)  # one line at a time: memory stays flat
        u = ndtr(a * z_pilot[:, index[lf.line.pilot]] + b * z_line)
        likely = lf.ht / 100
        low = min(float(lf.line.estimate.low), likely)
        high = max(float(lf.line.estimate.high), likely)
        cost = _inverse(distribution, low, likely, high, u) * (1 + float(lf.vat_rate))
        totals += cost
        by_pilot[lf.line.pilot] += cost
        if keep:
            kept.append(cost)
    del z_pilot  # the schedule's draws come next: what the cost's no longer need goes first
    pilot_quantiles = {pid: np.percentile(d, [50, 80, 90]) for pid, d in by_pilot.items()}
    del by_pilot
    planned = sum(lf.ttc for lf in drawn) / 100
    p50, p80, p90 = np.percentile(totals, [50, 80, 90])
    net = fig.net_ae[fig.budget_year] / 100
    money, chance = precision.money, precision.probability
    result = RiskResult(
        iterations,
        seed,
        distribution,
        correlation,
        money(planned),
        money(contingency),
        money(net),
        money(p50),
        money(p80),
        money(p90),
        chance(float(np.mean(totals > net))),
        money(max(0.0, p80 - planned)),
    )
    for pid, q in pilot_quantiles.items():
        result.pilots[pid] = {"p50": money(q[0]), "p80": money(q[1]), "p90": money(q[2])}
    network = Network(programme)
    for (pilot, event), p in ready_probabilities(programme, network, iterations, seed).items():
        result.readiness.setdefault(pilot, {})[event] = chance(p)
    result.cost_drivers = _cost_drivers([lf.id for lf in drawn], kept, totals)
    result.readiness_drivers = readiness_drivers(programme, network, iterations, seed)
    result.totals = np.round(np.sort(totals), precision.MONEY_DIGITS) + 0.0
    return result


#: Line draws kept for the cost drivers at most (80 MB): beyond, no drivers are reported.
DRIVER_CELLS = 10_000_000


def _cost_drivers(
    ids: list[str], kept: list[np.ndarray], totals: np.ndarray, top: int = 10
) -> list[tuple[str, float]]:
    """Each line's share of the total's standard deviation, cov(line, total) / sd(total): the
    shares add up to the standard deviation; the ``top`` largest."""
    sd = float(totals.std())
    if not kept or sd == 0:
        return []
    centred = totals - totals.mean()
    shares = [
        (ident, precision.money(float(np.mean((c - c.mean()) * centred)) / sd))
        for ident, c in zip(ids, kept, strict=True)
    ]
    shares.sort(key=lambda x: (-x[1], x[0]))
    return shares[:top]


def sheet_iterations(n_lines: int) -> int:
    """Iterations for the workbook's Risk sheet: 10,000 up to 200 cost lines, then fewer so that a
    build stays fast (two million draws at most, 200 iterations at least)."""
    return 10_000 if n_lines <= 200 else max(200, 2_000_000 // max(n_lines, 1))


def sheet_simulation(fig: Figures) -> RiskResult:
    """The simulation the Risk sheet shows, from the figures already computed: its readiness
    probabilities are those of the figures (and of the checks). Run once per figures: the
    check RISK_OVERRUN and the Risk sheet read the same run."""
    if isinstance(fig.simulation, RiskResult):
        return fig.simulation
    result = simulate(fig.programme, sheet_iterations(len(fig.lines)), SEED, figures=fig)
    result.readiness = {}
    for rd in fig.readiness:
        result.readiness.setdefault(rd.pilot, {})[rd.event] = precision.probability(rd.probability)
    _ = SCHEDULE_DRAWS
    fig.simulation = result
    return result
