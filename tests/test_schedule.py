"""The milestone network: forward pass, float, critical path and the changes that respect them
(issue 15), against hand-computed networks and properties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgetplan.compute.figures import compute
from budgetplan.compute.risk import simulate
from budgetplan.compute.schedule import CycleError, Network, finish, latest_start
from budgetplan.core import model as m
from budgetplan.scenarios.scenario import Scenario, ScenarioError
from budgetplan.yamlio.loader import load

BASE = load(None).programme
D = dt.date


def _ms(ident: str, kind: str = "delivery", **kw) -> m.Milestone:  # type: ignore[no-untyped-def]
    return m.Milestone(id=ident, kind=kind, label=ident, **kw)


def _programme(*milestones: m.Milestone, closures=(), serves=()) -> m.Programme:  # type: ignore[no-untyped-def]
    pilot = BASE.pilots[0].model_copy(
        update={"id": "P", "milestones": tuple(milestones), "serves": tuple(serves)}
    )
    return BASE.model_copy(
        update={"pilots": (pilot,), "cost_lines": (), "closures": tuple(closures)}
    )


def test_forward_pass_of_a_hand_computed_network() -> None:
    p = _programme(
        _ms("A", date=D(2022, 3, 1)),
        _ms("B", duration=10, depends_on=("A",)),
        _ms("C", duration=5, depends_on=("A+3",)),  # starts 3 days after A
        _ms("D", duration=7, depends_on=("B", "C")),
        _ms("E", duration=2, not_before=D(2022, 6, 1)),  # waits for its date
        _ms("F", duration=31),  # from the period's first day
    )
    dates = Network(p).plan()
    assert dates == {
        "A": D(2022, 3, 1),
        "B": D(2022, 3, 11),
        "C": D(2022, 3, 9),
        "D": D(2022, 3, 18),  # after B (the later), 7 days
        "E": D(2022, 6, 3),
        "F": D(2022, 2, 1),
    }


def test_a_duration_on_a_calendar_stops_during_its_closures() -> None:
    recess = m.Closure(
        calendar="PARLIAMENT", first_day=D(2022, 2, 28), last_day=D(2022, 6, 27), label="recess"
    )
    p = _programme(
        _ms("BILL", "legal", date=D(2022, 2, 20)),
        _ms("LAW", "legal", duration=20, depends_on=("BILL",), calendar="PARLIAMENT"),
        _ms("DECREE", "legal", duration=20, depends_on=("BILL",)),  # no calendar: runs on
        closures=(recess,),
    )
    dates = Network(p).plan()
    # 7 open days (21..27 Feb), then 13 after the recess (28 Jun .. 10 Jul)
    assert dates["LAW"] == D(2022, 7, 10)
    assert dates["DECREE"] == D(2022, 3, 12)


@given(
    start=st.integers(0, 400),
    days=st.integers(0, 300),
    spans=st.lists(st.tuples(st.integers(0, 600), st.integers(0, 60)), max_size=4),
)
@settings(max_examples=300, deadline=None)
def test_finish_counts_open_days_and_latest_start_inverts_it(start, days, spans) -> None:
    closed = sorted({(a, a + n) for a, n in spans})
    merged: list[tuple[int, int]] = []
    for a, b in closed:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    shut = {d for a, b in merged for d in range(a, b + 1)}
    end = int(finish(np.array(start), np.array(days), merged))
    if days:  # the end is the days-th open day after the start
        assert end not in shut
        assert sum(1 for d in range(start + 1, end + 1) if d not in shut) == days
    latest = latest_start(end, days, tuple(merged))
    assert int(finish(np.array(latest), np.array(days), merged)) <= end
    assert int(finish(np.array(latest + 1), np.array(days), merged)) > end


def test_float_and_critical_path_to_an_event() -> None:
    p = _programme(
        _ms("T", "procurement", duration=100),  # 11/04/2022
        _ms("L", "legal", duration=50),  # 20/02/2022: 50 days of float before OPS needs it
        _ms("AW", "procurement", duration=60, depends_on=("T",)),  # 10/06/2022
        _ms("OPS", "operational", duration=30, depends_on=("AW", "L+20")),  # 10/07/2022
        serves=(m.ServedEvent(event="RWC2023", lead_days=0, rationale="x"),),
    )
    fig = compute(p)
    (path,) = fig.paths
    required = D(2023, 9, 8)
    assert path.required_by == required and path.target == "OPS"
    margin = (required - D(2022, 7, 10)).days
    assert path.floats["OPS"] == path.floats["AW"] == path.floats["T"] == margin
    # L must end 20 days before OPS starts (10/06/2022 at the latest, plus the margin)
    assert path.floats["L"] == (D(2022, 6, 10) - dt.timedelta(days=20) - D(2022, 2, 20)).days + (
        margin
    )
    assert path.critical == ("T", "AW", "OPS")


@st.composite
def networks(draw: st.DrawFn) -> m.Programme:
    n = draw(st.integers(2, 9))
    items = []
    for i in range(n):
        preds = draw(st.lists(st.integers(0, i - 1), unique=True, max_size=3)) if i else []
        links = tuple(
            f"M{j}" + (f"+{lag}" if (lag := draw(st.integers(0, 20))) else "") for j in preds
        )
        if draw(st.booleans()) and not preds:
            items.append(
                _ms(f"M{i}", date=D(2022, 1, 1) + dt.timedelta(days=draw(st.integers(0, 300))))
            )
        else:
            items.append(_ms(f"M{i}", duration=draw(st.integers(0, 120)), depends_on=links))
    last = items[-1]
    items[-1] = last.model_copy(update={"kind": m.MilestoneKind.OPERATIONAL})
    return _programme(*items)


@given(p=networks(), pick=st.integers(0, 8), delay=st.integers(0, 400))
@settings(max_examples=200, deadline=None)
def test_a_delay_moves_nothing_by_more_than_itself_nor_what_its_float_covers(p, pick, delay):
    net = Network(p)
    before = net.plan()
    ids = [n.id for n in net.nodes]
    target = f"M{len(ids) - 1}"
    mid = ids[pick % len(ids)]
    after = net.plan(delays={mid: delay})
    for k in ids:
        assert 0 <= (after[k] - before[k]).days <= delay
    slack = net.latest(target, before[target]).get(mid)
    if slack is not None and delay <= (slack - before[mid]).days:
        assert after[target] == before[target]


def test_a_loop_of_prerequisites_is_refused_by_name() -> None:
    p = _programme(
        _ms("A", duration=1, depends_on=("C",)),
        _ms("B", duration=1, depends_on=("A",)),
        _ms("C", duration=1, depends_on=("B",)),
    )
    with pytest.raises(CycleError, match="A -> C -> B -> A|A -> B -> C -> A|C -> B -> A -> C"):
        Network(p)


def test_a_milestone_is_fixed_or_computed() -> None:
    with pytest.raises(ValueError, match="a fixed date or a duration, not both"):
        _ms("A", date=D(2022, 1, 1), duration=3)
    with pytest.raises(ValueError, match="needs a date \\(fixed\\) or a duration"):
        _ms("A")
    with pytest.raises(ValueError, match="low \\(9 days\\) is above likely"):
        _ms("A", duration={"low": 9, "likely": 5})


# --------------------------------------------------------------------------- changes


def test_a_law_shifted_within_its_float_moves_neither_operations_nor_the_margin() -> None:
    base = compute(BASE)
    s = Scenario.default().shift(months=4, milestone="SCAN-LAW")
    fig = compute(s.programme)
    assert fig.dates["SCAN-LAW"] == D(2023, 4, 4)  # 04/12/2022 + 4 months
    assert fig.dates["SCAN-OPS"] == base.dates["SCAN-OPS"]
    rwc = {(r.pilot, r.event): r.margin_days for r in fig.readiness}
    assert (
        rwc[("SCAN", "RWC2023")]
        == 28
        == {(r.pilot, r.event): r.margin_days for r in base.readiness}[("SCAN", "RWC2023")]
    )
    assert "within float" in s.log[-1].effect or "SCAN-OPS" not in s.log[-1].effect


def test_months_keep_the_day_of_the_month() -> None:
    s = Scenario.default().shift(months=4, milestone="ADRN-LAW")
    assert compute(s.programme).dates["ADRN-LAW"] == D(2022, 10, 30)
    jan31 = _programme(_ms("A", date=D(2022, 1, 31)))
    moved = Scenario("x", jan31).shift(months=1, milestone="A")
    assert compute(moved.programme).dates["A"] == D(2022, 2, 28)  # clamped to February


def test_payments_follow_their_award_and_a_payment_out_of_the_period_is_an_error() -> None:
    with pytest.raises(ScenarioError, match="line SCAN-MAINT: its payments would move by 2"):
        Scenario.default().shift(months=2, milestone="SCAN-AWARD")  # past 2024-12
    s = Scenario.default().extend_period(2).shift(months=2, milestone="SCAN-AWARD")
    assert max(s.programme.months) == D(2025, 2, 1)
    lines = {c.id: c for c in s.programme.cost_lines}
    base = {c.id: c for c in BASE.cost_lines}
    assert (lines["SCAN-MAINT"].cp.start, lines["SCAN-MAINT"].cp.end) == (
        D(base["SCAN-MAINT"].cp.start.year, base["SCAN-MAINT"].cp.start.month + 2, 1),
        D(2025, 2, 1),
    )
    assert lines["SCAN-EQ"].ae_year == 2023  # the award moved to 15/01/2023
    assert base["SCAN-EQ"].ae_year == 2022
    assert lines["SCAN-DPIA"] == base["SCAN-DPIA"]  # no award: its payments stay


# --------------------------------------------------------------------------- risk


def test_a_legal_milestones_spread_moves_the_readiness_probability() -> None:
    """A law with no prerequisite is drawn too: the wider its kind's spread, the less likely
    the pilot that waits for it is ready."""
    served = m.ServedEvent(event="RWC2023", lead_days=500, rationale="x")  # by 26/04/2022
    p = _programme(
        _ms("LAW", "legal", duration=90),  # 01/04/2022
        _ms("OPS", "operational", duration=10, depends_on=("LAW",)),  # 11/04/2022
        serves=(served,),
    )

    def ready(high: str) -> float:
        spreads = tuple(
            s.model_copy(update={"high": Decimal(high)}) if s.kind is m.MilestoneKind.LEGAL else s
            for s in p.spreads
        )
        return simulate(p.model_copy(update={"spreads": spreads}), 4000, seed=7).readiness["P"][
            "RWC2023"
        ]

    assert ready("1.1") == 1.0 > ready("1.8") > ready("3")


def test_one_path_matches_the_triangular_law_and_the_seed_fixes_the_figures() -> None:
    p = _programme(
        _ms("OPS", "operational", duration={"low": 100, "likely": 150, "high": 250}),
        serves=(m.ServedEvent(event="RWC2023", lead_days=0, rationale="x"),),
    )
    deadline = (D(2023, 9, 8) - D(2022, 1, 1)).days  # always met
    assert simulate(p, 2000, seed=3).readiness["P"]["RWC2023"] == 1.0
    served = m.ServedEvent(event="RWC2023", lead_days=deadline - 180, rationale="x")
    p = p.model_copy(update={"pilots": (p.pilots[0].model_copy(update={"serves": (served,)}),)})
    a, c, b, x = 100, 150, 250, 180  # P(duration <= 180) for a triangular law
    exact = 1 - (b - x) ** 2 / ((b - a) * (b - c))
    got = simulate(p, 20000, seed=3).readiness["P"]["RWC2023"]
    assert abs(got - exact) < 4 * (exact * (1 - exact) / 20000) ** 0.5
    assert simulate(p, 20000, seed=3).readiness == simulate(p, 20000, seed=3).readiness


def test_a_governed_pilot_is_ready_only_once_its_accreditation_is_done() -> None:
    """An intrusive pilot may not go live before its homologation: in a draw where the
    accreditation comes after the operational date, the pilot is not ready. Operational on a
    fixed date, accreditation drawn from a triangular law: the probability of being ready is the
    law's, and an unintrusive pilot (no governance required) is always ready."""
    start = D(2022, 1, 1)
    p = _programme(
        _ms("OPS", "operational", date=start + dt.timedelta(days=50)),
        _ms(
            "HOMOL",
            "legal",
            step="accreditation",
            duration={"low": 100, "likely": 150, "high": 250},
        ),
        serves=(
            m.ServedEvent(
                event="RWC2023", lead_days=(D(2023, 9, 8) - start).days - 180, rationale="x"
            ),
        ),
    )
    assert p.pilots[0].intrusiveness >= p.evaluation_level
    a, c, b, x = 100, 150, 250, 180
    exact = 1 - (b - x) ** 2 / ((b - a) * (b - c))
    r = simulate(p, 20000, seed=5)
    assert abs(r.readiness["P"]["RWC2023"] - exact) < 4 * (exact * (1 - exact) / 20000) ** 0.5
    assert [mid for mid, _c in r.readiness_drivers["P"]] == ["HOMOL"]
    fig = compute(p)
    (rd,) = fig.readiness
    assert rd.margin_days == 130 and 0 < rd.probability < 1  # planned in time, not surely ready
    calm = p.model_copy(update={"pilots": (p.pilots[0].model_copy(update={"intrusiveness": 1}),)})
    assert simulate(calm, 2000, seed=5).readiness["P"]["RWC2023"] == 1.0


