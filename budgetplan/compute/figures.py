"""Pure computation of a programme's figures: no I/O, integer cents throughout.

Every figure here is also a formula in the workbook; the writer stores these numbers as the
formulas' cached values and the LibreOffice tests prove the two agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from budgetplan.compute.governance import (
    EvaluationFigures,
    Governance,
    evaluation_figures,
    governance,
)
from budgetplan.compute.phasing import month_index, place, spread_flat
from budgetplan.compute.procurement import implied_route, need_key, route_allowed
from budgetplan.compute.schedule import (
    Network,
    Path,
    milestone_floats,
    paths,
    ready_probabilities,
)
from budgetplan.core.model import (
    Commitment,
    CostLine,
    MilestoneKind,
    Nature,
    Profile,
    Programme,
    Purpose,
    Route,
    Titre,
    Vehicle,
)
from budgetplan.core.money import to_cents


@dataclass(frozen=True, slots=True)
class LineFigures:
    """A line's figures. The monthly CP are rebuilt on demand (``monthly``) rather than stored:
    a 100,000-line programme would otherwise hold 3.6 million month values."""

    line: CostLine
    vat_rate: Decimal
    ht: int  # cents, excluding VAT
    ttc: int  # cents, including VAT: what the line consumes of AE and CP
    first_index: int  # month index of the first payment, relative to the period start
    months: int  # number of months of a flat schedule (1 for explicit)
    explicit: tuple[tuple[int, int], ...] | None  # (month index, cents) of an explicit schedule
    period_months: int
    years: tuple[int, ...]  # the period's years, for cp_by_year
    year_cp: tuple[int, ...]  # CP per period year, cents
    cp_outside_period: int  # cents scheduled outside the period (lost to the workbook)
    implied_route: Route
    route_ok: bool
    cp_ties: bool  # monthly CP sums to the line's TTC
    cp_after_ae: bool  # no payment before the commitment year, nor before the award's month
    award_ok: bool = True  # no award milestone, or one in the commitment year (orders: by then)
    procedure_ok: bool = True  # the award leaves the route's statutory time after the launch
    need: str = ""  # the homogeneous need it belongs to
    need_ht: int = 0  # cents excluding VAT of every line of the need: what the thresholds test
    launch: dt.date | None = None  # the tender's launch: which thresholds are in force
    threshold_row: int = 1  # 1-based row of the thresholds in force at the launch
    transfer_ok: bool = True  # a transfer names its programme and moves its CP in its AE year
    virement: bool = False  # a transfer to another programme of the ministry (capped)
    imputation_ok: bool = True  # its Chorus codes name its pilot's programme

    @property
    def id(self) -> str:
        return self.line.id

    @property
    def monthly(self) -> list[int]:
        """CP per period month, cents."""
        if self.explicit is None:
            row, _ = place(spread_flat(self.ttc, self.months), self.first_index, self.period_months)
            return row
        row = [0] * self.period_months
        for idx, cents in self.explicit:
            if 0 <= idx < self.period_months:
                row[idx] += cents
        return row

    @property
    def cp_by_year(self) -> dict[int, int]:
        return dict(zip(self.years, self.year_cp, strict=True))


@dataclass(frozen=True)
class Readiness:
    pilot: str
    event: str
    event_first_day: dt.date
    lead_days: int
    required_by: dt.date
    operational: dt.date | None
    margin_days: int | None  # None when the pilot has no operational milestone
    probability: float = 1.0  # of being operational in time, over the schedule's draws
    threshold: float = 0.0  # the probability below which the pilot is not ready
    required: bool = True  # an event to operate at; a trial ground is shown, not required

    @property
    def unlikely(self) -> bool:
        """On time as planned, but less likely to be than the threshold."""
        return self.probability < self.threshold

    @property
    def late(self) -> bool:
        """Not ready for an event it must operate at: no operational date, after the lead
        time, or unlikely to be in time."""
        if not self.required:
            return False
        return self.margin_days is None or self.margin_days < 0 or self.unlikely


@dataclass(frozen=True)
class PilotFigures:
    pilot: str
    ae: int
    cp_by_year: dict[int, int]
    first_milestone: dt.date | None
    operational: dt.date | None
    last_milestone: dt.date | None
    supervised: bool = True  # not intrusive, or with a legal basis and a supervising body
    human_ok: bool = True  # automates no decision, or keeps a human in the loop
    programme_ok: bool = True  # its programme has an envelope, or a délégation de gestion

    @property
    def principles_ok(self) -> bool:
        return self.supervised and self.human_ok


@dataclass(frozen=True, slots=True)
class YearCredits:
    """The credits of one budget year, in cents: what is opened, carried in, committed, paid and
    left, as the Credits sheet shows them (one column per year)."""

    year: int
    has_envelope: bool
    ae_opened: int
    reserve_ae: int
    ae_carried_in: int  # by decision, from the previous year's unused AE
    ae_committed: int  # by legal commitments: every line but the provision for contingencies
    ae_provision: int  # the provision for contingencies, not yet allocated to a contract
    ae_carry_limit: int  # the previous year's unused AE (or the carry itself for the first year)
    cp_opened: int
    cp_proposed: int  # CP of a proposed envelope: to ask for in the year's finance bill
    cp_net: int  # CP opened net of reserve
    cp_carried_in: int  # the previous year's CP carried over, within its cap
    cp_paid: int
    carry_base: int  # the programme's initial CP (or the envelope's), base of the cap
    carry_cap: int
    t2_available: int
    t2_committed: int
    virements: int  # credits moved to the ministry's other programmes
    virement_cap: int
    outstanding: int  # reste à payer at the year end: AE committed to date less CP paid to date

    @property
    def ae_available(self) -> int:
        return self.ae_opened - self.reserve_ae + self.ae_carried_in

    @property
    def ae_unused(self) -> int:
        return self.ae_available - self.ae_committed - self.ae_provision

    @property
    def cp_available(self) -> int:
        return self.cp_net + self.cp_carried_in

    @property
    def cp_gap(self) -> int:
        """CP to pay beyond those available: what a finance bill must still open."""
        return max(self.cp_paid - self.cp_available, 0)

    @property
    def cp_unused(self) -> int:
        return self.cp_available - self.cp_paid

    @property
    def cp_carried_out(self) -> int:
        return min(max(self.cp_unused, 0), self.carry_cap)

    @property
    def cp_lost(self) -> int:
        """Unused CP beyond the carry-over cap: they lapse at the year end."""
        return max(self.cp_unused, 0) - self.cp_carried_out


@dataclass
class Figures:
    programme: Programme
    months: list[dt.date]
    years: list[int]
    lines: list[LineFigures]
    pilots: list[PilotFigures]
    readiness: list[Readiness]
    ae_by_year: dict[int, int]
    cp_by_year: dict[int, int]
    ae_t2_by_year: dict[int, int]
    cp_by_month: list[int]
    reste_a_payer: dict[int, int]  # AE committed to date minus CP paid to date, at each year end
    envelope_ae: dict[int, int]
    envelope_cp: dict[int, int]
    reserve: dict[int, int]
    net_ae: dict[int, int]
    net_cp: dict[int, int]
    net_t2: dict[int, int]
    #: net AE less the AE allocated, per envelope year: the year's commitments and provision, and
    #: the AE it carries over to the next year (decided: no longer free)
    headroom: dict[int, int]
    by_titre: dict[int, int] = field(default_factory=dict)  # AE (TTC) per titre
    reserve_cp: dict[int, int] = field(default_factory=dict)  # reserve on the CP, per year
    #: whether each milestone falls on or after every prerequisite it names, pilot by pilot and
    #: milestone by milestone (the rows of the Milestones sheet)
    milestone_order_ok: tuple[bool, ...] = ()
    #: the credits of every budget year (``Programme.budget_years``), in year order
    credits: tuple[YearCredits, ...] = ()
    #: CP paid in each budget year for the AE committed in each year: {(ae year, cp year): cents}
    cp_on_ae: dict[tuple[int, int], int] = field(default_factory=dict)
    #: the date of every milestone (fixed, or from the forward pass), by id
    dates: dict[str, dt.date] = field(default_factory=dict)
    #: each pilot's path to each event it serves: float of each milestone, the critical ones
    paths: list[Path] = field(default_factory=list)
    #: each milestone's least float over the events it leads to (absent: it leads to none)
    floats: dict[str, int] = field(default_factory=dict)
    #: each pilot's evaluations (publication date, cost, complete), in row order
    evaluations: list[EvaluationFigures] = field(default_factory=list)
    #: each pilot's governance (impact assessment, accreditation, go/no-go, supervision)
    governance: list[Governance] = field(default_factory=list)
    #: the Risk sheet's simulation of these figures once run (``risk.sheet_simulation``): the
    #: check RISK_OVERRUN and the writer share one run
    simulation: object | None = field(default=None, compare=False, repr=False)

    @property
    def total_ae(self) -> int:
        return sum(lf.ttc for lf in self.lines)

    @property
    def total_cp(self) -> int:
        return sum(self.cp_by_month)

    @property
    def budget_year(self) -> int:
        return min(self.envelope_ae)

    def carried_need(self) -> dict[int, int]:
        """AE each year after the budget year needs carried in: its commitments and provision
        beyond the AE it opens itself (net of reserve)."""
        need = {}
        for yc in self.credits:
            if yc.year > self.budget_year:
                own = yc.ae_opened - yc.reserve_ae
                need[yc.year] = max(yc.ae_committed + yc.ae_provision - own, 0)
        return need

    @property
    def ae_on_budget_envelope(self) -> int:
        """AE the budget year's envelope funds: its year's commitments and provision, and those
        of later years that their own AE do not cover (carried over from it by decision)."""
        return self.ae_by_year.get(self.budget_year, 0) + sum(self.carried_need().values())


def _round_cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_rate_of(line: CostLine, programme: Programme) -> Decimal:
    return programme.vat_rate if line.vat_rate is None else line.vat_rate


def _flat_in_range(ttc: int, n: int, first: int, lo: int, hi: int) -> int:
    """Cents of a flat spread (first..first+n-1) that fall in months lo..hi-1."""
    a, b = max(first, lo), min(first + n, hi)
    if a >= b:
        return 0
    base, remainder = divmod(ttc, n)
    extra = max(0, min(b, first + remainder) - a)
    return base * (b - a) + extra


def line_ht(line: CostLine) -> int:
    return _round_cents(line.quantity * line.unit_cost * 100)


def launch_date(line: CostLine, milestone_dates: dict[str, dt.date]) -> dt.date:
    """When the line's tender is launched: its tender milestone, else its award, else 1 January
    of its commitment year."""
    for ident in (line.tender, line.award):
        if ident is not None and ident.upper() in milestone_dates:
            return milestone_dates[ident.upper()]
    return dt.date(line.ae_year, 1, 1)


def need_totals(programme: Programme) -> dict[str, int]:
    """Cents excluding VAT of each need, by its key folded to upper case (as SUMIFS compares)."""
    totals: dict[str, int] = {}
    for line in programme.cost_lines:
        key = need_key(line.pilot, line.nature, line.need).upper()
        totals[key] = totals.get(key, 0) + line_ht(line)
    return totals


def line_figures(
    line: CostLine,
    programme: Programme,
    months: list[dt.date],
    years: tuple[int, ...],
    milestone_dates: dict[str, dt.date] | None = None,
    needs: dict[str, int] | None = None,
    pilot_programmes: dict[str, str] | None = None,
) -> LineFigures:
    """Long: a line's every figure (amounts, schedule, route), each field of LineFigures once."""
    vat = vat_rate_of(line, programme)
    ht = line_ht(line)
    ttc = _round_cents(Decimal(ht) * (1 + vat))
    start = programme.period.start
    n_period = len(months)
    schedule = line.cp
    year_bounds = [
        (month_index(start, dt.date(y, 1, 1)), month_index(start, dt.date(y + 1, 1, 1)))
        for y in years
    ]
    explicit: tuple[tuple[int, int], ...] | None = None
    if schedule.profile is Profile.FLAT:
        assert schedule.start is not None and schedule.end is not None
        first = month_index(start, schedule.start)
        n = month_index(schedule.start, schedule.end) + 1
        inside = _flat_in_range(ttc, n, first, 0, n_period)
        year_cp = tuple(
            _flat_in_range(ttc, n, first, max(lo, 0), min(hi, n_period)) for lo, hi in year_bounds
        )
    else:
        first = month_index(start, schedule.first_month)
        n = 1
        explicit = tuple(
            sorted((month_index(start, m), to_cents(a)) for m, a in schedule.amounts.items())
        )
        inside = sum(c for i, c in explicit if 0 <= i < n_period)
        year_cp = tuple(
            sum(c for i, c in explicit if max(lo, 0) <= i < min(hi, n_period))
            for lo, hi in year_bounds
        )
    total_scheduled = ttc if explicit is None else sum(c for _, c in explicit)
    dates = milestone_dates or {}
    need = need_key(line.pilot, line.nature, line.need)
    need_ht = (needs or {}).get(need.upper(), ht)
    launch = launch_date(line, dates)
    in_force = programme.thresholds_at(launch)
    route = implied_route(need_ht, line.nature, line.innovative, in_force)
    return LineFigures(
        line=line,
        vat_rate=vat,
        ht=ht,
        ttc=ttc,
        first_index=first,
        months=n,
        explicit=explicit,
        period_months=n_period,
        years=years,
        year_cp=year_cp,
        cp_outside_period=total_scheduled - inside,
        implied_route=route,
        route_ok=route_allowed(line.route, route, line.nature),
        cp_ties=inside == ttc,
        cp_after_ae=schedule.first_month.year >= line.ae_year
        and _paid_after_award(line, schedule.first_month, dates),
        award_ok=_award_ok(line, dates),
        procedure_ok=_procedure_ok(line, programme, dates),
        need=need,
        need_ht=need_ht,
        launch=launch,
        threshold_row=programme.thresholds.index(in_force) + 1,
        transfer_ok=_transfer_ok(line, ttc, years, year_cp),
        virement=bool(line.transfer_to) and line.transfer_to in programme.ministry_programmes,
        imputation_ok=_imputation_ok(line, pilot_programmes or {}),
    )


