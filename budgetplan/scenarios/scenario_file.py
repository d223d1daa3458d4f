"""Scenarios as data: a YAML file that names its base and lists its changes.

name: cut-40m
description: What if the envelope is cut to EUR 40M, protecting the event-critical pilots?
base: default            # or a scenario file, relative to this one
changes:
  - cut_envelope: {amount: 40000000, strategy: pro_rata, protect: [SCAN, ADRN, FRA, CROWD]}
  - scale_cost: {pilot: SCAN, factor: 1.3}
  - shift: {pilot: SCAN, months: 3}
  - fix_date: {milestone: ADRN-LAW, date: 2023-04-19, source: "décret n° 2023-283"}
  - extend_period: {months: 6}   # before a shift that pays later than the period's end
  - move_money: {amount: 500000, from_pilot: PGM, to_pilot: SUPV}
  - drop_line: {line: SCAN-DPIA}
  - drop_pilot: {pilot: FRP}
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from budgetplan.core.findings import Finding, Severity, in_lang, said, validation_message
from budgetplan.core.model import CostLine
from budgetplan.scenarios.scenario import Scenario, ScenarioError
from budgetplan.yamlio.loader import (
    LoadError,
    decode_scenario,
    node_line,
    parse_programme,
    read_scenario_bytes,
    read_yaml,
)


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScaleCost(_Args):
    factor: Decimal = Field(ge=0, le=100)
    pilot: str | None = None
    line: str | None = None


class Shift(_Args):
    months: int = Field(0, ge=-120, le=120)
    days: int = Field(0, ge=-3650, le=3650)
    pilot: str | None = None
    milestone: str | None = None
    payments: bool = True


class FixDate(_Args):
    milestone: str
    date: dt.date
    source: str = Field("", max_length=500)


class CloseCalendar(_Args):
    calendar: str
    first_day: dt.date
    last_day: dt.date
    label: str
    milestones: list[str] = []
    source: str = Field("", max_length=500)


class ExtendPeriod(_Args):
    months: int = Field(ge=1, le=120)


class CutEnvelope(_Args):
    amount: Decimal = Field(ge=0, le=Decimal("1e12"))
    strategy: Literal["pro_rata", "priority"] = "pro_rata"
    protect: list[str] = []
    priority: list[str] = []


class MoveMoney(_Args):
    amount: Decimal = Field(ge=0, le=Decimal("1e12"))
    from_pilot: str
    to_pilot: str


class DropLine(_Args):
    line: str


class DropPilot(_Args):
    pilot: str


CHANGES: dict[str, type[BaseModel]] = {
    "scale_cost": ScaleCost,
    "shift": Shift,
    "fix_date": FixDate,
    "close_calendar": CloseCalendar,
    "extend_period": ExtendPeriod,
    "cut_envelope": CutEnvelope,
    "move_money": MoveMoney,
    "drop_line": DropLine,
    "drop_pilot": DropPilot,
    "add_line": CostLine,  # a whole cost line, as in a programme file's cost_lines
}


class ChangeFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,60}$")
    description: str = ""
    base: str = "default"
    changes: list[dict[str, Any]] = Field(min_length=1)


def _explain(error: Any, model: type[BaseModel], change: str | int) -> tuple[str, str]:
    """A pydantic error of a change file as a message and a hint a programme manager can act
    on: an unknown field with the nearest known one, a missing field named."""
    loc = error["loc"]
    field = str(loc[-1]) if loc else ""
    of, of_fr = (f" of {change}", f" de {change}") if change else ("", "")
    known = list(model.model_fields) if len(loc) == 1 else []
    if error["type"] == "extra_forbidden":
        unknown = said(f"unknown field {field!r}{of}", f"champ inconnu {field!r}{of_fr}")
        close = difflib.get_close_matches(field, known, n=1)
        if close:
            return unknown, said(f"did you mean '{close[0]}'?", f"vouliez-vous dire '{close[0]}' ?")
        return unknown, (
            said(f"its fields: {', '.join(known)}", f"ses champs : {', '.join(known)}")
            if known
            else said("remove it", "le retirer")
        )
    if error["type"] == "missing":
        return (
            said(
                f"{change or 'the file'} needs {field!r}",
                f"{change or 'le fichier'} demande {field!r}",
            ),
            said(f"add {field}: ...", f"ajouter {field}: ..."),
        )
    message = validation_message(error)
    return (
        said(f"{field}{of}: {message}", f"{field}{of_fr} : {in_lang(message, 'fr')}"),
        said("correct the value", "corriger la valeur"),
    )


def is_change_file(data: bytes) -> bool:
    return b"\nchanges:" in b"\n" + data or data.startswith(b"changes:")


#: Folders (separated by os.pathsep) a change file's ``base`` may also name, beside its own.
BASE_ROOTS_VARIABLE = "BUDGETPLAN_BASE_ROOTS"


def _base_refusal(base: Path, path: Path) -> tuple[str, str] | None:
    """Why a change file may not take ``base`` as its base (message, hint), or None.

    A base is a scenario file (.yaml) in the change file's folder or below it, or under a folder
    named in BUDGETPLAN_BASE_ROOTS: a change file received from someone else cannot make
    budgetplan read, and echo in its errors, any file of the machine."""
    if base.suffix.lower() not in (".yaml", ".yml"):
        return (
            said(
                f"base {base.name} is not a scenario file (.yaml)",
                f"la base {base.name} n'est pas un fichier de scénario (.yaml)",
            ),
            said(
                "name a programme or change file, or `default`",
                "nommer un fichier de programme ou de changements, ou `default`",
            ),
        )
    roots = [path.resolve().parent]
    roots += [
        Path(r).resolve() for r in os.environ.get(BASE_ROOTS_VARIABLE, "").split(os.pathsep) if r
    ]
    if not any(base.is_relative_to(root) for root in roots):
        return (
            said(
                f"base {base} is outside the folder of this change file",
                f"la base {base} est hors du dossier de ce fichier de changements",
            ),
            said(
                f"copy the base beside the change file, or name its folder in "
                f"{BASE_ROOTS_VARIABLE}",
                f"copier la base à côté du fichier de changements, ou nommer son dossier dans "
                f"{BASE_ROOTS_VARIABLE}",
            ),
        )
    return None


def _schema_errors(
    exc: ValidationError,
    doc: Any,
    file: str,
    prefix: tuple[str | int, ...] = (),
    model: type[BaseModel] = ChangeFile,
) -> list[Finding]:
    """A validation error of the change file (or of one change, at ``prefix``), each at its line."""
    out = []
    for e in exc.errors(include_url=False):
        loc = (*prefix, *e["loc"])
        message, hint = _explain(e, model, prefix[-1] if prefix else "")
        out.append(Finding(Severity.ERROR, "SCHEMA", message, hint, loc, file, node_line(doc, loc)))
    return out


def _base(spec: ChangeFile, path: Path, doc: Any, seen: tuple[Path, ...]) -> Scenario:
    """The scenario the change file starts from: the default, or its ``base:`` file (inside the
    file's folder, never leading back to it)."""
    file = str(path)
    if spec.base == "default":
        return Scenario.default(spec.name or path.stem, spec.description)
    base = (path.parent / spec.base).resolve()
    refusal = _base_refusal(base, path)
    line = node_line(doc, ("base",))
    if refusal is not None:
        raise LoadError.of("BASE_OUTSIDE", refusal[0], refusal[1], ("base",), file, line)
    if base in seen or base == path.resolve():
        raise LoadError.of(
            "BASE_CYCLE",
            said(
                f"base {spec.base} leads back to this file",
                f"la base {spec.base} ramène à ce fichier",
            ),
            said(
                "start the chain from default or a programme file",
                "faire partir la chaîne de default ou d'un fichier de programme",
            ),
            ("base",),
            file,
            line,
        )
    programme = load_scenario_file(base, (*seen, path.resolve())).programme
    return Scenario(spec.name or path.stem, programme, spec.description)


def _unknown_change(change: object, where: tuple[str | int, ...], doc: Any, file: str) -> Finding:
    """A change that is not one name and its fields, or whose name no change has."""
    name = next(iter(change)) if isinstance(change, dict) and len(change) == 1 else None
    close = difflib.get_close_matches(str(name), list(CHANGES), n=1) if name else []
    message = (
        said(f"unknown change {name!r}", f"changement inconnu {name!r}")
        if name
        else said("a change is a name and its fields", "un changement est un nom et ses champs")
    )
    hint = (
        said(f"did you mean '{close[0]}'?", f"vouliez-vous dire '{close[0]}' ?")
        if close
        else said(
            f"a change is one of {', '.join(CHANGES)}, e.g. "
            "`- scale_cost: {pilot: SCAN, factor: 1.3}`",
            f"un changement est l'un de {', '.join(CHANGES)}, par exemple "
            "`- scale_cost: {pilot: SCAN, factor: 1.3}`",
        )
    )
    return Finding(Severity.ERROR, "SCHEMA", message, hint, where, file, node_line(doc, where))


def load_scenario_file(path: str | Path, _seen: tuple[Path, ...] = ()) -> Scenario:
    """The scenario a change file describes: its base, then each change in order; LoadError
    lists every problem with its line."""
    path = Path(path)
    file = str(path)
    data = read_scenario_bytes(path)
    if not is_change_file(data):  # a whole programme is a scenario too
        loaded = parse_programme(data, file)
        return Scenario(path.stem, loaded.programme)
    doc = read_yaml(decode_scenario(data, file), file)
    try:
        spec = ChangeFile.model_validate(doc)
    except ValidationError as exc:
        raise LoadError(_schema_errors(exc, doc, file)) from None
    scenario = _base(spec, path, doc, _seen)
    errors: list[Finding] = []
    for i, change in enumerate(spec.changes):
        where = ("changes", i)
        if not isinstance(change, dict) or len(change) != 1 or next(iter(change)) not in CHANGES:
            errors.append(_unknown_change(change, where, doc, file))
            continue
        kind, args = next(iter(change.items()))
        try:
            model = CHANGES[kind]
            parsed = model.model_validate(args or {})
            fields = dict(args) if model is CostLine else parsed.model_dump()
            scenario = getattr(scenario, kind)(**fields)
        except ValidationError as exc:
            errors += _schema_errors(exc, doc, file, (*where, kind), CHANGES[kind])
        except (ScenarioError, ValueError) as exc:
            message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            hint = said("correct the change", "corriger le changement")
            errors.append(
                Finding(Severity.ERROR, "CHANGE", message, hint, where, file, node_line(doc, where))
            )
    if errors:
        raise LoadError(errors)
    return scenario
