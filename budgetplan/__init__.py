"""budgetplan: build, check and reconcile Excel workbooks for a public programme budget."""

from __future__ import annotations

__version__ = "0.1.0"

from budgetplan.api import build, check, load_programme  # noqa: E402

__all__ = ["__version__", "build", "check", "load_programme"]
