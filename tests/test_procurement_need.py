"""Procurement routes follow the whole need (all its lines) under the thresholds in force at the
tender's launch: the rules of the French public procurement code, on figures worked out here."""

from __future__ import annotations

import datetime as dt

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.model import Route
from budgetplan.yamlio.loader import load
from tests.conftest import edit_scenario


def _route_findings(tmp_path, change):  # type: ignore[no-untyped-def]
    p = load(edit_scenario(tmp_path, "p.yaml", change)).programme
    fig = compute(p)
    by_code = {r.spec.code: r for r in run_checks(fig)}
    return fig, {
        f.message.split(":")[0].removeprefix("line "): f for f in by_code["ROUTE"].findings
    }


def test_two_lines_of_one_need_take_the_route_of_their_total(tmp_path) -> None:
    def split(doc):  # type: ignore[no-untyped-def]
        for line in doc["cost_lines"]:
            if line["id"] in ("SCAN-DPIA", "FRA-DPIA"):  # 35k + 38k, one need (AIPD)
                line["route"] = "direct"

    fig, found = _route_findings(tmp_path, split)
    assert set(found) == {"SCAN-DPIA", "FRA-DPIA"}
    assert "in the need 'AIPD' of 73 000.00 EUR" in found["SCAN-DPIA"].message
    lf = next(lf for lf in fig.lines if lf.id == "SCAN-DPIA")
    assert (lf.ht, lf.need_ht, lf.implied_route) == (35_000_00, 73_000_00, Route.ADAPTED)


def test_the_need_defaults_to_pilot_and_nature(tmp_path) -> None:
    def no_need(doc):  # type: ignore[no-untyped-def]
        for line in doc["cost_lines"]:
            if line["id"] in ("SCAN-TRAIN", "SCAN-STUDY"):
                line.pop("need")  # two services of one pilot: 120k + 95k, above 140k

    fig, found = _route_findings(tmp_path, no_need)
    assert set(found) == {"SCAN-TRAIN", "SCAN-STUDY"}
    lf = next(lf for lf in fig.lines if lf.id == "SCAN-TRAIN")
    assert lf.need == "SCAN|services" and lf.need_ht == (120_000 + 95_000) * 100
    assert lf.implied_route is Route.FORMAL


def test_a_tender_launched_in_2024_uses_the_2024_thresholds(tmp_path) -> None:
    def at(tender):  # type: ignore[no-untyped-def]
        def change(doc):  # type: ignore[no-untyped-def]
            for line in doc["cost_lines"]:
                if line["id"] == "SCAN-STUDY":  # its own need: 141,000 excl. VAT
                    line.update(unit_cost=141000, route="adapted", tender=tender)
                    line["estimate"] = {"low": 100000, "high": 200000}

        return change

    fig, found = _route_findings(tmp_path, at("SCAN-EVAL"))  # 31/10/2024: 143k in force
    lf = next(lf for lf in fig.lines if lf.id == "SCAN-STUDY")
    assert lf.launch == dt.date(2024, 10, 31) and lf.threshold_row == 2
    assert "SCAN-STUDY" not in found
    fig, found = _route_findings(tmp_path, at("SCAN-OPS"))  # 30/06/2023: 140k in force
    assert "under the thresholds in force from 01/01/2022" in found["SCAN-STUDY"].message


def test_routes_of_one_nature_only(tmp_path) -> None:
    def negotiated(doc):  # type: ignore[no-untyped-def]
        for line in doc["cost_lines"]:
            if line["id"] == "SCAN-EQ":  # supplies: not a defence-security purchase
                line["route"] = "negotiated_defence"
            if line["id"] == "ADRN-SYS":
                line["route"] = "negotiated_defence"

    _fig, found = _route_findings(tmp_path, negotiated)
    assert set(found) == {"SCAN-EQ"}
    assert "for defence_security purchases, not supplies" in found["SCAN-EQ"].message


def test_bad_codes_say_what_they_must_be_at_their_line(tmp_path) -> None:
    import pytest

    from budgetplan.yamlio.loader import LoadError

    def bad(doc):  # type: ignore[no-untyped-def]
        doc["thresholds"][1]["valid_from"] = dt.date(2021, 1, 1)  # before the first set
        by_id = {line["id"]: line for line in doc["cost_lines"]}
        by_id["SCAN-DPIA"]["need"] = "AI*PD"  # a wildcard for SUMIFS
        by_id["SUPV-CNIL"]["transfer_to"] = "30a"
        by_id["SCAN-EQ"]["domaine_fonctionnel"] = "216-1"

    with pytest.raises(LoadError) as caught:
        load(edit_scenario(tmp_path, "bad.yaml", bad))
    found = {f.path: f.message for f in caught.value.findings}
    assert all(f.line for f in caught.value.findings)  # each at its line of the file
    assert "'AI*PD' is not a need key" in found[("cost_lines", 5, "need")]
    assert "not a LOLF programme number" in next(
        v for k, v in found.items() if k[-1] == "transfer_to"
    )
    assert "not a domaine fonctionnel (0216-01" in found[("cost_lines", 0, "domaine_fonctionnel")]
    assert "in ascending order of valid_from" in found[("thresholds",)]
