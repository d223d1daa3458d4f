"""Scenarios: start from a programme, apply changes, get a new programme that records them.

    from budgetplan.scenarios.scenario import Scenario

    s = Scenario.default("cut-40m").cut_envelope(40_000_000, protect=["SCAN", "ADRN"])
    s.programme      # the changed programme (the original is never mutated)
    s.log            # what each change did

Every change returns a new Scenario; amounts are exact (Decimal, cents).
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from budgetplan.compute.figures import compute, reserve_cents
from budgetplan.compute.schedule import Network
from budgetplan.core.errors import SaidError
from budgetplan.core.findings import in_lang, said, validation_message
from budgetplan.core.model import (
    Closure,
    Commitment,
    CostLine,
    CpSchedule,
    Milestone,
    Profile,
    Programme,
    Provenance,
    parse_link,
)
from budgetplan.core.money import CENT, eur, round_cent, spread_shares, to_cents
from budgetplan.yamlio.loader import load


class ScenarioError(SaidError, ValueError):
    """A change that cannot apply (unknown pilot, impossible cut...)."""

    code = "SCENARIO_CHANGE"


@dataclass(frozen=True)
class Applied:
    change: str  # what was asked
    effect: str  # what it did, in euros and days


def _cut_said(
    year: int,
    amount: int,
    strategy: str,
    protect: list[str] | tuple[str, ...],
    allocated: int,
    after: int,
    net: int,
) -> tuple[str, str]:
    """What a cut of the envelope asked, and what it did, in both languages."""
    protected = ", ".join(protect)
    change = said(
        f"cut the {year} envelope to {eur(amount)} ({strategy}"
        + (f", protecting {protected}" if protect else "")
        + ")",
        f"réduire l'enveloppe {year} à {eur(amount, 'fr')} ({strategy}"
        + (f", en protégeant {protected}" if protect else "")
        + ")",
    )
    effect = said(
        f"AE {eur(allocated)} -> {eur(after)}, within {eur(net)} net of reserve",
        f"AE {eur(allocated, 'fr')} -> {eur(after, 'fr')}, dans les {eur(net, 'fr')} nets de "
        "réserve",
    )
    return change, effect


def _eur(cents: int) -> str:
    return eur(cents)


def _fr(exc: Exception) -> str:
    """An error's words in French, when it has them (a validator's :func:`said` text)."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(in_lang(validation_message(e), "fr") for e in exc.errors())
    return in_lang(exc.args[0], "fr") if exc.args and isinstance(exc.args[0], str) else str(exc)


