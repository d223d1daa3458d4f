"""The add-on's *Budget* menu in Calc: each command's URL path and its title in French and
English. The add-on builds its menu and toolbar from this list; a finding's hint names the
command an officer clicks (``CARRY.menu(lang)``), so the two cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

#: The protocol of the add-on's command URLs (``vnd.budgetplan:verify``).
PROTOCOL = "vnd.budgetplan:"


@dataclass(frozen=True)
class Command:
    path: str  # vnd.budgetplan:<path>
    fr: str
    en: str

    @property
    def url(self) -> str:
        return PROTOCOL + self.path

    def menu(self, lang: str) -> str:
        """Where the officer finds it: ``menu Budget › <its title in lang>``."""
        return f"menu Budget › {self.fr if lang == 'fr' else self.en}"


VERIFY = Command(
    "verify",
    "Vérifier le classeur (notes sur les cellules)",
    "Verify the workbook (notes on the cells)",
)
SCHEDULE = Command(
    "schedule", "Recalculer le calendrier et le risque", "Recompute the schedule and the risk"
)
CARRY = Command(
    "carry", "Reporter les saisies dans le scénario", "Carry the edits into the scenario"
)
COMPARE = Command("compare", "Comparer avec un autre classeur", "Compare with another workbook")
CLEAR = Command("clear", "Effacer les notes de budgetplan", "Clear budgetplan's notes")

#: The menu, in its order.
COMMANDS: tuple[Command, ...] = (VERIFY, SCHEDULE, CARRY, COMPARE, CLEAR)
