"""The programme's checks, computed in Python; the Checks sheet carries the same checks as formulas.

Each check has a stable code, a label and an explanation in both languages, and returns the
exceptions it found as findings that point at the offending field.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from budgetplan.compute import Figures
from budgetplan.findings import Finding, Severity
from budgetplan.labels import Lang
from budgetplan.model import MilestoneKind, Profile, Titre
from budgetplan.money import from_cents


@dataclass(frozen=True)
class CheckSpec:
    code: str
    fr: str
    en: str
    explain_fr: str
    explain_en: str

    def text(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en

    def explain(self, lang: Lang) -> str:
        return self.explain_fr if lang == "fr" else self.explain_en


CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "ENVELOPE_AE",
        "AE de l'exercice dans l'enveloppe nette de réserve",
        "AE of the budget year within the envelope net of reserve",
        "Les engagements programmés ne dépassent pas les AE ouvertes moins la réserve de précaution.",
        "Planned commitments do not exceed the AE opened less the precautionary reserve.",
    ),
    CheckSpec(
        "ENVELOPE_CP",
        "CP de l'exercice dans l'enveloppe nette de réserve",
        "CP of the budget year within the envelope net of reserve",
        "Les paiements de l'exercice ne dépassent pas les CP ouverts moins la réserve.",
        "Payments in the budget year do not exceed the CP opened less the reserve.",
    ),
    CheckSpec(
        "AE_YEAR_COVERED",
        "Chaque engagement tombe sur un exercice doté d'une enveloppe",
        "Every commitment falls in a year that has an envelope",
        "Une ligne engagée une année sans enveloppe n'a pas de crédits pour la couvrir.",
        "A line committed in a year without an envelope has no credits behind it.",
    ),
    CheckSpec(
        "TITRE2",
        "Titre 2 dans la part de titre 2 ouverte (jamais de fongibilité vers le T2)",
        "Titre 2 within the titre 2 credits opened (never moved into T2)",
        "Les dépenses de personnel ne dépassent pas les crédits de titre 2 nets de réserve.",
        "Personnel spending stays within the titre 2 credits net of reserve.",
    ),
    CheckSpec(
        "CP_TIES",
        "Les CP mensuels de chaque ligne égalent son montant TTC au centime",
        "Each line's monthly CP add up to its amount incl. VAT, to the cent",
        "Une échéance explicite qui ne totalise pas la ligne, ou qui sort de la période, est signalée.",
        "An explicit schedule that does not add up to the line, or falls outside the period, fails.",
    ),
    CheckSpec(
        "CP_TOTAL",
        "Le total des CP égale le total des AE",
        "Total CP equals total AE",
        "Tout ce qui est engagé est payé dans la période de l'échéancier.",
        "Everything committed is paid within the phasing period.",
    ),
    CheckSpec(
        "CP_AFTER_AE",
        "Aucun paiement avant l'année d'engagement",
        "No payment before the commitment year",
        "Les CP ne peuvent être consommés qu'après l'engagement juridique (AE).",
        "CP can only be paid once the legal commitment (AE) is made.",
    ),
    CheckSpec(
        "NON_NEGATIVE",
        "Aucune quantité ni coût unitaire négatif",
        "No negative quantity or unit cost",
        "Un montant négatif masquerait un dépassement.",
        "A negative amount would hide an overrun.",
    ),
    CheckSpec(
        "ESTIMATE_RANGE",
        "Estimation basse ≤ montant HT ≤ estimation haute",
        "Low estimate ≤ amount excl. VAT ≤ high estimate",
        "Le montant retenu (quantité × coût unitaire) est dans la fourchette d'estimation.",
        "The planned amount (quantity × unit cost) lies within the estimate range.",
    ),
    CheckSpec(
        "PROVENANCE",
        "Chaque hypothèse porte sa justification",
        "Every assumption carries its rationale",
        "Une ligne marquée hypothèse sans justification ne peut pas être revue.",
        "A line marked as an assumption without a rationale cannot be reviewed.",
    ),
    CheckSpec(
        "ROUTE",
        "La procédure d'achat est admise par le montant",
        "The procurement route is allowed by the amount",
        "Au-delà des seuils, une procédure formalisée (ou l'UGAP) est obligatoire.",
        "Above the thresholds a formal tender (or UGAP) is required.",
    ),
    CheckSpec(
        "READINESS",
        "Chaque pilote est opérationnel avant le délai requis pour chaque événement",
        "Every pilot is operational before its lead time for each event it serves",
        "Voir le tableau de préparation de la feuille Calendrier.",
        "See the readiness table on the Timeline sheet.",
    ),
    CheckSpec(
        "MILESTONE_ORDER",
        "Chaque jalon suit ses prérequis",
        "Every milestone comes after its prerequisites",
        "Une livraison avant l'attribution, un déploiement avant sa base légale, sont signalés.",
        "Delivery before award, or deployment before its legal basis, fails.",
    ),
    CheckSpec(
        "INTRUSIVE_SUPERVISED",
        "Les pilotes intrusifs (niveau 3-4) ont une base légale et un organe de contrôle",
        "Intrusive pilots (level 3-4) have a legal basis and a supervising body",
        "Approche par les risques : les technologies les plus intrusives sont encadrées.",
        "Risk-based approach: the most intrusive technologies are supervised.",
    ),
    CheckSpec(
        "HUMAN_IN_LOOP",
        "Toute décision automatisée garde un humain dans la boucle",
        "Every automated decision keeps a human in the loop",
        "Principe du rapport : l'humain reste dans la boucle de décision.",
        "Principle of the report: a human stays in the decision loop.",
    ),
    CheckSpec(
        "UNIQUE_IDS",
        "Les codes des lignes sont uniques",
        "Cost-line ids are unique",
        "Chaque ligne garde un code stable, jamais un numéro de ligne.",
        "Each line keeps a stable id, never a row number.",
    ),
    CheckSpec(
        "PHASING_ROWS",
        "L'échéancier couvre toutes les lignes de coût",
        "The phasing covers every cost line",
        "Une ligne ajoutée ou supprimée dans la saisie doit l'être dans l'échéancier (reconstruire).",
        "A line added or removed in the inputs needs the phasing rebuilt.",
    ),
)

CHECK_CODES = tuple(c.code for c in CHECKS)


@dataclass(frozen=True)
class CheckResult:
    spec: CheckSpec
    ok: bool
    count: int  # number of exceptions (lines, pilots, milestones…); for amounts, 0 or 1
    findings: tuple[Finding, ...]


def _euro(cents: int) -> str:
    return f"{from_cents(cents):,.2f} EUR".replace(",", " ")


def run_checks(fig: Figures) -> list[CheckResult]:
    p = fig.programme
    year = fig.budget_year
    out: dict[str, list[Finding]] = {c.code: [] for c in CHECKS}

    def err(code: str, message: str, hint: str, path: tuple[str | int, ...]) -> None:
        out[code].append(Finding(Severity.ERROR, code, message, hint, path))

    env_index = next(i for i, e in enumerate(p.envelopes) if e.year == year)
    if fig.ae_by_year.get(year, 0) > fig.net_ae[year]:
        over = fig.ae_by_year.get(year, 0) - fig.net_ae[year]
        err(
            "ENVELOPE_AE",
            f"AE {year} of {_euro(fig.ae_by_year[year])} exceed the envelope net of reserve "
            f"({_euro(fig.net_ae[year])}) by {_euro(over)}",
            "cut or defer cost lines, or raise the envelope",
            ("envelopes", env_index, "ae"),
        )
    if fig.cp_by_year.get(year, 0) > fig.net_cp[year]:
        over = fig.cp_by_year[year] - fig.net_cp[year]
        err(
            "ENVELOPE_CP",
            f"CP {year} of {_euro(fig.cp_by_year[year])} exceed the CP net of reserve "
            f"({_euro(fig.net_cp[year])}) by {_euro(over)}",
            "move payments to later months or raise the CP opened",
            ("envelopes", env_index, "cp"),
        )
    t2 = fig.ae_t2_by_year.get(year, 0)
    if t2 > fig.net_t2[year]:
        err(
            "TITRE2",
            f"titre 2 lines of {_euro(t2)} exceed the titre 2 credits net of reserve "
            f"({_euro(fig.net_t2[year])}); credits may never move into titre 2",
            "reduce the personnel lines or open more titre 2 credits in the envelope",
            ("envelopes", env_index, "titre2"),
        )

    id_counts = Counter(lf.line.id for lf in fig.lines)
    for i, lf in enumerate(fig.lines):
        line = lf.line
        path = ("cost_lines", i)
        if p.envelope(line.ae_year) is None:
            err(
                "AE_YEAR_COVERED",
                f"line {line.id} is committed in {line.ae_year}, a year with no envelope",
                f"set ae_year to one of {sorted(e.year for e in p.envelopes)} or add an envelope",
                (*path, "ae_year"),
            )
        if not lf.cp_ties:
            if lf.cp_outside_period:
                msg = (
                    f"line {line.id}: {_euro(lf.cp_outside_period)} of CP fall outside the "
                    f"phasing period"
                )
                hint = "move the CP months inside the period or extend period.months"
            else:
                msg = (
                    f"line {line.id}: monthly CP add up to {_euro(sum(lf.monthly))}, "
                    f"not the line's {_euro(lf.ttc)}"
                )
                hint = "make the explicit amounts add up to quantity × unit cost incl. VAT"
            err("CP_TIES", msg, hint, (*path, "cp"))
        if not lf.cp_after_ae:
            err(
                "CP_AFTER_AE",
                f"line {line.id} pays from {line.cp.first_month:%m/%Y}, before its commitment "
                f"year {line.ae_year}",
                "start the payments in or after the AE year",
                (*path, "cp"),
            )
        if line.quantity < 0 or line.unit_cost < 0:
            field = "quantity" if line.quantity < 0 else "unit_cost"
            err(
                "NON_NEGATIVE",
                f"line {line.id} has a negative {field}",
                "amounts are >= 0",
                (*path, field),
            )
        ht = Decimal(lf.ht) / 100
        if not line.estimate.low <= ht <= line.estimate.high:
            err(
                "ESTIMATE_RANGE",
                f"line {line.id}: amount excl. VAT {ht:,.2f} is outside its estimate "
                f"{line.estimate.low:,.2f} to {line.estimate.high:,.2f}",
                "widen the estimate or correct quantity / unit cost",
                (*path, "estimate"),
            )
        if line.provenance == "assumption" and not line.rationale.strip():
            err(
                "PROVENANCE",
                f"line {line.id} is an assumption without a rationale",
                "add a one-line rationale saying where the figure comes from",
                (*path, "rationale"),
            )
        if not lf.route_ok:
            err(
                "ROUTE",
                f"line {line.id}: {_euro(lf.ht)} excl. VAT needs at least the "
                f"'{lf.implied_route}' route, not '{line.route}'",
                f"set route to {lf.implied_route}, formal or ugap",
                (*path, "route"),
            )
        if id_counts[line.id] > 1:
            err(
                "UNIQUE_IDS",
                f"line id {line.id} is used {id_counts[line.id]} times",
                "give each line its own id",
                (*path, "id"),
            )

    pilot_index = {pl.id: i for i, pl in enumerate(p.pilots)}
    for r in fig.readiness:
        if r.late:
            pi = pilot_index[r.pilot]
            if r.operational is None:
                msg = f"pilot {r.pilot} has no operational milestone but serves {r.event}"
                hint = "add a milestone of kind operational"
            else:
                msg = (
                    f"pilot {r.pilot} is operational on {r.operational:%d/%m/%Y}, "
                    f"{-r.margin_days} days after {r.required_by:%d/%m/%Y}, the latest date "
                    f"for {r.event} ({r.lead_days} days before its first day)"
                )
                hint = "bring the milestones forward or shorten the lead time"
            pilot = p.pilots[pi]
            ops = [
                (m.date, mi)
                for mi, m in enumerate(pilot.milestones)
                if m.kind is MilestoneKind.OPERATIONAL
            ]
            where: tuple[str | int, ...] = ("pilots", pi, "milestones")
            if ops:
                where = (*where, min(ops)[1], "date")
            err("READINESS", msg, hint, where)

    dates = {m.id: m.date for pilot in p.pilots for m in pilot.milestones}
    for pi, pilot in enumerate(p.pilots):
        for mi, ms in enumerate(pilot.milestones):
            for dep in ms.depends_on:
                if dep in dates and ms.date < dates[dep]:
                    err(
                        "MILESTONE_ORDER",
                        f"milestone {ms.id} ({ms.date:%d/%m/%Y}) comes before its prerequisite "
                        f"{dep} ({dates[dep]:%d/%m/%Y})",
                        "move the milestone after its prerequisite",
                        ("pilots", pi, "milestones", mi, "date"),
                    )
                    break  # one exception per milestone, as the workbook counts them
        if pilot.intrusiveness >= p.intrusive_level and not (
            pilot.legal_basis.strip() and pilot.supervising_body.strip()
        ):
            err(
                "INTRUSIVE_SUPERVISED",
                f"pilot {pilot.id} has intrusiveness {pilot.intrusiveness} without "
                + ("a legal basis" if not pilot.legal_basis.strip() else "a supervising body"),
                "name the legal basis and the independent body that supervises it",
                ("pilots", pi),
            )
        if pilot.automates_decision and not pilot.human_in_loop:
            err(
                "HUMAN_IN_LOOP",
                f"pilot {pilot.id} automates a decision without a human in the loop",
                "set human_in_loop: true and describe the human check",
                ("pilots", pi, "human_in_loop"),
            )

    if fig.total_cp != fig.total_ae:
        err(
            "CP_TOTAL",
            f"total CP {_euro(fig.total_cp)} differ from total AE {_euro(fig.total_ae)}",
            "see the CP_TIES exceptions",
            ("cost_lines",),
        )

    results = []
    for spec in CHECKS:
        found = tuple(out[spec.code])
        results.append(CheckResult(spec, not found, len(found), found))
    return results


def master_ok(results: list[CheckResult]) -> bool:
    return all(r.ok for r in results)


__all__ = [
    "CHECKS",
    "CHECK_CODES",
    "CheckResult",
    "CheckSpec",
    "MilestoneKind",
    "Profile",
    "Titre",
    "master_ok",
    "run_checks",
]
