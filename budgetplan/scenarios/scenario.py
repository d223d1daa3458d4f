"""Scenarios: start from a programme, apply changes, get a new programme that records them.

    from budgetplan.scenarios.scenario import Scenario

    s = Scenario.default("cut-40m").cut_envelope(40_000_000, protect=["SCAN", "ADRN"])
    s.programme      # the changed programme (the original is never mutated)
    s.log            # what each change did

Every change returns a new Scenario; amounts are exact (Decimal, cents).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from budgetplan.compute.figures import compute, reserve_cents
from budgetplan.core.model import CostLine, CpSchedule, Nature, Profile, Programme
from budgetplan.core.money import CENT, eur, round_cent, to_cents
from budgetplan.yamlio.loader import load


class ScenarioError(ValueError):
    """A change that cannot apply (unknown pilot, impossible cut...)."""


@dataclass(frozen=True)
class Applied:
    change: str  # what was asked
    effect: str  # what it did, in euros and days


def _eur(cents: int) -> str:
    return eur(cents)


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return day.replace(year=total // 12, month=total % 12 + 1, day=1)


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
            raise ScenarioError(f"pilot {pilot!r} does not exist; pilots: {self._pilot_ids()}")

    # ------------------------------------------------------------------ cost
    def scale_cost(
        self, factor: float | Decimal | str, pilot: str | None = None, line: str | None = None
    ) -> Scenario:
        """Multiply the unit cost (and its estimate) of a pilot's lines, of one line, or all."""
        factor = Decimal(str(factor))
        if factor < 0:
            raise ScenarioError("a cost factor cannot be negative")
        if pilot:
            self._check_pilot(pilot)
        ids = {c.id for c in self.programme.cost_lines}
        if line and line not in ids:
            raise ScenarioError(f"cost line {line!r} does not exist")
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
        return self._with(
            new,
            f"scale cost of {target} by {factor}",
            f"AE {_eur(before)} -> {_eur(after)} ({_eur(after - before)})",
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
        """Move a milestone and every milestone that depends on it (or all of a pilot's), and
        with a pilot, its payments by whole months."""
        if pilot:
            self._check_pilot(pilot)
        all_ms = {m.id: (p.id, m) for p in self.programme.pilots for m in p.milestones}
        if milestone and milestone not in all_ms:
            raise ScenarioError(f"milestone {milestone!r} does not exist")
        moved: set[str] = set()
        if milestone:
            moved.add(milestone)
            grew = True
            while grew:  # everything that depends on a moved milestone moves too
                grew = False
                for mid, (_pid, m) in all_ms.items():
                    if mid not in moved and moved.intersection(m.depends_on):
                        moved.add(mid)
                        grew = True
        if pilot:
            moved |= {mid for mid, (pid, _m) in all_ms.items() if pid == pilot}

        def move(day: dt.date) -> dt.date:
            shifted = _add_months(day, months).replace(day=min(day.day, 28)) if months else day
            return shifted + dt.timedelta(days=days)

        pilots = tuple(
            p.model_copy(
                update={
                    "milestones": tuple(
                        m.model_copy(update={"date": move(m.date)}) if m.id in moved else m
                        for m in p.milestones
                    )
                }
            )
            for p in self.programme.pilots
        )
        lines = self.programme.cost_lines
        if pilot and payments and months:
            lines = tuple(_shift_cp(c, months) if c.pilot == pilot else c for c in lines)
        new = self.programme.model_copy(update={"pilots": pilots, "cost_lines": lines})
        what = milestone or f"pilot {pilot}"
        return self._with(
            new,
            f"shift {what} by {months} month(s) {days} day(s)",
            f"{len(moved)} milestone(s) moved: {', '.join(sorted(moved))}",
        )

    # ------------------------------------------------------------------ envelope
    def cut_envelope(
        self,
        amount: int | Decimal,
        strategy: str = "pro_rata",
        protect: list[str] | tuple[str, ...] = (),
        priority: list[str] | tuple[str, ...] = (),
    ) -> Scenario:
        """Set the budget year's AE envelope to ``amount`` and cut the allocation to fit within
        it net of the reserve, to the cent.

        Strategies: ``pro_rata`` (every pilot not in ``protect`` loses the same share),
        ``priority`` (pilots are cut in the reverse order of ``priority``: the last first, in
        full, until the cut is absorbed). Protected pilots are never touched.
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
                f"cannot cut {_eur(excess)}: the pilots not protected hold only {_eur(room)}"
            )
        factors: dict[str, Decimal] = {}
        if excess > 0 and strategy == "pro_rata":
            share = Decimal(room - excess) / Decimal(room)
            factors = {c.id: share for c in cuttable}
        elif excess > 0 and strategy == "priority":
            order = [pid for pid in reversed(priority) if pid not in protect]
            order += [
                pid
                for pid in reversed(self._pilot_ids())
                if pid not in order and pid not in protect
            ]
            left = excess
            for pid in order:
                mine = [c for c in cuttable if c.pilot == pid]
                hold = sum(ttc[c.id] for c in mine)
                if hold == 0 or left <= 0:
                    continue
                share = max(Decimal(0), Decimal(hold - left) / Decimal(hold))
                factors.update({c.id: share for c in mine})
                left -= hold
        elif excess > 0:
            raise ScenarioError(f"unknown strategy {strategy!r} (pro_rata or priority)")
        lines = tuple(
            _scaled(c, factors[c.id], down=True) if c.id in factors else c for c in p.cost_lines
        )
        new = p.model_copy(update={"envelopes": envelopes, "cost_lines": lines})
        new = carry_to_fit(_trim_to(new, net, [c.id for c in cuttable]))
        after = Scenario("", new).allocated
        return self._with(
            new,
            f"cut the {year} envelope to {_eur(to_cents(amount))} ({strategy}"
            + (f", protecting {', '.join(protect)}" if protect else "")
            + ")",
            f"AE {_eur(allocated)} -> {_eur(after)}, within {_eur(net)} net of reserve",
        )

    def move_money(self, amount: int | Decimal, from_pilot: str, to_pilot: str) -> Scenario:
        """Take ``amount`` (incl. VAT) from one pilot's lines pro rata and give it to another's."""
        self._check_pilot(from_pilot)
        self._check_pilot(to_pilot)
        fig = compute(self.programme)
        cents = to_cents(Decimal(str(amount)))
        hold = {
            pid: sum(lf.ttc for lf in fig.lines if lf.line.pilot == pid)
            for pid in (from_pilot, to_pilot)
        }
        if cents > hold[from_pilot]:
            raise ScenarioError(f"{from_pilot} holds only {_eur(hold[from_pilot])}")
        if hold[to_pilot] == 0:
            raise ScenarioError(f"{to_pilot} has no cost line to receive money")
        out = Decimal(hold[from_pilot] - cents) / Decimal(hold[from_pilot])
        into = Decimal(hold[to_pilot] + cents) / Decimal(hold[to_pilot])
        lines = tuple(
            _scaled(c, out, down=True)
            if c.pilot == from_pilot
            else _scaled(c, into, down=True)
            if c.pilot == to_pilot
            else c
            for c in self.programme.cost_lines
        )
        new = self.programme.model_copy(update={"cost_lines": lines})
        return self._with(
            new,
            f"move {_eur(cents)} from {from_pilot} to {to_pilot}",
            "pilot totals scaled pro rata on their lines",
        )

    # ------------------------------------------------------------------ structure
    def drop_line(self, line: str) -> Scenario:
        lines = tuple(c for c in self.programme.cost_lines if c.id != line)
        if len(lines) == len(self.programme.cost_lines):
            raise ScenarioError(f"cost line {line!r} does not exist")
        new = self.programme.model_copy(update={"cost_lines": lines})
        return self._with(new, f"drop line {line}", f"{len(lines)} lines left")

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
                            update={"depends_on": tuple(d for d in m.depends_on if d not in gone)}
                        )
                        for m in x.milestones
                    )
                }
            )
            for x in pilots
        )
        lines = tuple(c for c in p.cost_lines if c.pilot != pilot)
        new = p.model_copy(update={"pilots": pilots, "cost_lines": lines})
        return self._with(
            new, f"drop pilot {pilot}", f"{len(p.cost_lines) - len(lines)} line(s) removed"
        )

    def add_line(self, **fields: object) -> Scenario:
        line = CostLine.model_validate(fields)
        if line.id in {c.id for c in self.programme.cost_lines}:
            raise ScenarioError(f"cost line {line.id!r} already exists")
        self._check_pilot(line.pilot)
        new = self.programme.model_copy(update={"cost_lines": (*self.programme.cost_lines, line)})
        return self._with(new, f"add line {line.id}", f"{line.quantity} x {line.unit_cost} HT")


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


def _trim_to(p: Programme, net: int, cuttable: list[str]) -> Programme:
    """Take the last cents of rounding off the largest cuttable line so AE <= net exactly,
    and re-tie explicit schedules to their lines."""
    for _ in range(20):
        fig = compute(p)
        over = fig.ae_on_budget_envelope - net
        lines = list(p.cost_lines)
        retie = [i for i, c in enumerate(lines) if c.cp.profile is Profile.EXPLICIT]
        changed = False
        for i in retie:
            lf = fig.lines[i]
            paid = sum(lf.monthly)
            if paid != lf.ttc:
                amounts = dict(lines[i].cp.amounts)
                last = max(amounts)
                amounts[last] += Decimal(lf.ttc - paid) / 100
                lines[i] = lines[i].model_copy(
                    update={"cp": CpSchedule(profile=Profile.EXPLICIT, amounts=amounts)}
                )
                changed = True
        if over <= 0 and not changed:
            return p
        if over > 0:
            candidates = [
                lf
                for lf in fig.lines
                if lf.id in cuttable and lf.ht > 0 and lf.line.nature is not Nature.PERSONNEL
            ]
            if not candidates:
                return p
            big = max(candidates, key=lambda lf: lf.ttc)
            i = next(k for k, c in enumerate(lines) if c.id == big.id)
            per_unit = max(
                1,
                int(
                    ((1 + big.vat_rate) * lines[i].quantity).to_integral_value(
                        rounding="ROUND_CEILING"
                    )
                ),
            )
            cut = Decimal(-(-over // per_unit) + 1) / 100
            lines[i] = _scaled(lines[i], Decimal(1)).model_copy(
                update={"unit_cost": max(Decimal(0), lines[i].unit_cost - cut)}
            )
            lines[i] = lines[i].model_copy(
                update={
                    "estimate": lines[i].estimate.model_copy(
                        update={
                            "low": min(
                                lines[i].estimate.low, lines[i].unit_cost * lines[i].quantity
                            )
                        }
                    )
                }
            )
        p = p.model_copy(update={"cost_lines": tuple(lines)})
    return p
