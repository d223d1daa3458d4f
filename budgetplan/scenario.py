"""The old home of :mod:`budgetplan.scenarios.scenario`, kept so that scenario scripts written as
``from budgetplan.scenario import ...`` keep working: this name is that module."""

import sys

from budgetplan.scenarios import scenario as _module

sys.modules[__name__] = _module
