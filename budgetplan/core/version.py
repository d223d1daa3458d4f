"""The version of budgetplan, shown on the About sheet and by ``budgetplan --version``."""

__version__ = "0.1.0"
