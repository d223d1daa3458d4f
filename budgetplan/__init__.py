"""budgetplan: build, check and reconcile Excel workbooks for a public programme budget.

The library API lives in :mod:`budgetplan.api`; its functions are also reachable from here
(``budgetplan.build(...)``), imported on first use so that ``import budgetplan.reader`` loads
neither the YAML parser nor the simulation.
"""

from __future__ import annotations

from typing import Any

from budgetplan.version import __version__

_API = (
    "build",
    "check",
    "diff",
    "load_programme",
    "load_scenario",
    "reconcile",
    "run",
    "simulate",
    "verify",
)
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from budgetplan import api

        return getattr(api, name)
    raise AttributeError(f"module 'budgetplan' has no attribute {name!r}")