def _paid_after_award(line: CostLine, first_paid: dt.date, dates: dict[str, dt.date]) -> bool:
    """No payment before the month the contract is awarded (the legal commitment): a line with
    an award milestone pays from that month on (an unknown milestone fails)."""
    if line.award is None:
        return True
    award = dates.get(line.award.upper())
    return award is not None and first_paid >= award.replace(day=1)


def _award_ok(line: CostLine, dates: dict[str, dt.date]) -> bool:
    """AE in the award's year, or for an order under a framework in that year or later."""
    if line.award is None:
        return True
    award = dates.get(line.award.upper())
    if award is None:
        return False
    if line.commitment is Commitment.ORDER:
        return award.year <= line.ae_year
    return award.year == line.ae_year


def _procedure_ok(line: CostLine, programme: Programme, dates: dict[str, dt.date]) -> bool:
    """A line with both a tender and an award milestone: the award comes at least the route's
    statutory minimum after the launch (an unknown milestone fails)."""
    if line.tender is None or line.award is None:
        return True
    launch, award = dates.get(line.tender.upper()), dates.get(line.award.upper())
    if launch is None or award is None:
        return False
    return (award - launch).days >= programme.procedure(line.route).minimum_days


def _imputation_ok(line: CostLine, pilot_programmes: dict[str, str]) -> bool:
    """The centre financier and the domaine fonctionnel start with the pilot's programme."""
    programme = pilot_programmes.get(line.pilot.upper(), "")
    for code in (line.centre_financier, line.domaine_fonctionnel):
        head = code.split("-")[0]
        if code and head != ("0" * len(head) + programme)[-len(head) :]:
            return False
    return True


