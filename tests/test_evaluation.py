"""Evaluation of every pilot and its governance: impact assessment, accreditation, evaluation,
interim go/no-go, supervision in place before operating; in Python, in the workbook as
LibreOffice recalculates it, and through reconcile."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from budgetplan.compute.checks import CHECKS, run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.labels import label
from budgetplan.recalc import libreoffice
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.codec import serial
from budgetplan.xlsx.layout import CHECKS_MASTER_ROW
from budgetplan.yamlio.loader import LoadError, default_scenario_path, load
from tests.conftest import edit_scenario

GOVERNANCE = ("IMPACT_ASSESSMENT", "ACCREDITATION", "EVALUATION_PLAN", "GO_NO_GO")


def _pilot(doc, pid: str):  # type: ignore[no-untyped-def]
    return next(p for p in doc["pilots"] if p["id"] == pid)


def _milestone(doc, mid: str):  # type: ignore[no-untyped-def]
    return next(m for p in doc["pilots"] for m in p["milestones"] if m["id"] == mid)


def _failing(tmp_path, change) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The failing checks of the default programme after ``change``, each with the pilots (or
    fields) its findings name."""
    loaded = load(edit_scenario(tmp_path, "changed.yaml", change))
    out: dict[str, list[str]] = {}
    for result in run_checks(compute(loaded.programme)):
        if not result.ok:
            out[result.spec.code] = [f.message.split(" ")[1] for f in result.findings]
    return out


def test_every_intrusive_pilot_of_the_default_programme_is_governed(default_loaded) -> None:
    fig = compute(default_loaded.programme)
    governed = {g.pilot: g for g in fig.governance}
    required = {p.id for p in default_loaded.programme.pilots if p.intrusiveness >= 2}
    assert required == {"SCAN", "ADRN", "FRA", "FRP", "CROWD", "OSINT", "DATA", "DRONE"}
    for pid in required:
        g = governed[pid]
        assert g.required and g.impact_ok and g.accreditation_ok and g.gate_ok
        assert g.supervision_ok and g.evaluations >= 1
    # the scanners' trial is the Rugby World Cup (ends 28/10/2023), their first Games 26/07/2024
    scan = governed["SCAN"]
    assert (scan.trial_end, scan.event) == (dt.date(2023, 10, 28), dt.date(2024, 7, 26))
    assert not governed["SUPV"].required and not governed["PGM"].required
    results = {r.spec.code: r.ok for r in run_checks(fig)}
    assert all(results[c] for c in (*GOVERNANCE, "SUPERVISED_BEFORE"))


def test_the_scanners_throughput_claim_is_a_hypothesis_to_test(default_loaded) -> None:
    """800 checks an hour against 200 by pat-down is the industry's figure: the evaluation
    states it as the hypothesis, measures throughput against a pat-down baseline on the same
    gates, and a line pays for the measurement."""
    scan = default_loaded.programme.pilot("SCAN")
    (ev,) = scan.evaluations
    assert "800" in ev.hypothesis and "200" in ev.hypothesis and "industrie" in ev.hypothesis
    assert "800" not in ev.target and "palpation" in ev.baseline.lower()
    fig = compute(default_loaded.programme)
    (row,) = [e for e in fig.evaluations if e.pilot == "SCAN"]
    assert row.complete and row.cost == 11_400_000  # SCAN-STUDY: EUR 95,000 HT + 20% VAT
    assert row.published == fig.dates["SCAN-EVAL"]


def test_an_impact_assessment_after_operating_fails(tmp_path) -> None:
    def late_aipd(doc):  # type: ignore[no-untyped-def]
        aipd = _milestone(doc, "SCAN-AIPD")
        del aipd["duration"], aipd["depends_on"]
        aipd["date"] = dt.date(2023, 7, 1)  # SCAN-OPS: 30/06/2023

    assert _failing(tmp_path, late_aipd) == {"IMPACT_ASSESSMENT": ["SCAN"]}


