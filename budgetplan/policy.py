"""Approval rules as data: which changes between two versions of a programme need an approval,
and the approvals recorded in the scenario file that clear them.

A policy file (``policy.yaml``) lists rules, each of one kind with its tolerance::

    rules:
      - id: ae-20pc                     # a pilot's AE moving by more than 20% or 500,000 EUR
        pilot_ae_moves: {share: 0.20, amount: 500000}
      - id: formal-new-line             # a new line above the formal procurement threshold
        new_line_above_formal: true
      - id: titre2                      # any change to titre 2 (staff)
        titre2_changes: true
      - id: late                        # a pilot becoming late for an event it must operate at
        late_for_event: true
      - id: transfer                    # money moved between LOLF programmes
        money_between_programmes: true

An approval, recorded in the scenario file's ``approvals`` list, names the rule, the subject and
the change it approves, word for word as the report gives them, with who, when and why: git's
history of the scenario file is then the audit trail. An approval of another change (another
amount) clears nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from budgetplan.compute.figures import Figures, compute
from budgetplan.core.findings import Finding, Severity, said
from budgetplan.core.model import Programme, Route, Titre
from budgetplan.core.money import eur
from budgetplan.yamlio.loader import LoadError, decode_scenario, read_scenario_bytes, read_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tolerance(_Strict):
    share: Decimal = Field(ge=0, le=10, description="Share of the pilot's AE (0.20 = 20%).")
    amount: Decimal = Field(ge=0, description="Euros, incl. VAT.")


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$")
    pilot_ae_moves: Tolerance | None = None
    new_line_above_formal: bool = False
    titre2_changes: bool = False
    late_for_event: bool = False
    money_between_programmes: bool = False

    @model_validator(mode="after")
    def one_kind(self) -> Rule:
        kinds = [k for k in KINDS if getattr(self, k) not in (None, False)]
        if len(kinds) != 1:
            raise ValueError(f"a rule has exactly one of {', '.join(KINDS)}")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in KINDS if getattr(self, k) not in (None, False))


KINDS = (
    "pilot_ae_moves",
    "new_line_above_formal",
    "titre2_changes",
    "late_for_event",
    "money_between_programmes",
)


class Policy(_Strict):
    rules: tuple[Rule, ...] = Field(min_length=1)


class Approval(_Strict):
    rule: str
    subject: str
    change: str
    who: str = Field(min_length=1)
    when: dt.date
    why: str = Field(min_length=1)


def load_policy(path: Path) -> Policy:
    """A policy file; LoadError with each problem at its line."""
    from budgetplan.yamlio.loader import _pydantic_findings

    file = str(path)
    doc = read_yaml(decode_scenario(read_scenario_bytes(path), file), file)
    try:
        return Policy.model_validate(doc)
    except ValidationError as exc:
        raise LoadError(_pydantic_findings(exc, doc, file)) from None


def load_approvals(path: Path | None) -> tuple[Approval, ...]:
    """The approvals a scenario file records (its ``approvals`` list); none for a workbook."""
    if path is None or path.suffix.lower() not in (".yaml", ".yml"):
        return ()
    from budgetplan.yamlio.loader import _pydantic_findings

    file = str(path)
    doc = read_yaml(decode_scenario(read_scenario_bytes(path), file), file)
    raw = doc.get("approvals", []) if isinstance(doc, dict) else []
    try:
        return tuple(Approval.model_validate(a) for a in raw or [])
    except ValidationError as exc:
        raise LoadError(_pydantic_findings(exc, doc, file)) from None


@dataclass(frozen=True)
class Trip:
    """A change that needs an approval under a rule."""

    rule: str
    subject: str
    change: str
    approval: Approval | None = None

    def finding(self, file: str = "") -> Finding:
        if self.approval is not None:
            a = self.approval
            return Finding(
                Severity.INFO,
                "APPROVED",
                said(
                    f"{self.rule}: {self.subject}: {self.change}, approved by {a.who} on "
                    f"{a.when:%d/%m/%Y} ({a.why})",
                    f"{self.rule} : {self.subject} : {self.change}, approuvé par {a.who} le "
                    f"{a.when:%d/%m/%Y} ({a.why})",
                ),
                "",
                file=file,
            )
        return Finding(
            Severity.ERROR,
            "NEEDS_APPROVAL",
            said(
                f"{self.rule}: {self.subject}: {self.change}",
                f"{self.rule} : {self.subject} : {self.change}",
            ),
            said(
                f"record an approval in the scenario file: {{rule: {self.rule}, subject: "
                f"{self.subject}, change: '{self.change}', who, when, why}}",
                f"consigner une approbation dans le fichier de scénario : {{rule: {self.rule}, "
                f"subject: {self.subject}, change: '{self.change}', who, when, why}}",
            ),
            file=file,
        )


def trips(
    policy: Policy, old: Programme, new: Programme, approvals: tuple[Approval, ...] = ()
) -> list[Trip]:
    """Every change from ``old`` to ``new`` a rule of ``policy`` trips, each with the approval
    that clears it (the same rule, subject and change), if any."""
    before, after = compute(old), compute(new)
    found: list[Trip] = []
    for rule in policy.rules:
        for subject, change in RULES[rule.kind](rule, before, after):
            approval = next(
                (
                    a
                    for a in approvals
                    if (a.rule, a.subject, a.change) == (rule.id, subject, change)
                ),
                None,
            )
            found.append(Trip(rule.id, subject, change, approval))
    return found


def _eur(cents: int) -> str:
    return eur(cents, "en", unit=False)


def _pilot_ae_moves(rule: Rule, before: Figures, after: Figures) -> list[tuple[str, str]]:
    assert rule.pilot_ae_moves is not None
    tol = rule.pilot_ae_moves
    old = {p.pilot: p.ae for p in before.pilots}
    out = []
    for p in after.pilots:
        was = old.get(p.pilot, 0)
        moved = abs(p.ae - was)
        if moved > tol.amount * 100 or (was and Decimal(moved) > tol.share * was):
            out.append((p.pilot, f"AE {_eur(was)} -> {_eur(p.ae)}"))
    return out


def _new_line_above_formal(rule: Rule, before: Figures, after: Figures) -> list[tuple[str, str]]:
    known = {lf.id for lf in before.lines}
    return [
        (lf.id, f"new line of {_eur(lf.ht)} excl. VAT, need {_eur(lf.need_ht)}: formal tender")
        for lf in after.lines
        if lf.id not in known and lf.implied_route is Route.FORMAL
    ]


def _titre2_changes(rule: Rule, before: Figures, after: Figures) -> list[tuple[str, str]]:
    def t2(fig: Figures) -> dict[str, int]:
        return {lf.id: lf.ttc for lf in fig.lines if lf.line.titre is Titre.PERSONNEL}

    old, new = t2(before), t2(after)
    out = [
        (line, f"titre 2 {_eur(old.get(line, 0))} -> {_eur(new.get(line, 0))}")
        for line in sorted(old.keys() | new.keys())
        if old.get(line, 0) != new.get(line, 0)
    ]
    envelopes_old = {e.year: e.titre2 for e in before.programme.envelopes}
    for e in after.programme.envelopes:
        if envelopes_old.get(e.year) != e.titre2:
            out.append((f"envelope {e.year}", f"titre 2 {envelopes_old.get(e.year)} -> {e.titre2}"))
    return out


def _late_for_event(rule: Rule, before: Figures, after: Figures) -> list[tuple[str, str]]:
    def late(fig: Figures) -> dict[tuple[str, str], int]:
        return {
            (r.pilot, r.event): r.margin_days
            for r in fig.readiness
            if r.required and r.margin_days is not None and r.margin_days < 0
        }

    was, now = late(before), late(after)
    return [
        (f"{pilot} {event}", f"late by {-days} days")
        for (pilot, event), days in now.items()
        if (pilot, event) not in was
    ]


def _money_between_programmes(rule: Rule, before: Figures, after: Figures) -> list[tuple[str, str]]:
    def where(fig: Figures) -> dict[str, tuple[str, str, int]]:
        pilots = {p.id: p.budget_programme for p in fig.programme.pilots}
        return {
            lf.id: (pilots.get(lf.line.pilot, ""), str(lf.line.transfer_to or ""), lf.ttc)
            for lf in fig.lines
        }

    old, new = where(before), where(after)
    out = []
    for line, (prog, transfer, ttc) in new.items():
        was = old.get(line)
        moved = transfer and (was is None or was[1] != transfer or was[2] != ttc)
        if was is not None and was[0] != prog:
            out.append((line, f"programme {was[0]} -> {prog}, {_eur(ttc)}"))
        elif moved:
            out.append((line, f"transfer to programme {transfer}: {_eur(ttc)}"))
    return out


RULES: dict[str, Any] = {
    "pilot_ae_moves": _pilot_ae_moves,
    "new_line_above_formal": _new_line_above_formal,
    "titre2_changes": _titre2_changes,
    "late_for_event": _late_for_event,
    "money_between_programmes": _money_between_programmes,
}