def _transfer_ok(
    line: CostLine, ttc: int, years: tuple[int, ...], year_cp: tuple[int, ...]
) -> bool:
    """A line is a transfer exactly when it names a receiving programme, and a transfer moves
    all its credits in its commitment year (AE and CP together)."""
    is_transfer = line.nature is Nature.TRANSFER
    if is_transfer != bool(line.transfer_to):
        return False
    return not is_transfer or dict(zip(years, year_cp, strict=True)).get(line.ae_year) == ttc


def reserve_cents(
    envelope_cents: int, titre2_cents: int, rate2: Decimal, rate_other: Decimal
) -> int:
    """Reserve: each rate applied to its part of the envelope, each part rounded to the cent."""
    return _round_cents(Decimal(titre2_cents) * rate2) + _round_cents(
        Decimal(envelope_cents - titre2_cents) * rate_other
    )


def milestone_dates(programme: Programme) -> dict[str, dt.date]:
    """The date of every milestone by id: fixed, or from the forward pass."""
    return Network(programme).plan()


def readiness(
    programme: Programme,
    dates: dict[str, dt.date] | None = None,
    probabilities: dict[tuple[str, str], float] | None = None,
) -> list[Readiness]:
    network = Network(programme)
    dates = network.plan() if dates is None else dates
    if probabilities is None:
        probabilities = ready_probabilities(programme, network)
    threshold = float(programme.ready_probability)
    out: list[Readiness] = []
    for pilot in programme.pilots:
        ops = [dates[m.id] for m in pilot.milestones if m.kind is MilestoneKind.OPERATIONAL]
        operational = min(ops) if ops else None
        for served in pilot.serves:
            event = programme.event(served.event)
            required = event.first_day - dt.timedelta(days=served.lead_days)
            margin = (required - operational).days if operational else None
            out.append(
                Readiness(
                    pilot=pilot.id,
                    event=event.id,
                    event_first_day=event.first_day,
                    lead_days=served.lead_days,
                    required_by=required,
                    operational=operational,
                    margin_days=margin,
                    probability=probabilities.get((pilot.id, event.id), 0.0),
                    threshold=threshold,
                    required=served.purpose is Purpose.OPERATE,
                )
            )
    return out


