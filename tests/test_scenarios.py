"""Scenarios: each shipped one builds, recalculates in LibreOffice, and moves the figures as its
change implies (expected figures computed independently here)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from budgetplan.cli import run
from budgetplan.compute.checks import CHECKS, run_checks
from budgetplan.compute.figures import compute
from budgetplan.recalc import libreoffice
from budgetplan.runner import build_scenario
from budgetplan.scenarios.scenario import Scenario, ScenarioError
from budgetplan.scenarios.scenario_file import load_scenario_file
from budgetplan.scenarios.sources import collect, load_any
from budgetplan.yamlio.loader import LoadError, load

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASE = compute(load(None).programme)
BASE_AE = {p.pilot: p.ae for p in BASE.pilots}
BASE_MARGIN = {(r.pilot, r.event): r.margin_days for r in BASE.readiness}


def fig_of(name: str):  # type: ignore[no-untyped-def]
    path = next(p for p in collect([SCENARIOS]) if p.stem.replace("_", "-") == name)
    return compute(load_any(path).programme)


def test_at_least_five_scenarios_and_a_baseline_each_with_its_question() -> None:
    paths = collect([SCENARIOS])
    assert paths[0].stem == "baseline" and len(paths) >= 6
    for path in paths:
        head = path.read_text(encoding="utf-8").lstrip()
        assert (
            head.startswith(('"""', "#"))
            and "?" in head.split("\n\n")[0]
            or path.stem == "baseline"
        )


def test_cut_to_40m_protecting_event_critical_pilots() -> None:
    fig = fig_of("cut-40m-protect-events")
    for pid in ("SCAN", "ADRN", "FRA", "CROWD"):
        assert {p.pilot: p.ae for p in fig.pilots}[pid] == BASE_AE[pid]
    # net of reserve: 40,000,000 - 0.5% x 500,000 - 5% x 39,500,000
    net = (40_000_000 - 2_500 - 1_975_000) * 100
    assert fig.net_ae[2022] == net
    # what the 2022 envelope funds (its year's lines and the 2023 awards carried over by
    # decision) fits within it, cut in whole units: scope, never a price (issue 34)
    assert fig.ae_on_budget_envelope <= net
    base = {line.id: line for line in BASE.programme.cost_lines}
    headroom = net - fig.ae_on_budget_envelope
    for lf in fig.lines:
        line, was = lf.line, base[lf.line.id]
        assert line.unit_cost == was.unit_cost and line.quantity <= was.quantity, line.id
        if line.quantity < was.quantity:
            assert "coupe de l'enveloppe 2022 à 40 000 000,00 €" in line.rationale, line.id
            # no unit of a line cut (not dropped) would still have fitted
            assert line.quantity == 0 or lf.ttc / line.quantity > headroom, line.id
    need = fig.carried_need()  # what 2023 carries in also pays what 2024 carries in from it
    assert fig.programme.envelope(2023).ae_carried_in * 100 == need[2023] + need[2024]
    assert fig.programme.envelope(2024).ae_carried_in * 100 == need[2024] > 0
    others = [pid for pid in BASE_AE if pid not in ("SCAN", "ADRN", "FRA", "CROWD")]
    cut = sum(BASE_AE[p] for p in others) - sum(
        {p.pilot: p.ae for p in fig.pilots}[p] for p in others
    )
    assert cut == BASE.ae_on_budget_envelope - fig.ae_on_budget_envelope


def test_cut_by_priority_cuts_the_last_priorities_first() -> None:
    fig = fig_of("cut-40m-by-priority")
    ae = {p.pilot: p.ae for p in fig.pilots}
    assert ae["FRP"] == 0 and ae["OSINT"] == 0  # last in priority: cut in full
    for pid in ("SCAN", "ADRN", "FRA", "CROWD", "SUPV"):
        assert ae[pid] == BASE_AE[pid]
    assert fig.ae_on_budget_envelope <= fig.net_ae[2022]
    assert all(r.ok for r in run_checks(fig) if r.spec.code in ("ENVELOPE_AE", "AE_CARRY"))
    # the provision was cut too: a risk no longer within what the steering body accepted
    assert [r.spec.code for r in run_checks(fig) if not r.ok] == ["RISK_OVERRUN"]