def test_a_missing_accreditation_fails_only_where_intrusive(tmp_path) -> None:
    def no_accreditation(doc):  # type: ignore[no-untyped-def]
        _milestone(doc, "CROWD-HOMOL")["step"] = None
        _milestone(doc, "SUPV-OPS")["step"] = "accreditation"  # SUPV: intrusiveness 1

    assert _failing(tmp_path, no_accreditation) == {"ACCREDITATION": ["CROWD"]}


@pytest.mark.parametrize(
    ("day", "fails"),
    [
        (dt.date(2023, 10, 15), True),  # during the World Cup, the trial: too early
        (dt.date(2023, 11, 30), False),
        (dt.date(2024, 7, 25), False),
        (dt.date(2024, 7, 26), True),  # the Games' first day: too late
    ],
)
def test_the_go_no_go_falls_between_the_trial_and_the_games(tmp_path, day, fails) -> None:
    def move(doc):  # type: ignore[no-untyped-def]
        _milestone(doc, "ADRN-GNG")["date"] = day

    failing = _failing(tmp_path, move)
    assert (failing.get("GO_NO_GO") == ["ADRN"]) is fails
    assert set(failing) <= {"GO_NO_GO"}


def test_an_evaluation_not_independent_or_unpublished_leaves_the_pilot_unevaluated(
    tmp_path,
) -> None:
    def weaken(doc):  # type: ignore[no-untyped-def]
        _pilot(doc, "OSINT")["evaluations"][0]["independent"] = False
        _pilot(doc, "DATA")["evaluations"][0]["cost_line"] = None

    assert _failing(tmp_path, weaken) == {"EVALUATION_PLAN": ["OSINT", "DATA"]}


def test_supervision_in_place_after_operating_fails(tmp_path) -> None:
    def late(doc):  # type: ignore[no-untyped-def]
        _pilot(doc, "FRP")["supervised_from"] = "FRP-GNG"  # 30/11/2023, after FRP-OPS
        _pilot(doc, "CROWD")["supervised_from"] = None

    assert _failing(tmp_path, late) == {"SUPERVISED_BEFORE": ["FRP", "CROWD"]}


def test_a_milestone_without_provenance_or_rationale_is_a_finding(tmp_path) -> None:
    def unsourced(doc):  # type: ignore[no-untyped-def]
        del _milestone(doc, "FRA-DECREE")["provenance"]
        del _milestone(doc, "OSINT-LAW")["rationale"]

    assert _failing(tmp_path, unsourced) == {"MILESTONE_PROVENANCE": ["FRA-DECREE", "OSINT-LAW"]}


def test_references_of_evaluations_are_located_errors(tmp_path) -> None:
    def wrong(doc):  # type: ignore[no-untyped-def]
        _pilot(doc, "SCAN")["evaluations"][0]["publication"] = "SCAN-EVL"
        _pilot(doc, "SCAN")["supervised_from"] = "SCAN-LAWW"

    with pytest.raises(LoadError) as caught:
        load(edit_scenario(tmp_path, "wrong.yaml", wrong))
    lines: dict[str, list[str]] = {f.code: [] for f in caught.value.findings}
    for f in caught.value.findings:
        lines[f.code].append(f.one_line())
    assert len(lines["UNKNOWN_REFERENCE"]) == 2
    assert any(
        "'SCAN-EVL'" in x and "did you mean 'SCAN-EVAL'" in x for x in lines["UNKNOWN_REFERENCE"]
    )
    assert all("wrong.yaml:" in x for x in lines["UNKNOWN_REFERENCE"])


def _check_row(code: str) -> int:
    return CHECKS_MASTER_ROW + 4 + next(i for i, c in enumerate(CHECKS) if c.code == code)


