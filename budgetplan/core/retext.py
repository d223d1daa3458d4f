"""A programme's texts for people (the fields marked ``PROSE``: names, labels, rationales) read
or replaced through a mapping: a translation catalogue, or its reverse.

Codes, ids and amounts are never touched: only a text found in the mapping changes, so that a
catalogue made for one programme can be applied to any programme derived from it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel

from budgetplan.core.model import Prose

M = TypeVar("M", bound=BaseModel)


@cache
def prose_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields of ``model`` that hold text for people."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if any(isinstance(meta, Prose) for meta in info.metadata)
    )


def texts(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every non-empty text for people in ``value``, with its path (``pilots[0].name``)."""
    if isinstance(value, BaseModel):
        prose = prose_fields(type(value))
        for name in type(value).model_fields:
            field = getattr(value, name)
            where = f"{path}.{name}" if path else name
            if name in prose and isinstance(field, str):
                if field:
                    yield where, field
            else:
                yield from texts(field, where)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from texts(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(item, f"{path}[{key}]")


def retext(value: M, mapping: Mapping[str, str]) -> M:
    """``value`` with each text for people found in ``mapping`` replaced; the same object when
    nothing changes (a programme with no text to replace costs one walk, no copy)."""
    if not mapping:
        return value
    return _retext(value, mapping)  # type: ignore[no-any-return]


def _retext(value: Any, mapping: Mapping[str, str]) -> Any:
    if isinstance(value, BaseModel):
        prose = prose_fields(type(value))
        changed: dict[str, Any] = {}
        for name in type(value).model_fields:
            field = getattr(value, name)
            if name in prose and isinstance(field, str):
                new = mapping.get(field, field)
            else:
                new = _retext(field, mapping)
            if new is not field:
                changed[name] = new
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, list | tuple):
        items = [_retext(item, mapping) for item in value]
        if any(new is not old for new, old in zip(items, value, strict=True)):
            return type(value)(items)
        return value
    if isinstance(value, dict):
        items_by_key = {key: _retext(item, mapping) for key, item in value.items()}
        if any(items_by_key[key] is not item for key, item in value.items()):
            return items_by_key
        return value
    return value


def reverse(mapping: Mapping[str, str]) -> dict[str, str]:
    """The mapping read backwards; a text two sources translate alike is left out (it could not
    be told back)."""
    back: dict[str, str] = {}
    doubled: set[str] = set()
    for source, target in mapping.items():
        if target in back and back[target] != source:
            doubled.add(target)
        back[target] = source
    for target in doubled:
        del back[target]
    return back
