"""No payment before the legal commitment (issue 34): a line awarded at a milestone pays from
that award's month on, whether its payments are spread or scheduled month by month."""

from __future__ import annotations

from budgetplan.api import load_scenario
from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from tests.conftest import edit_scenario
from tests.test_steering import cli


def _line(doc, ident):  # type: ignore[no-untyped-def]
    return next(line for line in doc["cost_lines"] if line["id"] == ident)


def _failing(path) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    fig = compute(load_scenario(path).programme)
    return {
        r.spec.code: [f.one_line("fr") for f in r.findings] for r in run_checks(fig) if not r.ok
    }


def test_a_payment_before_the_award_fails_validate_at_its_line(tmp_path) -> None:
    """SCAN-EQ awarded in November 2022 (SCAN-AWARD), paid January-March 2022: its AE year,
    but before its contract. validate names the line, the award and the month to start from."""
    path = edit_scenario(
        tmp_path,
        "early.yaml",
        lambda doc: _line(doc, "SCAN-EQ").update(
            cp={"profile": "flat", "start": "2022-01", "end": "2022-03"}
        ),
    )
    failing = _failing(path)
    (message,) = failing["CP_AFTER_AE"]
    assert "SCAN-EQ paie dès 01/2022, avant la notification de son marché (SCAN-AWARD" in message
    code, out, err = cli("validate", str(path))
    assert code != 0 and "CP_AFTER_AE" in out + err and "SCAN-EQ" in out + err


def test_an_explicit_schedule_before_the_award_fails_and_the_award_month_passes(tmp_path) -> None:
    fig = compute(load_scenario(None).programme)
    award = fig.dates["SCAN-AWARD"]
    ttc = next(lf.ttc for lf in fig.lines if lf.line.id == "SCAN-EQ") / 100
    before = f"{award.year}-{award.month - 1:02d}" if award.month > 1 else f"{award.year - 1}-12"
    at = f"{award.year}-{award.month:02d}"

    def schedule(first: str):  # type: ignore[no-untyped-def]
        amounts = {first: round(ttc / 2, 2), "2023-06": round(ttc - round(ttc / 2, 2), 2)}
        return lambda doc: _line(doc, "SCAN-EQ").update(
            cp={"profile": "explicit", "amounts": amounts}
        )

    assert "CP_AFTER_AE" in _failing(edit_scenario(tmp_path, "a.yaml", schedule(before)))
    assert "CP_AFTER_AE" not in _failing(edit_scenario(tmp_path, "b.yaml", schedule(at)))


def test_the_default_programme_pays_no_line_before_its_award() -> None:
    fig = compute(load_scenario(None).programme)
    awarded = [lf for lf in fig.lines if lf.line.award]
    assert len(awarded) >= 20
    for lf in awarded:
        award = fig.dates[lf.line.award]
        assert lf.line.cp.first_month >= award.replace(day=1), lf.line.id
