"""Credits by budget year (AE, CP, carry-over, reste à payer), worked out here independently of
the code under test: from the programme's inputs, month by month, with Decimal, to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from budgetplan.core import model as m
from budgetplan.yamlio.loader import load
from tests.conftest import edit_scenario

CENT = Decimal("0.01")


def _cents(value: Decimal) -> int:
    return int((value * 100).quantize(Decimal(1), ROUND_HALF_UP))


def _line_ttc(line: m.CostLine, p: m.Programme) -> int:
    vat = p.vat_rate if line.vat_rate is None else line.vat_rate
    ht = (line.quantity * line.unit_cost).quantize(CENT, ROUND_HALF_UP)
    return _cents((ht * (1 + vat)).quantize(CENT, ROUND_HALF_UP))


def _payments(line: m.CostLine, p: m.Programme) -> dict[dt.date, int]:
    """Cents paid each month: explicit amounts as written; a flat schedule in equal parts, the
    cents left over one each to the first months."""
    if line.cp.profile is m.Profile.EXPLICIT:
        return {month: _cents(amount) for month, amount in line.cp.amounts.items()}
    months, month = [], line.cp.start
    assert month is not None and line.cp.end is not None
    while month <= line.cp.end:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    total = _line_ttc(line, p)
    share = total // len(months)
    left = total - share * len(months)
    return {mo: share + (1 if k < left else 0) for k, mo in enumerate(months)}


def expected_credits(p: m.Programme) -> list[dict[str, int]]:
    """Each budget year's credits, from the inputs only."""
    first = min([p.period.start.year] + [e.year for e in p.envelopes])
    period_end = p.months[-1]
    last = max([period_end.year] + [e.year for e in p.envelopes])
    out: list[dict[str, int]] = []
    committed_to_date = paid_to_date = 0
    prev: dict[str, int] | None = None
    for year in range(first, last + 1):
        env = next((e for e in p.envelopes if e.year == year), None)

        def reserve(amount: Decimal, env: m.Envelope | None = env) -> int:
            if env is None:
                return 0
            t2 = env.titre2
            return _cents((t2 * p.reserve.titre2_rate).quantize(CENT, ROUND_HALF_UP)) + _cents(
                ((amount - t2) * p.reserve.other_rate).quantize(CENT, ROUND_HALF_UP)
            )

        lines = [c for c in p.cost_lines if c.ae_year == year]
        provision = sum(_line_ttc(c, p) for c in lines if c.nature is m.Nature.CONTINGENCY)
        committed = sum(_line_ttc(c, p) for c in lines) - provision
        paid = sum(
            cents
            for c in p.cost_lines
            for month, cents in _payments(c, p).items()
            if month.year == year and p.period.start <= month <= period_end
        )
        carried_ae = _cents(env.ae_carried_in) if env else 0
        ae_available = (_cents(env.ae) - reserve(env.ae) if env else 0) + carried_ae
        cp_in = 0 if prev is None else prev["cp_out"]
        cp_available = (_cents(env.cp) - reserve(env.cp) if env else 0) + cp_in
        base = env.programme_initial_cp if env and env.programme_initial_cp is not None else None
        base_cents = _cents(base) if base is not None else (_cents(env.cp) if env else 0)
        cap = _cents((Decimal(base_cents) / 100 * p.carry_over_rate).quantize(CENT, ROUND_HALF_UP))
        unused_cp = cp_available - paid
        cp_out = min(max(unused_cp, 0), cap)
        committed_to_date += committed + provision
        paid_to_date += paid
        row = {
            "year": year,
            "ae_committed": committed,
            "ae_provision": provision,
            "ae_available": ae_available,
            "ae_unused": ae_available - committed - provision,
            "ae_carry_limit": carried_ae if prev is None else max(prev["ae_unused"], 0),
            "cp_paid": paid,
            "cp_carried_in": cp_in,
            "cp_available": cp_available,
            "carry_cap": cap,
            "cp_out": cp_out,
            "cp_lost": max(unused_cp, 0) - cp_out,
            "outstanding": committed_to_date - paid_to_date,
        }
        out.append(row)
        prev = row
    return out


