"""AE of orders under a framework contract, and each route's durations (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.model import DEFAULT_PROCEDURES, ROUTE_ORDER, Commitment, Route
from budgetplan.yamlio.loader import load
from tests.conftest import edit_scenario


def _failed(path) -> dict:  # type: ignore[no-untyped-def]
    return {r.spec.code: r for r in run_checks(compute(load(path).programme)) if not r.ok}


def _line(doc, ident: str):  # type: ignore[no-untyped-def]
    return next(c for c in doc["cost_lines"] if c["id"] == ident)


def test_orders_consume_their_ae_in_the_order_year_not_at_the_award() -> None:
    p = load(None).programme
    fig = compute(p)
    orders = [lf for lf in fig.lines if lf.line.commitment is Commitment.ORDER]
    assert {lf.line.ae_year for lf in orders} == {2023, 2024}  # the framework awarded in 2022
    for year in (2023, 2024):
        ordered = sum(lf.ttc for lf in orders if lf.line.ae_year == year)
        assert ordered == {2023: 540_000_00, 2024: 1_080_000_00}[year]
        committed = next(yc for yc in fig.credits if yc.year == year).ae_committed
        assert committed == sum(lf.ttc for lf in fig.lines if lf.line.ae_year == year)
    # the 2022 award commits the firm part only: the orders' AE are carried to their years
    assert fig.programme.envelope(2024).ae_carried_in * 100 == 1_080_000_00
    assert all(r.ok for r in run_checks(fig))


def test_an_order_before_its_frameworks_award_is_a_finding(tmp_path) -> None:
    def early(doc):  # type: ignore[no-untyped-def]
        line = _line(doc, "CROWD-HOST")  # CROWD-AWARD is on 16/01/2023
        line["commitment"] = "order"
        line["ae_year"] = 2022

    (finding,) = _failed(edit_scenario(tmp_path, "early.yaml", early))["AE_AT_AWARD"].findings
    assert "CROWD-HOST is an order in 2022" in finding.message
    assert "CROWD-AWARD is on 16/01/2023" in finding.message
    assert finding.hint == "set ae_year to 2023 or later"


def test_an_order_may_follow_its_award_by_years_a_contract_may_not(tmp_path) -> None:
    def later(commitment: str):  # type: ignore[no-untyped-def]
        def change(doc):  # type: ignore[no-untyped-def]
            line = _line(doc, "ADRN-MAINT-24")
            line["commitment"] = commitment

        return change

    assert "AE_AT_AWARD" not in _failed(edit_scenario(tmp_path, "o.yaml", later("order")))
    failed = _failed(edit_scenario(tmp_path, "a.yaml", later("award")))
    (finding,) = failed["AE_AT_AWARD"].findings
    assert "ADRN-MAINT-24 consumes its AE in 2024" in finding.message
    assert finding.hint == "set ae_year to 2022"


def test_an_award_sooner_than_the_routes_minimum_is_a_finding(tmp_path) -> None:
    def rushed(doc):  # type: ignore[no-untyped-def]
        scan = next(p for p in doc["pilots"] if p["id"] == "SCAN")
        award = next(m for m in scan["milestones"] if m["id"] == "SCAN-AWARD")
        assert award["depends_on"] == ["SCAN-TENDER"]
        award["duration"] = 30  # thirty days after the launch

    failed = _failed(edit_scenario(tmp_path, "rushed.yaml", rushed))
    findings = failed["PROCEDURE_TIME"].findings
    p = load(None).programme
    scan_lines = {c.id for c in p.cost_lines if c.award == "SCAN-AWARD" and c.tender}
    assert {f.message.split(":")[0].removeprefix("line ") for f in findings} == scan_lines
    assert "30 days after the launch SCAN-TENDER on 02/05/2022" in findings[0].message
    assert "a formal procedure takes at least 46 days" in findings[0].message
    assert findings[0].hint == "move the award to 17/06/2022 or later"
    assert findings[0].path[-1] == "award"


def test_the_minimum_is_an_input_and_routes_left_out_keep_their_defaults(tmp_path) -> None:
    def slower(doc):  # type: ignore[no-untyped-def]
        doc["procedures"] = [
            {"route": "formal", "minimum_days": 150, "preparation_days": 90, "rationale": "x"}
        ]

    p = load(edit_scenario(tmp_path, "slow.yaml", slower)).programme
    assert [q.route for q in p.procedures] == list(ROUTE_ORDER)
    assert p.procedure(Route.FORMAL).minimum_days == 150
    assert p.procedure(Route.ADAPTED) == next(
        q for q in DEFAULT_PROCEDURES if q.route is Route.ADAPTED
    )
    # the tenders of 135 to 138 days (FRA, CROWD, OSINT, DATA) are now too short
    findings = _failed(edit_scenario(tmp_path, "slow.yaml", slower))["PROCEDURE_TIME"].findings
    assert {f.message.split(" ")[1].split("-")[0] for f in findings} == {
        "FRA",
        "CROWD",
        "OSINT",
        "DATA",
    }


def test_one_procedure_per_route(tmp_path) -> None:
    twice = {"route": "formal", "minimum_days": 46, "preparation_days": 75, "rationale": "x"}
    with pytest.raises(ValidationError, match="one procedure per route"):
        load(None).programme.model_validate(
            {**load(None).programme.model_dump(), "procedures": [twice, twice]}
        )


def test_a_procurement_milestone_without_a_duration_takes_its_routes(tmp_path) -> None:
    def route_timed(doc):  # type: ignore[no-untyped-def]
        scan = next(p for p in doc["pilots"] if p["id"] == "SCAN")
        award = next(m for m in scan["milestones"] if m["id"] == "SCAN-AWARD")
        del award["duration"]  # formal: 75 days of preparation and 46 of procedure

    fig = compute(load(edit_scenario(tmp_path, "routes.yaml", route_timed)).programme)
    assert fig.dates["SCAN-AWARD"] == dt.date(2022, 5, 2) + dt.timedelta(days=75 + 46)

    def orphan(doc):  # type: ignore[no-untyped-def]
        scan = next(p for p in doc["pilots"] if p["id"] == "SCAN")
        scan["milestones"].append({"id": "SCAN-X", "kind": "procurement", "label": "x"})

    from budgetplan.yamlio.loader import LoadError

    with pytest.raises(LoadError) as info:
        load(edit_scenario(tmp_path, "orphan.yaml", orphan))
    (finding,) = [f for f in info.value.findings if f.code == "NO_DURATION"]
    assert "SCAN-X has no date nor duration" in finding.message and finding.line
