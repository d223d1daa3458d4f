"""The default programme holds the facts of the report and marks every estimate as an assumption."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.findings import in_lang
from budgetplan.core.model import MilestoneKind, Nature, Profile, Provenance


def test_envelope_and_events_are_the_sourced_facts(default_loaded) -> None:
    p = default_loaded.programme
    env = p.envelope(2022)
    assert env is not None
    assert env.ae == Decimal("50000000") and env.budget_programme == "216"
    assert env.provenance is Provenance.SOURCED
    assert "DPSIS" in p.steering_body
    assert p.vat_rate == Decimal("0.20")
    events = {e.id: (e.first_day, e.last_day) for e in p.events}
    assert events == {
        "RWC2023": (dt.date(2023, 9, 8), dt.date(2023, 10, 28)),
        "OG2024": (dt.date(2024, 7, 26), dt.date(2024, 8, 11)),
        "PG2024": (dt.date(2024, 8, 28), dt.date(2024, 9, 8)),
    }
    assert p.reserve.provenance is Provenance.ASSUMPTION and p.reserve.rationale


def test_every_pilot_of_the_report_is_there(default_loaded) -> None:
    names = " ".join(pl.name.lower() for pl in default_loaded.programme.pilots)
    for words in (
        "scanners",
        "drones",
        "authentification",
        "temps réel",
        "foule",
        "sources ouvertes",
        "jeux de données",
        "acceptabilité",
    ):
        assert words in names, words


def test_cost_lines_are_many_explicit_multi_year_and_assumed(default_loaded) -> None:
    p = default_loaded.programme
    assert len(p.cost_lines) >= 40
    assert any(c.nature is Nature.CONTINGENCY for c in p.cost_lines)
    multi_year = [c for c in p.cost_lines if c.cp.first_month.year < c.cp.last_month.year]
    assert any(c.pilot == "SCAN" for c in multi_year)
    assert any(c.cp.profile is Profile.EXPLICIT for c in p.cost_lines)
    for line in p.cost_lines:
        assert line.provenance is Provenance.ASSUMPTION and line.rationale.strip(), line.id
    for pilot in p.pilots:
        for served in pilot.serves:
            assert served.rationale.strip()


def test_milestones_are_tied_to_the_three_events(default_loaded) -> None:
    p = default_loaded.programme
    served = {s.event for pl in p.pilots for s in pl.serves}
    assert served == {"RWC2023", "OG2024", "PG2024"}
    for pilot in p.pilots:
        if pilot.serves:
            assert any(m.kind is MilestoneKind.OPERATIONAL for m in pilot.milestones)


def test_default_programme_passes_every_check(default_loaded) -> None:
    results = run_checks(compute(default_loaded.programme))
    assert [r.spec.code for r in results if not r.ok] == []


def test_the_risk_accepted_is_stated_and_the_check_follows_it(default_loaded) -> None:
    """The default's simulation gives 51.7 % of exceeding the envelope: the steering body's
    acceptance (55 %, with its reason) passes it; the 20 % any other programme gets fails it,
    at the threshold's cell, naming the odds and the provisions held and needed."""
    p = default_loaded.programme
    accepted = p.risk_acceptance
    assert accepted.overrun_probability == Decimal("0.55") and "52 %" in accepted.rationale
    assert accepted.provenance is Provenance.ASSUMPTION
    fig = compute(p)
    sim = fig.simulation
    assert sim is None  # run by the check, once, then shared with the writer
    by_code = {r.spec.code: r for r in run_checks(fig)}
    assert by_code["RISK_OVERRUN"].ok
    assert round(fig.simulation.probability_over_envelope, 3) == 0.517  # type: ignore[attr-defined]
    # the figures its reason gives are the simulation's, rounded as it says them
    sim = fig.simulation
    said_p80 = f"{sim.contingency_p80 / 1e6:.2f}".replace(".", ",")  # type: ignore[attr-defined]
    said_held = f"{sim.contingency_planned / 1e6:.2f}".replace(".", ",")  # type: ignore[attr-defined]
    chance = round(sim.probability_over_envelope * 100)  # type: ignore[attr-defined]
    assert f"({chance} % ; le P80 demande {said_p80} M€ de provision, {said_held} M€" in (
        accepted.rationale
    )
    strict = p.model_copy(update={"risk_acceptance": type(accepted)()})
    failed = {r.spec.code: r for r in run_checks(compute(strict))}["RISK_OVERRUN"]
    assert not failed.ok and failed.count == 1
    finding = failed.findings[0]
    assert finding.path == ("risk_acceptance", "overrun_probability")
    assert in_lang(finding.message, "fr") == (
        "le coût dépasse l'enveloppe nette de réserve (47 522 500,00 €) dans 51,7 % des tirages "
        "de la feuille Risque, au-delà des 20,0 % acceptés ; la provision tenue est de "
        "758 000,00 €, atteindre le P80 demande 2 675 660,75 €"
    )
