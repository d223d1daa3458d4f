"""A milestone typed the way the yellow columns invite (a duration after a prerequisite, no
date) gets its date in the sheet once LibreOffice recalculates: its pilot's Timeline follows,
the checks hold, and reconcile agrees with the formula."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from budgetplan.api import build, reconcile
from budgetplan.compute.checks import CHECKS
from budgetplan.core.labels import label
from budgetplan.recalc import libreoffice
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.codec import serial
from budgetplan.xlsx.layout import CHECKS_MASTER_ROW
from budgetplan.yamlio.loader import default_scenario_path

pytestmark = pytest.mark.libreoffice

SHEET, T = label("sheet.milestones", "fr"), L.MILESTONES


def _typed(row: int, depends_on: str, duration: int, calendar: str = "") -> list:
    typed = [
        (SHEET, f"{T.letter('pilot')}{row}", "text", "SCAN"),
        (SHEET, f"{T.letter('kind')}{row}", "text", "Livraison"),
        (SHEET, f"{T.letter('label')}{row}", "text", "Recette sur site"),
        (SHEET, f"{T.letter('duration.likely')}{row}", "number", duration),
        (SHEET, f"{T.letter('depends_on')}{row}", "text", depends_on),
        (SHEET, f"{T.letter('provenance')}{row}", "text", "Hypothèse"),
        (SHEET, f"{T.letter('rationale')}{row}", "text", "Un mois de recette après livraison"),
    ]
    if calendar:
        typed.append((SHEET, f"{T.letter('calendar')}{row}", "text", calendar))
    return typed


def test_a_milestone_typed_30_days_after_a_delivery_gets_its_date(tmp_path, lo_available) -> None:
    built = build(output=tmp_path / "sent.xlsx")
    programme = built.figures.programme
    n = sum(len(p.milestones) for p in programme.pilots)
    row = L.FIRST_DATA_ROW + n + 1  # 1-based: the first empty milestone row
    delivery = built.figures.dates["SCAN-DELIV"]
    other = tmp_path / "closed.xlsx"
    shutil.copy(built.path, other)
    saved = tmp_path / "returned"
    saved.mkdir()
    edits = {
        built.path: _typed(row, "SCAN-DELIV", 30),
        other: _typed(row, "SCAN-DELIV", 30, calendar="PARLIAMENT"),  # closures: not a formula's
    }
    computed = f"{T.letter('calc.computed')}{row}"
    after = libreoffice.recalculate(
        [built.path, other], save_dir=saved, edits=edits, locale="fr-FR"
    )
    dated = after[built.path]
    assert dated["errors"] == []
    cells = dated["sheets"][SHEET]
    delivery_plus_30 = delivery + dt.timedelta(days=30)
    want = serial(delivery_plus_30)
    assert cells[f"{T.letter('calc.computed')}{row}"][1] == want
    assert cells[f"{T.letter('calc.date')}{row}"][1] == want
    assert cells[f"{T.letter('calc.current')}{row}"][1] == 1
    checks = dated["sheets"][label("sheet.checks", "fr")]
    assert checks[f"C{CHECKS_MASTER_ROW + 1}"][1] == 1  # the master check holds
    # on the Timeline, the scanners' last milestone is still their evaluation; the readiness
    # and every check read the new date: reconcile computes the same in Python
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    back = reconcile(saved / "sent.xlsx", scenario=scenario)
    assert back.ok, [f.one_line("fr") for f in back.errors]
    assert back.programme is not None
    added = [
        m for p in back.programme.pilots for m in p.milestones if m.label == "Recette sur site"
    ]
    assert len(added) == 1

    closed = after[other]["sheets"][SHEET]
    assert closed[computed][1] == label("mil.recompute", "fr")
    # and the officer sees both once the workbook is saved and opened again: the computed
    # date's format shows a text as it is (a reopened workbook showed nothing there)
    reopened = [saved / other.name, saved / built.path.name]
    shown = libreoffice.recalculate(
        reopened, locale="fr-FR", strings=[(SHEET, computed)], sheets=[SHEET]
    )
    assert shown[reopened[0]]["strings"].get(f"{SHEET}!{computed}") == label("mil.recompute", "fr")
    dated = shown[reopened[1]]["strings"].get(f"{SHEET}!{computed}")
    assert dated == f"{delivery_plus_30:%d/%m/%Y}"
    first = CHECKS_MASTER_ROW + 4
    k = next(i for i, c in enumerate(CHECKS) if c.code == "SCHEDULE_CURRENT")
    assert after[other]["sheets"][label("sheet.checks", "fr")][f"C{first + k}"][1] == 0