def _sum_months(lines: list[LineFigures], n_period: int) -> list[int]:
    """CP per period month over all lines, by difference arrays (O(1) per flat line)."""
    diff = [0] * (n_period + 1)
    for lf in lines:
        if lf.explicit is not None:
            for idx, cents in lf.explicit:
                if 0 <= idx < n_period:
                    diff[idx] += cents
                    diff[idx + 1] -= cents
            continue
        base, remainder = divmod(lf.ttc, lf.months)
        for lo, hi, amount in (
            (lf.first_index, lf.first_index + lf.months, base),
            (lf.first_index, lf.first_index + remainder, 1),
        ):
            a, b = max(lo, 0), min(hi, n_period)
            if a < b:
                diff[a] += amount
                diff[b] -= amount
    out, running = [], 0
    for k in range(n_period):
        running += diff[k]
        out.append(running)
    return out


class _AeSums(NamedTuple):
    """The AE of the lines summed by year, titre 2 by year, by titre, the provision and the
    virements by year."""

    by_year: dict[int, int]
    t2_by_year: dict[int, int]
    by_titre: dict[int, int]
    provision: dict[int, int]
    virements: dict[int, int]


def _ae_sums(lines: list[LineFigures], years: list[int]) -> _AeSums:
    sums = _AeSums({y: 0 for y in years}, {y: 0 for y in years}, {int(t): 0 for t in Titre}, {}, {})
    for lf in lines:
        year = lf.line.ae_year
        if lf.virement:
            sums.virements[year] = sums.virements.get(year, 0) + lf.ttc
        if lf.line.nature is Nature.CONTINGENCY:
            sums.provision[year] = sums.provision.get(year, 0) + lf.ttc
        sums.by_year[year] = sums.by_year.get(year, 0) + lf.ttc
        sums.by_titre[int(lf.line.titre)] += lf.ttc
        if lf.line.titre is Titre.PERSONNEL:
            sums.t2_by_year[year] = sums.t2_by_year.get(year, 0) + lf.ttc
    return sums


