"""budgetplan: build, check and reconcile Excel workbooks for a public programme budget.

The library API lives in :mod:`budgetplan.api`; its functions are also reachable from here
(``budgetplan.build(...)``), imported on first use so that ``import budgetplan.xlsx.reader`` loads
neither the YAML parser nor the simulation.
"""

from __future__ import annotations

import importlib
from typing import Any

from budgetplan.core.version import __version__

#: The functions of ``budgetplan.api`` (named here so that looking up a submodule such as
#: ``budgetplan.core.model`` does not import the API; ``tests/test_layout.py`` keeps the two lists
#: equal). ``diff`` is left out: ``budgetplan.diff`` is the package; use ``budgetplan.api.diff``.
API_FUNCTIONS = (
    "build",
    "check",
    "load_programme",
    "load_scenario",
    "reconcile",
    "run",
    "simulate",
    "upgrade",
    "verify",
)
__all__ = ["__version__", *API_FUNCTIONS]


def __getattr__(name: str) -> Any:
    if name in API_FUNCTIONS:
        return getattr(importlib.import_module("budgetplan.api"), name)
    raise AttributeError(f"module 'budgetplan' has no attribute {name!r}")
