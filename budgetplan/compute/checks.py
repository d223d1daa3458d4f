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
from budgetplan.core.codes import name as code_name
from budgetplan.core.findings import Finding, Severity, in_lang, said
from budgetplan.core.formula_names import names_in
from budgetplan.core.labels import Lang
from budgetplan.core.model import Commitment, MilestoneKind, Nature, Provenance, Route
from budgetplan.core.money import eur, from_cents, to_cents

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

    def result_formula(self, count_cell: str, typed_numbers: tuple[str, ...] = ()) -> str:
        """The TRUE/FALSE cell of the check: no exception counted in ``count_cell``, and no
        error in any range the count reads. A check whose inputs hold an error is FALSE (it
        fails closed): COUNTIF skips error cells, so the count alone could pass untested.
        ``typed_numbers``: the names it reads over cells typed as numbers or booleans, where
        text typed (``deux``, ``non``) counts as an error too."""
        guards = "".join(f"+SUMPRODUCT(--ISERROR({name}))" for name in names_in(self.formula))
        guards += "".join(f"+SUMPRODUCT(--ISTEXT({name}))" for name in typed_numbers)
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
        return said(
            f"raise the {what} of the {year} envelope (to ask for in the {year} finance bill)",
            f"relever les {what} de l'enveloppe {year} (à demander en loi de finances {year})",
        )
    return said(
        f"add a {year} envelope with these {what} (to ask for in the {year} finance bill)",
        f"ajouter une enveloppe {year} avec ces {what} (à demander en loi de finances {year})",
    )


def _fr(cents: int, *, unit: bool = True) -> str:
    """An amount as the French text writes it."""
    return eur(cents, "fr", unit=unit)