def _reste_a_payer(
    years: list[int], ae_by_year: dict[int, int], cp_by_year: dict[int, int]
) -> dict[int, int]:
    """AE committed less CP paid, cumulated to the end of each year."""
    reste: dict[int, int] = {}
    committed = paid = 0
    for year in years:
        committed += ae_by_year.get(year, 0)
        paid += cp_by_year[year]
        reste[year] = committed - paid
    return reste


class _EnvelopeFigures(NamedTuple):
    """Per year: the envelope's AE and CP, the reserve on each, the net AE, CP and titre 2, the
    headroom."""

    ae: dict[int, int]
    cp: dict[int, int]
    reserve: dict[int, int]
    reserve_cp: dict[int, int]
    net_ae: dict[int, int]
    net_cp: dict[int, int]
    net_t2: dict[int, int]
    headroom: dict[int, int]


def _envelope_figures(programme: Programme, ae_by_year: dict[int, int]) -> _EnvelopeFigures:
    out = _EnvelopeFigures({}, {}, {}, {}, {}, {}, {}, {})
    rates = programme.reserve
    for env in programme.envelopes:
        year, ae, cp, t2 = env.year, to_cents(env.ae), to_cents(env.cp), to_cents(env.titre2)
        out.ae[year] = ae
        out.cp[year] = cp
        out.reserve[year] = reserve_cents(ae, t2, rates.titre2_rate, rates.other_rate)
        out.net_ae[year] = ae - out.reserve[year]
        out.reserve_cp[year] = reserve_cents(cp, t2, rates.titre2_rate, rates.other_rate)
        out.net_cp[year] = cp - out.reserve_cp[year]
        out.net_t2[year] = t2 - _round_cents(Decimal(t2) * rates.titre2_rate)
        carried_out = programme.envelope(year + 1)
        out.headroom[year] = (
            out.net_ae[year]
            - ae_by_year.get(year, 0)
            - (to_cents(carried_out.ae_carried_in) if carried_out else 0)
        )
    return out


