"""Renderers of a diff: text (terminal), Markdown (reviews), JSON (a stable schema)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from budgetplan.core.money import eur
from budgetplan.diff.compare import DiffResult


def _eur(cents: int) -> str:
    return eur(cents, unit=False)


def _delta(old: int, new: int) -> str:
    d = new - old
    pct = f" ({d / old * 100:+.1f}%)" if old else ""
    return f"{'+' if d >= 0 else '-'}{_eur(abs(d))}{pct}"


def show(value: object, none: str = "-") -> str:
    """A changed value as a reviewer reads it: dates dd/mm/yyyy, nothing as ``none``."""
    if value is None:
        return none
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def to_json(r: DiffResult) -> str:
    data = {
        "same": r.same,
        "lines": [
            {
                "id": line.id,
                "status": line.status,
                "changes": {
                    k: {"old": _json_value(c.old), "new": _json_value(c.new)}
                    for k, c in line.changes.items()
                },
                "ae_old": _eur(line.ae_old).replace(" ", ""),
                "ae_new": _eur(line.ae_new).replace(" ", ""),
            }
            for line in r.lines
        ],
        "parameters": [
            {"item": i, "field": f, "old": _json_value(c.old), "new": _json_value(c.new)}
            for i, f, c in r.parameters
        ],
        "totals": {
            "ae_old": _eur(r.total_ae[0]).replace(" ", ""),
            "ae_new": _eur(r.total_ae[1]).replace(" ", ""),
            "headroom_old": _eur(r.headroom[0]).replace(" ", ""),
            "headroom_new": _eur(r.headroom[1]).replace(" ", ""),
            "lines_explain": _eur(r.lines_delta + r.hidden_delta).replace(" ", ""),
            "unexplained": _eur(r.unexplained).replace(" ", ""),
            "by": [
                {
                    "key": t.key,
                    "ae_old": t.ae_old / 100,
                    "ae_new": t.ae_new / 100,
                    "cp_old": t.cp_old / 100,
                    "cp_new": t.cp_new / 100,
                }
                for t in r.totals
            ],
        },
        "milestones": [
            {"id": m.id, "pilot": m.pilot, "old": _json_value(m.old), "new": _json_value(m.new)}
            for m in r.milestones
        ],
        "readiness": [
            {
                "pilot": x.pilot,
                "event": x.event,
                "old_margin_days": x.old,
                "new_margin_days": x.new,
                "old_probability": round(x.old_probability, 4),
                "new_probability": round(x.new_probability, 4),
                "became_late": x.became_late,
            }
            for x in r.readiness
        ],
        "checks": [
            {"code": c.code, "old": c.old, "new": c.new, "message": c.message} for c in r.checks
        ],
        "hidden_under_threshold": r.hidden,
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def to_text(r: DiffResult, old: str, new: str, markdown: bool = False) -> str:
    """Long: one paragraph per part of the diff, in report order."""
    h = (lambda t: f"\n### {t}\n") if markdown else (lambda t: f"\n{t.upper()}")
    item = "- " if markdown else "  "
    out = [f"## {old} -> {new}" if markdown else f"{old} -> {new}"]
    if r.same:
        out.append("no change")
        return "\n".join(out)
    out.append(
        f"{item}AE {_eur(r.total_ae[0])} -> {_eur(r.total_ae[1])} "
        f"({_delta(*r.total_ae)}); headroom {_eur(r.headroom[0])} -> {_eur(r.headroom[1])}"
    )
    tie = (
        "the line changes add up to the change of the total"
        if r.unexplained == 0
        else f"{_eur(r.unexplained)} of the change is not explained by the lines"
    )
    out.append(f"{item}{tie}")
    if r.lines:
        out.append(h("cost lines"))
        for line in sorted(r.lines, key=lambda x: (x.status, x.id)):
            fields = "; ".join(
                f"{k}: {show(c.old)} -> {show(c.new)}" for k, c in line.changes.items()
            )
            amount = (
                f"AE {_eur(line.ae_old)} -> {_eur(line.ae_new)} "
                f"({_delta(line.ae_old, line.ae_new)})"
            )
            out.append(
                f"{item}{line.status:<8} {line.id:<14} {amount}"
                + (f"  [{fields}]" if fields else "")
            )
    if r.hidden:
        out.append(
            f"{item}{r.hidden} line change(s) under the threshold hidden ({_eur(r.hidden_delta)})"
        )
    if r.parameters:
        out.append(h("programme"))
        for it, key, c in r.parameters:
            out.append(f"{item}{it}.{key}: {show(c.old)} -> {show(c.new)}")
    if r.totals:
        out.append(h("impact (AE / CP, incl. VAT)"))
        for t in r.totals:
            out.append(
                f"{item}{t.key:<14} AE {_eur(t.ae_old)} -> {_eur(t.ae_new)} "
                f"({_delta(t.ae_old, t.ae_new)}); CP {_eur(t.cp_old)} -> {_eur(t.cp_new)}"
            )
    if r.milestones:
        out.append(h("milestones"))
        for m in r.milestones:
            out.append(f"{item}{m.id} ({m.pilot}): {show(m.old)} -> {show(m.new)}")
    if r.readiness:
        out.append(h("readiness margin (days before each event) and probability of being in time"))
        for x in r.readiness:
            flag = "  ** NOW LATE **" if x.became_late else ""
            odds = f" ({x.old_probability:.0%} -> {x.new_probability:.0%})"
            out.append(f"{item}{x.pilot} / {x.event}: {show(x.old)} -> {show(x.new)}{odds}{flag}")
    if r.checks:
        out.append(h("checks"))
        for c in r.checks:
            state = lambda ok: "pass" if ok else "FAIL"  # noqa: E731
            out.append(f"{item}{c.code}: {state(c.old)} -> {state(c.new)}  {c.message}")
    return "\n".join(out)