@pytest.mark.slow
def test_governance_typed_in_the_workbook_reaches_the_checks_and_reconcile(tmp_path) -> None:
    """In LibreOffice: FRA's evaluation marked not independent, a complete FRA evaluation typed
    into the first empty row (FRA stays evaluated), and the anti-drone go/no-go typed after the
    Games open (GO_NO_GO and the master check FALSE). Reconcile reads all three and finds the
    same; the evaluation typed in gets an id and reaches the scenario file."""
    from budgetplan.api import build, reconcile
    from budgetplan.yamlio.scenario_writer import apply_to_scenario

    if not libreoffice.available():
        pytest.skip("LibreOffice not installed")
    built = build(output=tmp_path / "sent.xlsx")
    programme = built.figures.programme
    evaluations = [e.id for p in programme.pilots for e in p.evaluations]
    E, M = L.EVALUATIONS, L.MILESTONES
    ev_sheet, ms_sheet = label("sheet.evaluation", "fr"), label("sheet.milestones", "fr")
    fra = L.FIRST_DATA_ROW + evaluations.index("FRA-E1") + 1
    new = L.FIRST_DATA_ROW + len(evaluations) + 1
    milestones = [m.id for p in programme.pilots for m in p.milestones]
    gng = L.FIRST_DATA_ROW + milestones.index("ADRN-GNG") + 1
    typed = {
        "pilot": "FRA",
        "indicator": "Temps de passage au portique",
        "baseline": "Contrôle visuel du badge",
        "measurement": "Chronométrage de 500 passages",
        "target": "Moins de 5 secondes",
        "protocol": "Volontaires accrédités",
        "evaluator": "Inspection générale de l'administration",
        "publication": "FRA-EVAL",
        "cost_line": "FRA-BENCH",
    }
    edits = [(ev_sheet, f"{E.letter('independent')}{fra}", "typed", "FALSE")]
    edits += [(ev_sheet, f"{E.letter(k)}{new}", "text", v) for k, v in typed.items()]
    edits += [(ev_sheet, f"{E.letter('independent')}{new}", "typed", "TRUE")]
    edits += [(ms_sheet, f"{M.letter('date')}{gng}", "number", serial(dt.date(2024, 8, 1)))]
    law = L.FIRST_DATA_ROW + milestones.index("SCAN-LAW") + 1  # its rationale cleared
    edits += [(ms_sheet, f"{M.letter('rationale')}{law}", "text", "")]
    saved = tmp_path / "returned"
    saved.mkdir()
    after = libreoffice.recalculate([built.path], save_dir=saved, edits={built.path: edits})
    after = after[built.path]
    assert after["errors"] == []
    sheet = after["sheets"][ev_sheet]
    assert sheet[f"{E.letter('calc.complete')}{fra}"][1] == 0
    assert sheet[f"{E.letter('calc.complete')}{new}"][1] == 1
    checks = after["sheets"][label("sheet.checks", "fr")]
    assert checks[f"C{_check_row('EVALUATION_PLAN')}"][1] == 1
    assert checks[f"C{_check_row('GO_NO_GO')}"][1] == 0
    assert checks[f"D{_check_row('GO_NO_GO')}"][1] == 1
    assert checks[f"D{_check_row('MILESTONE_PROVENANCE')}"][1] == 1
    assert checks[f"C{CHECKS_MASTER_ROW + 1}"][1] == 0

    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    back = reconcile(saved / "sent.xlsx", scenario=scenario)
    # the typed date leaves the computed dates stale until the next build (SCHEDULE_CURRENT)
    assert {f.code for f in back.errors} <= {
        "GO_NO_GO",
        "MILESTONE_PROVENANCE",
        "VALUE_STALE",
        "SCHEDULE_CURRENT",
    }
    gates = [f for f in back.findings if f.code == "GO_NO_GO"]
    assert [f.message.split(" ")[1] for f in gates] == ["ADRN"]
    unsourced = [f for f in back.findings if f.code == "MILESTONE_PROVENANCE"]
    assert [f.message.split(" ")[1] for f in unsourced] == ["SCAN-LAW"]
    assert any(f.code == "EVALUATION_ADDED" and "FRA-NEW1" in f.message for f in back.findings)
    apply_to_scenario(scenario, back.programme, scenario)
    again = load(scenario)
    fra_evals = {e.id: e for e in again.programme.pilot("FRA").evaluations}
    assert set(fra_evals) == {"FRA-E1", "FRA-NEW1"} and not fra_evals["FRA-E1"].independent
    assert fra_evals["FRA-NEW1"].evaluator == "Inspection générale de l'administration"
