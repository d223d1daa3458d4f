"""budgetplan: build, check and reconcile Excel workbooks for a public programme budget."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

from budgetplan.api import build, check, load_programme  # noqa: E402

__all__ = ["__version__", "build", "check", "load_programme", "reconcile"]


def __getattr__(name: str) -> Any:
    # budgetplan.reconcile(path, ...): imported on first use, so that the command line's other
    # commands do not load the reader
    if name == "reconcile":
        from budgetplan.reconciliation import reconcile

        return reconcile
    raise AttributeError(f"module 'budgetplan' has no attribute {name!r}")
