"""Write a programme as a scenario file, or carry edits into an existing one in place.

In place, the original YAML document is loaded with ruamel.yaml's round-trip loader and only the
values that changed are set, so comments, key order and formatting stay and the change to the
source of truth is a small, reviewable text diff.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from budgetplan.core.atomic import atomic_path
from budgetplan.core.model import Programme

MONTH_FIELDS = {"start", "end"}
#: Keys of a scenario file that are not the programme's, kept as they are when edits are
#: carried in (the approvals of budgetplan.policy).
KEPT_KEYS = frozenset({"approvals"})


def _plain(value: Any, key: str = "") -> Any:
    """Model values as YAML scalars: exact decimals, months as YYYY-MM."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date) and key in MONTH_FIELDS:
        return f"{value:%Y-%m}"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {
            (f"{k:%Y-%m}" if isinstance(k, dt.date) else k): _plain(v, str(k))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def programme_document(programme: Programme) -> dict[str, Any]:
    data = programme.model_dump(mode="python", exclude_defaults=False)
    return _drop_none(_plain(data))


def _explicit_document(programme: Programme) -> dict[str, Any]:
    """The programme without the values its model would default, keeping every id."""
    data = programme.model_dump(mode="python", exclude_defaults=True)
    full = programme.model_dump(mode="python")
    for i, pilot in enumerate(full["pilots"]):
        for key in ("milestones", "serves"):
            items = data["pilots"][i].get(key)
            if items:
                for j, item in enumerate(items):
                    ident = "id" if key == "milestones" else "event"
                    item.setdefault(ident, pilot[key][j][ident])
    return _drop_none(_plain(data))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None and v != {}}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def write_scenario(programme: Programme, target: Path) -> None:
    """Write the whole programme as a new scenario file (atomically)."""
    buffer = io.StringIO()
    buffer.write("# Written by budgetplan from a reconciled workbook.\n")
    _yaml().dump(programme_document(programme), buffer)
    with atomic_path(Path(target)) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8")


# --------------------------------------------------------------------------- in place


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, dt.date) and isinstance(new, str):
        return f"{old:%Y-%m}" == new or old.isoformat() == new
    if isinstance(old, str) and isinstance(new, str) and len(old) >= 7 and len(new) == 7:
        return old[:7] == new
    if isinstance(old, int | float) and isinstance(new, int | float) and not isinstance(old, bool):
        return Decimal(str(old)) == Decimal(str(new))
    return old == new


def _merge(node: Any, new: Any, explicit: Any) -> Any:
    """Set into ``node`` (a round-trip map or list) what differs in ``new``; return the node.

    ``explicit`` is ``new`` without its default values: a key the original file does not have
    is only added when it is not a default.
    Long: one branch per YAML node type (mapping, sequence, scalar), to keep comments and layout.
    """
    if isinstance(node, CommentedMap) and isinstance(new, dict):
        explicit = explicit if isinstance(explicit, dict) else {}
        for key in list(node.keys()):
            if key not in new and key not in KEPT_KEYS:
                del node[key]
        for key, value in new.items():
            if key in node:
                if isinstance(node[key], CommentedMap | CommentedSeq):
                    node[key] = _merge(node[key], value, explicit.get(key))
                elif not _same(node[key], value):
                    node[key] = value
            elif key in explicit:
                node[key] = explicit[key]
        return node
    if isinstance(node, CommentedSeq) and isinstance(new, list):
        ident = _identity(new) or _identity(list(node))
        if ident:
            explicit_items = explicit if isinstance(explicit, list) else []
            by_id_explicit = {
                item.get(ident): item for item in explicit_items if isinstance(item, dict)
            }
            old_by_id = {item.get(ident): item for item in node if isinstance(item, dict)}
            merged = []
            for item in new:
                old = old_by_id.get(item.get(ident))
                sub = by_id_explicit.get(item.get(ident), {ident: item.get(ident)})
                merged.append(_merge(old, item, sub) if old is not None else sub)
            ids_old = [i.get(ident) for i in node if isinstance(i, dict)]
            ids_new = [i.get(ident) for i in new]
            if ids_old == ids_new:
                return node
            for i, item in enumerate(merged):
                if i < len(node):
                    node[i] = item
                else:
                    node.append(item)
            del node[len(merged) :]
            return node
        if [_plain(v) for v in node] != new:
            return new
        return node
    return new


def _identity(items: list[Any]) -> str | None:
    for key in ("id", "year", "event"):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return key
    return None


def apply_to_scenario(original: Path, programme: Programme, target: Path) -> str:
    """Carry ``programme`` into the YAML of ``original``, writing ``target``; return the text."""
    yaml = _yaml()
    text = original.read_text(encoding="utf-8")
    document = yaml.load(text)
    _merge(document, programme_document(programme), _explicit_document(programme))
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    with atomic_path(Path(target)) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8")
    return buffer.getvalue()