def test_scanners_thirty_percent_dearer_and_three_months_late() -> None:
    fig = fig_of("scanners-overrun-and-late")
    ae = {p.pilot: p.ae for p in fig.pilots}
    assert ae["SCAN"] - BASE_AE["SCAN"] == BASE_AE["SCAN"] * 3 // 10  # +30% exactly
    # delivery 28/04/2023 -> 28/07/2023 (the day of the month kept); operational 63 days later
    assert fig.dates["SCAN-DELIV"] == dt.date(2023, 7, 28)
    ops = next(r for r in fig.readiness if (r.pilot, r.event) == ("SCAN", "RWC2023"))
    assert ops.operational == dt.date(2023, 7, 28) + dt.timedelta(days=63)
    assert ops.margin_days == (dt.date(2023, 7, 28) - ops.operational).days < 0


def test_the_real_drone_decree_date_eats_the_float_but_leaves_anti_drone_ready() -> None:
    """Décret 2023-283 of 19 April 2023: the tests wait for it (15 May 2023 + 19 days), the
    operational date follows only as far as the tests push it."""
    fig = fig_of("antidrone-legal-slip")
    assert fig.dates["ADRN-LAW"] == dt.date(2023, 4, 19)
    margins = {(r.pilot, r.event): r.margin_days for r in fig.readiness}
    assert 0 <= margins[("ADRN", "RWC2023")] < BASE_MARGIN[("ADRN", "RWC2023")]
    assert BASE_MARGIN[("ADRN", "RWC2023")] - margins[("ADRN", "RWC2023")] == 19
    assert {p.pilot: p.ae for p in fig.pilots} == BASE_AE


def test_the_back_test_sets_what_happened_against_the_plan() -> None:
    """The texts at their real dates, each sourced: the drone decree ten months late moves the
    anti-drone pilot by 19 days only (the delivery's float); crowd detection waits for the
    Games law's decree and a tender launched after it, a year late, its AE moving to 2024 where
    none is open; real-time facial recognition has no legal basis and is dropped."""
    scenario = load_scenario_file(SCENARIOS / "backtest-2023.yaml")
    p = scenario.programme
    fixed = {m.id: m for pl in p.pilots for m in pl.milestones if m.id in ("ADRN-LAW", "CROWD-LAW")}
    assert all(m.provenance == "sourced" and "2023" in m.rationale for m in fixed.values())
    fig = compute(p)
    assert fig.dates["ADRN-OPS"] - BASE.dates["ADRN-OPS"] == dt.timedelta(days=19)
    assert fig.dates["CROWD-AWARD"] == dt.date(2024, 1, 15)
    assert "FRP" not in {pl.id for pl in p.pilots}
    margins = {(r.pilot, r.event): r.margin_days for r in fig.readiness}
    assert margins[("CROWD", "OG2024")] == -31 and BASE_MARGIN[("CROWD", "OG2024")] == 333
    # the on-board camera decree came on 18/03/2024: the drones operate 60 days later, still in
    # time for the Olympic Games (26/07/2024, 45 days of lead time), with far less margin
    operational = dt.date(2024, 3, 18) + dt.timedelta(days=60)
    assert fig.dates["DRONE-OPS"] == operational
    required = dt.date(2024, 7, 26) - dt.timedelta(days=45)
    assert margins[("DRONE", "OG2024")] == (required - operational).days > 0
    assert BASE_MARGIN[("DRONE", "OG2024")] == (required - BASE.dates["DRONE-OPS"]).days
    failed = {r.spec.code: r for r in run_checks(fig) if not r.ok}
    assert set(failed) == {"ENVELOPE_AE", "CP_CARRY_OVER", "READINESS", "MILESTONE_ORDER"}
    (ae,) = failed["ENVELOPE_AE"].findings
    assert ae.message.startswith("AE 2024: 8 928 000.00 EUR committed")
    # CROWD's AE (EUR 7.85M TTC) leave 2023 for 2024; FRP's EUR 1.09M are not spent at all
    assert BASE.ae_by_year[2023] - fig.ae_by_year[2023] == 784_800_000
    assert BASE.total_ae - fig.total_ae == 130_320_000


