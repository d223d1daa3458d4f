"""Approval rules as data: each rule trips on the change it is about and only then; an approval
clears the very change it names, recorded in the scenario file, kept when edits are carried."""

from __future__ import annotations

import contextlib
import io
import shutil
from decimal import Decimal

import pytest

from budgetplan.api import load_programme
from budgetplan.cli import run
from budgetplan.core.model import Programme
from budgetplan.policy import Policy, Rule, Tolerance, trips
from budgetplan.scenarios.scenario import Scenario
from budgetplan.yamlio.loader import default_scenario_path

PROGRAMME = load_programme()


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    return code, out.getvalue(), err.getvalue()


def with_line(line_id: str, **fields: object) -> Programme:
    lines = tuple(
        line.model_copy(update=fields) if line.id == line_id else line
        for line in PROGRAMME.cost_lines
    )
    return PROGRAMME.model_copy(update={"cost_lines": lines})


def new_line(unit_cost: int) -> Programme:
    study = next(line for line in PROGRAMME.cost_lines if line.id == "SCAN-STUDY")
    added = study.model_copy(update={"id": "SCAN-NEW", "unit_cost": Decimal(unit_cost)})
    return PROGRAMME.model_copy(update={"cost_lines": (*PROGRAMME.cost_lines, added)})


def scan_ae_change(new: Programme) -> str:
    """The change the AE rule names for SCAN, from the figures (4 scanners more: +720,000)."""
    from budgetplan.compute.figures import compute
    from budgetplan.core.money import eur

    def ae(programme: Programme) -> int:
        return next(p.ae for p in compute(programme).pilots if p.pilot == "SCAN")

    old_ae, new_ae = ae(PROGRAMME), ae(new)
    assert new_ae - old_ae == 72_000_000  # 4 x 150,000 HT x 1.2, in cents
    return f"AE {eur(old_ae, unit=False)} -> {eur(new_ae, unit=False)}"


RULES = {
    "ae": Rule(id="ae", pilot_ae_moves=Tolerance(share=Decimal("0.05"), amount=Decimal(500000))),
    "formal": Rule(id="formal", new_line_above_formal=True),
    "t2": Rule(id="t2", titre2_changes=True),
    "late": Rule(id="late", late_for_event=True),
    "transfer": Rule(id="transfer", money_between_programmes=True),
}
CASES = {  # rule: (a change it trips on, the subject it names), a change it lets pass
    "ae": (
        (with_line("SCAN-EQ", quantity=Decimal(44)), "SCAN"),
        with_line("SCAN-EQ", quantity=Decimal(41)),
    ),
    "formal": ((new_line(300_000), "SCAN-NEW"), new_line(10_000)),
    "t2": (
        (with_line("PGM-TEAM", unit_cost=Decimal(70_000)), "PGM-TEAM"),
        with_line("SCAN-STUDY", unit_cost=Decimal(90_000)),
    ),
    "late": (
        (
            Scenario("late", PROGRAMME).shift(months=7, pilot="OSINT", payments=False).programme,
            "OSINT OG2024",
        ),
        Scenario("ok", PROGRAMME).shift(months=1, pilot="OSINT", payments=False).programme,
    ),
    "transfer": (
        (with_line("SUPV-CNIL", unit_cost=Decimal(600_000)), "SUPV-CNIL"),
        with_line("SCAN-STUDY", unit_cost=Decimal(90_000)),
    ),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_trips_on_its_change_and_only_then(rule) -> None:
    policy = Policy(rules=(RULES[rule],))
    (tripping, subject), passing = CASES[rule]
    found = trips(policy, PROGRAMME, tripping)
    assert [(t.rule, t.subject) for t in found] == [(rule, subject)], found
    assert trips(policy, PROGRAMME, passing) == []
    assert trips(policy, PROGRAMME, PROGRAMME) == []


def test_an_approval_clears_the_change_it_names_and_no_other(tmp_path) -> None:
    """diff --policy: unapproved, exit 1 and what to record; the approval recorded in the new
    scenario file clears it (exit 0); an approval of another amount clears nothing."""
    old = tmp_path / "old.yaml"
    shutil.copy(default_scenario_path(), old)
    text = old.read_text(encoding="utf-8").replace("    quantity: 40\n", "    quantity: 44\n", 1)
    new = tmp_path / "new.yaml"
    new.write_text(text, encoding="utf-8")
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules:\n  - id: ae-5pc\n    pilot_ae_moves: {share: 0.05, amount: 500000}\n")
    code, out, err = cli("diff", str(old), str(new), "--policy", str(policy))
    assert code == 1, err
    change = scan_ae_change(with_line("SCAN-EQ", quantity=Decimal(44)))
    assert f"erreur[NEEDS_APPROVAL] ae-5pc : SCAN : {change}" in out
    approval = (
        "approvals:\n  - rule: ae-5pc\n    subject: SCAN\n    change: '{change}'\n"
        "    who: Bureau 2BLR, direction du budget\n    when: 2026-12-04\n"
        "    why: Quatre scanners de plus pour le Stade de France\n"
    )
    new.write_text(text + approval.format(change=change), encoding="utf-8")
    code, out, err = cli("diff", str(old), str(new), "--policy", str(policy))
    assert code == 0 and "information[APPROVED]" in out and "Bureau 2BLR" in out, (out, err)
    new.write_text(text + approval.format(change="AE 8 916 000.00 -> 9 000 000.00"))
    code, out, _err = cli("diff", str(old), str(new), "--policy", str(policy))
    assert code == 1 and "NEEDS_APPROVAL" in out


def test_approvals_survive_edits_carried_into_the_scenario(tmp_path) -> None:
    from budgetplan.yamlio.scenario_writer import apply_to_scenario

    scenario = tmp_path / "programme.yaml"
    text = default_scenario_path().read_text(encoding="utf-8") + (
        "approvals:\n  - {rule: r, subject: SCAN, change: x, who: DB, when: 2026-12-04, why: y}\n"
    )
    scenario.write_text(text, encoding="utf-8")
    edited = with_line("SCAN-EQ", quantity=Decimal(41))
    apply_to_scenario(scenario, edited, scenario)
    after = scenario.read_text(encoding="utf-8")
    assert "approvals:\n  - {rule: r, subject: SCAN" in after and "quantity: 41" in after
    assert load_programme(scenario).cost_lines[0].quantity == 41


def test_a_policy_file_is_checked_like_a_scenario_file(tmp_path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules:\n  - id: x\n    late_for_event: true\n    titre2_changes: true\n")
    scenario = str(default_scenario_path())
    code, _out, err = cli("diff", scenario, scenario, "--policy", str(policy))
    assert code == 2 and "policy.yaml:2" in err and "exactly one of" in err, err
    assert "Traceback" not in err