def _pilot_figures(
    programme: Programme, lines: list[LineFigures], dates: dict[str, dt.date], years: list[int]
) -> list[PilotFigures]:
    pilots: list[PilotFigures] = []
    envelope_programmes = {e.budget_programme for e in programme.envelopes}
    for pilot in programme.pilots:
        mine = [lf for lf in lines if lf.line.pilot == pilot.id]
        mine_dates = [dates[m.id] for m in pilot.milestones]
        ops = [dates[m.id] for m in pilot.milestones if m.kind is MilestoneKind.OPERATIONAL]
        pilots.append(
            PilotFigures(
                pilot=pilot.id,
                ae=sum(lf.ttc for lf in mine),
                cp_by_year={y: sum(lf.cp_by_year.get(y, 0) for lf in mine) for y in years},
                first_milestone=min(mine_dates) if mine_dates else None,
                operational=min(ops) if ops else None,
                last_milestone=max(mine_dates) if mine_dates else None,
                supervised=pilot.intrusiveness < programme.intrusive_level
                or bool(pilot.legal_basis.strip() and pilot.supervising_body.strip()),
                human_ok=not pilot.automates_decision or pilot.human_in_loop,
                programme_ok=pilot.budget_programme in envelope_programmes
                or bool(pilot.delegation.strip()),
            )
        )
    return pilots


def _cp_on_ae(lines: list[LineFigures], years: list[int]) -> dict[tuple[int, int], int]:
    """The CP of each year on the AE of each year: (AE year, CP year) -> cents."""
    out: dict[tuple[int, int], int] = {}
    for lf in lines:
        for y, cents in zip(years, lf.year_cp, strict=True):
            if cents:
                out[(lf.line.ae_year, y)] = out.get((lf.line.ae_year, y), 0) + cents
    return out