def test_the_drivers_name_what_moves_the_cost_and_the_operational_date() -> None:
    # a law with a wide spread and a delivery with none: the law drives the operational date
    served = m.ServedEvent(event="OG2024", lead_days=0, rationale="x")
    p = _programme(
        _ms("LAW", "legal", duration={"low": 50, "likely": 90, "high": 400}),
        _ms("DEL", "delivery", duration={"low": 100, "likely": 100, "high": 100}),
        _ms("OPS", "operational", duration=10, depends_on=("LAW", "DEL")),
        serves=(served,),
    )
    r = simulate(p, 5000, seed=11)
    assert [mid for mid, _c in r.readiness_drivers["P"]][0] == "LAW"
    assert "DEL" not in dict(r.readiness_drivers["P"])  # drawn at its only value
    # the cost: each line's share of the total's standard deviation, adding up to it
    full = simulate(BASE, 4000, seed=11)
    assert full.cost_drivers[0][0] in ("ADRN-SYS", "SCAN-EQ")  # the widest estimates in euros
    shares = [s for _line, s in full.cost_drivers]
    assert shares == sorted(shares, reverse=True) and all(s > 0 for s in shares)
    assert sum(shares) <= float(np.std(full.totals)) * 1.0001


def test_draws_by_chunks_give_the_figures_of_one_pass(monkeypatch) -> None:
    """A million draws go by chunks (memory): the probabilities are the same numbers, the
    drivers' correlations the same to 1e-9, whatever the chunk."""
    from budgetplan.compute import schedule
    from budgetplan.yamlio.loader import load

    programme = load().programme
    network = schedule.Network(programme)
    whole_p = schedule.ready_probabilities(programme, network, 2_500, 7)
    whole_d = schedule.readiness_drivers(programme, network, 2_500, 7, top=50)
    monkeypatch.setattr(schedule, "CHUNK", 1_000)
    assert schedule.ready_probabilities(programme, network, 2_500, 7) == whole_p
    chunked = schedule.readiness_drivers(programme, network, 2_500, 7, top=50)
    assert chunked.keys() == whole_d.keys()
    for pid, found in whole_d.items():
        got = dict(chunked[pid])
        for mid, corr in found:
            assert got.get(mid) == pytest.approx(corr, abs=1e-9), (pid, mid)
