"""The older name of :mod:`budgetplan.runner`, kept so that scenario scripts written as
``from budgetplan.scenarios.runner import report`` keep working: this name is that module."""

import sys

from budgetplan import runner as _module

sys.modules[__name__] = _module
