"""The add-on's commands (the list lives in ``core/menu.py``, where findings' hints read their
titles too) and the component's implementation name."""

from __future__ import annotations

from budgetplan.core.menu import COMMANDS, PROTOCOL, Command

__all__ = ["COMMANDS", "IMPLEMENTATION", "PROTOCOL", "Command"]

#: The UNO implementation name of the component (the protocol handler).
IMPLEMENTATION = "org.budgetplan.addon.Dispatcher"