def compute(programme: Programme) -> Figures:
    """Every figure of the programme, from its inputs only, in dependency order."""
    months = programme.months
    years = programme.years
    network = Network(programme)
    dates = network.plan()
    found = paths(programme, network, dates)
    milestone_dates = {k.upper(): v for k, v in dates.items()}
    needs = need_totals(programme)
    pilot_programmes = {p.id.upper(): p.budget_programme for p in programme.pilots}
    lines = [
        line_figures(
            line, programme, months, tuple(years), milestone_dates, needs, pilot_programmes
        )
        for line in programme.cost_lines
    ]
    ae = _ae_sums(lines, years)
    cp_by_month = _sum_months(lines, len(months))
    cp_by_year = {y: 0 for y in years}
    for month, cents in zip(months, cp_by_month, strict=True):
        cp_by_year[month.year] += cents
    env = _envelope_figures(programme, ae.by_year)
    credits = year_credits(
        programme,
        ae.by_year,
        ae.provision,
        ae.t2_by_year,
        cp_by_year,
        env.reserve,
        env.net_cp,
        env.net_t2,
        ae.virements,
    )
    ttc_by_line: dict[str, int] = {}
    for lf in lines:
        ttc_by_line[lf.line.id] = ttc_by_line.get(lf.line.id, 0) + lf.ttc
    evaluations = evaluation_figures(programme, dates, ttc_by_line)
    return Figures(
        programme=programme,
        months=months,
        years=years,
        lines=lines,
        pilots=_pilot_figures(programme, lines, dates, years),
        readiness=readiness(programme, dates, ready_probabilities(programme, network)),
        ae_by_year=ae.by_year,
        cp_by_year=cp_by_year,
        ae_t2_by_year=ae.t2_by_year,
        cp_by_month=cp_by_month,
        reste_a_payer=_reste_a_payer(years, ae.by_year, cp_by_year),
        envelope_ae=env.ae,
        envelope_cp=env.cp,
        reserve=env.reserve,
        net_ae=env.net_ae,
        net_cp=env.net_cp,
        net_t2=env.net_t2,
        headroom=env.headroom,
        by_titre=ae.by_titre,
        reserve_cp=env.reserve_cp,
        milestone_order_ok=milestone_order(programme, dates),
        credits=credits,
        cp_on_ae=_cp_on_ae(lines, years),
        dates=dates,
        paths=found,
        floats=milestone_floats(found),
        evaluations=evaluations,
        governance=governance(programme, dates, evaluations),
    )


def year_credits(
    programme: Programme,
    ae_by_year: dict[int, int],
    provision_by_year: dict[int, int],
    ae_t2_by_year: dict[int, int],
    cp_by_year: dict[int, int],
    reserve: dict[int, int],
    net_cp: dict[int, int],
    net_t2: dict[int, int],
    virements: dict[int, int],
) -> tuple[YearCredits, ...]:
    """Each budget year's credits, in year order: a year's unused CP are carried into the next
    within the cap (LOLF art. 15), its unused AE only by the decision the next envelope records."""
    out: list[YearCredits] = []
    rate = programme.carry_over_rate
    committed_to_date = paid_to_date = 0
    previous: YearCredits | None = None
    for year in programme.budget_years:
        env = programme.envelope(year)
        ae_carried = to_cents(env.ae_carried_in) if env else 0
        cp_opened = to_cents(env.cp) if env else 0
        base = cp_opened
        if env is not None and env.programme_initial_cp is not None:
            base = to_cents(env.programme_initial_cp)
        committed_to_date += ae_by_year.get(year, 0)
        paid_to_date += cp_by_year.get(year, 0)
        credits = YearCredits(
            year=year,
            has_envelope=env is not None,
            ae_opened=to_cents(env.ae) if env else 0,
            reserve_ae=reserve.get(year, 0),
            ae_carried_in=ae_carried,
            ae_committed=ae_by_year.get(year, 0) - provision_by_year.get(year, 0),
            ae_provision=provision_by_year.get(year, 0),
            ae_carry_limit=ae_carried if previous is None else max(previous.ae_unused, 0),
            cp_opened=cp_opened,
            cp_proposed=cp_opened if env is not None and env.vehicle is Vehicle.PROPOSED else 0,
            cp_net=net_cp.get(year, 0),
            cp_carried_in=0 if previous is None else previous.cp_carried_out,
            cp_paid=cp_by_year.get(year, 0),
            carry_base=base,
            carry_cap=_round_cents(Decimal(base) * rate),
            virements=virements.get(year, 0),
            virement_cap=_round_cents(Decimal(base) * programme.virement_rate),
            t2_available=net_t2.get(year, 0),
            t2_committed=ae_t2_by_year.get(year, 0),
            outstanding=committed_to_date - paid_to_date,
        )
        out.append(credits)
        previous = credits
    return tuple(out)


def milestone_order(
    programme: Programme, dates: dict[str, dt.date] | None = None
) -> tuple[bool, ...]:
    """Whether each milestone falls on or after each prerequisite it names plus its lag, in row
    order (unknown prerequisites aside: the loader refuses them)."""
    dates = milestone_dates(programme) if dates is None else dates
    return tuple(
        all(
            dates[m.id] >= dates[d] + dt.timedelta(days=lag)
            for d, lag in m.predecessors
            if d in dates
        )
        for pilot in programme.pilots
        for m in pilot.milestones
    )