def _no_milestone(milestone: str, close: list[str]) -> str:
    """That ``milestone`` does not exist, with the nearest id (``close``) when there is one."""
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    hint_fr = f" (vouliez-vous dire {close[0]!r} ?)" if close else ""
    return said(
        f"milestone {milestone!r} does not exist{hint}",
        f"le jalon {milestone!r} n'existe pas{hint_fr}",
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's length (31/01 + 1 = 28/02)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _delay(m: Milestone, planned: dt.date, months: int, days: int) -> Milestone:
    """A milestone ``months`` and ``days`` later: a fixed date moves, a duration grows."""
    later = _add_months(planned, months) + dt.timedelta(days=days)
    extra = (later - planned).days
    if m.date is not None:
        return m.model_copy(update={"date": m.date + dt.timedelta(days=extra)})
    assert m.duration is not None
    d = m.duration
    grown = d.model_copy(
        update={
            "likely": max(d.likely + extra, 0),
            "low": None if d.low is None else max(d.low + extra, 0),
            "high": None if d.high is None else max(d.high + extra, 0),
        }
    )
    return m.model_copy(update={"duration": grown})


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _follow(
    line: CostLine,
    before: dict[str, dt.date],
    after: dict[str, dt.date],
    p: Programme,
    pilot_months: int | None,
) -> CostLine:
    """The line with its payments moved as its award moved (or by ``pilot_months`` when its
    pilot's start moves), its commitment year following the award; refused when a payment
    leaves the period."""
    months = pilot_months
    award = line.award if line.award in after else None
    if award is not None and after[award] != before[award]:
        months = _months_between(before[award], after[award])
    if not months:
        return line
    moved = _shift_cp(line, months)
    first, last = p.months[0], p.months[-1]
    if moved.cp.first_month < first or moved.cp.last_month > last:
        outside = moved.cp.last_month if moved.cp.last_month > last else moved.cp.first_month
        raise ScenarioError(
            said(
                f"line {line.id}: its payments would move by {months} month(s) to "
                f"{outside:%Y-%m}, outside the period {first:%Y-%m}..{last:%Y-%m}: extend the "
                "period or shorten its schedule first",
                f"ligne {line.id} : ses paiements seraient décalés de {months} mois jusqu'en "
                f"{outside:%m/%Y}, hors de la période {first:%m/%Y}-{last:%m/%Y} : allonger "
                "d'abord la période ou raccourcir son échéancier",
            )
        )
    if award is not None:
        award_year = after[award].year
        if line.commitment is Commitment.AWARD or moved.ae_year < award_year:
            moved = moved.model_copy(update={"ae_year": award_year})
    return moved


@dataclass(frozen=True)
class Scenario:
    name: str
    programme: Programme
    description: str = ""
    log: tuple[Applied, ...] = field(default=())

    # ------------------------------------------------------------------ starting points
    @classmethod
    def default(cls, name: str = "baseline", description: str = "") -> Scenario:
        return cls(name, load(None).programme, description)

    @classmethod
    def from_file(cls, path: str | Path, name: str | None = None) -> Scenario:
        return cls(name or Path(path).stem, load(path).programme)

    def _with(self, programme: Programme, change: str, effect: str) -> Scenario:
        return replace(self, programme=programme, log=(*self.log, Applied(change, effect)))

    @property
    def allocated(self) -> int:
        return compute(self.programme).ae_on_budget_envelope

    def _pilot_ids(self) -> list[str]:
        return [p.id for p in self.programme.pilots]

    def _check_pilot(self, pilot: str) -> None:
        if pilot not in self._pilot_ids():
            raise ScenarioError(
                said(
                    f"pilot {pilot!r} does not exist; pilots: {self._pilot_ids()}",
                    f"le pilote {pilot!r} n'existe pas ; pilotes : {self._pilot_ids()}",
                )
            )

    # ------------------------------------------------------------------ cost
    def scale_cost(
        self, factor: float | Decimal | str, pilot: str | None = None, line: str | None = None
    ) -> Scenario:
        """Multiply the unit cost (and its estimate) of a pilot's lines, of one line, or all."""
        factor = Decimal(str(factor))
        if factor < 0:
            raise ScenarioError(
                said("a cost factor cannot be negative", "un facteur de coût ne peut être négatif")
            )
        if pilot:
            self._check_pilot(pilot)
        ids = {c.id for c in self.programme.cost_lines}
        if line and line not in ids:
            raise ScenarioError(
                said(
                    f"cost line {line!r} does not exist", f"la ligne de coût {line!r} n'existe pas"
                )
            )
        before = self.allocated
        lines = tuple(
            _scaled(c, factor)
            if (line and c.id == line) or (pilot and c.pilot == pilot) or (not line and not pilot)
            else c
            for c in self.programme.cost_lines
        )
        new = self.programme.model_copy(update={"cost_lines": lines})
        after = Scenario("", new).allocated
        target = line or (f"pilot {pilot}" if pilot else "every line")
        target_fr = line or (f"pilote {pilot}" if pilot else "chaque ligne")
        return self._with(
            new,
            said(
                f"scale cost of {target} by {factor}",
                f"coût de {target_fr} multiplié par {str(factor).replace('.', ',')}",
            ),
            said(
                f"AE {_eur(before)} -> {_eur(after)} ({_eur(after - before)})",
                f"AE {eur(before, 'fr')} -> {eur(after, 'fr')} ({eur(after - before, 'fr')})",
            ),
        )

    # ------------------------------------------------------------------ dates
    def shift(
        self,
        months: int = 0,
        days: int = 0,
        pilot: str | None = None,
        milestone: str | None = None,
        payments: bool = True,
    ) -> Scenario:
        """Delay a milestone (or a pilot's start) by months and days, and let the network carry
        it: a computed milestone takes that much longer, a fixed one moves; what follows moves
        only as far as its prerequisites push it (a delay within float moves nothing). Months
        keep the day of the month (clamped to the month's length). With ``payments``, the CP of
        each line whose award moved follow it by whole months (a pilot's start moves all its
        lines); a payment pushed outside the period is an error naming the line."""
        p = self.programme
        if pilot:
            self._check_pilot(pilot)
        all_ms = {m.id: (pl.id, m) for pl in p.pilots for m in pl.milestones}
        if milestone and milestone not in all_ms:
            close = difflib.get_close_matches(milestone, list(all_ms), n=1)
            raise ScenarioError(_no_milestone(milestone, close))
        before = Network(p).plan()
        if milestone:
            targets = [milestone]
        else:  # a pilot's start: its milestones that wait for none of its own
            own = {mid for mid, (pid, _m) in all_ms.items() if pid == pilot}
            targets = [mid for mid in own if not own.intersection(all_ms[mid][1].prerequisite_ids)]
        delayed = {mid: _delay(all_ms[mid][1], before[mid], months, days) for mid in targets}
        what = milestone or f"pilot {pilot}"
        what_fr = milestone or f"le pilote {pilot}"
        return self._replanned(
            delayed,
            before,
            said(
                f"shift {what} by {months} month(s) {days} day(s)",
                f"décaler {what_fr} de {months} mois {days} jour(s)",
            ),
            payments,
            pilot,
            months,
        )

    def _replanned(
        self,
        changed: dict[str, Milestone],
        before: dict[str, dt.date],
        change: str,
        payments: bool = True,
        pilot: str | None = None,
        pilot_months: int = 0,
    ) -> Scenario:
        """The programme with ``changed`` milestones, the network recomputed and, with
        ``payments``, each line's CP following its award (a pilot's start: all its lines)."""
        p = self.programme
        pilots = tuple(
            pl.model_copy(update={"milestones": tuple(changed.get(m.id, m) for m in pl.milestones)})
            for pl in p.pilots
        )
        moved_programme = p.model_copy(update={"pilots": pilots})
        after = Network(moved_programme).plan()
        moved = sorted(mid for mid in after if after[mid] != before[mid])
        lines = p.cost_lines
        if payments:
            lines = tuple(
                _follow(c, before, after, p, pilot_months if pilot and c.pilot == pilot else None)
                for c in lines
            )
        new = moved_programme.model_copy(update={"cost_lines": lines})
        moves = ", ".join(f"{mid} {before[mid]:%d/%m/%Y} -> {after[mid]:%d/%m/%Y}" for mid in moved)
        return self._with(
            new,
            change,
            said(
                f"{len(moved)} milestone(s) moved" + (f": {moves}" if moves else " (within float)"),
                f"{len(moved)} jalon(s) déplacé(s)"
                + (f" : {moves}" if moves else " (dans la marge)"),
            ),
        )

    def fix_date(self, milestone: str, date: dt.date, source: str = "") -> Scenario:
        """Fix a milestone on a date (what happened, or what is now known): its duration no
        longer applies, what follows moves as the network carries it, payments follow their
        award. ``source`` (a text's number and date, a notice) makes the date sourced."""
        all_ms = {m.id: m for pl in self.programme.pilots for m in pl.milestones}
        if milestone not in all_ms:
            close = difflib.get_close_matches(milestone, list(all_ms), n=1)
            raise ScenarioError(_no_milestone(milestone, close))
        update: dict[str, object] = {"date": date, "duration": None}
        if source:
            update |= {"provenance": Provenance.SOURCED, "rationale": source}
        try:  # validated: a date out of range is refused here, not in the workbook
            fixed = Milestone.model_validate({**all_ms[milestone].model_dump(), **update})
        except ValueError as exc:
            raise ScenarioError(
                said(f"milestone {milestone}: {exc}", f"jalon {milestone} : {_fr(exc)}")
            ) from None
        before = Network(self.programme).plan()
        return self._replanned(
            {milestone: fixed},
            before,
            said(f"fix {milestone} on {date:%d/%m/%Y}", f"fixer {milestone} au {date:%d/%m/%Y}"),
        )

    def close_calendar(
        self,
        calendar: str,
        first_day: dt.date,
        last_day: dt.date,
        label: str,
        milestones: list[str] | tuple[str, ...] = (),
        source: str = "",
    ) -> Scenario:
        """Close ``calendar`` from ``first_day`` to ``last_day`` (Parliament's recess) and put
        ``milestones`` on it: their durations stop running while it is closed; what follows
        moves as the network carries it, payments following their award."""
        all_ms = {m.id: m for pl in self.programme.pilots for m in pl.milestones}
        unknown = [mid for mid in milestones if mid not in all_ms]
        if unknown:
            names = ", ".join(map(repr, unknown))
            raise ScenarioError(
                said(f"milestone(s) {names} do not exist", f"jalon(s) {names} inexistant(s)")
            )
        try:
            closure = Closure(
                calendar=calendar,
                first_day=first_day,
                last_day=last_day,
                label=label,
                rationale=source,
            )
        except ValueError as exc:
            raise ScenarioError(
                said(f"closure of {calendar}: {exc}", f"fermeture de {calendar} : {_fr(exc)}")
            ) from None
        before = Network(self.programme).plan()
        on_it = {mid: all_ms[mid].model_copy(update={"calendar": calendar}) for mid in milestones}
        closed = replace(
            self,
            programme=self.programme.model_copy(
                update={"closures": (*self.programme.closures, closure)}
            ),
        )
        return closed._replanned(
            on_it,
            before,
            said(
                f"close {calendar} {first_day:%d/%m/%Y}-{last_day:%d/%m/%Y} for {len(on_it)} "
                "milestone(s)",
                f"fermer {calendar} du {first_day:%d/%m/%Y} au {last_day:%d/%m/%Y} pour "
                f"{len(on_it)} jalon(s)",
            ),
        )

    def extend_period(self, months: int) -> Scenario:
        """Add months at the end of the phasing period (a delay that pays later needs them:
        the years it adds are budget years, with the CP they will have to open)."""
        if not 1 <= months <= 120:
            raise ScenarioError(
                said("extend the period by 1 to 120 months", "allonger la période de 1 à 120 mois")
            )
        p = self.programme
        period = p.period.model_copy(update={"months": p.period.months + months})
        if period.months > 240:
            raise ScenarioError(
                said(
                    f"a period of {period.months} months is over the 240 allowed",
                    f"une période de {period.months} mois dépasse les 240 permis",
                )
            )
        new = p.model_copy(update={"period": period})
        last = new.months[-1]
        return self._with(
            new,
            said(
                f"extend the period by {months} month(s)",
                f"prolonger la période de {months} mois",
            ),
            said(f"to {last:%m/%Y}", f"jusqu'à {last:%m/%Y}"),
        )

    # ------------------------------------------------------------------ envelope
    def cut_envelope(
        self,
        amount: int | Decimal,
        strategy: str = "pro_rata",
        protect: list[str] | tuple[str, ...] = (),
        priority: list[str] | tuple[str, ...] = (),
    ) -> Scenario:
        """Set the budget year's AE envelope to ``amount`` and cut the allocation's scope to fit
        within it net of the reserve: whole units of a line's quantity, a line whose quantity
        falls to 0 dropped, never a unit price nor the estimate of a unit (a price change is a
        change of its own, ``scale_cost``, with its reason). Each line cut says so in its
        rationale. The cut takes whole units, so it may leave a little headroom (less than a
        unit of the last line it touched).

        Strategies: ``pro_rata`` (every pilot not in ``protect`` loses the same share of its
        AE), ``priority`` (pilots are cut in the reverse order of ``priority``: the last first,
        in full, until the cut is absorbed). Protected pilots are never touched; within a pilot
        the largest lines lose units first.
        """
        amount = round_cent(Decimal(str(amount)))  # model_copy does not validate: to the cent here
        p = self.programme
        fig = compute(p)
        year = fig.budget_year
        env = p.envelope(year)
        assert env is not None
        new_env = env.model_copy(update={"ae": amount, "cp": min(env.cp, amount)})
        envelopes = tuple(new_env if e.year == year else e for e in p.envelopes)
        net = to_cents(amount) - reserve_cents(
            to_cents(amount), to_cents(env.titre2), p.reserve.titre2_rate, p.reserve.other_rate
        )
        for pid in protect:
            self._check_pilot(pid)
        allocated = fig.ae_on_budget_envelope
        excess = allocated - net
        ttc = {lf.id: lf.ttc for lf in fig.lines}
        cuttable = [c for c in p.cost_lines if c.pilot not in protect and c.ae_year >= year]
        room = sum(ttc[c.id] for c in cuttable)
        if excess > room:
            raise ScenarioError(
                said(
                    f"cannot cut {_eur(excess)}: the pilots not protected hold only {_eur(room)}",
                    f"impossible de retirer {eur(excess, 'fr')} : les pilotes non protégés "
                    f"n'ont que {eur(room, 'fr')}",
                )
            )
        targets: dict[str, int] = {}  # cents each pilot gives up
        holds = {
            pid: sum(ttc[c.id] for c in cuttable if c.pilot == pid) for pid in self._pilot_ids()
        }
        if excess > 0 and strategy == "pro_rata":
            targets = {pid: -(-hold * excess // room) for pid, hold in holds.items() if hold}
        elif excess > 0 and strategy == "priority":
            order = [pid for pid in reversed(priority) if pid not in protect]
            order += [
                pid
                for pid in reversed(self._pilot_ids())
                if pid not in order and pid not in protect
            ]
            left = excess
            for pid in order:
                if holds.get(pid, 0) and left > 0:
                    targets[pid] = min(holds[pid], left)
                    left -= targets[pid]
        elif excess > 0:
            raise ScenarioError(
                said(
                    f"unknown strategy {strategy!r} (pro_rata or priority)",
                    f"stratégie inconnue {strategy!r} (pro_rata ou priority)",
                )
            )
        why = (year, to_cents(amount))
        lines = _cut_units(p.cost_lines, cuttable, targets, ttc, why)
        new = p.model_copy(update={"envelopes": envelopes, "cost_lines": lines})
        new = _fit_units(new, net, [c.id for c in cuttable], why)
        new = carry_to_fit(_give_back(new, net, {c.id: c.quantity for c in cuttable}, why))
        after = Scenario("", new).allocated
        return self._with(
            new, *_cut_said(year, to_cents(amount), strategy, protect, allocated, after, net)
        )

    def move_money(self, amount: int | Decimal, from_pilot: str, to_pilot: str) -> Scenario:
        """Take ``amount`` (incl. VAT) from one pilot's lines pro rata and give it to another's,
        year by year: what is taken from the lines committed in a year goes to the other pilot's
        lines committed that same year (AE are voted for a year: each year's total holds)."""
        self._check_pilot(from_pilot)
        self._check_pilot(to_pilot)
        fig = compute(self.programme)
        cents = to_cents(Decimal(str(amount)))
        held: dict[tuple[str, int], int] = {}
        for lf in fig.lines:
            if lf.line.pilot in (from_pilot, to_pilot):
                key = (lf.line.pilot, lf.line.ae_year)
                held[key] = held.get(key, 0) + lf.ttc
        years = sorted(y for (pid, y), c in held.items() if pid == from_pilot and c)
        total = sum(held[(from_pilot, y)] for y in years)
        if cents < 0:
            raise ScenarioError(
                said(
                    f"the amount to move cannot be negative ({_eur(cents)})",
                    f"le montant à déplacer ne peut être négatif ({eur(cents, 'fr')})",
                )
            )
        if cents > total:
            raise ScenarioError(
                said(
                    f"{from_pilot} holds only {_eur(total)}",
                    f"{from_pilot} n'a que {eur(total, 'fr')}",
                )
            )
        shares = spread_shares(cents, [held[(from_pilot, y)] for y in years]) if years else []
        taken = dict(zip(years, shares, strict=True))
        for year in years:
            if taken[year] and not held.get((to_pilot, year)):
                raise ScenarioError(
                    said(
                        f"{to_pilot} has no cost line committed in {year} to receive the "
                        f"{_eur(taken[year])} {from_pilot} gives up that year (add one with "
                        "add_line)",
                        f"{to_pilot} n'a aucune ligne de coût engagée en {year} pour recevoir "
                        f"les {eur(taken[year], 'fr')} que {from_pilot} cède cette année-là (en "
                        "ajouter une avec add_line)",
                    )
                )
        factors: dict[tuple[str, int], Decimal] = {}
        for year in years:
            give, keep = held[(from_pilot, year)], held.get((to_pilot, year), 0)
            factors[(from_pilot, year)] = Decimal(give - taken[year]) / Decimal(give)
            if keep:
                factors[(to_pilot, year)] = Decimal(keep + taken[year]) / Decimal(keep)
        lines = tuple(
            _scaled(c, factors[(c.pilot, c.ae_year)], down=True)
            if (c.pilot, c.ae_year) in factors
            else c
            for c in self.programme.cost_lines
        )
        new = self.programme.model_copy(update={"cost_lines": lines})
        return self._with(
            new,
            said(
                f"move {_eur(cents)} from {from_pilot} to {to_pilot}",
                f"transférer {eur(cents, 'fr')} de {from_pilot} à {to_pilot}",
            ),
            said(
                "pilot totals scaled pro rata on their lines, year of commitment by year",
                "totaux des pilotes répartis au prorata de leurs lignes, année "
                "d'engagement par année",
            ),
        )

    # ------------------------------------------------------------------ structure
    def drop_line(self, line: str) -> Scenario:
        lines = tuple(c for c in self.programme.cost_lines if c.id != line)
        if len(lines) == len(self.programme.cost_lines):
            raise ScenarioError(
                said(
                    f"cost line {line!r} does not exist", f"la ligne de coût {line!r} n'existe pas"
                )
            )
        new = self.programme.model_copy(update={"cost_lines": lines})
        return self._with(
            new,
            said(f"drop line {line}", f"retirer la ligne {line}"),
            said(f"{len(lines)} lines left", f"{len(lines)} lignes restantes"),
        )

    def drop_pilot(self, pilot: str) -> Scenario:
        self._check_pilot(pilot)
        p = self.programme
        pilots = tuple(x for x in p.pilots if x.id != pilot)
        gone = {m.id for x in p.pilots if x.id == pilot for m in x.milestones}
        pilots = tuple(
            x.model_copy(
                update={
                    "milestones": tuple(
                        m.model_copy(
                            update={
                                "depends_on": tuple(
                                    d for d in m.depends_on if parse_link(d)[0] not in gone
                                )
                            }
                        )
                        for m in x.milestones
                    )
                }
            )
            for x in pilots
        )
        lines = tuple(c for c in p.cost_lines if c.pilot != pilot)
        new = p.model_copy(update={"pilots": pilots, "cost_lines": lines})
        removed = len(p.cost_lines) - len(lines)
        return self._with(
            new,
            said(f"drop pilot {pilot}", f"retirer le pilote {pilot}"),
            said(f"{removed} line(s) removed", f"{removed} ligne(s) retirée(s)"),
        )

    def add_line(self, **fields: object) -> Scenario:
        line = CostLine.model_validate(fields)
        if line.id in {c.id for c in self.programme.cost_lines}:
            raise ScenarioError(
                said(
                    f"cost line {line.id!r} already exists",
                    f"la ligne de coût {line.id!r} existe déjà",
                )
            )
        self._check_pilot(line.pilot)
        new = self.programme.model_copy(update={"cost_lines": (*self.programme.cost_lines, line)})
        return self._with(
            new,
            said(f"add line {line.id}", f"ajouter la ligne {line.id}"),
            said(
                f"{line.quantity} x {line.unit_cost} HT",
                f"{line.quantity} x {line.unit_cost} HT".replace(".", ","),
            ),
        )


def _unit_ttc(ttc: int, quantity: Decimal) -> Decimal:
    return Decimal(ttc) / quantity if quantity else Decimal(0)


def _with_quantity(line: CostLine, quantity: Decimal, why: tuple[int, int]) -> CostLine:
    """The line with fewer units: its estimate (of the whole line) and any month-by-month
    payments follow the units, its unit price and each unit's estimate are kept, and its
    rationale says what cut it."""
    ratio = quantity / line.quantity
    year, amount = why
    cut_note = f" [coupe de l'enveloppe {year} à {eur(amount, 'fr')} : quantité "
    rationale, _, before = line.rationale.partition(cut_note)  # cut again: one note, from the start
    try:  # the quantity the earlier note started from (a note typed by hand: this one's)
        original = Decimal(before.split(" ")[0]) if before else line.quantity
    except ArithmeticError:
        original = line.quantity
    note = f"{cut_note}{_number(original)} -> {_number(quantity)}" + (
        " (ligne abandonnée)]" if quantity == 0 else "]"
    )
    if line.cp.profile is Profile.EXPLICIT:
        line = _rescale_explicit(line, ratio)
    estimate = line.estimate.model_copy(
        update={
            "low": (line.estimate.low * ratio).quantize(CENT, rounding=ROUND_DOWN),
            "high": max((line.estimate.high * ratio).quantize(CENT), line.unit_cost * quantity),
        }
    )
    return line.model_copy(
        update={"quantity": quantity, "estimate": estimate, "rationale": (rationale + note).strip()}
    )


def _number(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f")


def _cut_units(
    lines: tuple[CostLine, ...],
    cuttable: list[CostLine],
    targets: dict[str, int],
    ttc: dict[str, int],
    why: tuple[int, int],
) -> tuple[CostLine, ...]:
    """Each pilot's lines with whole units taken off until the pilot has given up its target
    (cents, incl. VAT): the largest line whose unit fits in what is left gives up as many units
    as fit; when no unit fits, the line whose unit overshoots least gives up one."""
    quantities = {c.id: c.quantity for c in cuttable}
    units = {c.id: _unit_ttc(ttc[c.id], c.quantity) for c in cuttable}
    for pid, target in targets.items():
        left = Decimal(target)
        mine = [c.id for c in cuttable if c.pilot == pid and units[c.id] > 0]
        while left > 0:
            able = [i for i in mine if quantities[i] >= 1]
            if not able:
                break
            fitting = [i for i in able if units[i] <= left]
            if fitting:
                line = max(fitting, key=lambda i: (units[i] * quantities[i], i))
                take = min(quantities[line], (left / units[line]).to_integral_value(ROUND_DOWN))
            else:
                line, take = min(able, key=lambda i: (units[i], i)), Decimal(1)
            quantities[line] -= take
            left -= take * units[line]
    return tuple(
        _with_quantity(c, quantities[c.id], why)
        if quantities.get(c.id, c.quantity) != c.quantity
        else c
        for c in lines
    )


def _fit_units(p: Programme, net: int, cuttable: list[str], why: tuple[int, int]) -> Programme:
    """Take one more unit off the largest cuttable line while the rounding of amounts leaves
    the envelope a few cents short; re-tie month-by-month payments to their lines."""
    for _ in range(50):
        fig = compute(p)
        lines = list(p.cost_lines)
        for i, lf in enumerate(fig.lines):
            paid = sum(lf.monthly)
            if lines[i].cp.profile is Profile.EXPLICIT and paid != lf.ttc and lines[i].cp.amounts:
                amounts = dict(lines[i].cp.amounts)
                amounts[max(amounts)] += Decimal(lf.ttc - paid) / 100
                lines[i] = lines[i].model_copy(
                    update={"cp": CpSchedule(profile=Profile.EXPLICIT, amounts=amounts)}
                )
        over = fig.ae_on_budget_envelope - net
        if over <= 0:
            return p.model_copy(update={"cost_lines": tuple(lines)})
        candidates = [lf for lf in fig.lines if lf.id in cuttable and lf.line.quantity >= 1]
        if not candidates:
            break
        big = max(candidates, key=lambda lf: (lf.ttc, lf.id))
        i = next(k for k, c in enumerate(lines) if c.id == big.id)
        lines[i] = _with_quantity(lines[i], lines[i].quantity - 1, why)
        p = p.model_copy(update={"cost_lines": tuple(lines)})
    return p


def _give_back(
    p: Programme, net: int, before: dict[str, Decimal], why: tuple[int, int]
) -> Programme:
    """Units taken whole leave headroom: give back units of the lines cut but not dropped (the
    dearest unit that still fits first, as many of its units as fit at once) while the envelope
    holds them. A give-back that the rounding of amounts pushes a cent over is undone, and that
    line left as it is."""
    good, tried = p, set()
    for _ in range(200):
        fig = compute(p)
        room = net - fig.ae_on_budget_envelope
        if room < 0:  # a cent over: undo the last give-back
            p, fig = good, compute(good)
            room = net - fig.ae_on_budget_envelope
        good = p
        fits = [
            (Decimal(lf.ttc) / lf.line.quantity, i)
            for i, lf in enumerate(fig.lines)
            if lf.id in before and lf.id not in tried and 1 <= lf.line.quantity < before[lf.id]
        ]
        fits = [(unit, i) for unit, i in fits if 0 < unit <= room]
        if not fits:
            return good
        unit, i = max(fits)
        lines = list(p.cost_lines)
        line = lines[i]
        units = min(before[line.id] - line.quantity, (room / unit).to_integral_value(ROUND_DOWN))
        lines[i] = _with_quantity(line, line.quantity + units, why)
        tried.add(line.id)  # given back as much as fits: not tried again
        p = p.model_copy(update={"cost_lines": tuple(lines)})
    return good


def _scaled(line: CostLine, factor: Decimal, down: bool = False) -> CostLine:
    """The line with its unit cost (and estimate) times ``factor``, to the cent."""
    rounding = ROUND_DOWN if down else None
    unit = (
        (line.unit_cost * factor).quantize(CENT, rounding=rounding)
        if rounding
        else (line.unit_cost * factor).quantize(CENT)
    )
    low = min(
        (line.estimate.low * factor).quantize(CENT, rounding=ROUND_DOWN), unit * line.quantity
    )
    high = max((line.estimate.high * factor).quantize(CENT), unit * line.quantity)
    if line.cp.profile is Profile.EXPLICIT:
        line = _rescale_explicit(line, factor)
    return line.model_copy(
        update={
            "unit_cost": unit,
            "estimate": line.estimate.model_copy(
                update={"low": max(low, Decimal(0)), "high": high}
            ),
        }
    )


def _rescale_explicit(line: CostLine, factor: Decimal) -> CostLine:
    """Explicit payments follow the new amount; the last month takes the rounding."""
    return line.model_copy(
        update={
            "cp": CpSchedule(
                profile=Profile.EXPLICIT,
                amounts={
                    m: (a * factor).quantize(CENT, rounding=ROUND_DOWN)
                    for m, a in line.cp.amounts.items()
                },
            )
        }
    )


def _shift_cp(line: CostLine, months: int) -> CostLine:
    cp = line.cp
    if cp.profile is Profile.FLAT and cp.start and cp.end:
        return line.model_copy(
            update={
                "cp": cp.model_copy(
                    update={
                        "start": _add_months(cp.start, months),
                        "end": _add_months(cp.end, months),
                    }
                )
            }
        )
    return line.model_copy(
        update={
            "cp": CpSchedule(
                profile=Profile.EXPLICIT,
                amounts={_add_months(m, months): a for m, a in cp.amounts.items()},
            )
        }
    )


def carry_to_fit(p: Programme) -> Programme:
    """Set the AE each later envelope carries in to what its year and the years after it need
    (the carry into a year is what the year before left unused)."""
    need = compute(p).carried_need()
    carried: dict[int, int] = {}
    running = 0
    for year in sorted(need, reverse=True):
        running += need[year]
        carried[year] = running
    envelopes = tuple(
        e.model_copy(update={"ae_carried_in": Decimal(carried[e.year]) / 100})
        if e.year in carried
        else e
        for e in p.envelopes
    )
    return p.model_copy(update={"envelopes": envelopes})