def test_the_default_laws_wait_for_the_elections_and_run_on_sitting_days_only() -> None:
    """Each law the pilots need is drafted first (no recess stops that), then runs its
    parliamentary stage on the days Parliament sits: counted here day by day against the
    closures the default programme holds (the elections of 2022, the summer recesses)."""
    programme = load(None).programme
    closed = [(c.first_day, c.last_day) for c in programme.closures if c.calendar == "PARLIAMENT"]
    assert (dt.date(2022, 2, 28), dt.date(2022, 6, 27)) in closed
    laws = {m.id: m for pl in programme.pilots for m in pl.milestones if m.id.endswith("-LAW")}
    on_parliament = {mid for mid, m in laws.items() if m.calendar == "PARLIAMENT"}
    assert on_parliament == {"SCAN-LAW", "CROWD-LAW", "OSINT-LAW", "DATA-LAW"}
    for mid in on_parliament:
        bill = mid.replace("-LAW", "-BILL")
        assert laws[mid].prerequisite_ids == (bill,)
        day, sitting = BASE.dates[bill], 0
        while day < BASE.dates[mid]:
            day += dt.timedelta(days=1)
            sitting += not any(a <= day <= b for a, b in closed)
        assert sitting == laws[mid].duration.likely, mid
        assert not any(a <= BASE.dates[mid] <= b for a, b in closed)  # voted on a sitting day
    assert BASE.dates["SCAN-LAW"].year == 2022  # the report: legislation in 2022 at the latest
    assert not any(r.late for r in BASE.readiness)


def test_a_parliament_without_majority_leaves_open_source_analysis_unlikely_ready() -> None:
    """Four months more on each bill: the scanners' law has the float; open-source analysis
    falls below the 50% readiness threshold for the Olympic Games, which fails READINESS."""
    fig = fig_of("no-majority-2022")
    for law in ("SCAN-LAW", "CROWD-LAW", "OSINT-LAW", "DATA-LAW"):
        assert fig.dates[law] > BASE.dates[law]
    assert fig.dates["SCAN-OPS"] == BASE.dates["SCAN-OPS"]
    late = {(r.pilot, r.event) for r in fig.readiness if r.late}
    assert late == {("OSINT", "OG2024")}
    failed = {r.spec.code for r in run_checks(fig) if not r.ok}
    assert failed == {"READINESS"}
    assert {p.pilot: p.ae for p in fig.pilots} == BASE_AE


def test_fix_date_refuses_unknown_milestones_and_impossible_dates() -> None:
    base = Scenario.default()
    with pytest.raises(ScenarioError, match="did you mean 'ADRN-LAW'"):
        base.fix_date("ADRN-LAWW", dt.date(2023, 4, 19))
    with pytest.raises(ScenarioError, match="out of range"):
        base.fix_date("ADRN-LAW", dt.date(1900, 1, 1))
    with pytest.raises(ScenarioError, match="do not exist"):
        base.close_calendar("P", dt.date(2022, 3, 1), dt.date(2022, 6, 1), "x", ["NOPE"])
    with pytest.raises(ScenarioError, match="last_day is before first_day"):
        base.close_calendar("P", dt.date(2022, 6, 1), dt.date(2022, 3, 1), "x", ["SCAN-LAW"])


def test_frp_waiting_for_a_debate_misses_the_rugby_world_cup() -> None:
    fig = fig_of("frp-waits-for-debate")
    margins = {(r.pilot, r.event): r.margin_days for r in fig.readiness}
    assert margins[("FRP", "RWC2023")] < 0
    assert margins[("FRP", "OG2024")] < BASE_MARGIN[("FRP", "OG2024")]