def _as_computed(p: m.Programme) -> list[dict[str, int]]:
    keys = expected_credits(p)[0].keys()
    rows = []
    for yc in compute(p).credits:
        rows.append({k: (yc.cp_carried_out if k == "cp_out" else getattr(yc, k)) for k in keys})
    return rows


def test_default_programme_credits_by_year_to_the_cent() -> None:
    p = load(None).programme
    expected = expected_credits(p)
    assert _as_computed(p) == expected
    by_year = {row["year"]: row for row in expected}
    # the contracts awarded in 2023 consume 2023 AE, carried over from 2022 by decision
    # the 2023 awards (crowd detection, open-source analysis, the awareness campaign...) and
    # the 2023 anti-drone support order (an order under the framework), the two evaluations
    # added in 2023 (FRA-BENCH 72,000 and DATA-REVIEW 60,000 TTC)
    assert by_year[2023]["ae_committed"] == 11_724_000_00 + 540_000_00 + 132_000_00
    assert by_year[2024]["ae_committed"] == 1_080_000_00  # the 2024 order
    assert by_year[2022]["ae_provision"] == 758_000_00  # the contingency commits nothing
    # every year pays within its CP and the plan is fully paid at the end
    assert all(row["cp_paid"] <= row["cp_available"] for row in expected)
    assert by_year[2024]["outstanding"] == 0
    assert all(r.ok for r in run_checks(compute(p)))


def test_the_reste_a_payer_schedule_adds_up_by_commitment_year() -> None:
    p = load(None).programme
    fig = compute(p)
    for ae_year in (2022, 2023, 2024):
        paid = {
            cp_year: sum(
                cents
                for c in p.cost_lines
                if c.ae_year == ae_year
                for month, cents in _payments(c, p).items()
                if month.year == cp_year
            )
            for cp_year in (2022, 2023, 2024)
        }
        assert {y: fig.cp_on_ae.get((ae_year, y), 0) for y in paid} == paid


def test_a_line_stated_in_2022_but_awarded_in_2023_is_a_finding(tmp_path) -> None:
    def stated_early(doc):  # type: ignore[no-untyped-def]
        line = next(c for c in doc["cost_lines"] if c["id"] == "CROWD-LOT1")
        line["ae_year"] = 2022

    p = load(edit_scenario(tmp_path, "early.yaml", stated_early)).programme
    failed = {r.spec.code: r for r in run_checks(compute(p)) if not r.ok}
    (finding,) = failed["AE_AT_AWARD"].findings
    assert "CROWD-LOT1" in finding.message and "CROWD-AWARD is on 16/01/2023" in finding.message
    assert finding.path[-1] == "ae_year"


def test_unused_cp_beyond_the_carry_over_cap_lapse(tmp_path) -> None:
    def all_cp_in_2022(doc):  # type: ignore[no-untyped-def]
        doc["envelopes"][0]["cp"] = 50000000  # the 2022 envelope read as EUR 50M of CP

    p = load(edit_scenario(tmp_path, "cp50.yaml", all_cp_in_2022)).programme
    failed = {r.spec.code: r for r in run_checks(compute(p)) if not r.ok}
    finding = failed["CP_CARRY_OVER"].findings[0]  # 2023 then holds what 2022 carried in
    # 47,522,500 net of reserve less 4,483,497.02 paid; cap 3% of 725,784,614
    assert "CP 2022: 43 039 002.98 EUR left unused" in finding.message
    assert "only 21 773 538.42 EUR can be carried over" in finding.message
    assert "21 265 464.56 EUR lapse" in finding.message


AMOUNTS = st.integers(min_value=0, max_value=60_000_000).map(Decimal)


@st.composite
def multi_year(draw: st.DrawFn) -> m.Programme:
    """The default programme with random credits each year and lines moved between years."""
    p = load(None).programme
    envelopes = []
    for env in p.envelopes:
        envelopes.append(
            env.model_copy(
                update={
                    "ae": draw(AMOUNTS),
                    "cp": draw(AMOUNTS),
                    "ae_carried_in": draw(AMOUNTS),
                    "programme_initial_cp": draw(st.one_of(st.none(), AMOUNTS)),
                }
            )
        )
    if draw(st.booleans()):
        envelopes.pop(draw(st.integers(1, len(envelopes) - 1)))  # a year without envelope
    lines = [
        c.model_copy(update={"ae_year": draw(st.sampled_from([2022, 2023])), "award": None})
        if draw(st.booleans())
        else c
        for c in p.cost_lines
    ]
    data = p.model_dump()
    data.update(
        envelopes=[e.model_dump() for e in envelopes],
        cost_lines=[c.model_dump() for c in lines],
        carry_over_rate=str(draw(st.sampled_from(["0.03", "0.05", "0"]))),
    )
    return m.Programme.model_validate(data)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programme=multi_year())
