"""The one description of the workbook layout, shared by the writer and the reader.

Every table sits on a known sheet with its header on a known row and its columns in a known
order, each column bound to a model field (``key``). The writer lays cells out from this module
and the reader finds them with it, so that the two cannot drift apart. ``LAYOUT`` names this
layout: its version and a fingerprint of this whole description (every sheet, table, column,
parameter and name), written on the About sheet; a change here changes the fingerprint, and a
test fails until the new layout is registered in ``LAYOUTS`` (with the version bumped), so a
layout change cannot be forgotten. The reader refuses a workbook of another layout in one line.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from budgetplan.core import model as m
from budgetplan.core.codes import names
from budgetplan.core.findings import Said, said
from budgetplan.core.labels import LANGS, Lang, label

LAYOUT_VERSION = 4

#: Sheet keys in workbook order: outputs first, then inputs, then calculations (FAST).
SHEETS: tuple[str, ...] = (
    "summary",
    "checks",
    "credits",
    "parameters",
    "pilots",
    "milestones",
    "evaluation",
    "inputs",
    "schedules",
    "phasing",
    "timeline",
    "risk",
    "about",
)

#: Empty cost-line rows every workbook offers below its lines: a line typed there is counted by
#: every total and check once the spreadsheet recalculates (the sheets stay protected).
SPARE_LINES = 20
#: Empty rows of the explicit CP schedules, for a payment typed in the workbook (the sheet holds
#: values only, so their number need not be recorded).
SPARE_SCHEDULE_ROWS = 10
#: Empty milestone rows, for a milestone typed in the workbook (its pilot in the pilot column).
SPARE_MILESTONES = 10
#: Empty rows of the events each pilot serves (and of the readiness table that follows them).
SPARE_SERVED = 10
#: Empty evaluation rows, for an evaluation typed in the workbook.
SPARE_EVALUATIONS = 5

TITLE_ROW = 0  # 0-based row of the sheet title
HEADER_ROW = 3  # 0-based row of every table header (row 4 in Excel)
FIRST_DATA_ROW = HEADER_ROW + 1  # 0-based first data row (row 5 in Excel)

Kind = Literal[
    "text",
    "note",
    "int",
    "year",
    "money",
    "rate",
    "date",
    "month",
    "bool",
    "choice",
    "code",
    "titre",
    "ids",
]


def sheet_name(key: str, lang: Lang) -> str:
    return label(f"sheet.{key}", lang)


def quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


@dataclass(frozen=True)
class Column:
    key: str  # model field (dotted for nested fields), or a calculation name
    label: str  # label key in budgetplan.core.labels
    kind: Kind
    width: float
    is_input: bool = True
    codes: type[StrEnum] | None = None  # kind "code": the list whose names the cells show


@dataclass(frozen=True)
class Table:
    """A table whose header is on HEADER_ROW, starting at ``first_col``, one row per item.

    A child table (milestones, events served, CP schedules) lists the items its parents hold:
    ``parent`` is the programme's field holding the parents, ``via`` the parent's field holding
    the items (a tuple of models, or a mapping whose key and value fill the two columns after the
    parent's), and ``parent_key`` the column that holds the parent's id.
    """

    sheet: str
    first_col: int
    columns: tuple[Column, ...]
    name: str  # Excel table name (language-independent)
    parent: str = ""
    via: str = ""
    parent_key: str = ""
    until: str = ""  # label key of the title in column A of the block below it, if any

    def index(self, key: str) -> int:
        for i, col in enumerate(self.columns):
            if col.key == key:
                return self.first_col + i
        raise KeyError(key)

    def letter(self, key: str) -> str:
        return xl_col_to_name(self.index(key))

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.columns) - 1

    def cell(self, key: str, i: int, *, abs_col: bool = True) -> str:
        """A1 reference of item ``i`` (0-based) in column ``key``, on the same sheet."""
        return xl_rowcol_to_cell(FIRST_DATA_ROW + i, self.index(key), col_abs=abs_col)

    def range(self, key: str, n: int, lang: Lang | None = None) -> str:
        """Absolute range of the column over ``n`` items, sheet-qualified when ``lang`` is given."""
        col = self.letter(key)
        first = FIRST_DATA_ROW + 1
        last = FIRST_DATA_ROW + max(n, 1)
        ref = f"${col}${first}:${col}${last}"
        return f"{quote(sheet_name(self.sheet, lang))}!{ref}" if lang else ref

    def ref(self, key: str, i: int, lang: Lang, *, abs_col: bool = True) -> str:
        return f"{quote(sheet_name(self.sheet, lang))}!{self.cell(key, i, abs_col=abs_col)}"


def field_value(obj: object, key: str) -> object:
    """Value of a dotted field (``cp.start``) of a model, or None where a part is missing."""
    for part in key.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def children(table: Table, programme: object) -> list[tuple[str, Any]]:
    """The items of child table ``table`` in row order, each with its parent's id."""
    out: list[tuple[str, Any]] = []
    for parent in getattr(programme, table.parent):
        held = field_value(parent, table.via)
        items = sorted(held.items()) if isinstance(held, dict) else held or ()
        out.extend((parent.id, item) for item in items)  # type: ignore[attr-defined]
    return out


def child_value(table: Table, child: tuple[str, Any], key: str) -> object:
    """The value of column ``key`` in the row of ``child`` (as :func:`children` gives it)."""
    parent_id, item = child
    if key == table.parent_key:
        return parent_id
    if isinstance(item, tuple):  # an entry of a mapping: the two columns after the parent's
        keys = [c.key for c in table.columns if c.key != table.parent_key]
        return item[keys.index(key)]
    return field_value(item, key)


def _c(key: str, lbl: str, kind: Kind, width: float, is_input: bool = True) -> Column:
    return Column(key, lbl, kind, width, is_input)


def _code(key: str, lbl: str, codes: type[StrEnum], width: float, is_input: bool = True) -> Column:
    """A column holding a code of ``codes``, shown by its name: wide enough for every name."""
    longest = max(len(n) for lang in LANGS for n in names(codes, lang))
    return Column(key, lbl, "code", max(width, longest + 1), is_input, codes)


# --------------------------------------------------------------------------- Parameters sheet

#: Scalar parameters, one per row from FIRST_DATA_ROW: (key, label, kind, defined name).
PARAMETERS: tuple[tuple[str, str, Kind, str], ...] = (
    ("id", "par.programme_id", "text", "PROGRAMME_ID"),
    ("title", "par.title", "text", "PROGRAMME_TITLE"),
    ("steering_body", "par.steering_body", "text", "STEERING_BODY"),
    ("currency", "par.currency", "text", "CURRENCY"),
    ("vat_rate", "par.vat_rate", "rate", "VAT_RATE"),
    ("reserve.titre2_rate", "par.reserve_t2", "rate", "RESERVE_RATE_T2"),
    ("reserve.other_rate", "par.reserve_other", "rate", "RESERVE_RATE_OTHER"),
    ("carry_over_rate", "par.carry_over_rate", "rate", "CARRY_OVER_RATE"),
    ("virement_rate", "par.virement_rate", "rate", "VIREMENT_RATE"),
    ("ministry_programmes", "par.ministry_programmes", "ids", "MINISTRY_PROGRAMMES"),
    ("intrusive_level", "par.intrusive_level", "int", "INTRUSIVE_LEVEL"),
    ("evaluation_level", "par.evaluation_level", "int", "EVALUATION_LEVEL"),
    ("ready_probability", "par.ready_probability", "rate", "READY_PROBABILITY"),
    (
        "risk_acceptance.overrun_probability",
        "par.overrun_probability",
        "rate",
        "OVERRUN_PROBABILITY",
    ),
    ("period.start", "par.period_start", "month", "PERIOD_START"),
    ("period.months", "par.period_months", "int", "PERIOD_MONTHS"),
)
#: Columns of the scalar parameters (0-based): the key is the model field, read back by the reader.
PARAM_COLS = {"key": 0, "label": 1, "value": 2, "provenance": 3, "rationale": 4}


def parameter_row(key: str) -> int:
    for i, (k, *_rest) in enumerate(PARAMETERS):
        if k == key:
            return FIRST_DATA_ROW + i
    raise KeyError(key)


ENVELOPES = Table(
    "parameters",
    6,
    (
        _c("year", "env.year", "year", 9),
        _c("ae", "env.ae", "money", 16),
        _c("cp", "env.cp", "money", 16),
        _c("titre2", "env.titre2", "money", 14),
        _c("budget_programme", "env.budget_programme", "text", 10),
        _c("action", "env.action", "text", 28),
        _code("vehicle", "env.vehicle", m.Vehicle, 14),
        _c("ae_carried_in", "env.ae_carried_in", "money", 16),
        _c("programme_initial_cp", "env.programme_initial_cp", "money", 17),
        _code("provenance", "par.provenance", m.Provenance, 12),
        _c("rationale", "par.rationale", "note", 60),
        _c("calc.reserve", "env.reserve", "money", 14, False),
        _c("calc.net_ae", "env.net_ae", "money", 16, False),
        _c("calc.net_cp", "env.net_cp", "money", 16, False),
        _c("calc.net_t2", "env.net_t2", "money", 14, False),
        _c("calc.carry_base", "env.carry_base", "money", 17, False),
    ),
    "Envelopes",
)

EVENTS = Table(
    "parameters",
    ENVELOPES.last_col + 2,
    (
        _c("id", "evt.id", "text", 10),
        _c("name", "evt.name", "note", 34),
        _c("first_day", "evt.first_day", "date", 12),
        _c("last_day", "evt.last_day", "date", 12),
    ),
    "Events",
)

#: The routes in order from least to most demanding (the route column is fixed: formulas rank
#: routes by their row), with each route's durations as inputs.
ROUTES = Table(
    "parameters",
    EVENTS.last_col + 2,
    (
        _code("route", "route", m.Route, 16),
        _c("minimum_days", "rt.minimum_days", "int", 12),
        _c("preparation_days", "rt.preparation_days", "int", 13),
        _c("rationale", "par.rationale", "note", 48),
    ),
    "Routes",
)

#: The two values a boolean input takes, as booleans: the drop-down of every boolean input lists
#: them, so that choosing one enters a boolean in any spreadsheet's language (a list of the words
#: TRUE and FALSE would enter text in a French spreadsheet, which the formulas do not read).
BOOLEANS = Table(
    "parameters", ROUTES.last_col + 2, (_c("value", "par.booleans", "bool", 10, False),), "Booleans"
)

#: Procurement thresholds, one set per row from the date it is in force (ascending dates).
THRESHOLDS = Table(
    "parameters",
    BOOLEANS.last_col + 2,
    (
        _c("valid_from", "th.valid_from", "date", 12),
        _c("direct", "par.th_direct", "money", 14),
        _c("direct_innovative", "par.th_direct_innov", "money", 14),
        _c("formal_supplies_services", "par.th_ss", "money", 14),
        _c("formal_defence_security", "par.th_def", "money", 14),
        _c("formal_works", "par.th_works", "money", 14),
    ),
    "Thresholds",
)

#: Days each calendar is closed (milestone durations on that calendar skip them).
CLOSURES = Table(
    "parameters",
    THRESHOLDS.last_col + 2,
    (
        _c("calendar", "cl.calendar", "text", 12),
        _c("first_day", "cl.first_day", "date", 12),
        _c("last_day", "cl.last_day", "date", 12),
        _c("label", "cl.label", "note", 30),
        _c("rationale", "par.rationale", "note", 56),
    ),
    "Closures",
)

#: Low and high factors of the durations of each kind of milestone (one row per kind).
SPREADS = Table(
    "parameters",
    CLOSURES.last_col + 2,
    (
        _code("kind", "mil.kind", m.MilestoneKind, 13),
        _c("low", "sp.low", "rate", 9),
        _c("high", "sp.high", "rate", 9),
        _c("rationale", "par.rationale", "note", 40),
    ),
    "Spreads",
)

#: The drop-down lists of the coded input columns, each column the names of one list's codes in
#: the workbook's language (calculated, not inputs). The routes' list is the Routes table's first
#: column, whose order the formulas rank.
LISTS = Table(
    "parameters",
    SPREADS.last_col + 2,
    (
        _code("nature", "lst.nature", m.Nature, 12, False),
        _code("commitment", "in.commitment", m.Commitment, 12, False),
        _code("cp.profile", "in.cp_profile", m.Profile, 12, False),
        _code("provenance", "par.provenance", m.Provenance, 12, False),
        _code("kind", "lst.kind", m.MilestoneKind, 12, False),
        _code("step", "mil.step", m.Step, 12, False),
        _code("legal_status", "pil.legal_status", m.LegalStatus, 12, False),
        _code("vehicle", "env.vehicle", m.Vehicle, 12, False),
        _code("purpose", "srv.purpose", m.Purpose, 12, False),
    ),
    "Lists",
)

#: The defined name of each list of codes: a drop-down's source and the LISTS check's reference.
LIST_NAMES: dict[type[StrEnum], str] = {
    **{c.codes: "LST_" + c.key.split(".")[-1].upper() for c in LISTS.columns if c.codes},
    m.Route: "ROUTES",
}


def list_ref(codes: type[StrEnum]) -> str:
    """The cells (on Parameters) of the list ``codes``, as many rows as it has codes."""
    col = LISTS.letter(next(c.key for c in LISTS.columns if c.codes is codes))
    return f"${col}${FIRST_DATA_ROW + 1}:${col}${FIRST_DATA_ROW + len(codes)}"


# --------------------------------------------------------------------------- Pilots sheet

PILOTS = Table(
    "pilots",
    0,
    (
        _c("id", "pil.id", "text", 9),
        _c("name", "pil.name", "note", 34),
        _c("axis", "pil.axis", "note", 24),
        _c("owner", "pil.owner", "note", 16),
        _c("budget_programme", "pil.budget_programme", "text", 10),
        _c("action", "pil.action", "note", 22),
        _c("delegation", "pil.delegation", "note", 28),
        _c("intrusiveness", "pil.intrusiveness", "int", 11),
        _c("trl", "pil.trl", "int", 10),
        _c("sovereignty_required", "pil.sovereignty", "bool", 11),
        _c("automates_decision", "pil.automates", "bool", 11),
        _c("human_in_loop", "pil.human", "bool", 11),
        _c("legal_basis", "pil.legal_basis", "note", 34),
        _code("legal_status", "pil.legal_status", m.LegalStatus, 14),
        _c("supervising_body", "pil.supervisor", "note", 22),
        _c("supervised_from", "pil.supervised_from", "choice", 17),
        _c("calc.ae", "pil.ae", "money", 16, False),
        _c("calc.principles_ok", "pil.principles_ok", "bool", 11, False),
    ),
    "Pilots",
)

SERVES = Table(
    "pilots",
    PILOTS.last_col + 2,
    (
        _c("pilot", "srv.pilot", "choice", 9),
        _c("event", "srv.event", "choice", 10),
        _c("lead_days", "srv.lead_days", "int", 12),
        _code("purpose", "srv.purpose", m.Purpose, 10),
        _c("rationale", "srv.rationale", "note", 40),
    ),
    "ServedEvents",
    parent="pilots",
    via="serves",
    parent_key="pilot",
)

# --------------------------------------------------------------------------- Milestones sheet

MILESTONES = Table(
    "milestones",
    0,
    (
        _c("id", "mil.id", "text", 16),
        _c("pilot", "mil.pilot", "choice", 9),
        _code("kind", "mil.kind", m.MilestoneKind, 13),
        _c("label", "mil.label", "text", 40),
        _c("date", "mil.date", "date", 12),
        _c("duration.low", "mil.low", "int", 9),
        _c("duration.likely", "mil.likely", "int", 9),
        _c("duration.high", "mil.high", "int", 9),
        _c("depends_on", "mil.depends_on", "ids", 26),
        _c("not_before", "mil.not_before", "date", 12),
        _c("calendar", "mil.calendar", "text", 12),
        _code("step", "mil.step", m.Step, 16),
        _code("provenance", "in.provenance", m.Provenance, 11),
        _c("rationale", "mil.rationale", "text", 40),
        _c("calc.computed", "mil.computed", "date", 12, False),
        _c("calc.date", "mil.planned", "date", 12, False),
        _c("calc.float", "mil.float", "int", 10, False),
        _c("calc.critical", "mil.critical", "bool", 10, False),
        _c("calc.deps_ok", "mil.deps_ok", "bool", 12, False),
        _c("calc.built", "mil.built", "text", 10, False),
        _c("calc.current", "mil.current", "bool", 11, False),
    ),
    "Milestones",
    parent="pilots",
    via="milestones",
    parent_key="pilot",
)

# --------------------------------------------------------------------------- Evaluation sheet

EVALUATIONS = Table(
    "evaluation",
    0,
    (
        _c("id", "ev.id", "text", 12),
        _c("pilot", "ev.pilot", "choice", 9),
        _c("indicator", "ev.indicator", "note", 26),
        _c("baseline", "ev.baseline", "note", 24),
        _c("measurement", "ev.measurement", "note", 26),
        _c("target", "ev.target", "note", 22),
        _c("protocol", "ev.protocol", "note", 30),
        _c("evaluator", "ev.evaluator", "note", 20),
        _c("independent", "ev.independent", "bool", 11),
        _c("publication", "ev.publication", "choice", 14),
        _c("cost_line", "ev.cost_line", "choice", 13),
        _c("hypothesis", "ev.hypothesis", "note", 30),
        _c("calc.published", "ev.published", "date", 12, False),
        _c("calc.cost", "ev.cost", "money", 14, False),
        _c("calc.complete", "ev.complete", "bool", 10, False),
    ),
    "Evaluations",
    parent="pilots",
    via="evaluations",
    parent_key="pilot",
    until="gov.title",
)

#: The governance table below the evaluations: one row per pilot, every column a formula.
GOVERNANCE_COLUMNS: tuple[Column, ...] = (
    _c("pilot", "gov.pilot", "text", 12, False),
    _c("intrusiveness", "gov.intrusiveness", "int", 9, False),
    _c("required", "gov.required", "bool", 24, False),
    _c("operational", "gov.operational", "date", 24, False),
    _c("impact_ok", "gov.impact_ok", "bool", 22, False),
    _c("accreditation_ok", "gov.accreditation_ok", "bool", 30, False),
    _c("evaluations", "gov.evaluations", "int", 11, False),
    _c("evaluated_ok", "gov.evaluated_ok", "bool", 11, False),
    _c("event", "gov.event", "date", 13, False),
    _c("trial_end", "gov.trial_end", "date", 14, False),
    _c("gate_ok", "gov.gate_ok", "bool", 13, False),
    _c("supervised_from", "gov.supervised_from", "date", 14, False),
    _c("supervision_ok", "gov.supervision_ok", "bool", 12, False),
)


def governance_col(key: str) -> int:
    return next(i for i, c in enumerate(GOVERNANCE_COLUMNS) if c.key == key)


def governance_header_row(evaluation_rows: int) -> int:
    """0-based header row of the governance table, below the evaluations."""
    return FIRST_DATA_ROW + max(evaluation_rows, 1) + 3


# --------------------------------------------------------------------------- Inputs sheet

INPUTS = Table(
    "inputs",
    0,
    (
        _c("id", "in.id", "text", 16),
        _c("pilot", "in.pilot", "choice", 9),
        _c("label", "in.label", "note", 42),
        _c("titre", "in.titre", "titre", 6),
        _code("nature", "in.nature", m.Nature, 15),
        _c("transfer_to", "in.transfer_to", "text", 11),
        _c("quantity", "in.quantity", "int", 9),
        _c("unit_cost", "in.unit_cost", "money", 15),
        _c("vat_rate", "in.vat_rate", "rate", 12),
        _c("innovative", "in.innovative", "bool", 9),
        _c("ae_year", "in.ae_year", "year", 12),
        _c("award", "in.award", "choice", 14),
        _code("commitment", "in.commitment", m.Commitment, 12),
        _code("cp.profile", "in.cp_profile", m.Profile, 9),
        _c("cp.start", "in.cp_start", "month", 10),
        _c("cp.end", "in.cp_end", "month", 10),
        _c("estimate.low", "in.low", "money", 15),
        _c("estimate.high", "in.high", "money", 15),
        _code("route", "in.route", m.Route, 14),
        _c("need", "in.need", "text", 16),
        _c("tender", "in.tender", "choice", 14),
        _code("provenance", "in.provenance", m.Provenance, 11),
        _c("rationale", "in.rationale", "text", 60),
        _c("financial_code", "in.financial_code", "text", 14),
        _c("centre_financier", "in.centre_financier", "text", 16),
        _c("domaine_fonctionnel", "in.domaine_fonctionnel", "text", 13),
        _c("activite", "in.activite", "text", 15),
        _c("compte_pce", "in.compte_pce", "text", 12),
    ),
    "CostLines",
)

SCHEDULES = Table(
    "schedules",
    0,
    (
        _c("line", "sch.line", "choice", 12),
        _c("month", "sch.month", "month", 10),
        _c("amount", "sch.amount", "money", 16),
    ),
    "Schedules",
    parent="cost_lines",
    via="cp.amounts",
    parent_key="line",
)

# --------------------------------------------------------------------------- Phasing sheet

PHASING_FIXED = Table(
    "phasing",
    0,
    (
        _c("id", "ph.id", "text", 17, False),
        _c("pilot", "ph.pilot", "text", 8, False),
        _c("titre", "ph.titre", "int", 6, False),
        _c("ae_year", "ph.ae_year", "year", 8, False),
        _c("ht", "ph.ht", "money", 15, False),
        _c("vat", "ph.vat", "rate", 7, False),
        _c("ttc", "ph.ttc", "money", 15, False),
        _c("cents", "ph.cents", "int", 13, False),
        _c("first", "ph.first", "int", 8, False),
        _c("months", "ph.months", "int", 8, False),
        _c("need", "ph.need", "text", 16, False),
        _c("need_ht", "ph.need_ht", "money", 15, False),
        _c("launch", "ph.launch", "date", 12, False),
        _c("th", "ph.th", "int", 8, False),
        _c("implied_route", "ph.implied_route", "text", 13, False),
        _c("route_ok", "ph.route_ok", "bool", 10, False),
        _c("ties", "ph.ties", "bool", 10, False),
        _c("after_ae", "ph.after_ae", "bool", 10, False),
        _c("award_ok", "ph.award_ok", "bool", 10, False),
        _c("procedure_ok", "ph.procedure_ok", "bool", 10, False),
        _c("transfer_ok", "ph.transfer_ok", "bool", 10, False),
        _c("virement", "ph.virement", "bool", 10, False),
        _c("imputation_ok", "ph.imputation_ok", "bool", 10, False),
    ),
    "Phasing",
)
PHASING_INDEX_ROW = 1  # 0-based row holding each month's index (0 = first month)
PHASING_TOTAL_ROW = 2  # 0-based row holding the total of each column
PHASING_YEAR_COL = PHASING_FIXED.last_col + 1  # first per-year CP column


def phasing_month_col(n_years: int) -> int:
    """0-based column of the first month, after the fixed and the per-year columns."""
    return PHASING_YEAR_COL + n_years


# --------------------------------------------------------------------------- Timeline sheet

TIMELINE = Table(
    "timeline",
    0,
    (
        _c("pilot", "tl.pilot", "text", 9, False),
        _c("name", "tl.name", "text", 34, False),
        _c("first", "tl.first", "date", 13, False),
        _c("operational", "tl.operational", "date", 13, False),
        _c("last", "tl.last", "date", 13, False),
    ),
    "Timeline",
)
READINESS = Table(  # below the Gantt (its rows: readiness_header_row); columns by letter()
    "timeline",
    0,
    (
        _c("pilot", "tl.pilot", "text", 9, False),
        _c("event", "tl.event", "text", 34, False),
        _c("purpose", "srv.purpose", "text", 14, False),
        _c("event_first", "tl.event_first", "date", 13, False),
        _c("lead", "tl.lead", "int", 11, False),
        _c("required_by", "tl.required_by", "date", 13, False),
        _c("operational", "tl.operational", "date", 13, False),
        _c("margin", "tl.margin", "int", 9, False),
        _c("probability", "tl.probability", "rate", 11, False),
        _c("late", "tl.late", "bool", 9, False),
    ),
    "Readiness",
)
READINESS_COLUMNS: tuple[Column, ...] = READINESS.columns
TIMELINE_MONTH_COL = len(READINESS_COLUMNS)  # the Gantt's months, right of the readiness table


def readiness_header_row(n_pilots: int) -> int:
    """0-based header row of the readiness table, below the Gantt."""
    return FIRST_DATA_ROW + n_pilots + 3


# --------------------------------------------------------------------------- Credits sheet

#: The rows of the Credits sheet, one measure per row and one budget year per column from
#: CREDITS_FIRST_COL (one formula across each row): (key, label, defined name over the row).
CREDIT_ROWS: tuple[tuple[str, str, str], ...] = (
    ("year", "cr.year", "CR_YEARS"),
    ("ae_opened", "cr.ae_opened", ""),
    ("reserve_ae", "cr.reserve_ae", ""),
    ("ae_carried_in", "cr.ae_carried_in", "CR_AE_CARRIED_IN"),
    ("ae_available", "cr.ae_available", "CR_AE_AVAILABLE"),
    ("ae_committed", "cr.ae_committed", ""),
    ("ae_provision", "cr.ae_provision", ""),
    ("ae_unused", "cr.ae_unused", "CR_AE_UNUSED"),
    ("ae_carry_limit", "cr.ae_carry_limit", "CR_AE_CARRY_LIMIT"),
    ("cp_opened", "cr.cp_opened", ""),
    ("cp_proposed", "cr.cp_proposed", "CR_CP_PROPOSED"),
    ("cp_net", "cr.cp_net", ""),
    ("cp_carried_in", "cr.cp_carried_in", ""),
    ("cp_available", "cr.cp_available", "CR_CP_AVAILABLE"),
    ("cp_paid", "cr.cp_paid", "CR_CP_PAID"),
    ("cp_gap", "cr.cp_gap", ""),
    ("cp_unused", "cr.cp_unused", ""),
    ("carry_base", "cr.carry_base", ""),
    ("carry_cap", "cr.carry_cap", ""),
    ("cp_carried_out", "cr.cp_carried_out", ""),
    ("cp_lost", "cr.cp_lost", "CR_CP_LOST"),
    ("virements", "cr.virements", "CR_VIREMENTS"),
    ("virement_cap", "cr.virement_cap", "CR_VIREMENT_CAP"),
    ("t2_available", "cr.t2_available", "CR_T2_AVAILABLE"),
    ("t2_committed", "cr.t2_committed", "CR_T2_COMMITTED"),
    ("outstanding", "cr.outstanding", ""),
)
CREDITS_FIRST_COL = 1  # 0-based column of the first budget year (labels in column A)


def credit_row(key: str) -> int:
    """0-based row of measure ``key`` on the Credits sheet."""
    for i, (k, _lbl, _name) in enumerate(CREDIT_ROWS):
        if k == key:
            return FIRST_DATA_ROW + i
    raise KeyError(key)


def schedule_header_row() -> int:
    """0-based header row of the CP-on-AE schedule (échéancier), below the credits."""
    return FIRST_DATA_ROW + len(CREDIT_ROWS) + 3


# --------------------------------------------------------------------------- Checks & About

CHECKS_MASTER_ROW = 2  # 0-based row of the master check
CHECKS_COLS = {"code": 0, "check": 1, "result": 2, "count": 3, "explain": 4}
#: Columns of the About sheet (0-based), one key per row from FIRST_DATA_ROW.
ABOUT_COLS = {"key": 0, "label": 1, "value": 2}
ABOUT_KEYS: tuple[str, ...] = (
    "scenario",
    "source",
    "hash",
    "fingerprint",
    "generator",
    "layout",
    "lang",
    "lines",
    "line_rows",
    "milestones",
    "milestone_rows",
    "served",
    "served_rows",
    "evaluations",
    "evaluation_rows",
    "rebuild",
    "contributor",
    "owns",
    "signature",
)

INPUT_TABLES: tuple[Table, ...] = (
    ENVELOPES,
    EVENTS,
    ROUTES,
    THRESHOLDS,
    CLOSURES,
    SPREADS,
    PILOTS,
    SERVES,
    MILESTONES,
    EVALUATIONS,
    INPUTS,
    SCHEDULES,
)


# --------------------------------------------------------------------------- defined names


@dataclass(frozen=True)
class Name:
    """A defined name that formulas use: over a column of a table (``table`` and ``key``), or a
    cell or range laid out by the sheet ``sheet``'s writer (``what`` says which)."""

    name: str
    sheet: str
    what: str = ""
    table: Table | None = None
    key: str = ""
    first_only: bool = False  # the column's first data row only (the budget year's envelope)


def _column_names(table: Table, pairs: tuple[tuple[str, str], ...], first_only: bool = False):
    return tuple(Name(n, table.sheet, table=table, key=k, first_only=first_only) for n, k in pairs)


#: Every defined name a formula of the workbook may use. The writer defines nothing else.
NAMES: tuple[Name, ...] = (
    *(Name(name, "parameters", f"parameter {key}") for key, _l, _k, name in PARAMETERS),
    *_column_names(
        ROUTES,
        (
            ("ROUTES", "route"),
            ("ROUTE_MIN_DAYS", "minimum_days"),
            ("ROUTE_PREP_DAYS", "preparation_days"),
        ),
    ),
    *_column_names(BOOLEANS, (("BOOLEANS", "value"),)),
    *(Name(n, "parameters", "a list of codes") for n in LIST_NAMES.values() if n != "ROUTES"),
    *_column_names(
        THRESHOLDS,
        (
            ("TH_FROM", "valid_from"),
            ("TH_DIRECT", "direct"),
            ("TH_INNOVATIVE", "direct_innovative"),
            ("TH_SUPPLIES", "formal_supplies_services"),
            ("TH_DEFENCE", "formal_defence_security"),
            ("TH_WORKS", "formal_works"),
        ),
    ),
    *_column_names(
        EVENTS, (("EVENT_IDS", "id"), ("EVENT_FIRST", "first_day"), ("EVENT_LAST", "last_day"))
    ),
    *_column_names(
        ENVELOPES,
        (
            ("ENV_YEARS", "year"),
            ("ENV_PROGRAMMES", "budget_programme"),
            ("ENV_AE", "ae"),
            ("ENV_CP", "cp"),
            ("ENV_VEHICLE", "vehicle"),
            ("ENV_PROV", "provenance"),
            ("ENV_AE_CARRIED", "ae_carried_in"),
            ("ENV_RESERVE", "calc.reserve"),
            ("ENV_NET_CP", "calc.net_cp"),
            ("ENV_NET_T2", "calc.net_t2"),
            ("ENV_CARRY_BASE", "calc.carry_base"),
        ),
    ),
    *_column_names(
        ENVELOPES,
        (
            ("BUDGET_YEAR", "year"),
            ("ENVELOPE_AE", "ae"),
            ("ENVELOPE_CP", "cp"),
            ("RESERVE_AE", "calc.reserve"),
            ("NET_AE", "calc.net_ae"),
            ("NET_CP", "calc.net_cp"),
            ("NET_T2", "calc.net_t2"),
        ),
        first_only=True,
    ),
    *_column_names(
        PILOTS,
        (
            ("PIL_IDS", "id"),
            ("PIL_PROGRAMME", "budget_programme"),
            ("PIL_DELEGATION", "delegation"),
            ("PIL_INTR", "intrusiveness"),
            ("PIL_BASIS", "legal_basis"),
            ("PIL_SUPERVISOR", "supervising_body"),
            ("PIL_AUTOMATES", "automates_decision"),
            ("PIL_HUMAN", "human_in_loop"),
            ("PIL_STATUS", "legal_status"),
        ),
    ),
    *_column_names(
        SERVES, (("SRV_PILOTS", "pilot"), ("SRV_EVENTS", "event"), ("SRV_PURPOSE", "purpose"))
    ),
    *_column_names(EVALUATIONS, (("EV_PILOTS", "pilot"), ("EV_COMPLETE", "calc.complete"))),
    *_column_names(
        MILESTONES,
        (
            ("MIL_IDS", "id"),
            ("MIL_PILOTS", "pilot"),
            ("MIL_KINDS", "kind"),
            ("MIL_STEPS", "step"),
            ("MIL_PROV", "provenance"),
            ("MIL_RATIONALE", "rationale"),
            ("MIL_DATES", "calc.date"),
            ("MIL_DEPS_OK", "calc.deps_ok"),
            ("MIL_CURRENT", "calc.current"),
        ),
    ),
    *_column_names(
        INPUTS,
        (
            ("IN_IDS", "id"),
            ("IN_QTY", "quantity"),
            ("IN_NATURE", "nature"),
            ("IN_UNIT", "unit_cost"),
            ("IN_LOW", "estimate.low"),
            ("IN_HIGH", "estimate.high"),
            ("IN_PROV", "provenance"),
            ("IN_RATIONALE", "rationale"),
            ("IN_COMMITMENT", "commitment"),
            ("IN_PROFILE", "cp.profile"),
            ("IN_ROUTE", "route"),
        ),
    ),
    *_column_names(
        SCHEDULES,
        (("SCHED_LINES", "line"), ("SCHED_MONTHS", "month"), ("SCHED_AMOUNTS", "amount")),
    ),
    *_column_names(
        PHASING_FIXED,
        (
            ("PH_IDS", "id"),
            ("PH_PILOT", "pilot"),
            ("PH_TITRE", "titre"),
            ("PH_AEYEAR", "ae_year"),
            ("PH_HT", "ht"),
            ("PH_NEED", "need"),
            ("PH_TTC", "ttc"),
            ("PH_ROUTE_OK", "route_ok"),
            ("PH_TIES", "ties"),
            ("PH_AFTER_AE", "after_ae"),
            ("PH_AWARD_OK", "award_ok"),
            ("PH_PROCEDURE_OK", "procedure_ok"),
            ("PH_TRANSFER_OK", "transfer_ok"),
            ("PH_VIREMENT", "virement"),
            ("PH_IMPUTATION_OK", "imputation_ok"),
        ),
    ),
    Name("PH_MONTH_HDR", "phasing", "the first month of each month column"),
    Name("PH_MONTH_TOTALS", "phasing", "the total CP of each month"),
    Name("PH_MONTHS", "phasing", "the monthly CP of every line"),
    *(
        Name(name, "credits", f"the {key} of each budget year")
        for key, _l, name in CREDIT_ROWS
        if name
    ),
    Name("ALLOCATED_AE", "summary", "AE allocated"),
    Name("TITRES", "summary", "the LOLF titres (2, 3, 5, 6) of the table by titre"),
    Name("HEADROOM", "summary", "headroom left in the net envelope"),
    Name("MASTER_CHECK", "checks", "the master check"),
    Name("TYPED_AS_TEXT", "checks", "how many number, date and boolean inputs hold text"),
    Name("ERRORS_SHOWN", "checks", "how many figures of the Summary and the Pilots show errors"),
    Name("RISK_PROB_OVER", "risk", "the simulated probability of exceeding the envelope"),
    Name("RISK_CONTINGENCY_P80", "risk", "what reaching P80 takes above the plan"),
    Name("RISK_PROVISION", "risk", "the provision for contingencies held in the plan"),
    Name("RD_LATE", "timeline", "whether each pilot is late for each event it serves"),
    *(
        Name(f"GOV_{key.upper()}", "evaluation", f"each pilot's {key}")
        for key in ("impact_ok", "accreditation_ok", "evaluated_ok", "gate_ok", "supervision_ok")
    ),
)
NAME_BY_ID: dict[str, Name] = {n.name: n for n in NAMES}


#: Kinds of cell an officer types a number (or true/false) into: text typed there is compared
#: as text (``"deux">=2`` is TRUE, ``"non"=FALSE`` is FALSE), silently, so a check reading such a
#: cell also counts the text typed in it.
NUMBER_KINDS = frozenset({"int", "year", "money", "rate", "date", "month", "bool", "titre"})


def typed_number_names(names: list[str]) -> list[str]:
    """The names among ``names`` over input cells that hold numbers or booleans: the scalar
    parameters and the input columns of those kinds."""
    scalars = {name: kind for _key, _label, kind, name in PARAMETERS}
    out = []
    for name in names:
        if name in scalars:
            if scalars[name] in NUMBER_KINDS:
                out.append(name)
            continue
        spec = NAME_BY_ID.get(name)
        if spec is None or spec.table is None:
            continue
        column = next(c for c in spec.table.columns if c.key == spec.key)
        if column.is_input and column.kind in NUMBER_KINDS:
            out.append(name)
    return out


#: Each kind of item of a programme (as its path names it: ``cost_lines[SCAN-EQ]``), the table
#: that holds it, and how a sentence names one in French and in English.
ITEM_KINDS: dict[str, tuple[Table, str, str, str]] = {
    "cost_lines": (INPUTS, "la ligne", "de la ligne", "line"),
    "pilots": (PILOTS, "le pilote", "du pilote", "pilot"),
    "milestones": (MILESTONES, "le jalon", "du jalon", "milestone"),
    "serves": (SERVES, "l'événement servi", "de l'événement servi", "event served"),
    "evaluations": (EVALUATIONS, "l'évaluation", "de l'évaluation", "evaluation"),
    "events": (EVENTS, "l'événement", "de l'événement", "event"),
    "envelopes": (ENVELOPES, "l'enveloppe", "de l'enveloppe", "envelope"),
    "procedures": (ROUTES, "la procédure", "de la procédure", "procedure"),
    "thresholds": (THRESHOLDS, "les seuils", "des seuils", "thresholds"),
    "closures": (CLOSURES, "la fermeture", "de la fermeture", "closure"),
    "spreads": (SPREADS, "la dispersion", "de la dispersion", "spread"),
}


def field_column(kind: str, field: str) -> Column | None:
    """The column a field of an item of ``kind`` is typed in (``quantity`` of a cost line),
    if one holds it."""
    found = ITEM_KINDS.get(kind)
    if found is None or not field:
        return None
    columns = found[0].columns
    keys = (field, f"{field}.likely")  # a duration: its likely number of days
    return next((c for k in keys for c in columns if c.key == k), None) or next(
        (c for c in columns if c.key.startswith(field + ".")), None
    )


def field_label(kind: str, field: str, lang: Lang) -> str:
    """The header of the column a field of an item of ``kind`` is typed in (``quantity`` of a
    cost line: Quantité), or the field itself when no column holds it."""
    column = field_column(kind, field)
    return label(column.label, lang) if column is not None else field


def item_words(item: str, lang: Lang) -> str:
    """An item's path as a sentence says it: ``milestones[SCAN-LAW]`` -> jalon SCAN-LAW."""
    kind, _, rest = item.partition("[")
    ident = rest.split("]")[0]
    found = ITEM_KINDS.get(kind.split(".")[-1])
    if found is None:
        return item
    name = found[1].split(" ", 1)[-1].removeprefix("l'") if lang == "fr" else found[3]
    return f"{name} {ident}".strip()


def column_names(table: Table) -> tuple[Name, ...]:
    """The defined names over columns of ``table``."""
    return tuple(n for n in NAMES if n.table is table)


def name_ref(name: Name, n_rows: int, lang: Lang) -> str:
    """The formula a column name stands for, over ``n_rows`` rows of its table."""
    assert name.table is not None, name
    table = name.table
    if name.first_only:
        col = table.letter(name.key)
        return f"={quote(sheet_name(table.sheet, lang))}!${col}${FIRST_DATA_ROW + 1}"
    return f"={table.range(name.key, n_rows, lang)}"


def _canonical(value: object) -> object:
    """``value`` as plain, ordered data: the same on every machine and hash seed."""
    if isinstance(value, type) and issubclass(value, StrEnum):
        return [value.__name__, [member.value for member in value]]
    if isinstance(value, frozenset | set):
        return sorted(_canonical(v) for v in value)  # type: ignore[type-var]
    if isinstance(value, dict):
        return [[_canonical(k), _canonical(v)] for k, v in value.items()]
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        fields = value.__dataclass_fields__  # type: ignore[attr-defined]
        return [type(value).__name__, [[f, _canonical(getattr(value, f))] for f in fields]]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


#: Upper-case data of this module that says how to read or word the layout, not where cells are.
_NOT_LAYOUT = frozenset({"ITEM_KINDS", "NUMBER_KINDS"})


def _fingerprint() -> str:
    """A hash of this module's description of the workbook (its upper-case data)."""
    import hashlib
    import json

    described = [
        [name, _canonical(value)]
        for name, value in sorted(globals().items())
        if name.isupper()
        and not name.startswith("LAYOUT")
        and name not in _NOT_LAYOUT
        and not callable(value)
    ]
    text = json.dumps(described, ensure_ascii=True, sort_keys=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@functools.cache
def _layout() -> str:
    return f"{LAYOUT_VERSION}.{_fingerprint()}"


def __getattr__(name: str) -> str:
    """``LAYOUT``, this layout as the About sheet names it (``version.fingerprint``): hashed on
    first use, not at every import (about 30 ms, which a command that writes or reads no
    workbook need not pay)."""
    if name == "LAYOUT":
        return _layout()
    raise AttributeError(name)


#: Every layout budgetplan has written, oldest first, with what tells it apart. A workbook of
#: another layout than ``LAYOUT`` is refused by the reader, naming its layout from this list.
LAYOUTS: dict[str, Said] = {
    "1": said(
        "budgetplan up to December 2026, before layouts were fingerprinted",
        "budgetplan jusqu'en décembre 2026, avant l'empreinte des mises en page",
    ),
    "2.ae461a1a6237": said(
        "December 2026: checks TYPED_NUMBERS and FIGURES_SOUND, signed returns, layouts "
        "fingerprinted",
        "décembre 2026 : contrôles TYPED_NUMBERS et FIGURES_SOUND, retours signés, mises en "
        "page à empreinte",
    ),
    "3.619ba318601a": said(
        "December 2026: the risk accepted on the Parameters sheet, check RISK_OVERRUN, the "
        "risk verdict on the Summary",
        "décembre 2026 : risque accepté dans les Paramètres, contrôle RISK_OVERRUN, verdict du "
        "risque dans la Synthèse",
    ),
    "4.41b439aa7ecb": said(
        "December 2026: no payment before a line's award (CP_AFTER_AE), an empty readiness row "
        "left blank; the same tables as layout 3, other formulas",
        "décembre 2026 : aucun paiement avant la notification d'une ligne (CP_AFTER_AE), une "
        "ligne de préparation vide laissée vide ; les tableaux de la mise en page 3, d'autres "
        "formules",
    ),
}


#: The earlier layouts whose inputs this reader reads (``budgetplan upgrade``), each with the
#: parameters it did not have yet (they take their defaults): the same input tables, columns
#: and sheets, read by their header rows.
LAYOUTS_UPGRADABLE: dict[str, tuple[str, ...]] = {
    "2.ae461a1a6237": ("risk_acceptance.overrun_probability",),
    "3.619ba318601a": (),
}
