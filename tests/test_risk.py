"""Risk: Monte Carlo figures against exact answers."""

from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from budgetplan.cli import run
from budgetplan.compute.risk import simulate
from budgetplan.core.model import Estimate
from budgetplan.yamlio.loader import load

BASE = load(None).programme


def one_line(low: int, high: int, vat: str = "0"):  # type: ignore[no-untyped-def]
    line = BASE.cost_lines[0].model_copy(
        update={
            "quantity": Decimal(1),
            "unit_cost": Decimal(100),
            "vat_rate": Decimal(vat),
            "estimate": Estimate(low=Decimal(low), high=Decimal(high)),
        }
    )
    return BASE.model_copy(update={"cost_lines": (line,)})


def test_degenerate_estimates_give_the_base_cost() -> None:
    lines = tuple(
        c.model_copy(
            update={
                "estimate": Estimate(low=c.quantity * c.unit_cost, high=c.quantity * c.unit_cost)
            }
        )
        for c in BASE.cost_lines
    )
    r = simulate(BASE.model_copy(update={"cost_lines": lines}), 2000, 1)
    assert r.p50 == pytest.approx(r.planned, abs=1e-6)
    assert r.p90 == pytest.approx(r.planned, abs=1e-6)
    assert r.contingency_p80 == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize("distribution", ["triangular", "pert"])
def test_percentiles_match_the_analytical_law(distribution) -> None:
    low, mode, high = 80, 100, 160
    r = simulate(one_line(low, high), 200_000, 3, distribution)
    if distribution == "triangular":
        law = stats.triang((mode - low) / (high - low), loc=low, scale=high - low)
    else:
        a = 1 + 4 * (mode - low) / (high - low)
        b = 1 + 4 * (high - mode) / (high - low)
        law = stats.beta(a, b, loc=low, scale=high - low)
    for q, got in ((0.5, r.p50), (0.8, r.p80), (0.9, r.p90)):
        assert got == pytest.approx(law.ppf(q), abs=0.4)  # Monte Carlo error at 200,000 draws


def test_vat_is_added_to_the_draws() -> None:
    r = simulate(one_line(100, 100, "0.2"), 100, 1)
    assert r.p50 == pytest.approx(120)


@pytest.mark.slow
def test_same_seed_same_figures_and_correlation_widens_the_spread() -> None:
    a, b = simulate(BASE, 20_000, 5), simulate(BASE, 20_000, 5)
    assert a.as_dict() == b.as_dict()
    assert simulate(BASE, 20_000, 6).p80 != a.p80
    tight = simulate(BASE, 50_000, 5, correlation=0.0)
    wide = simulate(BASE, 50_000, 5, correlation=1.0)
    assert (wide.p90 - wide.p50) > (tight.p90 - tight.p50)


def test_readiness_probabilities() -> None:
    r = simulate(BASE, 20_000, 1)
    for events in r.readiness.values():
        for p in events.values():
            assert 0 <= p <= 1
    # SUPV's operational milestone depends only on a root 6 months earlier with a year of margin
    assert r.readiness["SUPV"]["OG2024"] == 1.0
    assert r.readiness["CROWD"]["RWC2023"] < 0.5  # eleven days of margin: a coin toss or worse
    assert np.all(np.diff(r.totals) >= 0)


def test_cli_json(capsys) -> None:
    assert run(["risk", "--iterations", "5000", "--seed", "9", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    for key in ("p50", "p80", "p90", "probability_over_envelope", "pilots", "readiness"):
        assert key in data
    assert set(data["pilots"]["SCAN"]) == {"p50", "p80", "p90"}
    assert 0 <= data["readiness"]["SCAN"]["RWC2023"] <= 1
