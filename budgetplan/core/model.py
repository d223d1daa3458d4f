"""What a programme is: pydantic v2 models, unknown fields rejected, money as Decimal cents."""

from __future__ import annotations

import datetime as dt
import re
import typing
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from budgetplan.core.findings import in_lang, said
from budgetplan.core.money import MAX_AMOUNT, round_cent, to_decimal
from budgetplan.core.text_gate import clean_required_text, clean_text

# --------------------------------------------------------------------------- value types


def _money(value: Decimal) -> Decimal:
    if abs(value) >= MAX_AMOUNT:
        raise ValueError(
            said(
                f"amount {value} is absurdly large (limit {MAX_AMOUNT:,} EUR)",
                f"montant {value} démesuré (limite {MAX_AMOUNT:,} EUR)".replace(",", " "),
            )
        )
    return round_cent(value)


@dataclass(frozen=True)
class Bounds:
    """Inclusive limits of a value type whose validator checks them itself (pydantic ignores this
    marker): the workbook's data validation reads them with :func:`field_bounds`."""

    low: Decimal
    high: Decimal


RATE_BOUNDS = Bounds(Decimal(0), Decimal(1))


def _rate(value: Decimal) -> Decimal:
    if not RATE_BOUNDS.low <= value <= RATE_BOUNDS.high:
        raise ValueError(
            said(
                "a rate is a fraction between 0 and 1 (write 0.2 for 20%)",
                "un taux est une fraction entre 0 et 1 (écrire 0.2 pour 20 %)",
            )
        )
    return value


def _quantity(value: Decimal) -> Decimal:
    if abs(value) >= Decimal("1000000000"):
        raise ValueError(said("quantity is absurdly large", "quantité démesurée"))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(
            said("quantity has at most two decimals", "une quantité a au plus deux décimales")
        )
    return value


