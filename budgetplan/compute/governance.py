"""Governance of each pilot: evaluated, assessed, accredited, supervised, decided on in time.

The rules the Evaluation sheet's formulas compute, in the same terms: a pilot of intrusiveness at
or above the programme's ``evaluation_level`` needs, before its first operational date, a
data-protection impact assessment (AIPD), the accreditation of its system (homologation) and its
supervising body in place; at least one complete evaluation; and an interim go/no-go after the
trial events that come before the first event it must operate at, and before that event.
Milestone dates of 0 (none computed) never count, and ids match ignoring case, as spreadsheets
compare them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from budgetplan.core.model import MilestoneKind, Pilot, Programme, Purpose, Step


@dataclass(frozen=True)
class EvaluationFigures:
    """One evaluation row: its publication's date and what its cost line costs (cents)."""

    pilot: str
    evaluation: str
    published: dt.date | None
    cost: int
    complete: bool  # every field filled, an independent evaluator, a publication, a cost line


@dataclass(frozen=True)
class Governance:
    pilot: str
    intrusiveness: int
    required: bool  # intrusiveness at or above the evaluation level
    operational: dt.date | None  # its first operational date
    impact_ok: bool
    accreditation_ok: bool
    evaluations: int  # complete evaluations
    event: dt.date | None  # first day of the first event it must operate at
    trial_end: dt.date | None  # last day of the latest trial event before it
    gate_ok: bool
    supervised_from: dt.date | None
    supervision_ok: bool

    @property
    def evaluated_ok(self) -> bool:
        return not self.required or self.evaluations > 0


def evaluation_figures(
    programme: Programme, dates: dict[str, dt.date], ttc_by_line: dict[str, int]
) -> list[EvaluationFigures]:
    """Every evaluation, in the layout's row order (pilot by pilot)."""
    upper_dates = {k.upper(): v for k, v in dates.items()}
    costs: dict[str, int] = {}
    for line_id, cents in ttc_by_line.items():
        costs[line_id.upper()] = costs.get(line_id.upper(), 0) + cents
    out = []
    for pilot in programme.pilots:
        for ev in pilot.evaluations:
            published = upper_dates.get(ev.publication.upper())
            line = ev.cost_line.upper() if ev.cost_line else ""
            complete = ev.independent and published is not None and bool(line) and line in costs
            out.append(
                EvaluationFigures(
                    pilot.id, ev.id, published, costs.get(line, 0) if line else 0, complete
                )
            )
    return out


def _dated(
    pilot_id: str, programme: Programme, dates: dict[str, dt.date], step: Step
) -> list[dt.date]:
    key = pilot_id.upper()
    return [
        dates[m.id]
        for p in programme.pilots
        if p.id.upper() == key
        for m in p.milestones
        if m.step is step and m.id in dates
    ]


def _before(found: list[dt.date], ops: dt.date | None) -> bool:
    """Some date of ``found`` on or before the first operational date (any, without one)."""
    return any(ops is None or d <= ops for d in found)


def _gate_window(pilot: Pilot, programme: Programme) -> tuple[dt.date | None, dt.date | None]:
    """First day of the first event the pilot operates at, and the last day of the latest trial
    event that ends before it (None when there is none)."""
    events = {e.id.upper(): e for e in programme.events}
    served = [
        (events[s.event.upper()], s.purpose) for s in pilot.serves if s.event.upper() in events
    ]
    operate = [e.first_day for e, purpose in served if purpose is Purpose.OPERATE]
    if not operate:
        return None, None
    first = min(operate)
    trials = [
        e.last_day for e, purpose in served if purpose is Purpose.TRIAL and e.last_day < first
    ]
    return first, max(trials) if trials else None


def governance(
    programme: Programme, dates: dict[str, dt.date], evaluations: list[EvaluationFigures]
) -> list[Governance]:
    """Each pilot's governance, in pilot order."""
    level = programme.evaluation_level
    ids = {
        m.id.upper(): dates[m.id] for p in programme.pilots for m in p.milestones if m.id in dates
    }
    out = []
    for pilot in programme.pilots:
        key = pilot.id.upper()
        mine = [p for p in programme.pilots if p.id.upper() == key]
        ops_dates = [
            dates[m.id]
            for p in mine
            for m in p.milestones
            if m.kind is MilestoneKind.OPERATIONAL and m.id in dates
        ]
        ops = min(ops_dates) if ops_dates else None
        required = pilot.intrusiveness >= level

        event, trial_end = _gate_window(pilot, programme)
        gates = _dated(pilot.id, programme, dates, Step.GO_NO_GO)
        after = trial_end or dt.date.min
        gate_ok = event is None or any(after < d < event for d in gates)
        sup = ids.get(pilot.supervised_from.upper()) if pilot.supervised_from else None
        supervision_ok = bool(pilot.supervising_body.strip()) and sup is not None
        supervision_ok = supervision_ok and (ops is None or sup <= ops)  # type: ignore[operator]
        complete = sum(1 for ev in evaluations if ev.pilot.upper() == key and ev.complete)
        out.append(
            Governance(
                pilot=pilot.id,
                intrusiveness=pilot.intrusiveness,
                required=required,
                operational=ops,
                impact_ok=not required
                or _before(_dated(pilot.id, programme, dates, Step.IMPACT_ASSESSMENT), ops),
                accreditation_ok=not required
                or _before(_dated(pilot.id, programme, dates, Step.ACCREDITATION), ops),
                evaluations=complete,
                event=event,
                trial_end=trial_end,
                gate_ok=not required or gate_ok,
                supervised_from=sup,
                supervision_ok=not required or supervision_ok,
            )
        )
    return out