def test_generated_programmes_credits_match_an_independent_computation(programme) -> None:
    expected = expected_credits(programme)
    assert _as_computed(programme) == expected
    checks = {r.spec.code: r for r in run_checks(compute(programme))}
    assert checks["ENVELOPE_CP"].ok == all(r["cp_paid"] <= r["cp_available"] for r in expected)
    assert checks["ENVELOPE_AE"].ok == all(r["ae_unused"] >= 0 for r in expected)
    assert checks["CP_CARRY_OVER"].ok == all(r["cp_lost"] == 0 for r in expected)
    assert checks["AE_CARRY"].ok == all(
        r["ae_carry_limit"]
        >= next((_cents(e.ae_carried_in) for e in programme.envelopes if e.year == r["year"]), 0)
        for r in expected
    )


def test_transfers_virements_and_delegations(tmp_path) -> None:
    p = load(None).programme
    fig = compute(p)
    cnil = next(lf for lf in fig.lines if lf.id == "SUPV-CNIL")
    # the CNIL's means go to programme 308 (another ministry's): a transfer, not a virement
    assert cnil.line.nature is m.Nature.TRANSFER and cnil.transfer_ok and not cnil.virement
    assert all(yc.virements == 0 for yc in fig.credits)

    def moved(doc):  # type: ignore[no-untyped-def]
        line = next(c for c in doc["cost_lines"] if c["id"] == "SUPV-CNIL")
        line["transfer_to"] = "176"  # police: the same ministry, a virement
        line["unit_cost"] = 15_000_000  # above 2% of 725,784,614 (14,515,692.28)
        line["estimate"] = {"low": 0, "high": 20_000_000}
        line["cp"]["amounts"] = {"2022-11": 15_000_000}
        pilot = next(x for x in doc["pilots"] if x["id"] == "SCAN")
        pilot["budget_programme"], pilot["delegation"] = "176", ""
        other = next(c for c in doc["cost_lines"] if c["id"] == "SUPV-CONS")
        other["transfer_to"] = "308"  # a service line naming a programme: not a transfer

    failed = {
        r.spec.code: r
        for r in run_checks(compute(load(edit_scenario(tmp_path, "v.yaml", moved)).programme))
        if not r.ok
    }
    (cap,) = failed["VIREMENT_CAP"].findings
    assert cap.message.startswith("2022: 15 000 000.00 EUR moved to the ministry's other")
    assert "cap of 14 515 692.28 EUR (2% of 725 784 614.00 EUR" in cap.message
    (pilot,) = failed["PILOT_PROGRAMME"].findings
    assert "pilot SCAN is on programme 176" in pilot.message and pilot.path[-1] == "delegation"
    (transfer,) = failed["TRANSFER"].findings
    assert "SUPV-CONS" in transfer.message


def test_the_summary_shows_each_year_credits_and_what_to_ask_for(default_fr) -> None:
    import openpyxl

    from budgetplan.core.labels import label

    ws = openpyxl.load_workbook(default_fr, data_only=True)[label("sheet.summary", "fr")]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if label("sum.cp_proposed", "fr") in r)
    cols = {name: rows[head].index(name) for name in rows[head] if name}
    credits = {yc.year: yc for yc in compute(load(None).programme).credits}
    for r in rows[head + 1 : head + 4]:
        yc = credits[r[0]]
        assert r[cols[label("sum.cp_available", "fr")]] == yc.cp_available / 100
        assert r[cols[label("sum.cp_missing", "fr")]] == 0
        assert r[cols[label("sum.cp_proposed", "fr")]] == yc.cp_opened / 100  # all proposed
    assert [r[0] for r in rows[head + 1 : head + 4]] == [2022, 2023, 2024]
