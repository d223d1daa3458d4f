"""The programme's checks: each one object with its code, its texts in both languages, the rule
computed in Python (figures in, findings at their fields out) and the Excel formula that counts its
exceptions on the Checks sheet, over the workbook's defined names (``layout.NAMES``).

Adding a check is adding one entry to ``CHECKS``: ``run_checks`` is a loop, the Checks sheet and
reconcile read the same list.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from budgetplan.compute.figures import Figures
from budgetplan.compute.governance import Governance
from budgetplan.compute.procurement import ROUTE_NATURE
from budgetplan.compute.schedule import SCHEDULE_DRAWS
from budgetplan.core.codes import NAMES as CODE_NAMES
from budgetplan.core.codes import formula_text
from budgetplan.core.findings import Finding, Severity
from budgetplan.core.labels import Lang
from budgetplan.core.model import Commitment, MilestoneKind, Provenance
from budgetplan.core.money import eur, from_cents, to_cents
from budgetplan.xlsx.formulas import names_in

#: The code lists a check's formula may name ("@Nature.contingency"), by class name.
_LISTS = {codes.__name__: codes for codes in CODE_NAMES}
_CODE_TEXT = re.compile(r'"@(\w+)\.(\w+)"')

Rule = Callable[[Figures], Iterator[Finding]]


@dataclass(frozen=True)
class Check:
    code: str
    fr: str
    en: str
    explain_fr: str
    explain_en: str
    rule: Rule  # the exceptions, one finding each
    #: The count of exceptions on the Checks sheet (0 when the check passes); a code the cells
    #: show by its name is written "@List.code" (see ``formula_in``).
    formula: str

    def formula_in(self, lang: Lang) -> str:
        """The count's formula in a workbook of ``lang``: each "@List.code" the code's name."""
        return _CODE_TEXT.sub(lambda m: formula_text(_LISTS[m[1]](m[2]), lang), self.formula)

    def result_formula(self, count_cell: str) -> str:
        """The TRUE/FALSE cell of the check: no exception counted in ``count_cell``, and no
        error in any range the count reads. A check whose inputs hold an error is FALSE (it
        fails closed): COUNTIF skips error cells, so the count alone could pass untested."""
        guards = "".join(f"+SUMPRODUCT(--ISERROR({name}))" for name in names_in(self.formula))
        return f"=IFERROR(AND({count_cell}=0,{guards[1:] or '0'}=0),FALSE)"

    def text(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en

    def explain(self, lang: Lang) -> str:
        return self.explain_fr if lang == "fr" else self.explain_en


# --------------------------------------------------------------------------- the rules
# Each rule takes the figures and yields its exceptions, each a finding at the field to change.


def _err(code: str, message: str, hint: str, path: tuple[str | int, ...]) -> Finding:
    return Finding(Severity.ERROR, code, message, hint, path)


def _envelope_at(fig: Figures, year: int, field: str) -> tuple[str | int, ...]:
    """Where to change a year's credits: its envelope's field, or the envelopes to add one."""
    for i, env in enumerate(fig.programme.envelopes):
        if env.year == year:
            return ("envelopes", i, field)
    return ("envelopes",)


def _ask(year: int, has_envelope: bool, what: str) -> str:
    if has_envelope:
        return f"raise the {what} of the {year} envelope (to ask for in the {year} finance bill)"
    return f"add a {year} envelope with these {what} (to ask for in the {year} finance bill)"


def _envelope_ae(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.ae_unused < 0:
            provision = f" and {eur(yc.ae_provision)} of provision" if yc.ae_provision else ""
            yield _err(
                "ENVELOPE_AE",
                f"AE {yc.year}: {eur(yc.ae_committed)} committed{provision} exceed the "
                f"{eur(yc.ae_available)} available (net of reserve, with AE carried in) "
                f"by {eur(-yc.ae_unused)}",
                f"cut or defer commitments, carry unused AE over, or {_ask(yc.year, yc.has_envelope, 'AE')}",
                _envelope_at(fig, yc.year, "ae"),
            )


def _envelope_cp(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.cp_paid > yc.cp_available:
            yield _err(
                "ENVELOPE_CP",
                f"CP {yc.year}: {eur(yc.cp_paid)} to pay exceed the {eur(yc.cp_available)} "
                f"available (net of reserve, with CP carried in) by "
                f"{eur(yc.cp_paid - yc.cp_available)}",
                f"move payments or {_ask(yc.year, yc.has_envelope, 'CP')}",
                _envelope_at(fig, yc.year, "cp"),
            )


def _cp_carry_over(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.cp_lost > 0:
            yield _err(
                "CP_CARRY_OVER",
                f"CP {yc.year}: {eur(yc.cp_unused)} left unused, of which only "
                f"{eur(yc.carry_cap)} can be carried over (cap of "
                f"{(fig.programme.carry_over_rate * 100).normalize():f}% of {eur(yc.carry_base)} of initial "
                f"credits): {eur(yc.cp_lost)} lapse",
                f"open less CP in {yc.year} and ask for them in {yc.year + 1}, or pay earlier",
                _envelope_at(fig, yc.year, "cp"),
            )


def _ae_carry(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.ae_carried_in > yc.ae_carry_limit:
            yield _err(
                "AE_CARRY",
                f"AE {yc.year}: {eur(yc.ae_carried_in)} carried in exceed the "
                f"{eur(yc.ae_carry_limit)} left unused in {yc.year - 1}",
                f"carry at most {eur(yc.ae_carry_limit)} into {yc.year}",
                _envelope_at(fig, yc.year, "ae_carried_in"),
            )


def _ae_year_covered(fig: Figures) -> Iterator[Finding]:
    p = fig.programme
    for i, lf in enumerate(fig.lines):
        if p.envelope(lf.line.ae_year) is None:
            yield _err(
                "AE_YEAR_COVERED",
                f"line {lf.line.id} is committed in {lf.line.ae_year}, a year with no envelope",
                f"set ae_year to one of {sorted(e.year for e in p.envelopes)} or add an envelope",
                ("cost_lines", i, "ae_year"),
            )


def _ae_at_award(fig: Figures) -> Iterator[Finding]:
    dates = {k.upper(): v for k, v in fig.dates.items()}
    for i, lf in enumerate(fig.lines):
        line = lf.line
        if lf.award_ok or line.award is None:
            continue
        when = dates.get(line.award.upper())
        found = f"on {when:%d/%m/%Y}" if when else "unknown"
        if line.commitment is Commitment.ORDER:
            msg = (
                f"line {line.id} is an order in {line.ae_year}, but its framework's award "
                f"{line.award} is {found}: an order comes after its framework"
            )
            hint = f"set ae_year to {when.year} or later" if when else "name the framework's award"
        else:
            msg = (
                f"line {line.id} consumes its AE in {line.ae_year}, but its award {line.award} is "
                f"{found}: AE are consumed at the legal commitment"
            )
            hint = f"set ae_year to {when.year}" if when else "name an existing award milestone"
        yield _err("AE_AT_AWARD", msg, hint, ("cost_lines", i, "ae_year"))


def _procedure_time(fig: Figures) -> Iterator[Finding]:
    p = fig.programme
    dates = {k.upper(): v for k, v in fig.dates.items()}
    for i, lf in enumerate(fig.lines):
        line = lf.line
        if lf.procedure_ok or line.tender is None or line.award is None:
            continue
        launch, award = dates.get(line.tender.upper()), dates.get(line.award.upper())
        minimum = p.procedure(line.route).minimum_days
        if launch is None or award is None:
            missing = line.tender if launch is None else line.award
            yield _err(
                "PROCEDURE_TIME",
                f"line {line.id}: milestone {missing} does not exist",
                "name an existing milestone of the line's pilot",
                ("cost_lines", i, "tender" if launch is None else "award"),
            )
            continue
        yield _err(
            "PROCEDURE_TIME",
            f"line {line.id}: award {line.award} on {award:%d/%m/%Y} is "
            f"{(award - launch).days} days after the launch {line.tender} on {launch:%d/%m/%Y}; "
            f"a {line.route.value} procedure takes at least {minimum} days",
            f"move the award to {launch + dt.timedelta(days=minimum):%d/%m/%Y} or later",
            ("cost_lines", i, "award"),
        )


def _transfers(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        if lf.transfer_ok:
            continue
        line = lf.line
        if (line.nature.value == "transfer") != bool(line.transfer_to):
            msg = f"line {line.id}: a transfer is of nature transfer and names its programme"
            hint = "set nature to transfer and transfer_to to the receiving programme, or neither"
            where: tuple[str | int, ...] = ("cost_lines", i, "transfer_to")
        else:
            msg = (
                f"line {line.id}: a transfer to programme {line.transfer_to} moves all its "
                f"credits in {line.ae_year}, its commitment year"
            )
            hint = "schedule its CP in its AE year (one line per year's transfer)"
            where = ("cost_lines", i, "cp")
        yield _err("TRANSFER", msg, hint, where)


def _virements(fig: Figures) -> Iterator[Finding]:
    rate = (fig.programme.virement_rate * 100).normalize()
    for yc in fig.credits:
        if yc.virements > yc.virement_cap:
            yield _err(
                "VIREMENT_CAP",
                f"{yc.year}: {eur(yc.virements)} moved to the ministry's other programmes exceed "
                f"the cap of {eur(yc.virement_cap)} ({rate:f}% of {eur(yc.carry_base)} of "
                f"initial credits, LOLF art. 12)",
                "move less, or spend it through a délégation de gestion instead",
                _envelope_at(fig, yc.year, "programme_initial_cp"),
            )


def _pilot_programme(fig: Figures) -> Iterator[Finding]:
    programmes = sorted({e.budget_programme for e in fig.programme.envelopes})
    for pi, (pilot, pf) in enumerate(zip(fig.programme.pilots, fig.pilots, strict=True)):
        if not pf.programme_ok:
            yield _err(
                "PILOT_PROGRAMME",
                f"pilot {pilot.id} is on programme {pilot.budget_programme}, which has no "
                f"envelope ({', '.join(programmes)}), and names no délégation de gestion",
                "set its programme to an envelope's, or describe the délégation de gestion",
                ("pilots", pi, "delegation"),
            )


def _imputation(fig: Figures) -> Iterator[Finding]:
    pilots = {p.id: p.budget_programme for p in fig.programme.pilots}
    for i, lf in enumerate(fig.lines):
        if lf.imputation_ok:
            continue
        line = lf.line
        programme = pilots.get(line.pilot, "")
        head = programme.rjust(4, "0")
        field = "centre_financier"
        if not line.centre_financier or line.centre_financier.startswith(head + "-"):
            field = "domaine_fonctionnel"
        yield _err(
            "IMPUTATION",
            f"line {line.id}: {field} {getattr(line, field)} is not on programme {head}, its "
            f"pilot {line.pilot}'s",
            f"use a {field} of programme {head} (for example {head}-01)",
            ("cost_lines", i, field),
        )


def _titre2(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.t2_committed > yc.t2_available:
            yield _err(
                "TITRE2",
                f"titre 2 {yc.year}: lines of {eur(yc.t2_committed)} exceed the titre 2 credits "
                f"net of reserve ({eur(yc.t2_available)}); credits may never move into titre 2",
                "reduce the personnel lines or open more titre 2 credits in the envelope",
                _envelope_at(fig, yc.year, "titre2"),
            )


def _cp_ties(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        if lf.cp_ties:
            continue
        if lf.cp_outside_period:
            msg = (
                f"line {lf.line.id}: {eur(lf.cp_outside_period)} of CP fall outside the "
                f"phasing period"
            )
            hint = "move the CP months inside the period or extend period.months"
        else:
            msg = (
                f"line {lf.line.id}: monthly CP add up to {eur(sum(lf.monthly))}, "
                f"not the line's {eur(lf.ttc)}"
            )
            hint = "make the explicit amounts add up to quantity × unit cost incl. VAT"
        yield _err("CP_TIES", msg, hint, ("cost_lines", i, "cp"))


def _cp_total(fig: Figures) -> Iterator[Finding]:
    if fig.total_cp != fig.total_ae:
        yield _err(
            "CP_TOTAL",
            f"total CP {eur(fig.total_cp)} differ from total AE {eur(fig.total_ae)}",
            "see the CP_TIES exceptions",
            ("cost_lines",),
        )


def _cp_after_ae(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        if not lf.cp_after_ae:
            line = lf.line
            yield _err(
                "CP_AFTER_AE",
                f"line {line.id} pays from {line.cp.first_month:%m/%Y}, before its commitment "
                f"year {line.ae_year}",
                "start the payments in or after the AE year",
                ("cost_lines", i, "cp"),
            )


def _non_negative(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        line = lf.line
        if line.quantity < 0 or line.unit_cost < 0:
            field = "quantity" if line.quantity < 0 else "unit_cost"
            yield _err(
                "NON_NEGATIVE",
                f"line {line.id} has a negative {field}",
                "amounts are >= 0",
                ("cost_lines", i, field),
            )


def _estimate_range(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        line = lf.line
        ht = from_cents(lf.ht)
        if not line.estimate.low <= ht <= line.estimate.high:
            yield _err(
                "ESTIMATE_RANGE",
                f"line {line.id}: amount excl. VAT {eur(lf.ht, unit=False)} is outside its "
                f"estimate {eur(to_cents(line.estimate.low), unit=False)} to "
                f"{eur(to_cents(line.estimate.high), unit=False)}",
                "widen the estimate or correct quantity / unit cost",
                ("cost_lines", i, "estimate"),
            )


def _provenance(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        line = lf.line
        if line.provenance is Provenance.ASSUMPTION and not line.rationale.strip():
            yield _err(
                "PROVENANCE",
                f"line {line.id} is an assumption without a rationale",
                "add a one-line rationale saying where the figure comes from",
                ("cost_lines", i, "rationale"),
            )


def _milestone_provenance(fig: Figures) -> Iterator[Finding]:
    for pi, pilot in enumerate(fig.programme.pilots):
        for mi, ms in enumerate(pilot.milestones):
            at: tuple[str | int, ...] = ("pilots", pi, "milestones", mi)
            if ms.provenance is None:
                yield _err(
                    "MILESTONE_PROVENANCE",
                    f"milestone {ms.id} does not say where its date comes from",
                    "set its provenance: sourced (a text, a notice) or assumption, with a rationale",
                    (*at, "provenance"),
                )
            elif ms.provenance is Provenance.ASSUMPTION and not ms.rationale.strip():
                yield _err(
                    "MILESTONE_PROVENANCE",
                    f"milestone {ms.id} is an assumption without a rationale",
                    "say in one line what its date or duration rests on",
                    (*at, "rationale"),
                )


def _route(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        if lf.route_ok:
            continue
        line = lf.line
        only = ROUTE_NATURE.get(line.route)
        if only is not None and line.nature is not only:
            yield _err(
                "ROUTE",
                f"line {line.id}: the '{line.route}' route is for {only.value} purchases, not "
                f"{line.nature.value}",
                f"set route to {lf.implied_route} or a stricter one",
                ("cost_lines", i, "route"),
            )
            continue
        amount = f"{eur(lf.ht)} excl. VAT"
        if lf.need_ht != lf.ht:
            amount = (
                f"{eur(lf.ht)} excl. VAT, in the need '{lf.need}' of {eur(lf.need_ht)} "
                f"(thresholds apply to the whole need: splitting it does not lower them)"
            )
        in_force = fig.programme.thresholds_at(lf.launch or dt.date(line.ae_year, 1, 1))
        yield _err(
            "ROUTE",
            f"line {line.id}: {amount} needs at least the '{lf.implied_route}' route under the "
            f"thresholds in force from {in_force.valid_from:%d/%m/%Y}, not '{line.route}'",
            f"set route to {lf.implied_route} or a stricter one",
            ("cost_lines", i, "route"),
        )


def _readiness(fig: Figures) -> Iterator[Finding]:
    p = fig.programme
    pilot_index = {pl.id: i for i, pl in enumerate(p.pilots)}
    for r in fig.readiness:
        if not r.late:
            continue
        pi = pilot_index[r.pilot]
        if r.operational is None:
            msg = f"pilot {r.pilot} has no operational milestone but serves {r.event}"
            hint = "add a milestone of kind operational"
        elif r.margin_days is not None and r.margin_days >= 0:
            msg = (
                f"pilot {r.pilot} is planned operational on {r.operational:%d/%m/%Y}, "
                f"{r.margin_days} days before {r.required_by:%d/%m/%Y} (the latest date for "
                f"{r.event}), but is on time in only {r.probability:.0%} of the schedule's "
                f"{SCHEDULE_DRAWS:,} draws, below the {r.threshold:.0%} required".replace(
                    f"{SCHEDULE_DRAWS:,}", f"{SCHEDULE_DRAWS:,}".replace(",", " ")
                )
            )
            hint = (
                "start the critical path earlier (the Milestones sheet gives each milestone's "
                "float) or narrow its durations' spreads with a rationale"
            )
        else:
            msg = (
                f"pilot {r.pilot} is operational on {r.operational:%d/%m/%Y}, "
                f"{-r.margin_days} days after {r.required_by:%d/%m/%Y}, the latest date "  # type: ignore[operator]
                f"for {r.event} ({r.lead_days} days before its first day)"
            )
            hint = "bring the milestones forward or shorten the lead time"
        ops = [
            (fig.dates[m.id], mi)
            for mi, m in enumerate(p.pilots[pi].milestones)
            if m.kind is MilestoneKind.OPERATIONAL
        ]
        where: tuple[str | int, ...] = ("pilots", pi, "milestones")
        if ops:
            where = (*where, min(ops)[1], "date")
        yield _err("READINESS", msg, hint, where)


def _milestone_order(fig: Figures) -> Iterator[Finding]:
    dates = fig.dates
    order_ok = iter(fig.milestone_order_ok)
    for pi, pilot in enumerate(fig.programme.pilots):
        for mi, ms in enumerate(pilot.milestones):
            if next(order_ok):
                continue
            day = dates[ms.id]
            dep, lag = next(
                (d, lag)
                for d, lag in ms.predecessors
                if d in dates and day < dates[d] + dt.timedelta(days=lag)
            )
            after = f" + {lag} days" if lag else ""
            yield _err(
                "MILESTONE_ORDER",
                f"milestone {ms.id} ({day:%d/%m/%Y}) comes before its prerequisite "
                f"{dep} ({dates[dep]:%d/%m/%Y}){after}",
                "move the fixed date after its prerequisite, or give it a duration",
                ("pilots", pi, "milestones", mi, "date"),
            )


def _schedule_current(fig: Figures) -> Iterator[Finding]:
    """Always current here: the dates are computed from the inputs just read. In a workbook,
    each row compares its inputs with those its computed dates were made from."""
    yield from ()


def _intrusive_supervised(fig: Figures) -> Iterator[Finding]:
    for pi, (pilot, pf) in enumerate(zip(fig.programme.pilots, fig.pilots, strict=True)):
        if not pf.supervised:
            missing = "a legal basis" if not pilot.legal_basis.strip() else "a supervising body"
            yield _err(
                "INTRUSIVE_SUPERVISED",
                f"pilot {pilot.id} has intrusiveness {pilot.intrusiveness} without {missing}",
                "name the legal basis and the independent body that supervises it",
                ("pilots", pi),
            )


def _human_in_loop(fig: Figures) -> Iterator[Finding]:
    for pi, (pilot, pf) in enumerate(zip(fig.programme.pilots, fig.pilots, strict=True)):
        if not pf.human_ok:
            yield _err(
                "HUMAN_IN_LOOP",
                f"pilot {pilot.id} automates a decision without a human in the loop",
                "set human_in_loop: true and describe the human check",
                ("pilots", pi, "human_in_loop"),
            )


def _governance_findings(
    fig: Figures, ok: Callable[[Governance], bool], code: str, what: str, hint: str, field: str
) -> Iterator[Finding]:
    for pi, g in enumerate(fig.governance):
        if ok(g):
            continue
        ops = f" (operational on {g.operational:%d/%m/%Y})" if g.operational else ""
        yield _err(
            code,
            f"pilot {g.pilot} (intrusiveness {g.intrusiveness}) has {what}{ops}",
            hint,
            ("pilots", pi, field),
        )


def _impact_assessment(fig: Figures) -> Iterator[Finding]:
    yield from _governance_findings(
        fig,
        lambda g: g.impact_ok,
        "IMPACT_ASSESSMENT",
        "no data-protection impact assessment (AIPD) dated before it operates",
        "add a milestone with step impact_assessment before its operational milestone",
        "milestones",
    )


def _accreditation(fig: Figures) -> Iterator[Finding]:
    yield from _governance_findings(
        fig,
        lambda g: g.accreditation_ok,
        "ACCREDITATION",
        "no security accreditation (homologation) of its system before it operates",
        "add a milestone with step accreditation before its operational milestone",
        "milestones",
    )


def _evaluation_plan(fig: Figures) -> Iterator[Finding]:
    yield from _governance_findings(
        fig,
        lambda g: g.evaluated_ok,
        "EVALUATION_PLAN",
        "no complete evaluation (indicator, baseline, target, protocol, independent "
        "evaluator, publication, paying line)",
        "fill an evaluation row for the pilot on the Evaluation sheet",
        "evaluations",
    )


def _go_no_go(fig: Figures) -> Iterator[Finding]:
    def where(g: Governance) -> str:
        after = f"after {g.trial_end:%d/%m/%Y} and " if g.trial_end else ""
        return f"no go/no-go decision {after}before {g.event:%d/%m/%Y}"  # type: ignore[union-attr]

    for pi, g in enumerate(fig.governance):
        if g.gate_ok:
            continue
        yield _err(
            "GO_NO_GO",
            f"pilot {g.pilot} (intrusiveness {g.intrusiveness}) has {where(g)}, the first day "
            "of the first event it must operate at",
            "add a milestone with step go_no_go between its trial events and that event",
            ("pilots", pi, "milestones"),
        )


def _supervised_before(fig: Figures) -> Iterator[Finding]:
    yield from _governance_findings(
        fig,
        lambda g: g.supervision_ok,
        "SUPERVISED_BEFORE",
        "no supervising body in place before it operates (supervised_from: the milestone "
        "from which it oversees the pilot)",
        "name the supervising body and set supervised_from to a milestone before it operates",
        "supervised_from",
    )


def _unique_ids(fig: Figures) -> Iterator[Finding]:
    counts = Counter(lf.line.id for lf in fig.lines)
    for i, lf in enumerate(fig.lines):
        if counts[lf.line.id] > 1:
            yield _err(
                "UNIQUE_IDS",
                f"line id {lf.line.id} is used {counts[lf.line.id]} times",
                "give each line its own id",
                ("cost_lines", i, "id"),
            )


def _phasing_rows(fig: Figures) -> Iterator[Finding]:
    """The Phasing sheet is written from the lines: only an edited workbook can miss a row."""
    return iter(())


def _listed(fig: Figures) -> Iterator[Finding]:
    """A model holds only codes of its lists: only a cell typed in a workbook can hold another
    text (the reader names each such cell)."""
    return iter(())


#: Each coded input column (its defined name) and its list's: what the LISTS check compares.
_CODED_COLUMNS = (
    ("ENV_VEHICLE", "LST_VEHICLE"),
    ("ENV_PROV", "LST_PROVENANCE"),
    ("PIL_STATUS", "LST_LEGAL_STATUS"),
    ("SRV_PURPOSE", "LST_PURPOSE"),
    ("MIL_KINDS", "LST_KIND"),
    ("MIL_STEPS", "LST_STEP"),
    ("MIL_PROV", "LST_PROVENANCE"),
    ("IN_NATURE", "LST_NATURE"),
    ("IN_COMMITMENT", "LST_COMMITMENT"),
    ("IN_PROFILE", "LST_PROFILE"),
    ("IN_ROUTE", "ROUTES"),
    ("IN_PROV", "LST_PROVENANCE"),
)
_LISTED_FORMULA = "=" + "+".join(
    f'SUMPRODUCT(({column}<>"")*(COUNTIF({names},{column})=0))' for column, names in _CODED_COLUMNS
)


CHECKS: tuple[Check, ...] = (
    Check(
        "ENVELOPE_AE",
        "AE engagées de chaque exercice dans les AE disponibles",
        "AE committed in every year within the AE available",
        "Chaque année, les engagements ne dépassent pas les AE ouvertes, nettes de réserve, "
        "plus les AE reportées (feuille Crédits).",
        "Every year, commitments stay within the AE opened net of reserve plus the AE carried "
        "over (Credits sheet).",
        _envelope_ae,
        "=SUMPRODUCT(--(ROUND(CR_AE_UNUSED,2)<0))",
    ),
    Check(
        "ENVELOPE_CP",
        "CP payés de chaque exercice dans les CP disponibles",
        "CP paid in every year within the CP available",
        "Chaque année, les paiements ne dépassent pas les CP ouverts, nets de réserve, plus les "
        "CP reportés ; l'écart est ce qu'il faut demander en loi de finances.",
        "Every year, payments stay within the CP opened net of reserve plus the CP carried "
        "over; the gap is what the finance bill must open.",
        _envelope_cp,
        "=SUMPRODUCT(--(ROUND(CR_CP_PAID,2)>ROUND(CR_CP_AVAILABLE,2)))",
    ),
    Check(
        "CP_CARRY_OVER",
        "Les CP non consommés tiennent dans le plafond de report (LOLF art. 15)",
        "Unused CP fit within the carry-over cap (LOLF art. 15)",
        "Au-delà de 3 % des crédits initiaux du programme, les CP non consommés sont perdus.",
        "Beyond 3% of the programme's initial credits, unused CP lapse.",
        _cp_carry_over,
        "=SUMPRODUCT(--(ROUND(CR_CP_LOST,2)>0))",
    ),
    Check(
        "AE_CARRY",
        "Les AE reportées n'excèdent pas les AE non engagées de l'exercice précédent",
        "AE carried over do not exceed the previous year's unused AE",
        "Le report d'AE est une décision, limitée à ce qui n'a pas été engagé.",
        "Carrying AE over is a decision, limited to what was left uncommitted.",
        _ae_carry,
        "=SUMPRODUCT(--(ROUND(CR_AE_CARRIED_IN,2)>ROUND(CR_AE_CARRY_LIMIT,2)))",
    ),
    Check(
        "AE_YEAR_COVERED",
        "Chaque engagement tombe sur un exercice doté d'une enveloppe",
        "Every commitment falls in a year that has an envelope",
        "Une ligne engagée une année sans enveloppe n'a pas de crédits pour la couvrir.",
        "A line committed in a year without an envelope has no credits behind it.",
        _ae_year_covered,
        '=SUMPRODUCT((PH_PILOT<>"")*(COUNTIF(ENV_YEARS,PH_AEYEAR)=0))',
    ),
    Check(
        "AE_AT_AWARD",
        "Chaque ligne consomme ses AE l'année de son engagement juridique (attribution)",
        "Each line consumes its AE in the year of its legal commitment (award)",
        "Les AE sont consommées à la signature du marché : l'année d'engagement suit le jalon "
        "d'attribution de la ligne.",
        "AE are consumed when the contract is signed: the commitment year follows the line's "
        "award milestone.",
        _ae_at_award,
        "=COUNTIF(PH_AWARD_OK,FALSE)",
    ),
    Check(
        "PROCEDURE_TIME",
        "Chaque attribution laisse après le lancement le délai minimal de sa procédure",
        "Each award leaves the route's statutory minimum after the launch",
        "Un appel d'offres ouvert demande au moins 35 jours pour les offres et 11 jours de "
        "suspension avant la signature : les délais de chaque procédure sont dans les Paramètres.",
        "An open tender needs at least 35 days for bids and an 11-day standstill before signing: "
        "each route's durations are on the Parameters sheet.",
        _procedure_time,
        "=COUNTIF(PH_PROCEDURE_OK,FALSE)",
    ),
    Check(
        "TRANSFER",
        "Un transfert nomme le programme bénéficiaire et déplace ses crédits dans l'année",
        "A transfer names the receiving programme and moves its credits within the year",
        "Des crédits pour un autre programme (la CNIL : programme 308) sont un transfert, pas "
        "une dépense ni une subvention.",
        "Credits for another programme (the CNIL: programme 308) are a transfer, not spending "
        "nor a grant.",
        _transfers,
        "=COUNTIF(PH_TRANSFER_OK,FALSE)",
    ),
    Check(
        "VIREMENT_CAP",
        "Les virements vers les autres programmes du ministère restent sous le plafond",
        "Virements to the ministry's other programmes stay under the cap",
        "Chaque année, les virements ne dépassent pas 2 % des crédits initiaux (LOLF art. 12).",
        "Every year, virements stay within 2% of the initial credits (LOLF art. 12).",
        _virements,
        "=SUMPRODUCT(--(ROUND(CR_VIREMENTS,2)>ROUND(CR_VIREMENT_CAP,2)))",
    ),
    Check(
        "PILOT_PROGRAMME",
        "Chaque pilote relève du programme d'une enveloppe ou d'une délégation de gestion",
        "Every pilot is on an envelope's programme or has a délégation de gestion",
        "Les services de police ou de gendarmerie dépensent les crédits du programme 216 par "
        "délégation de gestion.",
        "Police or gendarmerie services spend programme 216 credits by délégation de gestion.",
        _pilot_programme,
        '=SUMPRODUCT((PIL_IDS<>"")*(COUNTIF(ENV_PROGRAMMES,PIL_PROGRAMME)=0)*(PIL_DELEGATION=""))',
    ),
    Check(
        "IMPUTATION",
        "L'imputation Chorus de chaque ligne relève du programme de son pilote",
        "Each line's Chorus imputation is on its pilot's programme",
        "Le centre financier et le domaine fonctionnel commencent par le numéro du programme.",
        "The centre financier and the domaine fonctionnel start with the programme's number.",
        _imputation,
        "=COUNTIF(PH_IMPUTATION_OK,FALSE)",
    ),
    Check(
        "TITRE2",
        "Titre 2 de chaque exercice dans la part de titre 2 ouverte (jamais de fongibilité vers le T2)",
        "Titre 2 of every year within the titre 2 credits opened (never moved into T2)",
        "Chaque année, les dépenses de personnel ne dépassent pas les crédits de titre 2 nets de "
        "réserve.",
        "Every year, personnel spending stays within the titre 2 credits net of reserve.",
        _titre2,
        "=SUMPRODUCT(--(ROUND(CR_T2_COMMITTED,2)>ROUND(CR_T2_AVAILABLE,2)))",
    ),
    Check(
        "CP_TIES",
        "Les CP mensuels de chaque ligne égalent son montant TTC au centime",
        "Each line's monthly CP add up to its amount incl. VAT, to the cent",
        "Une échéance explicite qui ne totalise pas la ligne, ou qui sort de la période, est signalée.",
        "An explicit schedule that does not add up to the line, or falls outside the period, fails.",
        _cp_ties,
        "=COUNTIF(PH_TIES,FALSE)",
    ),
    Check(
        "CP_TOTAL",
        "Le total des CP égale le total des AE",
        "Total CP equals total AE",
        "Tout ce qui est engagé est payé dans la période de l'échéancier.",
        "Everything committed is paid within the phasing period.",
        _cp_total,
        "=IF(ROUND(SUM(PH_MONTH_TOTALS)*100,0)=ROUND(SUM(PH_TTC)*100,0),0,1)",
    ),
    Check(
        "CP_AFTER_AE",
        "Aucun paiement avant l'année d'engagement",
        "No payment before the commitment year",
        "Les CP ne peuvent être consommés qu'après l'engagement juridique (AE).",
        "CP can only be paid once the legal commitment (AE) is made.",
        _cp_after_ae,
        "=COUNTIF(PH_AFTER_AE,FALSE)",
    ),
    Check(
        "NON_NEGATIVE",
        "Aucune quantité ni coût unitaire négatif",
        "No negative quantity or unit cost",
        "Un montant négatif masquerait un dépassement.",
        "A negative amount would hide an overrun.",
        _non_negative,
        "=SUMPRODUCT(--(((IN_QTY<0)+(IN_UNIT<0))>0))",
    ),
    Check(
        "ESTIMATE_RANGE",
        "Estimation basse ≤ montant HT ≤ estimation haute",
        "Low estimate ≤ amount excl. VAT ≤ high estimate",
        "Le montant retenu (quantité × coût unitaire) est dans la fourchette d'estimation.",
        "The planned amount (quantity × unit cost) lies within the estimate range.",
        _estimate_range,
        "=SUMPRODUCT(--(((PH_HT<IN_LOW)+(PH_HT>IN_HIGH))>0))",
    ),
    Check(
        "PROVENANCE",
        "Chaque hypothèse porte sa justification",
        "Every assumption carries its rationale",
        "Une ligne marquée hypothèse sans justification ne peut pas être revue.",
        "A line marked as an assumption without a rationale cannot be reviewed.",
        _provenance,
        '=COUNTIFS(IN_PROV,"@Provenance.assumption",IN_RATIONALE,"")',
    ),
    Check(
        "MILESTONE_PROVENANCE",
        "Chaque jalon dit d'où vient sa date (source, ou hypothèse justifiée)",
        "Every milestone says where its date comes from (a source, or a reasoned assumption)",
        "Une date de loi, de décret ou d'attribution sans source ni justification ne peut pas "
        "être revue.",
        "A date of a law, a decree or an award without a source or a rationale cannot be reviewed.",
        _milestone_provenance,
        '=COUNTIFS(MIL_PILOTS,"?*",MIL_PROV,"")+COUNTIFS(MIL_PROV,"@Provenance.assumption",'
        'MIL_RATIONALE,"")',
    ),
    Check(
        "ROUTE",
        "La procédure d'achat est admise par le montant",
        "The procurement route is allowed by the amount",
        "Au-delà des seuils, une procédure formalisée (ou l'UGAP) est obligatoire.",
        "Above the thresholds a formal tender (or UGAP) is required.",
        _route,
        "=COUNTIF(PH_ROUTE_OK,FALSE)",
    ),
    Check(
        "READINESS",
        "Chaque pilote est opérationnel à temps pour chaque événement, et probablement",
        "Every pilot is operational in time for each event it serves, and likely to be",
        "Opérationnel avant le délai requis, et à temps dans au moins la part des tirages du "
        "calendrier fixée en paramètre (50 %) : voir le tableau de préparation (Calendrier).",
        "Operational before its lead time, and in time in at least the share of the schedule's "
        "draws set as a parameter (50%): see the readiness table on the Timeline sheet.",
        _readiness,
        "=COUNTIF(RD_LATE,TRUE)",
    ),
    Check(
        "MILESTONE_ORDER",
        "Chaque jalon suit ses prérequis",
        "Every milestone comes after its prerequisites",
        "Une livraison avant l'attribution, un déploiement avant sa base légale, sont signalés.",
        "Delivery before award, or deployment before its legal basis, fails.",
        _milestone_order,
        "=COUNTIF(MIL_DEPS_OK,FALSE)",
    ),
    Check(
        "SCHEDULE_CURRENT",
        "Les dates calculées tiennent compte des durées et dépendances saisies",
        "The computed dates follow the durations and prerequisites as typed",
        "Les dates des jalons à durée sont calculées par budgetplan : après la modification "
        "d'une durée, d'un prérequis ou d'une date, `budgetplan reconcile` puis `build` les "
        "recalculent.",
        "Dates of milestones with a duration are computed by budgetplan: after editing a "
        "duration, a prerequisite or a date, `budgetplan reconcile` then `build` recompute them.",
        _schedule_current,
        "=COUNTIF(MIL_CURRENT,FALSE)",
    ),
    Check(
        "INTRUSIVE_SUPERVISED",
        "Les pilotes intrusifs (niveau 3-4) ont une base légale et un organe de contrôle",
        "Intrusive pilots (level 3-4) have a legal basis and a supervising body",
        "Approche par les risques : les technologies les plus intrusives sont encadrées.",
        "Risk-based approach: the most intrusive technologies are supervised.",
        _intrusive_supervised,
        '=SUMPRODUCT((PIL_INTR>=INTRUSIVE_LEVEL)*(((PIL_BASIS="")+(PIL_SUPERVISOR=""))>0))',
    ),
    Check(
        "HUMAN_IN_LOOP",
        "Toute décision automatisée garde un humain dans la boucle",
        "Every automated decision keeps a human in the loop",
        "Principe du rapport : l'humain reste dans la boucle de décision.",
        "Principle of the report: a human stays in the decision loop.",
        _human_in_loop,
        "=SUMPRODUCT((PIL_AUTOMATES=TRUE)*(PIL_HUMAN=FALSE))",
    ),
    # The governance checks count with COUNTIFS, which skips error cells: the milestones' dates
    # (and the evaluations' completeness) are named in their formulas, so that an error in
    # them makes the check FALSE even when another row would have satisfied it.
    Check(
        "IMPACT_ASSESSMENT",
        "Chaque pilote intrusif a une analyse d'impact (AIPD) avant d'opérer",
        "Every intrusive pilot has an impact assessment (AIPD) before it operates",
        "RGPD art. 35 et directive « police-justice » : l'analyse d'impact précède le "
        "traitement (niveau d'intrusivité en paramètre, feuille Évaluation).",
        "GDPR art. 35 and the law-enforcement directive: the impact assessment comes before "
        "the processing (intrusiveness level as a parameter, Evaluation sheet).",
        _impact_assessment,
        "=COUNTIF(GOV_IMPACT_OK,FALSE)+SUMPRODUCT(--ISERROR(MIL_DATES))",
    ),
    Check(
        "ACCREDITATION",
        "Chaque système d'un pilote intrusif est homologué avant d'opérer",
        "Every intrusive pilot's system is accredited before it operates",
        "Homologation de sécurité (RGS, IGI 1300) : l'autorité d'homologation accepte les "
        "risques résiduels avant la mise en service.",
        "Security accreditation (RGS, IGI 1300): the accrediting authority accepts the residual "
        "risks before the system goes live.",
        _accreditation,
        "=COUNTIF(GOV_ACCREDITATION_OK,FALSE)+SUMPRODUCT(--ISERROR(MIL_DATES))",
    ),
    Check(
        "EVALUATION_PLAN",
        "Chaque pilote intrusif a une évaluation complète et indépendante",
        "Every intrusive pilot has a complete, independent evaluation",
        "Indicateur, situation de référence et sa mesure, cible, protocole, évaluateur "
        "indépendant, date de publication et ligne qui la finance (feuille Évaluation).",
        "Indicator, baseline and how it is measured, target, protocol, independent evaluator, "
        "publication date and the line that pays for it (Evaluation sheet).",
        _evaluation_plan,
        "=COUNTIF(GOV_EVALUATED_OK,FALSE)+SUMPRODUCT(--ISERROR(EV_COMPLETE))",
    ),
    Check(
        "GO_NO_GO",
        "Chaque pilote intrusif a une décision d'étape avant l'événement où il doit opérer",
        "Every intrusive pilot has an interim go/no-go before the event it must operate at",
        "Après les événements d'essai (Coupe du monde de rugby) et avant le premier événement "
        "où il doit opérer, une décision de poursuivre ou d'arrêter.",
        "After the trial events (Rugby World Cup) and before the first event it must operate "
        "at, a decision to go on or stop.",
        _go_no_go,
        "=COUNTIF(GOV_GATE_OK,FALSE)+SUMPRODUCT(--ISERROR(MIL_DATES))",
    ),
    Check(
        "SUPERVISED_BEFORE",
        "L'organe de contrôle de chaque pilote intrusif est en place avant qu'il opère",
        "Every intrusive pilot's supervising body is in place before it operates",
        "Le jalon « contrôlé à partir de » (Pilotes) précède le premier jalon opérationnel.",
        "The 'supervised from' milestone (Pilots) comes before the first operational one.",
        _supervised_before,
        "=COUNTIF(GOV_SUPERVISION_OK,FALSE)+SUMPRODUCT(--ISERROR(MIL_DATES))",
    ),
    Check(
        "UNIQUE_IDS",
        "Les codes des lignes sont uniques",
        "Cost-line ids are unique",
        "Chaque ligne garde un code stable, jamais un numéro de ligne.",
        "Each line keeps a stable id, never a row number.",
        _unique_ids,
        '=SUMPRODUCT((IN_IDS<>"")*(COUNTIF(IN_IDS,IN_IDS)>1))',
    ),
    Check(
        "PHASING_ROWS",
        "L'échéancier couvre toutes les lignes de coût",
        "The phasing covers every cost line",
        "Une ligne ajoutée ou supprimée dans la saisie doit l'être dans l'échéancier (reconstruire).",
        "A line added or removed in the inputs needs the phasing rebuilt.",
        _phasing_rows,
        "=ABS(ROWS(IN_IDS)-ROWS(PH_IDS))",
    ),
    Check(
        "LISTS",
        "Chaque valeur à choisir est prise dans sa liste déroulante",
        "Every value to choose is taken from its drop-down list",
        "Les formules lisent les libellés des listes (Paramètres, listes déroulantes) : un code "
        "ou un autre texte saisi à la place n'est compté nulle part.",
        "The formulas read the names of the lists (Parameters, drop-down lists): a code or "
        "other text typed instead is counted nowhere.",
        _listed,
        _LISTED_FORMULA,
    ),
)

CHECK_CODES = tuple(c.code for c in CHECKS)


@dataclass(frozen=True)
class CheckResult:
    spec: Check
    ok: bool
    count: int  # number of exceptions (lines, pilots, milestones…); for amounts, 0 or 1
    findings: tuple[Finding, ...]


def run_checks(fig: Figures) -> list[CheckResult]:
    """Every check of ``CHECKS`` over the figures, in order."""
    results = []
    for check in CHECKS:
        found = tuple(check.rule(fig))
        results.append(CheckResult(check, not found, len(found), found))
    return results


def master_ok(results: list[CheckResult]) -> bool:
    return all(r.ok for r in results)
