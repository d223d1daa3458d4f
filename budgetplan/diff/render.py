"""Renderers of a diff: text (terminal), Markdown (reviews), JSON (a stable schema)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from budgetplan.core.display import escape, show
from budgetplan.core.display import plain as _n
from budgetplan.core.model import CostLine
from budgetplan.core.money import eur, to_cents
from budgetplan.diff.compare import DiffResult


def _eur(cents: int) -> str:
    return eur(cents, unit=False)


def _delta(old: int, new: int) -> str:
    d = new - old
    pct = f" ({d / old * 100:+.1f}%)" if old else ""
    return f"{'+' if d >= 0 else '-'}{_eur(abs(d))}{pct}"


def _number(cents: int) -> float:
    """Euros as a JSON number, exact to the cent (a double holds 15 digits: EUR 10 billion)."""
    return float(Decimal(cents) / 100)


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _line_json(line: CostLine | None) -> dict[str, object] | None:
    if line is None:
        return None
    return {k: _json_value(v) for k, v in line.model_dump(mode="python").items()}


def content(line: CostLine | None) -> str:
    """What an added or removed line is, in a few words a reviewer reads."""
    if line is None:
        return ""
    return (
        f"{escape(line.label)} · {line.pilot} · T{int(line.titre)} · {line.nature.value} · "
        f"{_n(line.quantity)} x {_eur(to_cents(line.unit_cost))} HT · AE {line.ae_year}"
    )


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
                "line": _line_json(line.line) if line.status in ("added", "removed") else None,
                "ae_old": _number(line.ae_old),
                "ae_new": _number(line.ae_new),
            }
            for line in r.lines
        ],
        "parameters": [
            {"item": i, "field": f, "old": _json_value(c.old), "new": _json_value(c.new)}
            for i, f, c in r.parameters
        ],
        "totals": {
            "ae_old": _number(r.total_ae[0]),
            "ae_new": _number(r.total_ae[1]),
            "headroom_old": _number(r.headroom[0]),
            "headroom_new": _number(r.headroom[1]),
            "lines_explain": _number(r.lines_delta + r.hidden_delta),
            "unexplained": _number(r.unexplained),
            "by": [
                {
                    "key": t.key,
                    "ae_old": _number(t.ae_old),
                    "ae_new": _number(t.ae_new),
                    "cp_old": _number(t.cp_old),
                    "cp_new": _number(t.cp_new),
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
        "hidden_ae_change": _number(r.hidden_delta),
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def cell(text: object) -> str:
    """Text for a Markdown table cell that renders as written: no pipe ends the cell, no
    emphasis, link or HTML starts, no line breaks or bidi controls."""
    out = escape(str(text))
    for ch in "\\`*_[]<>|#~":
        out = out.replace(ch, "\\" + ch)
    return out


def _table(head: list[str], rows: list[list[object]], right: set[int] = frozenset()) -> list[str]:
    out = ["| " + " | ".join(head) + " |"]
    out.append("|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|")
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def to_markdown(r: DiffResult, old: str, new: str) -> str:
    """Long: the diff as Markdown tables a reviewer pastes into a merge request, one per part."""
    out = [f"## {cell(old)} → {cell(new)}", ""]
    if r.same:
        return "\n".join([*out, "No change."])
    out += _table(
        ["", "Old", "New", "Change"],
        [
            ["AE (incl. VAT)", _eur(r.total_ae[0]), _eur(r.total_ae[1]), _delta(*r.total_ae)],
            ["Headroom", _eur(r.headroom[0]), _eur(r.headroom[1]), _delta(*r.headroom)],
        ],
        {1, 2, 3},
    )
    tie = (
        "The line changes add up to the change of the total."
        if r.unexplained == 0
        else f"{_eur(r.unexplained)} of the change is not explained by the lines."
    )
    out += ["", tie]
    if r.lines:
        out += ["", "### Cost lines", ""]
        rows = []
        for line in sorted(r.lines, key=lambda x: (x.status, x.id)):
            what = "; ".join(
                f"{k}: {show(c.old)} → {show(c.new)}" for k, c in line.changes.items()
            ) or content(line.line)
            rows.append(
                [
                    line.status,
                    line.id,
                    _eur(line.ae_old),
                    _eur(line.ae_new),
                    _delta(line.ae_old, line.ae_new),
                    what,
                ]
            )
        out += _table(["Status", "Line", "AE old", "AE new", "Change", "What"], rows, {2, 3, 4})
    if r.hidden:
        out += [
            "",
            f"{r.hidden} line change(s) under the threshold not shown "
            f"({_eur(r.hidden_delta)} of AE in all).",
        ]
    if r.parameters:
        out += ["", "### Programme", ""]
        out += _table(
            ["Item", "Field", "Old", "New"],
            [[it, key, show(c.old), show(c.new)] for it, key, c in r.parameters],
        )
    if r.totals:
        out += ["", "### Impact (AE / CP, incl. VAT)", ""]
        out += _table(
            ["Total", "AE old", "AE new", "AE change", "CP old", "CP new"],
            [
                [
                    t.key,
                    _eur(t.ae_old),
                    _eur(t.ae_new),
                    _delta(t.ae_old, t.ae_new),
                    _eur(t.cp_old),
                    _eur(t.cp_new),
                ]
                for t in r.totals
            ],
            {1, 2, 3, 4, 5},
        )
    if r.milestones:
        out += ["", "### Milestones", ""]
        out += _table(
            ["Milestone", "Pilot", "Old", "New"],
            [[m.id, m.pilot, show(m.old), show(m.new)] for m in r.milestones],
        )
    if r.readiness:
        out += ["", "### Readiness before each event", ""]
        out += _table(
            ["Pilot", "Event", "Margin old (days)", "Margin new", "Ready old", "Ready new", ""],
            [
                [
                    x.pilot,
                    x.event,
                    show(x.old),
                    show(x.new),
                    f"{x.old_probability:.0%}",
                    f"{x.new_probability:.0%}",
                    "NOW LATE" if x.became_late else "",
                ]
                for x in r.readiness
            ],
            {2, 3, 4, 5},
        )
    if r.checks:
        out += ["", "### Checks", ""]
        state = {True: "pass", False: "FAIL"}
        out += _table(
            ["Check", "Old", "New", "Message"],
            [[c.code, state[c.old], state[c.new], c.message] for c in r.checks],
        )
    return "\n".join(out)


def to_text(r: DiffResult, old: str, new: str, markdown: bool = False) -> str:
    """Long: one paragraph per part of the diff, in report order."""
    if markdown:
        return to_markdown(r, old, new)
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
            what = fields or (content(line.line) if line.status in ("added", "removed") else "")
            out.append(
                f"{item}{line.status:<8} {line.id:<14} {amount}" + (f"  [{what}]" if what else "")
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
