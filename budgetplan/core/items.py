"""A programme as comparable items: one flat record per envelope, event, pilot, milestone,
served event and cost line, keyed by its stable id. Reconcile and diff both compare these."""

from __future__ import annotations

from budgetplan.core.model import Programme


def items(programme: Programme, lines: bool = True) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    dump = programme.model_dump(mode="python", exclude=None if lines else {"cost_lines"})
    for key in (
        "id",
        "title",
        "steering_body",
        "vat_rate",
        "intrusive_level",
        "reserve",
        "period",
    ):
        out.setdefault("programme", {})[key] = dump[key]
    for env in dump["envelopes"]:
        out[f"envelopes[{env['year']}]"] = env
    for th in dump["thresholds"]:
        out[f"thresholds[{th['valid_from']}]"] = th
    for event in dump["events"]:
        out[f"events[{event['id']}]"] = event
    for pilot in dump["pilots"]:
        milestones = pilot.pop("milestones")
        serves = pilot.pop("serves")
        out[f"pilots[{pilot['id']}]"] = pilot
        for ms in milestones:
            out[f"milestones[{ms['id']}]"] = {**ms, "pilot": pilot["id"]}
        for s in serves:
            out[f"serves[{pilot['id']}:{s['event']}]"] = s
    for line in dump.get("cost_lines", ()):
        out[f"cost_lines[{line['id']}]"] = line
    return out


def flatten(d: dict[str, object], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in d.items():
        if isinstance(v, dict) and k != "amounts":
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out
