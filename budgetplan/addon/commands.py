"""The add-on's commands: their URL path, their titles in French and English, as the menu and
the toolbar show them (one list: the extension's files and the component read it)."""

from __future__ import annotations

from dataclasses import dataclass

#: The protocol of the add-on's command URLs (``vnd.budgetplan:verify``).
PROTOCOL = "vnd.budgetplan:"
#: The UNO implementation name of the component (the protocol handler).
IMPLEMENTATION = "org.budgetplan.addon.Dispatcher"


@dataclass(frozen=True)
class Command:
    path: str  # vnd.budgetplan:<path>
    fr: str
    en: str

    @property
    def url(self) -> str:
        return PROTOCOL + self.path


COMMANDS: tuple[Command, ...] = (
    Command(
        "verify",
        "Vérifier le classeur (notes sur les cellules)",
        "Verify the workbook (notes on the cells)",
    ),
    Command(
        "schedule",
        "Recalculer le calendrier et le risque",
        "Recompute the schedule and the risk",
    ),
    Command(
        "carry",
        "Reporter les saisies dans le scénario",
        "Carry the edits into the scenario",
    ),
    Command(
        "compare",
        "Comparer avec un autre classeur",
        "Compare with another workbook",
    ),
    Command(
        "clear",
        "Effacer les notes de budgetplan",
        "Clear budgetplan's notes",
    ),
)