def _envelope_ae(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.ae_unused < 0:
            provision = f" and {eur(yc.ae_provision)} of provision" if yc.ae_provision else ""
            prov_fr = f" et {_fr(yc.ae_provision)} de provision" if yc.ae_provision else ""
            ask = _ask(yc.year, yc.has_envelope, "AE")
            yield _err(
                "ENVELOPE_AE",
                said(
                    f"AE {yc.year}: {eur(yc.ae_committed)} committed{provision} exceed the "
                    f"{eur(yc.ae_available)} available (net of reserve, with AE carried in) "
                    f"by {eur(-yc.ae_unused)}",
                    f"AE {yc.year} : {_fr(yc.ae_committed)} engagés{prov_fr} dépassent les "
                    f"{_fr(yc.ae_available)} disponibles (nets de réserve, reports compris) "
                    f"de {_fr(-yc.ae_unused)}",
                ),
                said(
                    f"cut or defer commitments, carry unused AE over, or {ask}",
                    f"réduire ou décaler des engagements, reporter des AE, ou {in_lang(ask, 'fr')}",
                ),
                _envelope_at(fig, yc.year, "ae"),
            )


def _envelope_cp(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.cp_paid > yc.cp_available:
            yield _err(
                "ENVELOPE_CP",
                said(
                    f"CP {yc.year}: {eur(yc.cp_paid)} to pay exceed the {eur(yc.cp_available)} "
                    f"available (net of reserve, with CP carried in) by "
                    f"{eur(yc.cp_paid - yc.cp_available)}",
                    f"CP {yc.year} : {_fr(yc.cp_paid)} à payer dépassent les "
                    f"{_fr(yc.cp_available)} disponibles (nets de réserve, reports compris) de "
                    f"{_fr(yc.cp_paid - yc.cp_available)}",
                ),
                said(
                    f"move payments or {_ask(yc.year, yc.has_envelope, 'CP')}",
                    f"décaler des paiements ou {in_lang(_ask(yc.year, yc.has_envelope, 'CP'), 'fr')}",
                ),
                _envelope_at(fig, yc.year, "cp"),
            )


def _cp_carry_over(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.cp_lost > 0:
            rate = f"{(fig.programme.carry_over_rate * 100).normalize():f}"
            yield _err(
                "CP_CARRY_OVER",
                said(
                    f"CP {yc.year}: {eur(yc.cp_unused)} left unused, of which only "
                    f"{eur(yc.carry_cap)} can be carried over (cap of {rate}% of "
                    f"{eur(yc.carry_base)} of initial credits): {eur(yc.cp_lost)} lapse",
                    f"CP {yc.year} : {_fr(yc.cp_unused)} non consommés, dont seulement "
                    f"{_fr(yc.carry_cap)} reportables (plafond de {rate} % de "
                    f"{_fr(yc.carry_base)} de crédits initiaux) : {_fr(yc.cp_lost)} annulés",
                ),
                said(
                    f"open less CP in {yc.year} and ask for them in {yc.year + 1}, or pay earlier",
                    f"ouvrir moins de CP en {yc.year} et les demander en {yc.year + 1}, ou payer plus tôt",
                ),
                _envelope_at(fig, yc.year, "cp"),
            )


def _ae_carry(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.ae_carried_in > yc.ae_carry_limit:
            yield _err(
                "AE_CARRY",
                said(
                    f"AE {yc.year}: {eur(yc.ae_carried_in)} carried in exceed the "
                    f"{eur(yc.ae_carry_limit)} left unused in {yc.year - 1}",
                    f"AE {yc.year} : {_fr(yc.ae_carried_in)} reportées dépassent les "
                    f"{_fr(yc.ae_carry_limit)} non engagées en {yc.year - 1}",
                ),
                said(
                    f"carry at most {eur(yc.ae_carry_limit)} into {yc.year}",
                    f"reporter au plus {_fr(yc.ae_carry_limit)} sur {yc.year}",
                ),
                _envelope_at(fig, yc.year, "ae_carried_in"),
            )


def _ae_year_covered(fig: Figures) -> Iterator[Finding]:
    p = fig.programme
    for i, lf in enumerate(fig.lines):
        if p.envelope(lf.line.ae_year) is None:
            yield _err(
                "AE_YEAR_COVERED",
                said(
                    f"line {lf.line.id} is committed in {lf.line.ae_year}, a year with no envelope",
                    f"la ligne {lf.line.id} est engagée en {lf.line.ae_year}, année sans enveloppe",
                ),
                said(
                    f"set ae_year to one of {sorted(e.year for e in p.envelopes)} or add an envelope",
                    f"choisir une année d'engagement parmi {sorted(e.year for e in p.envelopes)} "
                    "ou ajouter une enveloppe",
                ),
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
        found_fr = f"le {when:%d/%m/%Y}" if when else "inconnue"
        if line.commitment is Commitment.ORDER:
            msg = said(
                f"line {line.id} is an order in {line.ae_year}, but its framework's award "
                f"{line.award} is {found}: an order comes after its framework",
                f"la ligne {line.id} est un bon de commande de {line.ae_year}, mais la "
                f"notification de son accord-cadre {line.award} est {found_fr} : la commande "
                "suit l'accord-cadre",
            )
            hint = (
                said(f"set ae_year to {when.year} or later", f"engager en {when.year} ou après")
                if when
                else said("name the framework's award", "nommer la notification de l'accord-cadre")
            )
        else:
            msg = said(
                f"line {line.id} consumes its AE in {line.ae_year}, but its award {line.award} is "
                f"{found}: AE are consumed at the legal commitment",
                f"la ligne {line.id} consomme ses AE en {line.ae_year}, mais sa notification "
                f"{line.award} est {found_fr} : les AE sont consommées à l'engagement juridique",
            )
            hint = (
                said(f"set ae_year to {when.year}", f"engager en {when.year}")
                if when
                else said(
                    "name an existing award milestone", "nommer un jalon de notification existant"
                )
            )
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
                said(
                    f"line {line.id}: milestone {missing} does not exist",
                    f"ligne {line.id} : le jalon {missing} n'existe pas",
                ),
                said(
                    "name an existing milestone of the line's pilot",
                    "nommer un jalon existant du pilote de la ligne",
                ),
                ("cost_lines", i, "tender" if launch is None else "award"),
            )
            continue
        yield _err(
            "PROCEDURE_TIME",
            said(
                f"line {line.id}: award {line.award} on {award:%d/%m/%Y} is "
                f"{(award - launch).days} days after the launch {line.tender} on "
                f"{launch:%d/%m/%Y}; a {line.route.value} procedure takes at least {minimum} days",
                f"ligne {line.id} : la notification {line.award} du {award:%d/%m/%Y} vient "
                f"{(award - launch).days} jours après le lancement {line.tender} du "
                f"{launch:%d/%m/%Y} ; une procédure « {code_name(line.route, Route, 'fr')} » "
                f"demande au moins {minimum} jours",
            ),
            said(
                f"move the award to {launch + dt.timedelta(days=minimum):%d/%m/%Y} or later",
                f"reporter la notification au {launch + dt.timedelta(days=minimum):%d/%m/%Y} ou après",
            ),
            ("cost_lines", i, "award"),
        )


def _transfers(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        if lf.transfer_ok:
            continue
        line = lf.line
        if (line.nature.value == "transfer") != bool(line.transfer_to):
            msg = said(
                f"line {line.id}: a transfer is of nature transfer and names its programme",
                f"ligne {line.id} : un transfert est de nature Transfert et nomme son programme",
            )
            hint = said(
                "set nature to transfer and transfer_to to the receiving programme, or neither",
                "choisir la nature Transfert et le programme bénéficiaire, ou ni l'un ni l'autre",
            )
            where: tuple[str | int, ...] = ("cost_lines", i, "transfer_to")
        else:
            msg = said(
                f"line {line.id}: a transfer to programme {line.transfer_to} moves all its "
                f"credits in {line.ae_year}, its commitment year",
                f"ligne {line.id} : un transfert au programme {line.transfer_to} déplace tous "
                f"ses crédits en {line.ae_year}, son année d'engagement",
            )
            hint = said(
                "schedule its CP in its AE year (one line per year's transfer)",
                "placer ses CP dans son année d'AE (une ligne par transfert annuel)",
            )
            where = ("cost_lines", i, "cp")
        yield _err("TRANSFER", msg, hint, where)


def _virements(fig: Figures) -> Iterator[Finding]:
    rate = (fig.programme.virement_rate * 100).normalize()
    for yc in fig.credits:
        if yc.virements > yc.virement_cap:
            yield _err(
                "VIREMENT_CAP",
                said(
                    f"{yc.year}: {eur(yc.virements)} moved to the ministry's other programmes "
                    f"exceed the cap of {eur(yc.virement_cap)} ({rate:f}% of "
                    f"{eur(yc.carry_base)} of initial credits, LOLF art. 12)",
                    f"{yc.year} : {_fr(yc.virements)} virés vers les autres programmes du "
                    f"ministère dépassent le plafond de {_fr(yc.virement_cap)} ({rate:f} % de "
                    f"{_fr(yc.carry_base)} de crédits initiaux, LOLF art. 12)",
                ),
                said(
                    "move less, or spend it through a délégation de gestion instead",
                    "virer moins, ou dépenser par délégation de gestion",
                ),
                _envelope_at(fig, yc.year, "programme_initial_cp"),
            )


def _pilot_programme(fig: Figures) -> Iterator[Finding]:
    programmes = sorted({e.budget_programme for e in fig.programme.envelopes})
    for pi, (pilot, pf) in enumerate(zip(fig.programme.pilots, fig.pilots, strict=True)):
        if not pf.programme_ok:
            yield _err(
                "PILOT_PROGRAMME",
                said(
                    f"pilot {pilot.id} is on programme {pilot.budget_programme}, which has no "
                    f"envelope ({', '.join(programmes)}), and names no délégation de gestion",
                    f"le pilote {pilot.id} relève du programme {pilot.budget_programme}, sans "
                    f"enveloppe ({', '.join(programmes)}), et ne nomme aucune délégation de gestion",
                ),
                said(
                    "set its programme to an envelope's, or describe the délégation de gestion",
                    "le rattacher au programme d'une enveloppe, ou décrire la délégation de gestion",
                ),
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
            said(
                f"line {line.id}: {field} {getattr(line, field)} is not on programme {head}, its "
                f"pilot {line.pilot}'s",
                f"ligne {line.id} : {field.replace('_', ' ')} {getattr(line, field)} hors du "
                f"programme {head} de son pilote {line.pilot}",
            ),
            said(
                f"use a {field} of programme {head} (for example {head}-01)",
                f"prendre un {field.replace('_', ' ')} du programme {head} (par exemple {head}-01)",
            ),
            ("cost_lines", i, field),
        )


def _titre2(fig: Figures) -> Iterator[Finding]:
    for yc in fig.credits:
        if yc.t2_committed > yc.t2_available:
            yield _err(
                "TITRE2",
                said(
                    f"titre 2 {yc.year}: lines of {eur(yc.t2_committed)} exceed the titre 2 "
                    f"credits net of reserve ({eur(yc.t2_available)}); credits may never move "
                    "into titre 2",
                    f"titre 2 {yc.year} : des lignes de {_fr(yc.t2_committed)} dépassent les "
                    f"crédits de titre 2 nets de réserve ({_fr(yc.t2_available)}) ; aucun crédit "
                    "ne peut abonder le titre 2",
                ),
                said(
                    "reduce the personnel lines or open more titre 2 credits in the envelope",
                    "réduire les lignes de personnel ou ouvrir plus de titre 2 dans l'enveloppe",
                ),
                _envelope_at(fig, yc.year, "titre2"),
            )


def _cp_ties(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        if lf.cp_ties:
            continue
        if lf.cp_outside_period:
            msg = said(
                f"line {lf.line.id}: {eur(lf.cp_outside_period)} of CP fall outside the "
                f"phasing period",
                f"ligne {lf.line.id} : {_fr(lf.cp_outside_period)} de CP tombent hors de la "
                "période de l'échéancier",
            )
            hint = said(
                "move the CP months inside the period or extend period.months",
                "ramener les mois de CP dans la période, ou allonger la période",
            )
        else:
            msg = said(
                f"line {lf.line.id}: monthly CP add up to {eur(sum(lf.monthly))}, "
                f"not the line's {eur(lf.ttc)}",
                f"ligne {lf.line.id} : les CP mensuels totalisent {_fr(sum(lf.monthly))}, "
                f"pas les {_fr(lf.ttc)} de la ligne",
            )
            hint = said(
                "make the explicit amounts add up to quantity × unit cost incl. VAT",
                "faire totaliser aux échéances quantité × coût unitaire TTC",
            )
        yield _err("CP_TIES", msg, hint, ("cost_lines", i, "cp"))


def _cp_total(fig: Figures) -> Iterator[Finding]:
    if fig.total_cp != fig.total_ae:
        yield _err(
            "CP_TOTAL",
            said(
                f"total CP {eur(fig.total_cp)} differ from total AE {eur(fig.total_ae)}",
                f"le total des CP ({_fr(fig.total_cp)}) diffère du total des AE "
                f"({_fr(fig.total_ae)})",
            ),
            said("see the CP_TIES exceptions", "voir les exceptions de CP_TIES"),
            ("cost_lines",),
        )


def _cp_after_ae(fig: Figures) -> Iterator[Finding]:
    dates = {k.upper(): v for k, v in fig.dates.items()}
    for i, lf in enumerate(fig.lines):
        line = lf.line
        if not lf.cp_after_ae and line.cp.first_month.year >= line.ae_year:
            award = dates.get((line.award or "").upper())
            when = f"{award:%d/%m/%Y}" if award else "?"
            yield _err(
                "CP_AFTER_AE",
                said(
                    f"line {line.id} pays from {line.cp.first_month:%m/%Y}, before its contract "
                    f"is awarded ({line.award}, {when}): a payment follows the legal commitment",
                    f"la ligne {line.id} paie dès {line.cp.first_month:%m/%Y}, avant la "
                    f"notification de son marché ({line.award}, {when}) : le paiement suit "
                    "l'engagement juridique",
                ),
                said(
                    f"start the payments in the award's month or after ({award:%m/%Y})"
                    if award
                    else f"date the award milestone {line.award}",
                    f"commencer les paiements le mois de la notification ou après ({award:%m/%Y})"
                    if award
                    else f"dater le jalon de notification {line.award}",
                ),
                ("cost_lines", i, "cp"),
            )
        elif not lf.cp_after_ae:
            yield _err(
                "CP_AFTER_AE",
                said(
                    f"line {line.id} pays from {line.cp.first_month:%m/%Y}, before its "
                    f"commitment year {line.ae_year}",
                    f"la ligne {line.id} paie dès {line.cp.first_month:%m/%Y}, avant son année "
                    f"d'engagement {line.ae_year}",
                ),
                said(
                    "start the payments in or after the AE year",
                    "commencer les paiements l'année de l'engagement ou après",
                ),
                ("cost_lines", i, "cp"),
            )


def _non_negative(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        line = lf.line
        if line.quantity < 0 or line.unit_cost < 0:
            field = "quantity" if line.quantity < 0 else "unit_cost"
            yield _err(
                "NON_NEGATIVE",
                said(
                    f"line {line.id} has a negative {field}",
                    f"la ligne {line.id} a une {'quantité' if field == 'quantity' else 'coût unitaire'} négati{'ve' if field == 'quantity' else 'f'}",
                ),
                said("amounts are >= 0", "les montants sont positifs ou nuls"),
                ("cost_lines", i, field),
            )


def _estimate_range(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        line = lf.line
        ht = from_cents(lf.ht)
        if not line.estimate.low <= ht <= line.estimate.high:
            yield _err(
                "ESTIMATE_RANGE",
                said(
                    f"line {line.id}: amount excl. VAT {eur(lf.ht, unit=False)} is outside its "
                    f"estimate {eur(to_cents(line.estimate.low), unit=False)} to "
                    f"{eur(to_cents(line.estimate.high), unit=False)}",
                    f"ligne {line.id} : le montant HT {_fr(lf.ht)} sort de son estimation de "
                    f"{_fr(to_cents(line.estimate.low))} à {_fr(to_cents(line.estimate.high))}",
                ),
                said(
                    "widen the estimate or correct quantity / unit cost",
                    "élargir l'estimation ou corriger la quantité ou le coût unitaire",
                ),
                ("cost_lines", i, "estimate"),
            )


def _provenance(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        line = lf.line
        if line.provenance is Provenance.ASSUMPTION and not line.rationale.strip():
            yield _err(
                "PROVENANCE",
                said(
                    f"line {line.id} is an assumption without a rationale",
                    f"la ligne {line.id} est une hypothèse sans justification",
                ),
                said(
                    "add a one-line rationale saying where the figure comes from",
                    "dire en une ligne d'où vient le chiffre",
                ),
                ("cost_lines", i, "rationale"),
            )


def _milestone_provenance(fig: Figures) -> Iterator[Finding]:
    for pi, pilot in enumerate(fig.programme.pilots):
        for mi, ms in enumerate(pilot.milestones):
            at: tuple[str | int, ...] = ("pilots", pi, "milestones", mi)
            if ms.provenance is None:
                yield _err(
                    "MILESTONE_PROVENANCE",
                    said(
                        f"milestone {ms.id} does not say where its date comes from",
                        f"le jalon {ms.id} ne dit pas d'où vient sa date",
                    ),
                    said(
                        "set its provenance: sourced (a text, a notice) or assumption, with a "
                        "rationale",
                        "indiquer son origine : Sourcé (un texte, un avis) ou Hypothèse, justifiée",
                    ),
                    (*at, "provenance"),
                )
            elif ms.provenance is Provenance.ASSUMPTION and not ms.rationale.strip():
                yield _err(
                    "MILESTONE_PROVENANCE",
                    said(
                        f"milestone {ms.id} is an assumption without a rationale",
                        f"le jalon {ms.id} est une hypothèse sans justification",
                    ),
                    said(
                        "say in one line what its date or duration rests on",
                        "dire en une ligne sur quoi reposent sa date ou sa durée",
                    ),
                    (*at, "rationale"),
                )


def _route(fig: Figures) -> Iterator[Finding]:
    for i, lf in enumerate(fig.lines):
        if lf.route_ok:
            continue
        line = lf.line
        only = ROUTE_NATURE.get(line.route)
        route_fr, implied_fr = (code_name(x, Route, "fr") for x in (line.route, lf.implied_route))
        hint = said(
            f"set route to {lf.implied_route} or a stricter one",
            f"choisir la procédure « {implied_fr} » ou une plus exigeante",
        )
        if only is not None and line.nature is not only:
            yield _err(
                "ROUTE",
                said(
                    f"line {line.id}: the '{line.route}' route is for {only.value} purchases, "
                    f"not {line.nature.value}",
                    f"ligne {line.id} : la procédure « {route_fr} » est réservée aux achats de "
                    f"nature « {code_name(only, Nature, 'fr')} », pas "
                    f"« {code_name(line.nature, Nature, 'fr')} »",
                ),
                hint,
                ("cost_lines", i, "route"),
            )
            continue
        amount = f"{eur(lf.ht)} excl. VAT"
        amount_fr = f"{_fr(lf.ht)} HT"
        if lf.need_ht != lf.ht:
            amount = (
                f"{eur(lf.ht)} excl. VAT, in the need '{lf.need}' of {eur(lf.need_ht)} "
                f"(thresholds apply to the whole need: splitting it does not lower them)"
            )
            amount_fr = (
                f"{_fr(lf.ht)} HT, dans le besoin '{lf.need}' de {_fr(lf.need_ht)} (les seuils "
                "s'appliquent au besoin entier : le découper ne les abaisse pas)"
            )
        in_force = fig.programme.thresholds_at(lf.launch or dt.date(line.ae_year, 1, 1))
        yield _err(
            "ROUTE",
            said(
                f"line {line.id}: {amount} needs at least the '{lf.implied_route}' route under "
                f"the thresholds in force from {in_force.valid_from:%d/%m/%Y}, not '{line.route}'",
                f"ligne {line.id} : {amount_fr} demande au moins la procédure « {implied_fr} » "
                f"sous les seuils en vigueur au {in_force.valid_from:%d/%m/%Y}, pas « {route_fr} »",
            ),
            hint,
            ("cost_lines", i, "route"),
        )


def _readiness(fig: Figures) -> Iterator[Finding]:
    p = fig.programme
    pilot_index = {pl.id: i for i, pl in enumerate(p.pilots)}
    for r in fig.readiness:
        if not r.late:
            continue
        pi = pilot_index[r.pilot]
        draws = f"{SCHEDULE_DRAWS:,}".replace(",", " ")
        if r.operational is None:
            msg = said(
                f"pilot {r.pilot} has no operational milestone but serves {r.event}",
                f"le pilote {r.pilot} n'a pas de jalon de mise en service mais sert {r.event}",
            )
            hint = said(
                "add a milestone of kind operational", "ajouter un jalon de nature Mise en service"
            )
        elif r.margin_days is not None and r.margin_days >= 0:
            msg = said(
                f"pilot {r.pilot} is planned operational on {r.operational:%d/%m/%Y}, "
                f"{r.margin_days} days before {r.required_by:%d/%m/%Y} (the latest date for "
                f"{r.event}), but is on time in only {r.probability:.0%} of the schedule's "
                f"{draws} draws, below the {r.threshold:.0%} required",
                f"le pilote {r.pilot} est prévu en service le {r.operational:%d/%m/%Y}, "
                f"{r.margin_days} jours avant le {r.required_by:%d/%m/%Y} (date limite pour "
                f"{r.event}), mais n'est à temps que dans {r.probability * 100:.0f} % des "
                f"{draws} tirages du calendrier, sous les {r.threshold * 100:.0f} % requis",
            )
            hint = said(
                "start the critical path earlier (the Milestones sheet gives each milestone's "
                "float) or narrow its durations' spreads with a rationale",
                "commencer plus tôt le chemin critique (la feuille Jalons donne la marge de "
                "chaque jalon) ou resserrer, en le justifiant, l'écart de ses durées",
            )
        else:
            late = -r.margin_days  # type: ignore[operator]
            msg = said(
                f"pilot {r.pilot} is operational on {r.operational:%d/%m/%Y}, "
                f"{late} days after {r.required_by:%d/%m/%Y}, the latest date "
                f"for {r.event} ({r.lead_days} days before its first day)",
                f"le pilote {r.pilot} est en service le {r.operational:%d/%m/%Y}, {late} jours "
                f"après le {r.required_by:%d/%m/%Y}, date limite pour {r.event} ({r.lead_days} "
                "jours avant son premier jour)",
            )
            hint = said(
                "bring the milestones forward or shorten the lead time",
                "avancer les jalons ou raccourcir le délai requis",
            )
        ops = [
            (fig.dates[m.id], mi)
            for mi, m in enumerate(p.pilots[pi].milestones)
            if m.kind is MilestoneKind.OPERATIONAL
        ]
        where: tuple[str | int, ...] = ("pilots", pi, "milestones")
        if ops:
            where = (*where, min(ops)[1], "date")
        yield _err("READINESS", msg, hint, where)


def _risk_overrun(fig: Figures) -> Iterator[Finding]:
    """The Risk sheet's simulation against the risk accepted (run once per figures, shared with
    the writer: ``risk.sheet_simulation``)."""
    from budgetplan.compute.risk import sheet_simulation
    from budgetplan.compute.risk_result import within_accepted

    accepted = fig.programme.risk_acceptance
    sim = sheet_simulation(fig)
    chance = round(sim.probability_over_envelope, 4)
    limit = round(float(accepted.overrun_probability), 4)
    if within_accepted(chance, limit):
        return
    provision, needed, net = (
        round(euros * 100)
        for euros in (sim.contingency_planned, sim.contingency_p80, sim.envelope_net)
    )
    yield _err(
        "RISK_OVERRUN",
        said(
            f"the cost exceeds the envelope net of reserve ({eur(net)}) in "
            f"{chance:.1%} of the Risk sheet's draws, above the {limit:.1%} accepted; the "
            f"provision held is {eur(provision)}, reaching P80 takes {eur(needed)}",
            f"le coût dépasse l'enveloppe nette de réserve ({_fr(net)}) "
            f"dans {_pct_fr(chance)} des tirages de la feuille Risque, au-delà des "
            f"{_pct_fr(limit)} acceptés ; la provision tenue est de {_fr(provision)}, atteindre "
            f"le P80 demande {_fr(needed)}",
        ),
        said(
            "hold a larger provision for contingencies (less scope elsewhere, or conditional "
            "tranches), or have the steering body accept the risk: the threshold and its "
            "rationale on the Parameters sheet",
            "tenir une provision pour aléas plus forte (moins de périmètre ailleurs, ou des "
            "tranches optionnelles), ou faire accepter le risque par le comité de pilotage : le "
            "seuil et sa justification dans la feuille Paramètres",
        ),
        ("risk_acceptance", "overrun_probability"),
    )


def _pct_fr(share: float) -> str:
    """A share as a French percentage, one decimal: 51,7 %."""
    return f"{share * 100:.1f} %".replace(".", ",")


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
            after_fr = f" + {lag} jours" if lag else ""
            yield _err(
                "MILESTONE_ORDER",
                said(
                    f"milestone {ms.id} ({day:%d/%m/%Y}) comes before its prerequisite "
                    f"{dep} ({dates[dep]:%d/%m/%Y}){after}",
                    f"le jalon {ms.id} ({day:%d/%m/%Y}) précède son prérequis {dep} "
                    f"({dates[dep]:%d/%m/%Y}){after_fr}",
                ),
                said(
                    "move the fixed date after its prerequisite, or give it a duration",
                    "placer la date fixée après son prérequis, ou lui donner une durée",
                ),
                ("pilots", pi, "milestones", mi, "date"),
            )


def _schedule_current(fig: Figures) -> Iterator[Finding]:
    """Always current here: the dates are computed from the inputs just read. In a workbook,
    each row compares its inputs with those its computed dates were made from."""
    yield from ()


def _intrusive_supervised(fig: Figures) -> Iterator[Finding]:
    for pi, (pilot, pf) in enumerate(zip(fig.programme.pilots, fig.pilots, strict=True)):
        if not pf.supervised:
            basis = not pilot.legal_basis.strip()
            missing = "a legal basis" if basis else "a supervising body"
            missing_fr = "base légale" if basis else "organe de contrôle"
            yield _err(
                "INTRUSIVE_SUPERVISED",
                said(
                    f"pilot {pilot.id} has intrusiveness {pilot.intrusiveness} without {missing}",
                    f"le pilote {pilot.id}, d'intrusivité {pilot.intrusiveness}, n'a pas de "
                    f"{missing_fr}",
                ),
                said(
                    "name the legal basis and the independent body that supervises it",
                    "nommer la base légale et l'organe indépendant qui le contrôle",
                ),
                ("pilots", pi),
            )


def _in_the_workbook_only(fig: Figures) -> Iterator[Finding]:
    """What only a workbook's cells can hold: a word typed where the model holds a number or a
    boolean, a titre outside its list, an error a formula shows. A programme is typed and
    computed in Python, so there is nothing here to find; what a cell read back holds instead
    is reconcile's BAD_VALUE, or its FORMULA_ERROR, at that cell. The check lives in the
    workbook's formula (tests/test_fail_closed.py turns it FALSE in LibreOffice)."""
    return iter(())


def _human_in_loop(fig: Figures) -> Iterator[Finding]:
    for pi, (pilot, pf) in enumerate(zip(fig.programme.pilots, fig.pilots, strict=True)):
        if not pf.human_ok:
            yield _err(
                "HUMAN_IN_LOOP",
                said(
                    f"pilot {pilot.id} automates a decision without a human in the loop",
                    f"le pilote {pilot.id} automatise une décision sans contrôle humain",
                ),
                said(
                    "set human_in_loop: true and describe the human check",
                    "prévoir le contrôle humain (VRAI) et le décrire",
                ),
                ("pilots", pi, "human_in_loop"),
            )


def _governance_findings(
    fig: Figures, ok: Callable[[Governance], bool], code: str, what: str, hint: str, field: str
) -> Iterator[Finding]:
    for pi, g in enumerate(fig.governance):
        if ok(g):
            continue
        ops = f" (operational on {g.operational:%d/%m/%Y})" if g.operational else ""
        ops_fr = f" (en service le {g.operational:%d/%m/%Y})" if g.operational else ""
        yield _err(
            code,
            said(
                f"pilot {g.pilot} (intrusiveness {g.intrusiveness}) has {what}{ops}",
                f"le pilote {g.pilot} (intrusivité {g.intrusiveness}) n'a {in_lang(what, 'fr')}"
                f"{ops_fr}",
            ),
            hint,
            ("pilots", pi, field),
        )


def _impact_assessment(fig: Figures) -> Iterator[Finding]:
    yield from _governance_findings(
        fig,
        lambda g: g.impact_ok,
        "IMPACT_ASSESSMENT",
        said(
            "no data-protection impact assessment (AIPD) dated before it operates",
            "pas d'analyse d'impact (AIPD) datée avant sa mise en service",
        ),
        said(
            "add a milestone with step impact_assessment before its operational milestone",
            "ajouter un jalon d'étape AIPD avant son jalon de mise en service",
        ),
        "milestones",
    )


def _accreditation(fig: Figures) -> Iterator[Finding]:
    yield from _governance_findings(
        fig,
        lambda g: g.accreditation_ok,
        "ACCREDITATION",
        said(
            "no security accreditation (homologation) of its system before it operates",
            "pas d'homologation de sécurité de son système avant sa mise en service",
        ),
        said(
            "add a milestone with step accreditation before its operational milestone",
            "ajouter un jalon d'étape Homologation avant son jalon de mise en service",
        ),
        "milestones",
    )


def _evaluation_plan(fig: Figures) -> Iterator[Finding]:
    yield from _governance_findings(
        fig,
        lambda g: g.evaluated_ok,
        "EVALUATION_PLAN",
        said(
            "no complete evaluation (indicator, baseline, target, protocol, independent "
            "evaluator, publication, paying line)",
            "pas d'évaluation complète (indicateur, référence, cible, protocole, évaluateur "
            "indépendant, publication, ligne qui la finance)",
        ),
        said(
            "fill an evaluation row for the pilot on the Evaluation sheet",
            "remplir une ligne d'évaluation du pilote sur la feuille Évaluation",
        ),
        "evaluations",
    )


def _go_no_go(fig: Figures) -> Iterator[Finding]:
    for pi, g in enumerate(fig.governance):
        if g.gate_ok:
            continue
        after = f"after {g.trial_end:%d/%m/%Y} and " if g.trial_end else ""
        after_fr = f"après le {g.trial_end:%d/%m/%Y} et " if g.trial_end else ""
        yield _err(
            "GO_NO_GO",
            said(
                f"pilot {g.pilot} (intrusiveness {g.intrusiveness}) has no go/no-go decision "
                f"{after}before {g.event:%d/%m/%Y}, the first day of the first event it must "
                "operate at",
                f"le pilote {g.pilot} (intrusivité {g.intrusiveness}) n'a pas de décision "
                f"d'étape {after_fr}avant le {g.event:%d/%m/%Y}, premier jour du premier "
                "événement où il doit être en service",
            ),
            said(
                "add a milestone with step go_no_go between its trial events and that event",
                "ajouter un jalon d'étape Décision d'étape entre ses essais et cet événement",
            ),
            ("pilots", pi, "milestones"),
        )


def _supervised_before(fig: Figures) -> Iterator[Finding]:
    yield from _governance_findings(
        fig,
        lambda g: g.supervision_ok,
        "SUPERVISED_BEFORE",
        said(
            "no supervising body in place before it operates (supervised_from: the milestone "
            "from which it oversees the pilot)",
            "pas d'organe de contrôle en place avant sa mise en service (« contrôlé à partir "
            "du » : le jalon d'où il contrôle le pilote)",
        ),
        said(
            "name the supervising body and set supervised_from to a milestone before it operates",
            "nommer l'organe de contrôle et un jalon « contrôlé à partir du » avant la mise "
            "en service",
        ),
        "supervised_from",
    )


def _unique_ids(fig: Figures) -> Iterator[Finding]:
    counts = Counter(lf.line.id for lf in fig.lines)
    for i, lf in enumerate(fig.lines):
        if counts[lf.line.id] > 1:
            yield _err(
                "UNIQUE_IDS",
                said(
                    f"line id {lf.line.id} is used {counts[lf.line.id]} times",
                    f"le code de ligne {lf.line.id} sert {counts[lf.line.id]} fois",
                ),
                said("give each line its own id", "donner à chaque ligne son propre code"),
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
        "TITRE_LISTED",
        "Chaque ligne est imputée sur un titre de la LOLF (2, 3, 5 ou 6)",
        "Every line is charged to a LOLF titre (2, 3, 5 or 6)",
        "Une ligne saisie sous un autre titre (4, « cinq ») ne figurerait dans aucun total par "
        "titre : la somme des titres ne serait plus le total des AE.",
        'A line typed under another titre (4, "five") would count in no total by titre: the '
        "titres would no longer add up to the total AE.",
        _in_the_workbook_only,
        '=SUMPRODUCT((PH_IDS<>"")*(COUNTIF(TITRES,PH_TITRE)=0))',
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
        "Aucun paiement avant l'engagement : ni avant l'année des AE, ni avant la notification",
        "No payment before the commitment: not before the AE year, nor before the award",
        "Les CP ne sont payés qu'après l'engagement juridique : pas avant l'année des AE, ni, pour "
        "une ligne notifiée à un jalon, avant le mois de cette notification (décret GBCP "
        "n° 2012-1246, art. 30 à 33 : engagement, liquidation, paiement).",
        "CP are paid only once the legal commitment is made: not before the AE year, nor, for a "
        "line awarded at a milestone, before that award's month (décret GBCP n° 2012-1246, "
        "art. 30-33: commitment, liquidation, payment).",
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
        "RISK_OVERRUN",
        "Le risque de dépasser l'enveloppe reste dans le seuil accepté",
        "The risk of exceeding the envelope stays within the threshold accepted",
        "La probabilité que le coût dépasse l'enveloppe nette de réserve (feuille Risque) ne "
        "dépasse pas le seuil des Paramètres (20 % sauf choix motivé du comité de pilotage) ; la "
        "Synthèse met la provision tenue en regard de celle qu'il faut pour atteindre le P80.",
        "The probability that the cost exceeds the envelope net of reserve (Risk sheet) is "
        "no more than the threshold on the Parameters sheet (20% unless the steering body "
        "chooses otherwise, with its reason); the Summary sets the provision held against what "
        "reaching P80 takes.",
        _risk_overrun,
        "=IF(RISK_PROB_OVER>OVERRUN_PROBABILITY,1,0)",
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
    Check(
        "TYPED_NUMBERS",
        "Chaque saisie de nombre, de date ou de VRAI/FAUX en est un",
        "Every number, date or TRUE/FALSE input holds one",
        "Un mot saisi à la place d'un nombre (« deux », « quarante mille ») ou de VRAI/FAUX "
        "(« non ») serait comparé comme du texte, sans erreur : les contrôles qui le lisent "
        "seraient faussés. Compte les saisies numériques, dates et booléens qui sont du texte.",
        'A word typed instead of a number ("two", "forty thousand") or of TRUE/FALSE '
        '("no") would be compared as text, with no error: the checks reading it would be '
        "wrong. Counts the number, date and boolean inputs that hold text.",
        _in_the_workbook_only,
        "=TYPED_AS_TEXT",
    ),
    Check(
        "FIGURES_SOUND",
        "Aucun chiffre de la Synthèse ni des Pilotes n'affiche d'erreur",
        "No figure of the Summary or the Pilots shows an error",
        "Les chiffres que l'officier lit sans qu'un contrôle les lise (Synthèse, AE et "
        "principes des Pilotes) : un #N/A ou un #VALEUR! y rend ce contrôle, et le contrôle "
        "général, FAUX.",
        "The figures the officer reads that no other check reads (the Summary, the Pilots' AE "
        "and principles): an #N/A or #VALUE! there makes this check, and the master check, "
        "FALSE.",
        _in_the_workbook_only,
        "=ERRORS_SHOWN",
    ),
)


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