def test_moving_money_between_pilots() -> None:
    """EUR 0.5M moves from programme management (committed in 2022) to supervision's lines
    committed in 2022: each year's AE holds, and so does every check but the risk (moved pro
    rata over all of supervision's lines, a quarter of it was committed in 2023, which then left
    too little unused to carry the planned AE into 2024: AE_CARRY failed). Part of the money
    moved was the provision for contingencies (758,000 -> 553,135): the cost now exceeds the
    envelope in 55.7 % of the draws, above the 55 % the steering body accepted."""
    fig = fig_of("supervision-boost")
    ae = {p.pilot: p.ae for p in fig.pilots}
    assert abs((BASE_AE["PGM"] - ae["PGM"]) - 500_000_00) <= 500  # to within EUR 5 of rounding
    assert abs((ae["SUPV"] - BASE_AE["SUPV"]) - 500_000_00) <= 500

    def by_year(figures, pilot: str) -> dict[int, int]:  # type: ignore[no-untyped-def]
        out: dict[int, int] = {}
        for lf in figures.lines:
            if lf.line.pilot == pilot:
                out[lf.line.ae_year] = out.get(lf.line.ae_year, 0) + lf.ttc
        return out

    assert by_year(fig, "SUPV")[2023] == by_year(BASE, "SUPV")[2023]  # nothing moved into 2023
    for year, cents in BASE.ae_by_year.items():
        assert abs(fig.ae_by_year[year] - cents) <= 500, year
    assert [c.spec.code for c in run_checks(fig) if not c.ok] == ["RISK_OVERRUN"]
    assert round(fig.simulation.probability_over_envelope, 3) == 0.557  # type: ignore[attr-defined]


def test_money_moves_only_to_lines_committed_the_same_year() -> None:
    """A pilot with no line committed in a year the money is taken from cannot receive it: the
    error says which year, how much, and how to give it a line."""
    base = Scenario.default()
    pgm_years = {c.ae_year for c in base.programme.cost_lines if c.pilot == "PGM"}
    other = next(
        p.id
        for p in base.programme.pilots
        if p.id != "PGM"
        and not pgm_years & {c.ae_year for c in base.programme.cost_lines if c.pilot == p.id}
        and any(c.pilot == p.id for c in base.programme.cost_lines)
    )
    with pytest.raises(
        ScenarioError, match=rf"{other} has no cost line committed in 2022 .*add_line"
    ):
        base.move_money(100_000, "PGM", other)


def test_scenarios_never_mutate_their_base() -> None:
    base = Scenario.default()
    before = base.programme.model_dump()
    base.scale_cost(2).cut_envelope(40_000_000).shift(months=3, milestone="SCAN-LAW")
    assert base.programme.model_dump() == before and base.log == ()
    with pytest.raises(ScenarioError):
        base.scale_cost(1.1, pilot="NOPE")
    with pytest.raises(ScenarioError):
        base.cut_envelope(1_000_000, protect=list(BASE_AE))


