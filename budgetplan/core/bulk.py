"""Bulk work: without the cyclic garbage collector's pauses, and models that share what they can.

Reading a 100,000-line workbook makes millions of objects that live until the end (cells, models,
Decimals); each full collection walks all of them, so the collector's passes grow with the square
of the size (a third of reconcile's time at 100,000 lines). None of this work makes reference
cycles that matter: the collector is paused while it runs and catches up afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator

from pydantic import BaseModel


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Compactor:
    """Makes many frozen models of one kind hold what they have in common once.

    A validated pydantic model carries its own set of the fields it was given (700 bytes for a
    cost line, more than its values) and its own copy of every text, though 100,000 cost lines
    name a handful of pilots and set the same few fields. :meth:`compact` points each model (and
    the models it holds) at one set per distinct set of fields and at one string per distinct
    short text or date. The models are frozen: neither is changed in place (``model_copy`` copies the
    set before it adds to it). A 100,000-line programme: about 130 MB less.
    """

    #: Texts longer than this are left as they are (a label is rarely shared).
    SHORT = 64

    def __init__(self) -> None:
        self._sets: dict[frozenset[str], set[str]] = {}
        self._texts: dict[object, object] = {}  # short texts and dates, one of each

    def compact(self, model: BaseModel) -> BaseModel:
        fields = model.__pydantic_fields_set__
        shared = self._sets.setdefault(frozenset(fields), fields)
        if shared is not fields:
            object.__setattr__(model, "__pydantic_fields_set__", shared)
        values = model.__dict__
        for key, value in values.items():
            if (type(value) is str and len(value) <= self.SHORT) or type(value) is dt.date:
                values[key] = self._texts.setdefault(value, value)
            elif isinstance(value, BaseModel) and value.model_config.get("frozen"):
                self.compact(value)
        return model
