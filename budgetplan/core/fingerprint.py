"""A fingerprint of a programme's inputs, stored in each workbook to tell whether it was edited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from enum import Enum
from typing import Any

from budgetplan.core.model import Programme


def _canonical(value: Any) -> Any:
    """``value`` as plain JSON data, numbers as normalised decimal text (1.50 and 1.5 alike).
    The commonest types first, by exact type (every cost line's fields pass here)."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int:
        return str(value)  # what format(Decimal(value).normalize(), "f") gives
    if kind is Decimal:
        return format(value.normalize(), "f") if value else "0"
    if kind is dict:
        return {str(_canonical(k)): _canonical(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_canonical(v) for v in value]
    if isinstance(value, Enum):
        return _canonical(value.value)
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal | int | float):
        d = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        return format(d.normalize(), "f") if d else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(_canonical(k)): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _feed(digest: Any, data: Any) -> None:
    text = json.dumps(_canonical(data), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest.update(text.encode("utf-8"))
    digest.update(b"\n")


def fingerprint(programme: Programme) -> str:
    """SHA-256 of the programme's inputs in a canonical form (1.50 and 1.5 are the same).

    Fed item by item, so that a 100,000-line programme is never held as one JSON text.
    """
    digest = hashlib.sha256()
    _feed(digest, programme.model_dump(mode="python", exclude={"cost_lines"}))
    for line in programme.cost_lines:
        _feed(digest, line.model_dump(mode="python"))
    return digest.hexdigest()
