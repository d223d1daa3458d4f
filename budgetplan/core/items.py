"""A programme as comparable items: one flat record per envelope, event, pilot, milestone,
served event, evaluation, cost line, closure, spread, procedure and threshold set, keyed by its
stable id, and one record of the programme's own fields. Reconcile and diff both compare these,
so that no input is left out of what either reports."""

from __future__ import annotations

from typing import Any

from budgetplan.core.model import Programme

#: The programme's lists of records, each item named by the first of these fields it holds.
RECORD_LISTS = (
    "envelopes",
    "thresholds",
    "events",
    "cost_lines",
    "closures",
    "spreads",
    "procedures",
)
_NAME_KEYS = ("id", "year", "valid_from", "route", "kind")

Walked = dict[str, tuple[dict[str, Any], tuple[Any, ...]]]


def _name(item: dict[str, Any], index: int) -> str:
    if "calendar" in item:  # a closure: its calendar and first day
        return f"{item['calendar']} {item.get('first_day')}"
    for key in _NAME_KEYS:
        if item.get(key) not in (None, ""):
            return str(item[key])
    return str(index + 1)


def _walk(programme: Programme, lines: bool) -> Walked:
    """Each item's record and its path in the programme (for the cell it was read from)."""
    dump = programme.model_dump(mode="python", exclude=None if lines else {"cost_lines"})
    out: Walked = {"programme": ({}, ())}
    for key, value in dump.items():
        if key == "pilots":
            for pi, pilot in enumerate(value):
                children = {k: pilot.pop(k, []) for k in ("milestones", "serves", "evaluations")}
                out[f"pilots[{pilot['id']}]"] = (pilot, ("pilots", pi))
                for k, ms in enumerate(children["milestones"]):
                    out[f"milestones[{ms['id']}]"] = (
                        {**ms, "pilot": pilot["id"]},
                        ("pilots", pi, "milestones", k),
                    )
                for k, s in enumerate(children["serves"]):
                    out[f"serves[{pilot['id']}:{s['event']}]"] = (s, ("pilots", pi, "serves", k))
                for k, ev in enumerate(children["evaluations"]):
                    out[f"evaluations[{ev['id']}]"] = (
                        {**ev, "pilot": pilot["id"]},
                        ("pilots", pi, "evaluations", k),
                    )
        elif key in RECORD_LISTS:
            for i, item in enumerate(value):
                out[f"{key}[{_name(item, i)}]"] = (item, (key, i))
        else:
            out["programme"][0][key] = value
    return out


def items(programme: Programme, lines: bool = True) -> dict[str, dict[str, object]]:
    return {key: record for key, (record, _path) in _walk(programme, lines).items()}


def item_paths(programme: Programme) -> dict[str, tuple[Any, ...]]:
    """The path in the programme of each item ``items`` names (``()`` for the programme)."""
    return {key: path for key, (_record, path) in _walk(programme, True).items()}


def flatten(d: dict[str, object], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in d.items():
        if isinstance(v, dict) and k != "amounts":
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out
