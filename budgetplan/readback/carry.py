"""Carry a reconciled workbook's programme into a scenario file: its edits written into the
scenario's own text (comments and layout kept), or the whole programme written out. The command
line's ``reconcile --write-scenario`` and the add-on's ``carry`` both write through here."""

from __future__ import annotations

from pathlib import Path

from budgetplan.core.errors import SaidError
from budgetplan.core.findings import said
from budgetplan.readback.reconciliation import Reconciliation


class NotCarried(SaidError):
    code = "NOT_CARRIED"


def write_back(
    result: Reconciliation, scenario: Path | None, target: Path, keep_scenario: bool = False
) -> Path | None:
    """Write ``result``'s programme to ``target``: carried into ``scenario``'s text when given,
    else written whole (what ``target`` held kept beside it first: that backup is returned).
    ``keep_scenario``: a scenario carried into itself is kept beside it first too (the add-on,
    for officers whose file is in no git repository). Raises NotCarried when the workbook's
    inputs do not make a programme."""
    from budgetplan.xlsx.safety import backup
    from budgetplan.yamlio.catalogue import untranslated
    from budgetplan.yamlio.scenario_writer import apply_to_scenario, write_scenario

    if result.programme is None:
        raise NotCarried(
            said(
                f"{target}: not written: the workbook's inputs do not make a programme "
                "(fix the errors first)",
                f"{target} : non écrit : les saisies du classeur ne forment pas un programme "
                "(corriger d'abord les erreurs)",
            )
        )
    # a workbook in English shows the scenario's French texts translated: they go back in French
    programme = untranslated(result.programme, str(scenario or ""), result.lang)
    replaced = scenario is None or (keep_scenario and scenario == target)
    kept = backup(target) if target.exists() and replaced else None
    if scenario is not None:
        apply_to_scenario(scenario, programme, target)
    else:
        write_scenario(programme, target)
    return kept
