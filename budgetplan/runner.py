"""The old home of :mod:`budgetplan.scenarios.runner`, kept so that scenario scripts written as
``from budgetplan.runner import ...`` keep working: this name is that module."""

import sys

from budgetplan.scenarios import runner as _module

sys.modules[__name__] = _module
