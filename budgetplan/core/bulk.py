"""Bulk work without the cyclic garbage collector's pauses.

Reading a 100,000-line workbook makes millions of objects that live until the end (cells, models,
Decimals); each full collection walks all of them, so the collector's passes grow with the square
of the size (a third of reconcile's time at 100,000 lines). None of this work makes reference
cycles that matter: the collector is paused while it runs and catches up afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