def test_change_file_errors_name_their_line(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nchanges:\n  - scale_cost: {pilot: SCAN, factr: 1.3}\n"
        "  - fly_away: {}\n  - drop_pilot: {pilot: NOPE}\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError) as info:
        load_scenario_file(bad)
    lines = [(f.line, f.code) for f in info.value.findings]
    assert (3, "SCHEMA") in lines and (4, "SCHEMA") in lines and (5, "CHANGE") in lines


@pytest.mark.slow
def test_a_script_runs_with_python(tmp_path) -> None:
    """A scenario script run as people run it, `python script.py`: its report in the user's
    language, French on a French desktop (as the tests run), English for an English locale."""

    def script(lang: str) -> str:
        out = subprocess.run(
            [sys.executable, str(SCENARIOS / "cut_40m_protect_events.py")],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env={**os.environ, "LANG": lang},
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    french = script("fr_FR.UTF-8")
    assert "réduire l'enveloppe 2022" in french and "marge" in french
    english = script("en_GB.UTF-8")
    assert "cut the 2022 envelope" in english and "headroom" in english


def test_run_builds_every_scenario_and_reports_a_failing_one(tmp_path, capsys) -> None:
    folder = tmp_path / "sc"
    folder.mkdir()
    for p in collect([SCENARIOS])[:3]:
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "broken.yaml").write_text("changes:\n  - drop_pilot: {pilot: NOPE}\n")
    out = tmp_path / "wb"
    assert run(["run", str(folder), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "ÉCHOUÉ" in err and "broken.yaml" in err and "NOPE" in err  # French by default
    assert len(list(out.glob("*.xlsx"))) == 4  # three scenarios and the comparison
    import openpyxl

    ws = openpyxl.load_workbook(out / "comparison.xlsx")["Comparaison"]
    assert ws["B3"].value == "baseline (référence)"
    labels = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    for label in ("Marge disponible 2022", "AE du pilote SCAN", "Coût P80", "Contrôles en échec"):
        assert label in labels
    assert "Marge SCAN / RWC2023 (jours)" in labels


@pytest.mark.slow
def test_the_comparison_compares_with_the_default_programme_even_without_baseline(
    tmp_path, capsys
) -> None:
    """The reference column is the default programme, computed when no baseline is in the run;
    names shown whole; a row says which checks fail; a scenario whose checks fail is reported
    as such, with exit 3; the same name twice is refused rather than overwritten. The cut to
    EUR 40M by priority holds every year's credits but leaves the cost above the envelope in
    62 % of the draws (its provision cut to 198,022), beyond the risk accepted."""
    import openpyxl

    out = tmp_path / "wb"
    paths = [SCENARIOS / "cut-40m-by-priority.yaml", SCENARIOS / "no_majority_2022.py"]
    assert run(["run", *map(str, paths), "-o", str(out), "--lang", "en"]) == 3
    printed = capsys.readouterr().out
    assert "checks fail: RISK_OVERRUN" in printed and "checks fail: READINESS" in printed
    ws = openpyxl.load_workbook(out / "comparison.xlsx")["Comparison"]
    header = [ws.cell(3, c).value for c in range(1, 5)]
    assert header == ["Figure", "baseline (reference)", "cut-40m-by-priority", "no-majority-2022"]
    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    headroom = rows["Headroom 2022"]
    assert ws.cell(headroom, 2).value * 100 == BASE.headroom[2022]
    failing = rows["Failing checks"]
    assert [ws.cell(failing, c).value for c in (2, 3, 4)] == ["none", "RISK_OVERRUN", "READINESS"]
    assert ws.cell(rows["Failing checks (count)"], 4).value == 1
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    # a second scenario of the same name would overwrite the first's workbook: refused
    twin = tmp_path / "twin.yaml"
    twin.write_text(
        "name: cut-40m-by-priority\nbase: default\nchanges:\n  - scale_cost: {factor: 1.1}\n",
        encoding="utf-8",
    )
    before = (out / "cut-40m-by-priority.xlsx").read_bytes()
    assert run(["run", str(paths[0]), str(twin), "-o", str(out), "--lang", "en"]) == 1
    assert "already in this run" in capsys.readouterr().err
    assert (out / "cut-40m-by-priority.xlsx").read_bytes() == before


@pytest.mark.libreoffice
def test_every_shipped_scenario_recalculates_in_libreoffice(tmp_path, lo_available) -> None:
    paths = []
    for p in collect([SCENARIOS]):
        scenario = load_any(p)
        paths.append(build_scenario(scenario, tmp_path / f"{scenario.name}.xlsx").path)
    results = libreoffice.recalculate(paths)
    for path in paths:
        assert results[path]["errors"] == [], path
        assert libreoffice.compare(path, results[path]) == [], path


def test_change_files_that_loop_or_are_not_utf8(tmp_path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.write_text("base: loop.yaml\nchanges:\n  - drop_line: {line: X}\n", encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_scenario_file(loop)
    assert [(f.code, f.line) for f in info.value.findings] == [("BASE_CYCLE", 1)]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("changes:\n  - drop_line: {line: é}\n".encode("latin-1"))
    with pytest.raises(LoadError) as info:
        load_scenario_file(latin)
    assert info.value.findings[0].code == "ENCODING"


# --------------------------------------------------------------------------- change files


CHANGE_FILES = sorted(SCENARIOS.glob("*.yaml"))


@pytest.mark.slow
@pytest.mark.parametrize("path", CHANGE_FILES, ids=lambda p: p.name)
def test_change_files_are_scenarios_for_every_command(path, tmp_path, capsys) -> None:
    """validate, build, diff and risk take a change file as they take a programme file: the
    changes applied to its base, the checks run on the result (exit 1 when one fails), the
    workbook named after the scenario, the diff against the default in euros."""
    expected = load_scenario_file(path)
    failing = {r.spec.code for r in run_checks(compute(expected.programme)) if not r.ok}
    capsys.readouterr()
    assert run(["validate", str(path)]) == (1 if failing else 0)
    out = capsys.readouterr()
    assert (
        f"{path}: OK" in out.out
        if not failing
        else f"dans {len(failing)} des {len(CHECKS)} contrôles" in out.err
    )
    assert "SCHEMA" not in out.out + out.err  # no bogus errors about name, base or changes
    target = tmp_path / "s.xlsx"
    assert run(["build", str(path), "-o", str(target)]) == 0
    from budgetplan.xlsx.reader import open_workbook, read_programme

    programme, _where = read_programme(open_workbook(target))
    assert programme == expected.programme  # the workbook holds the scenario's programme
    capsys.readouterr()
    assert run(["diff", str(path), "budgetplan/data/programme-2022.yaml", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["totals"]
    assert run(["risk", str(path), "-n", "500", "--format", "json"]) == 0
    risk = json.loads(capsys.readouterr().out)
    assert risk["iterations"] == 500 and risk["p50"] > 0


def test_a_typo_in_a_change_file_gets_a_suggestion_at_its_line(tmp_path, capsys) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(
        "name: typo\n"
        "base: default\n"
        "changes:\n"
        "  - cut_envelop: {amount: 40000000}\n"
        "  - shift: {month: 4, milestone: SCAN-LAW}\n"
        "  - scale_cost: {}\n",
        encoding="utf-8",
    )
    assert run(["validate", str(path)]) == 2  # in French, the default
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{path}:4 changes[0]: erreur[SCHEMA] changement inconnu 'cut_envelop' "
        "(vouliez-vous dire 'cut_envelope' ?)",
        f"{path}:5 changes[1].shift.month: erreur[SCHEMA] champ inconnu 'month' de shift "
        "(vouliez-vous dire 'months' ?)",
        f"{path}:6 changes[2].scale_cost.factor: erreur[SCHEMA] scale_cost demande 'factor' "
        "(ajouter factor: ...)",
    ]
    assert run(["validate", str(path), "--lang", "en"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{path}:4 changes[0]: error[SCHEMA] unknown change 'cut_envelop' "
        "(did you mean 'cut_envelope'?)",
        f"{path}:5 changes[1].shift.month: error[SCHEMA] unknown field 'month' of shift "
        "(did you mean 'months'?)",
        f"{path}:6 changes[2].scale_cost.factor: error[SCHEMA] scale_cost needs 'factor' "
        "(add factor: ...)",
    ]
    assert run(["build", str(path), "-o", str(tmp_path / "x.xlsx")]) == 2
    assert not (tmp_path / "x.xlsx").exists()


def test_a_change_file_adds_a_line(tmp_path) -> None:
    """add_line, the one change the list of change files lacked: a whole cost line."""
    path = tmp_path / "add.yaml"
    path.write_text(
        "name: add\nbase: default\nchanges:\n"
        "  - add_line: {id: DRONE-FUEL, pilot: DRONE, label: Batteries de rechange, titre: 3,\n"
        "               nature: supplies, quantity: 16, unit_cost: 450, ae_year: 2022,\n"
        "               cp: {profile: flat, start: 2023-03, end: 2023-03},\n"
        "               estimate: {low: 6000, high: 9000}, route: direct,\n"
        "               provenance: assumption, rationale: Two batteries a drone}\n",
        encoding="utf-8",
    )
    fig = compute(load_scenario_file(path).programme)
    assert fig.total_ae - BASE.total_ae == 16 * 450 * 120  # cents, VAT 20%
    assert run(["validate", str(path)]) == 0


def test_a_script_that_exits_or_an_open_comparison_fails_alone(tmp_path, capsys) -> None:
    """sys.exit() in a scenario script ends that scenario, not the run (the others build and
    the comparison is written); a comparison open in Excel is left as it is, and said."""
    folder = tmp_path / "sc"
    folder.mkdir()
    (folder / "baseline.py").write_bytes((SCENARIOS / "baseline.py").read_bytes())
    (folder / "quits.py").write_text("import sys\nsys.exit(0)\n", encoding="utf-8")
    out = tmp_path / "wb"
    assert run(["run", str(folder), "-o", str(out)]) == 1
    printed = capsys.readouterr()
    assert "quits.py : le script se termine (SystemExit 0)" in printed.err  # French by default
    assert (out / "baseline.xlsx").exists() and (out / "comparison.xlsx").exists()
    kept = (out / "comparison.xlsx").read_bytes()
    (out / "~$comparison.xlsx").write_bytes(b"owner")  # open in Excel
    (folder / "quits.py").unlink()
    assert run(["run", str(folder), "-o", str(out), "--lang", "en"]) == 1
    printed = capsys.readouterr()
    assert "comparison.xlsx: not written: it is open" in printed.err
    assert f"wrote {out / 'comparison.xlsx'}" not in printed.out
    assert (out / "comparison.xlsx").read_bytes() == kept


def test_a_script_whose_change_cannot_apply_fails_in_the_users_language(tmp_path, capsys) -> None:
    """A scenario script raising ScenarioError is a failed outcome naming the script and the
    change's own words, in French unless --lang en (not the exception's class name)."""
    script = tmp_path / "bad_move.py"
    script.write_text(
        '"""Money to a pilot with no line that year."""\n'
        "from budgetplan.scenarios.scenario import Scenario\n\n"
        'scenario = Scenario.default("bad", __doc__).move_money(100_000, "PGM", "CROWD")\n',
        encoding="utf-8",
    )
    assert run(["run", str(script), "-o", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{script}: CROWD n'a aucune ligne de coût engagée en 2022" in err, err
    assert "ScenarioError" not in err
    assert run(["run", str(script), "-o", str(tmp_path / "out"), "--lang", "en"]) == 1
    assert f"{script}: CROWD has no cost line committed in 2022" in capsys.readouterr().err


def test_a_pro_rata_cut_changes_no_unit_cost_nor_a_unit_s_estimate() -> None:
    """Issue 34: pro rata scaled unit costs (6 contract staff at 14,646 EUR each, drones at
    3,543 EUR "about 15 kEUR each"). A cut takes units and drops lines; prices stay true."""
    from decimal import Decimal

    cut = Scenario.default().cut_envelope(40_000_000, strategy="pro_rata")
    fig = compute(cut.programme)
    assert fig.ae_on_budget_envelope <= fig.net_ae[2022]
    base = {line.id: line for line in BASE.programme.cost_lines}
    changed = 0
    for line in cut.programme.cost_lines:
        was = base[line.id]
        assert line.unit_cost == was.unit_cost, line.id
        if line.quantity != was.quantity:
            changed += 1
            assert line.quantity < was.quantity and line.quantity == int(line.quantity)
            if line.quantity:  # the estimate of one unit is kept
                per_unit = (line.estimate.high / line.quantity, was.estimate.high / was.quantity)
                assert abs(per_unit[0] - per_unit[1]) <= Decimal("0.01") * was.quantity, line.id
    assert changed >= 5


@pytest.mark.slow
@pytest.mark.parametrize("amount", ["31234567.89", "38000000.01", "42500000.99", "45999999.99"])
def test_a_cut_to_any_amount_fits_its_envelope_without_touching_a_price(amount) -> None:
    """Whole units taken, then given back while they fit: the rounding of a line's amount
    must never leave the envelope a cent short, whatever the amount."""
    from decimal import Decimal

    for strategy in ("pro_rata", "priority"):
        cut = Scenario.default().cut_envelope(Decimal(amount), strategy=strategy)
        fig = compute(cut.programme)
        assert fig.ae_on_budget_envelope <= fig.net_ae[2022], (amount, strategy)
        prices = {line.id: line.unit_cost for line in BASE.programme.cost_lines}
        assert all(line.unit_cost == prices[line.id] for line in cut.programme.cost_lines)
