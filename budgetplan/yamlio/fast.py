"""Scenario files read at C speed: libyaml's event stream (PyYAML's ``CParser``) built into plain
Python values, each node's line kept, aliases and duplicate keys seen in the same pass.

ruamel.yaml's round-trip parser is pure Python: 24 s for a 10,000-line programme, against under
a second here. It stays the reader of record for everything but the common case: whenever a file
holds something this reader does not resolve exactly as ruamel's YAML 1.2 would (a tag, an anchor
or alias, a merge key, a duplicate key, a number with ``_``, ``0x`` or ``.inf``, a date-time, an
impossible date, several documents), :func:`read_plain` answers None and the caller reads the file
with ruamel. ``tests/test_yaml_fast.py`` holds the two readers to the same values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import yaml

#: Plain scalars and what they are, as ruamel's YAML 1.2 round-trip resolver reads them.
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
#: Plain scalars ruamel reads in ways this reader leaves to it (the file then goes to ruamel).
_OTHER = re.compile(
    r"[-+]?(?:[0-9][0-9_]*_[0-9_]*|0[oxObB].*|\.(?:inf|Inf|INF|nan|NaN|NAN))\Z"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?\Z"
)


#: Deepest nesting of mappings and lists a scenario may hold (a programme needs 5): a
#: 10,000-deep list would otherwise take ruamel's recursive constructor half a minute.
MAX_DEPTH = 32


class Unsure(Exception):
    """A file this reader does not resolve exactly as ruamel would: let ruamel read it."""


class TooDeep(Exception):
    """A document nested deeper than :data:`MAX_DEPTH`, at ``line``."""

    def __init__(self, line: int):
        super().__init__(line)
        self.line = line


def syntax_error(text: str) -> tuple[int, str] | None:
    """The line and the problem of the first YAML syntax error libyaml finds in ``text``."""
    try:
        for _ in yaml.parse(text, Loader=yaml.CSafeLoader):
            pass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        return (mark.line + 1 if mark else 0), problem
    except yaml.YAMLError as exc:
        return 0, str(exc)
    return None
    return None


class Lines:
    """The 1-based line of each node of a document (by path of keys and indexes), found by
    reading its text again only when an error needs one: a 100,000-line programme holds
    millions of nodes, whose paths would cost more memory than the programme itself."""

    def __init__(self, text: str):
        # kept as UTF-8: a text with one character past Latin-1 takes two bytes a character
        self.data = text.encode("utf-8")
        self._lines: dict[tuple[str | int, ...], int] | None = None

    def get(self, path: tuple[str | int, ...]) -> int | None:
        if self._lines is None:
            found = _build(yaml.parse(self.data, Loader=yaml.CSafeLoader), record=True)
            self._lines = found.where._lines or {} if found is not None else {}
        return self._lines.get(path)


class PlainDocument(dict[str, Any]):
    """A scenario read by :func:`read_plain`: its mapping, and where each node is (``where``)."""

    where: Lines


def _scalar(event: yaml.ScalarEvent) -> Any:
    if event.anchor is not None or event.tag not in (None, "!"):
        raise Unsure
    value = event.value
    if not event.implicit[0] or event.style:  # quoted or block: a string as written
        return value
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value) and ("." in value or "e" in value or "E" in value):
        return float(value)
    date = _DATE.match(value)
    if date:
        try:
            return dt.date(int(date[1]), int(date[2]), int(date[3]))
        except ValueError:
            raise Unsure from None  # ruamel's error, at its line
    if _OTHER.match(value):
        raise Unsure
    return value


def read_plain(
    text: str, item: ItemHook | None = None, lines: bool = False
) -> PlainDocument | None:
    """The one mapping ``text`` holds, as plain dicts, lists and scalars; None when the text is
    not a single mapping this reader resolves exactly as ruamel would (ruamel reads it then).
    A syntax error is None too: ruamel says where it is. ``item``: given (key, mapping) for each
    mapping of a list under a top-level key as soon as it is read, returns what takes its place
    (a model: 100,000 cost lines are never all held as plain values). ``lines``: the line of
    each node recorded in the same pass (when errors are sure to need them), rather than by
    reading the text again on the first error that asks."""
    try:
        doc = _build(yaml.parse(text, Loader=yaml.CSafeLoader), record=lines, item=item)
    except (Unsure, yaml.YAMLError, RecursionError, ValueError):
        return None  # ValueError: an integer of over 4,300 digits, which ruamel reports
    if doc is not None and not lines:
        doc.where = Lines(text)
    return doc


#: See :func:`read_plain`.
ItemHook = Callable[[str, dict[str, Any]], Any]


def _build(events: Any, record: bool, item: ItemHook | None = None) -> PlainDocument | None:
    """Long: one loop over the event stream, a stack of the containers being filled; with
    ``record``, the line of each node too."""
    root = PlainDocument()
    lines: dict[tuple[str | int, ...], int] = {}
    if record:
        root.where = Lines("")
        root.where._lines = lines
    stack: list[Any] = []  # containers being filled
    paths: list[tuple[str | int, ...]] = []  # the path of each
    keys: list[Any] = []  # per mapping: the key waiting for its value (or a sentinel)
    documents = 0
    waiting = _NO_KEY
    for event in events:
        kind = type(event)
        if (
            kind is yaml.ScalarEvent
            or kind is yaml.MappingStartEvent
            or kind is yaml.SequenceStartEvent
        ):
            line = event.start_mark.line + 1
            if not stack:  # the document's root
                if kind is not yaml.MappingStartEvent or event.anchor is not None:
                    return None
                if event.tag not in (None, "!", "tag:yaml.org,2002:map"):
                    raise Unsure
                stack.append(root)
                lines[()] = line
                paths.append(())
                keys.append(_NO_KEY)
                continue
            parent = stack[-1]
            if type(parent) is list:
                if record:
                    path = (*paths[-1], len(parent))
                    lines[path] = line
            else:
                waiting = keys[-1]
                if waiting is _NO_KEY:  # this node is a key
                    if kind is not yaml.ScalarEvent:
                        raise Unsure  # a complex key
                    key = _scalar(event)
                    if key in parent or key == "<<":
                        raise Unsure  # a duplicate key, a merge key: ruamel's to say
                    keys[-1] = key
                    if record:
                        lines[(*paths[-1], key)] = line
                    continue
                if record:
                    path = (*paths[-1], waiting)
                keys[-1] = _NO_KEY
            if kind is yaml.ScalarEvent:
                value: Any = _scalar(event)
            else:
                if event.anchor is not None or event.tag not in (None, "!"):
                    raise Unsure
                value = {} if kind is yaml.MappingStartEvent else []
            if type(parent) is list:
                parent.append(value)
            else:
                parent[waiting] = value
            if kind is not yaml.ScalarEvent:
                if len(stack) >= MAX_DEPTH:
                    raise TooDeep(line)
                stack.append(value)
                paths.append(path if record else ())
                keys.append(_NO_KEY)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            done = stack.pop()
            paths.pop()
            keys.pop()
            if (
                item is not None
                and len(stack) == 2
                and type(stack[1]) is list
                and type(done) is dict
            ):
                stack[1][-1] = item(_key_of(root, stack[1]), done)
        elif kind is yaml.AliasEvent:
            raise Unsure  # ruamel counts aliases against the limit
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise Unsure
    return root if documents == 1 else None


def _key_of(root: dict[str, Any], value: Any) -> str:
    """The top-level key whose value is ``value`` (the list being filled is the last one set)."""
    return next((k for k in reversed(root) if root[k] is value), "")


class _NoKey:
    """The mark of a mapping whose next node is a key."""


_NO_KEY = _NoKey()