def _month(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.replace(day=1)
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 7:
                return dt.date.fromisoformat(text + "-01")
            return dt.date.fromisoformat(text).replace(day=1)
        except ValueError:
            pass
    raise ValueError(
        said(
            f"expected a month as YYYY-MM, got {value!r}",
            f"un mois est attendu sous la forme AAAA-MM, pas {value!r}",
        )
    )


def _date(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _in_range(value: dt.date) -> dt.date:
    if not dt.date(1990, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise ValueError(
            said(
                f"date {value.isoformat()} is out of range (1990-2100)",
                f"la date {value:%d/%m/%Y} est hors des bornes (1990-2100)",
            )
        )
    return value


Money = Annotated[Decimal, BeforeValidator(to_decimal), AfterValidator(_money)]
Rate = Annotated[Decimal, BeforeValidator(to_decimal), AfterValidator(_rate), RATE_BOUNDS]
Quantity = Annotated[Decimal, BeforeValidator(to_decimal), AfterValidator(_quantity)]
Month = Annotated[dt.date, BeforeValidator(_month), AfterValidator(_in_range)]
Day = Annotated[dt.date, BeforeValidator(_date), AfterValidator(_in_range)]
Year = Annotated[int, Field(ge=1990, le=2100)]
#: Ids a spreadsheet turns into something else once typed into a cell or used as a criterion:
#: booleans (COUNTIF(range, "TRUE") counts TRUE cells) and dates (``Mar-2022``, ``dec.5``).
_MISREAD_WORDS = frozenset({"TRUE", "FALSE", "VRAI", "FAUX"})
_MONTH_LIKE = re.compile(
    r"^(jan|feb|fev|mar|apr|avr|may|mai|jun|jui|jul|aug|aou|sep|oct|nov|dec)[a-z]*[-./]\d{1,4}$",
    re.IGNORECASE,
)


def _spreadsheet_safe(value: str) -> str:
    if value.upper() in _MISREAD_WORDS:
        raise ValueError(
            said(
                f"id {value!r} is read as a true/false value by spreadsheets: choose another id",
                f"l'identifiant {value!r} est lu comme vrai/faux par les tableurs : en choisir "
                "un autre",
            )
        )
    if _MONTH_LIKE.match(value):
        raise ValueError(
            said(
                f"id {value!r} is read as a date by spreadsheets: choose another id",
                f"l'identifiant {value!r} est lu comme une date par les tableurs : en choisir "
                "un autre",
            )
        )
    return value


Ident = Annotated[
    str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$"), AfterValidator(_spreadsheet_safe)
]


class Prose:
    """Marks a text written for people (names, labels, rationales): a workbook in another
    language shows its translation (see :mod:`budgetplan.core.retext`)."""

    def __repr__(self) -> str:
        return "PROSE"


PROSE = Prose()
Text = Annotated[
    str, Field(min_length=1, max_length=500), PROSE, AfterValidator(clean_required_text)
]


def _shaped(pattern: str, what: str) -> AfterValidator:
    """A text of the given shape (or empty), refused with a message saying what it must be."""
    shape = re.compile(pattern)

    def check(value: str) -> str:
        if value and not shape.fullmatch(value):
            raise ValueError(
                said(f"{value!r} is not {what}", f"{value!r} n'est pas {in_lang(what, 'fr')}")
            )
        return value

    return AfterValidator(check)


#: A LOLF programme number, as the budget documents write it ("216", "308").
ProgrammeNumber = Annotated[
    str,
    Field(min_length=1),
    _shaped(
        r"\d{3}",
        said(
            "a LOLF programme number (three digits: 308)",
            "un numéro de programme LOLF (trois chiffres : 308)",
        ),
    ),
]
#: A need key: what spreadsheet lookups read literally (no * ? ~ wildcards, no leading = < >).
NeedKey = Annotated[
    str,
    _shaped(
        r"[A-Za-z0-9][A-Za-z0-9 _.|/-]{0,59}",
        said(
            "a need key: up to 60 letters, digits, spaces and _ . | / - (spreadsheet lookups "
            "read * ? ~ as wildcards)",
            "une clé de besoin : jusqu'à 60 lettres, chiffres, espaces et _ . | / - (les "
            "recherches des tableurs lisent * ? ~ comme des jokers)",
        ),
    ),
]
OptText = Annotated[str, Field(max_length=500), PROSE, AfterValidator(clean_text)]


def _one_or_many(value: object) -> object:
    """One set of thresholds (a mapping) stands for a list of one."""
    return [value] if isinstance(value, dict | Thresholds) else value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- enumerations


class Provenance(StrEnum):
    SOURCED = "sourced"
    ASSUMPTION = "assumption"


class Titre(IntEnum):
    PERSONNEL = 2
    OPERATING = 3
    INVESTMENT = 5
    TRANSFERS = 6


class Nature(StrEnum):
    SUPPLIES = "supplies"
    SERVICES = "services"
    DEFENCE_SECURITY = "defence_security"
    WORKS = "works"
    PERSONNEL = "personnel"
    GRANT = "grant"
    CONTINGENCY = "contingency"
    TRANSFER = "transfer"  # credits moved to another LOLF programme (transfer_to): not spending


class Route(StrEnum):
    """Procurement routes, from least to most demanding; the routes after the formal tender are
    allowed whatever the amount: an order from the central purchasing body (UGAP) or under an
    existing framework contract waives the tender, and an innovation partnership, an exempt R&D
    service (services only) or a negotiated defence-security procedure (defence and security
    only) are procedures of their own."""

    NOT_APPLICABLE = "not_applicable"
    DIRECT = "direct"
    ADAPTED = "adapted"
    FORMAL = "formal"
    UGAP = "ugap"
    FRAMEWORK_ORDER = "framework_order"
    INNOVATION_PARTNERSHIP = "innovation_partnership"
    RD_EXEMPT = "rd_exempt"
    NEGOTIATED_DEFENCE = "negotiated_defence"


ROUTE_ORDER: tuple[Route, ...] = tuple(Route)


class Commitment(StrEnum):
    """What consumes a line's AE: the contract's award (its signature or notification), or an
    order under a framework contract (a bon de commande, at the order: a framework's firm
    minimum is a line committed at the award, each order beyond it a line of its own)."""

    AWARD = "award"
    ORDER = "order"


class MilestoneKind(StrEnum):
    LEGAL = "legal"
    PROCUREMENT = "procurement"
    DELIVERY = "delivery"
    OPERATIONAL = "operational"
    EVALUATION = "evaluation"


class Step(StrEnum):
    """What a milestone is to the pilot's governance: the data-protection impact assessment
    (AIPD, GDPR art. 35), the security accreditation of its system (homologation RGS), or the
    interim decision to go on or stop (go/no-go). Checked for pilots of intrusiveness at or
    above the programme's ``evaluation_level``."""

    IMPACT_ASSESSMENT = "impact_assessment"
    ACCREDITATION = "accreditation"
    GO_NO_GO = "go_no_go"


class LegalStatus(StrEnum):
    IN_FORCE = "in_force"
    IN_PREPARATION = "in_preparation"
    NOT_STARTED = "not_started"


class Vehicle(StrEnum):
    """What opens an envelope's credits: a finance law, or a decision during the year; or
    nothing yet (proposed: credits a report or a request asks for, not opened)."""

    PROPOSED = "proposed"
    INITIAL_LAW = "initial_law"
    AMENDING_LAW = "amending_law"
    TRANSFER = "transfer"
    RESERVE_RELEASE = "reserve_release"


class Profile(StrEnum):
    FLAT = "flat"
    EXPLICIT = "explicit"


# --------------------------------------------------------------------------- parts


class Envelope(Strict):
    """Credits opened for one budget year, in the programme and action that carry them."""

    year: Year
    ae: Money = Field(description="Autorisations d'engagement opened for the year (EUR).")
    cp: Money = Field(description="Crédits de paiement opened for the year (EUR).")
    titre2: Money = Field(
        Decimal(0), validate_default=True, description="Part of the AE/CP opened on titre 2."
    )
    budget_programme: Text = Field(description="LOLF programme number, e.g. '216'.")
    action: Text
    vehicle: Vehicle = Field(Vehicle.INITIAL_LAW, description="What opens the credits.")
    ae_carried_in: Money = Field(
        Decimal(0),
        validate_default=True,
        description="AE carried over from the previous year's unused AE, by decision (never on "
        "titre 2).",
    )
    programme_initial_cp: Money | None = Field(
        None,
        description="Initial CP of the whole LOLF programme for the year (base of the carry-over "
        "cap, LOLF art. 15); blank: the envelope's own CP.",
    )
    provenance: Provenance
    rationale: Text


class Reserve(Strict):
    """Réserve de précaution: share of credits frozen at the start of the year."""

    titre2_rate: Rate
    other_rate: Rate
    provenance: Provenance
    rationale: Text


class RiskAcceptance(Strict):
    """How much cost risk the steering body accepts: the highest probability that the plan's
    cost exceeds the envelope net of reserve (the Risk sheet's simulation), and why."""

    overrun_probability: Rate = Field(
        Decimal("0.2"),
        description="Highest accepted probability that the cost exceeds the envelope net of "
        "reserve: above it the RISK_OVERRUN check fails (20 % unless chosen otherwise).",
    )
    provenance: Provenance = Provenance.ASSUMPTION
    rationale: Text = ""


class Thresholds(Strict):
    """Procurement thresholds excluding VAT, in force from ``valid_from`` until the next set's
    date: the set in force when a need's tender is launched applies to it."""

    valid_from: Day = dt.date(2022, 1, 1)
    direct: Money = Decimal("40000")
    direct_innovative: Money = Decimal("100000")
    formal_supplies_services: Money = Decimal("140000")
    formal_defence_security: Money = Decimal("431000")
    formal_works: Money = Decimal("5382000")


class Procedure(Strict):
    """How long a procurement route takes: a statutory minimum from the tender's launch to the
    award, and the preparation usually needed before the launch (defining the need, drafting
    the tender documents). The schedule uses both for procurement milestones."""

    route: Route
    minimum_days: int = Field(ge=0, le=1000, description="Statutory minimum, launch to award.")
    preparation_days: int = Field(ge=0, le=2000, description="Usual preparation before launch.")
    rationale: Text


#: Durations of each route (assumptions from the public procurement code's minimum time limits
#: and the ministry's practice: an open tender takes 4 to 12 months from preparation to award).
DEFAULT_PROCEDURES: tuple[Procedure, ...] = tuple(
    Procedure(route=route, minimum_days=low, preparation_days=prep, rationale=why)
    for route, low, prep, why in (
        (Route.NOT_APPLICABLE, 0, 0, "Sans achat (personnel, subvention, transfert, provision)"),
        (
            Route.DIRECT,
            0,
            15,
            "Sans publicité ni mise en concurrence : un ou deux devis à comparer",
        ),
        (
            Route.ADAPTED,
            15,
            45,
            "Procédure adaptée : délai raisonnable de remise des offres, environ 15 jours, fixé par l'acheteur",
        ),
        (
            Route.FORMAL,
            46,
            75,
            "Appel d'offres ouvert : 35 jours au moins pour les offres (30 par voie électronique) "
            "et un délai de suspension de 11 jours ; 4 à 12 mois en pratique",
        ),
        (Route.UGAP, 0, 30, "Commande à la centrale d'achat (UGAP) : sans appel d'offres"),
        (
            Route.FRAMEWORK_ORDER,
            0,
            30,
            "Bon de commande ou marché subséquent d'un accord-cadre existant",
        ),
        (
            Route.INNOVATION_PARTNERSHIP,
            41,
            120,
            "Procédure négociée avec mise en concurrence : 30 jours au moins pour les "
            "candidatures et un délai de suspension de 11 jours, puis la négociation",
        ),
        (
            Route.RD_EXEMPT,
            0,
            60,
            "Services de R&D exclus de la mise en concurrence : rédaction du contrat seulement",
        ),
        (
            Route.NEGOTIATED_DEFENCE,
            41,
            120,
            "Procédure négociée de défense et de sécurité : 30 jours au moins pour les "
            "candidatures et un délai de suspension de 11 jours ; le marché anti-drones des "
            "armées a pris 11 mois",
        ),
    )
)


class Period(Strict):
    """The months over which payments (CP) are phased."""

    start: Month
    months: int = Field(ge=1, le=240)


class Event(Strict):
    id: Ident
    name: Text
    first_day: Day
    last_day: Day

    @model_validator(mode="after")
    def _ordered(self) -> Event:
        if self.last_day < self.first_day:
            raise ValueError(said("last_day is before first_day", "last_day précède first_day"))
        return self


class Purpose(StrEnum):
    """What an event is to a pilot: one it must be ready to operate at (checked), or a trial
    ground where it is tried if ready, its readiness shown but not required."""

    OPERATE = "operate"
    TRIAL = "trial"


class ServedEvent(Strict):
    event: Ident
    lead_days: int = Field(ge=0, le=1000, description="Days the pilot must be operational before.")
    purpose: Purpose = Field(
        Purpose.OPERATE,
        description="operate: must be operational lead_days before (checked); trial: tried "
        "there if ready (its probability shown, not required).",
    )
    rationale: Text


#: A prerequisite of a milestone: its id, optionally followed by a lag in days (``SCAN-LAW+30``:
#: thirty days after SCAN-LAW). Ids hold no ``+``, so the two never mix.
Link = Annotated[
    str,
    Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,39}(\+\d{1,4})?$"),
    AfterValidator(lambda v: (_spreadsheet_safe(v.split("+")[0]), v)[1]),
]


def parse_link(link: str) -> tuple[str, int]:
    """The prerequisite's id and the lag in days of a link (``A+30`` -> ``("A", 30)``)."""
    ident, _, lag = link.partition("+")
    return ident, int(lag) if lag else 0


def _likely_only(value: object) -> object:
    """A bare number of days is the likely duration."""
    return {"likely": value} if isinstance(value, int | str | Decimal) else value


class Duration(Strict):
    """Days a milestone takes from its start (its prerequisites, plus their lags): a three-point
    estimate. Low and high left out follow the spread of the milestone's kind."""

    likely: int = Field(ge=0, le=3650)
    low: int | None = Field(None, ge=0, le=3650)
    high: int | None = Field(None, ge=0, le=3650)

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> object:
        """A likely duration alone is written as a bare number of days, as it is typed."""
        return self.likely if self.low is None and self.high is None else handler(self)

    @model_validator(mode="after")
    def _ordered(self) -> Duration:
        if self.low is not None and self.low > self.likely:
            raise ValueError(
                said(
                    f"low ({self.low} days) is above likely ({self.likely} days)",
                    f"la durée basse ({self.low} jours) dépasse la probable ({self.likely} jours)",
                )
            )
        if self.high is not None and self.high < self.likely:
            raise ValueError(
                said(
                    f"high ({self.high} days) is below likely ({self.likely} days)",
                    f"la durée haute ({self.high} jours) est sous la probable ({self.likely} "
                    "jours)",
                )
            )
        return self


class Milestone(Strict):
    """A dated step of a pilot. Either fixed (``date``: a known or imposed date) or computed
    (``duration``: from the latest of its prerequisites plus their lags, its ``not_before`` date
    and the programme's start, counting only the days its ``calendar`` is open)."""

    id: Ident
    kind: MilestoneKind
    label: Text
    date: Day | None = Field(None, description="Fixed date (leave out for a computed one).")
    duration: Annotated[Duration | None, BeforeValidator(_likely_only)] = Field(
        None, description="Days from its start: likely, or {low, likely, high}."
    )
    depends_on: tuple[Link, ...] = ()
    not_before: Day | None = Field(None, description="Earliest start, whatever comes before.")
    calendar: Annotated[Ident | None, BeforeValidator(lambda v: v or None)] = Field(
        None, description="Closures its duration skips (e.g. PARLIAMENT: the recess)."
    )
    step: Annotated[Step | None, BeforeValidator(lambda v: v or None)] = Field(
        None,
        description="impact_assessment (AIPD), accreditation (homologation RGS) or go_no_go "
        "(the interim decision): what the governance checks look for.",
    )
    provenance: Provenance | None = None
    rationale: OptText = ""

    @model_validator(mode="after")
    def _fixed_or_computed(self) -> Milestone:
        if (
            self.date is None
            and self.duration is None
            and self.kind is not (MilestoneKind.PROCUREMENT)
        ):  # a procurement milestone may take its route's durations (Network)
            raise ValueError(
                said(
                    "a milestone needs a date (fixed) or a duration (from its prerequisites)",
                    "un jalon demande une date (fixe) ou une durée (après ses prérequis)",
                )
            )
        if self.date is not None and self.duration is not None:
            raise ValueError(
                said(
                    "a milestone has a fixed date or a duration, not both: leave one out",
                    "un jalon a une date fixe ou une durée, pas les deux : retirer l'une",
                )
            )
        return self

    @property
    def predecessors(self) -> tuple[tuple[str, int], ...]:
        """(id, lag in days) of each prerequisite."""
        return tuple(parse_link(link) for link in self.depends_on)

    @property
    def prerequisite_ids(self) -> tuple[str, ...]:
        return tuple(parse_link(link)[0] for link in self.depends_on)


class Closure(Strict):
    """Days a calendar is closed (Parliament's recess, a summer break): a duration on that
    calendar does not run during them."""

    calendar: Ident
    first_day: Day
    last_day: Day
    label: Text
    rationale: OptText = ""

    @model_validator(mode="after")
    def _ordered(self) -> Closure:
        if self.last_day < self.first_day:
            raise ValueError(said("last_day is before first_day", "last_day précède first_day"))
        return self


class Spread(Strict):
    """How far a duration of a kind of milestone may run short or long when it gives no low or
    high of its own: factors of its likely duration."""

    kind: MilestoneKind
    low: Decimal = Field(ge=0, le=1)
    high: Decimal = Field(ge=1, le=10)
    rationale: Text


DEFAULT_SPREADS: tuple[Spread, ...] = tuple(
    Spread(kind=kind, low=Decimal(low), high=Decimal(high), rationale=why)
    for kind, low, high, why in (
        (
            MilestoneKind.LEGAL,
            "0.9",
            "1.8",
            "Lois et décrets glissent le plus : les textes de 2022-2024 sont arrivés jusqu'à dix mois en retard",
        ),
        (
            MilestoneKind.PROCUREMENT,
            "0.9",
            "1.6",
            "Les appels d'offres prennent 4 à 12 mois en pratique",
        ),
        (
            MilestoneKind.DELIVERY,
            "0.9",
            "1.5",
            "La livraison de matériels nouveaux glisse souvent de plusieurs mois",
        ),
        (MilestoneKind.OPERATIONAL, "0.9", "1.3", "Recette et formation"),
        (MilestoneKind.EVALUATION, "0.9", "1.3", "Rapports d'évaluation"),
    )
)


class Evaluation(Strict):
    """How a pilot is evaluated: what is measured against what, by whom, published when, paid
    by which cost line. A claim to test (a vendor's figure) is a ``hypothesis``, not an input
    any amount or date relies on."""

    id: Ident
    indicator: Text = Field(description="What is measured (with its unit).")
    baseline: Text = Field(description="The value without the technology, as known today.")
    measurement: Text = Field(description="How the baseline and the result are measured.")
    target: Text = Field(description="The result that would justify going on.")
    protocol: Text = Field(description="How the trial is run (sites, sample, duration, control).")
    evaluator: Text = Field(description="Who evaluates: a body independent of the pilot's owner.")
    independent: bool = Field(
        True, description="The evaluator answers neither to the owner nor to the vendor."
    )
    publication: Ident = Field(description="The milestone at which the evaluation is published.")
    cost_line: Ident | None = Field(None, description="The cost line that pays for it.")
    hypothesis: OptText = Field("", description="The claim the evaluation tests, and its source.")


class Pilot(Strict):
    id: Ident
    name: Text
    axis: Text
    owner: Text
    budget_programme: Text
    action: Text
    intrusiveness: int = Field(ge=1, le=4)
    trl: int = Field(ge=1, le=9, description="Technology readiness level.")
    sovereignty_required: bool
    automates_decision: bool
    human_in_loop: bool
    legal_basis: OptText
    legal_status: LegalStatus
    supervising_body: OptText
    delegation: OptText = Field(
        "",
        description="The délégation de gestion by which the services running the pilot spend "
        "credits of another programme (required when its programme has no envelope).",
    )
    supervised_from: Annotated[Ident | None, BeforeValidator(lambda v: v or None)] = Field(
        None,
        description="The milestone from which its supervising body oversees it (the body's "
        "installation, or the opinion or decision placing the pilot under it).",
    )
    serves: tuple[ServedEvent, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()


class CpSchedule(Strict):
    """Payments: flat over start..end, or explicit TTC amounts per month."""

    profile: Profile = Profile.FLAT
    start: Month | None = None
    end: Month | None = None
    amounts: dict[Month, Money] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shape(self) -> CpSchedule:
        if self.profile is Profile.FLAT:
            if self.start is None or self.end is None:
                raise ValueError(
                    said(
                        "a flat schedule needs start and end months",
                        "un échéancier linéaire demande ses mois de début et de fin",
                    )
                )
            if self.end < self.start:
                raise ValueError(
                    said(
                        "end month is before start month",
                        "le mois de fin précède le mois de début",
                    )
                )
            if self.amounts:
                raise ValueError(
                    said(
                        "a flat schedule takes no amounts (use profile: explicit)",
                        "un échéancier linéaire ne prend pas de montants (profile: explicit)",
                    )
                )
        else:
            if not self.amounts:
                raise ValueError(
                    said(
                        "an explicit schedule needs amounts per month",
                        "un échéancier explicite demande des montants par mois",
                    )
                )
            if self.start is not None or self.end is not None:
                raise ValueError(
                    said(
                        "an explicit schedule takes amounts, not start/end",
                        "un échéancier explicite prend des montants, pas start/end",
                    )
                )
        return self

    @property
    def first_month(self) -> dt.date:
        return self.start if self.start is not None else min(self.amounts)

    @property
    def last_month(self) -> dt.date:
        return self.end if self.end is not None else max(self.amounts)


class Estimate(Strict):
    """Three-point estimate of the line's cost excluding VAT; likely = quantity x unit cost."""

    low: Money
    high: Money


class CostLine(Strict):
    id: Ident
    pilot: Ident
    label: Text
    titre: Titre
    nature: Nature
    quantity: Quantity
    unit_cost: Money = Field(description="Unit cost excluding VAT (HT), EUR.")
    vat_rate: Rate | None = Field(None, description="Overrides the programme's VAT rate.")
    innovative: bool = False
    ae_year: Year = Field(description="Year of the legal commitment that consumes the AE.")
    award: Ident | None = Field(
        None,
        description="The milestone of the contract's award (its legal commitment): ae_year is "
        "its year.",
    )
    commitment: Commitment = Field(
        Commitment.AWARD,
        description="What consumes the AE: the award (ae_year is the award's year) or an order "
        "under a framework contract (ae_year is the order's year, at or after the award's).",
    )
    cp: CpSchedule
    estimate: Estimate
    route: Route
    transfer_to: Annotated[
        str,
        _shaped(
            r"\d{3}",
            said(
                "a LOLF programme number (three digits: 308)",
                "un numéro de programme LOLF (trois chiffres : 308)",
            ),
        ),
    ] = Field(
        "",
        description="For a transfer (nature transfer): the LOLF programme receiving the credits.",
    )
    need: NeedKey = Field(
        "",
        description="The homogeneous need the line belongs to (default: its pilot and nature): "
        "thresholds apply to the need's total, all its lines together.",
    )
    tender: Ident | None = Field(
        None,
        description="The milestone launching the tender: the thresholds in force on its date "
        "apply (default: the award milestone's date, else 1 January of ae_year).",
    )
    provenance: Provenance
    rationale: OptText = ""
    financial_code: OptText = ""
    # Chorus imputation (the State's financial system), as actuals exports carry it
    centre_financier: Annotated[
        str,
        _shaped(
            r"\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4}",
            said("a centre financier (0216-CDBU-DPSI)", "un centre financier (0216-CDBU-DPSI)"),
        ),
    ] = Field("", description="Centre financier: programme-BOP-UO, e.g. 0216-CDBU-DPSI.")
    domaine_fonctionnel: Annotated[
        str,
        _shaped(
            r"\d{4}-\d{2}(-\d{2})?",
            said(
                "a domaine fonctionnel (0216-01 or 0216-01-02)",
                "un domaine fonctionnel (0216-01 ou 0216-01-02)",
            ),
        ),
    ] = Field("", description="Domaine fonctionnel: programme-action[-sub-action], e.g. 0216-01.")
    activite: Annotated[
        str,
        _shaped(
            r"\d{12}",
            said(
                "an activité (12 digits: 021601010101)", "une activité (12 chiffres : 021601010101)"
            ),
        ),
    ] = Field("", description="Activité: 12 digits, e.g. 021601010101.")
    compte_pce: Annotated[
        str,
        _shaped(
            r"\d{10}",
            said(
                "a PCE account (10 digits: 6113110000)", "un compte PCE (10 chiffres : 6113110000)"
            ),
        ),
    ] = Field("", description="Account of the State's chart of accounts (PCE): 10 digits.")


class Programme(Strict):
    schema_version: Literal[1] = 1
    id: Ident
    title: Text
    currency: Literal["EUR"] = "EUR"
    steering_body: Text
    vat_rate: Rate
    envelopes: tuple[Envelope, ...] = Field(min_length=1)
    reserve: Reserve
    thresholds: Annotated[
        tuple[Thresholds, ...], BeforeValidator(_one_or_many), Field(min_length=1)
    ] = (Thresholds(),)
    procedures: tuple[Procedure, ...] = Field(
        DEFAULT_PROCEDURES,
        description="Durations of each procurement route (routes left out keep their defaults).",
    )
    carry_over_rate: Rate = Field(
        Decimal("0.03"),
        description="Cap on the CP carried over to the next year, as a share of the programme's "
        "initial CP (LOLF art. 15: 3%, unless a finance law raises it).",
    )
    virement_rate: Rate = Field(
        Decimal("0.02"),
        description="Cap on the credits moved to other programmes of the ministry in a year "
        "(virements), as a share of the programme's initial credits (LOLF art. 12: 2%).",
    )
    ministry_programmes: tuple[ProgrammeNumber, ...] = Field(
        ("104", "119", "122", "152", "161", "176", "207", "216", "232", "303", "354"),
        description="The ministry's programmes: moving credits to one is a virement (capped); "
        "to another ministry's, a transfer.",
    )
    intrusive_level: int = Field(
        3,
        ge=1,
        le=4,
        description="Intrusiveness from which a legal basis and supervision are required.",
    )
    evaluation_level: int = Field(
        2,
        ge=1,
        le=4,
        description="Intrusiveness from which a pilot needs an impact assessment, an "
        "accreditation, an evaluation, an interim go/no-go and its supervision in place.",
    )
    period: Period
    closures: tuple[Closure, ...] = Field(
        (), description="Days each calendar is closed (milestone durations skip them)."
    )
    spreads: tuple[Spread, ...] = Field(
        DEFAULT_SPREADS,
        description="Low and high factors of the durations of each kind of milestone "
        "(kinds left out keep their defaults).",
    )
    ready_probability: Rate = Field(
        Decimal("0.5"),
        description="Probability of being ready below which a pilot fails the readiness check.",
    )
    risk_acceptance: RiskAcceptance = Field(
        RiskAcceptance(overrun_probability=Decimal("0.2")),
        description="The cost risk accepted: the highest probability of exceeding the envelope.",
    )
    events: tuple[Event, ...] = ()
    pilots: tuple[Pilot, ...] = Field(min_length=1)
    cost_lines: tuple[CostLine, ...] = ()

    @field_validator("thresholds")
    @classmethod
    def _thresholds_in_date_order(cls, value: tuple[Thresholds, ...]) -> tuple[Thresholds, ...]:
        dates = [t.valid_from for t in value]
        if dates != sorted(set(dates)):
            raise ValueError(
                said(
                    "one set of thresholds per date, in ascending order of valid_from",
                    "un jeu de seuils par date, dans l'ordre croissant de valid_from",
                )
            )
        return value

    @field_validator("procedures")
    @classmethod
    def _one_procedure_per_route(cls, value: tuple[Procedure, ...]) -> tuple[Procedure, ...]:
        given = {p.route: p for p in value}
        if len(given) != len(value):
            raise ValueError(said("one procedure per route", "une procédure par voie"))
        defaults = {p.route: p for p in DEFAULT_PROCEDURES}
        return tuple(given.get(route, defaults[route]) for route in ROUTE_ORDER)

    @field_validator("spreads")
    @classmethod
    def _one_spread_per_kind(cls, value: tuple[Spread, ...]) -> tuple[Spread, ...]:
        given = {s.kind: s for s in value}
        if len(given) != len(value):
            raise ValueError(
                said("one spread per kind of milestone", "une dispersion par sorte de jalon")
            )
        defaults = {s.kind: s for s in DEFAULT_SPREADS}
        return tuple(given.get(kind, defaults[kind]) for kind in MilestoneKind)

    def spread(self, kind: MilestoneKind) -> Spread:
        return next(s for s in self.spreads if s.kind is kind)

    def procedure(self, route: Route) -> Procedure:
        return next(p for p in self.procedures if p.route is route)

    # ------------------------------------------------------------------ look-ups
    def pilot(self, pilot_id: str) -> Pilot:
        for pilot in self.pilots:
            if pilot.id == pilot_id:
                return pilot
        raise KeyError(pilot_id)

    def event(self, event_id: str) -> Event:
        for event in self.events:
            if event.id == event_id:
                return event
        raise KeyError(event_id)

    def thresholds_at(self, day: dt.date) -> Thresholds:
        """The thresholds in force on ``day`` (the earliest set before any is in force)."""
        in_force = [t for t in self.thresholds if t.valid_from <= day]  # in date order
        return in_force[-1] if in_force else self.thresholds[0]

    def envelope(self, year: int) -> Envelope | None:
        for envelope in self.envelopes:
            if envelope.year == year:
                return envelope
        return None

    @property
    def months(self) -> list[dt.date]:
        start = self.period.start
        return [
            dt.date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
            for k in range(self.period.months)
        ]

    @property
    def years(self) -> list[int]:
        return sorted({m.year for m in self.months})

    @property
    def budget_years(self) -> list[int]:
        """Every year from the first to the last of the period's and the envelopes' years: the
        years whose credits the budget checks test."""
        known = {m.year for m in self.months} | {e.year for e in self.envelopes}
        return list(range(min(known), max(known) + 1))


def field_bounds(model: type[BaseModel], field: str) -> tuple[object, object]:
    """The inclusive (low, high) limits the model puts on ``field`` (a dotted path through nested
    models), from its ``ge``/``le`` constraints or its type's :class:`Bounds`; None where open."""
    *parents, last = field.split(".")
    for part in parents:
        model = model.model_fields[part].annotation  # type: ignore[assignment]
    info = model.model_fields[last]
    metadata = list(info.metadata)
    for arg in typing.get_args(info.annotation):  # Optional[Annotated[...]]
        metadata += getattr(arg, "__metadata__", ())
    low = high = None
    for item in metadata:
        if isinstance(item, Bounds):
            low, high = item.low, item.high
        low = getattr(item, "ge", low)
        high = getattr(item, "le", high)
    return low, high
