"""A formula a hint tells the officer to restore, as a French LibreOffice (or Excel) user types
it: French function names, ``;`` between arguments, the decimal comma, VRAI/FAUX. Held equal to
what LibreOffice in French shows for the workbook's own formulas (``FormulaLocal``)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from budgetplan.core.labels import label
from budgetplan.recalc.libreoffice import cached_formula_cells, recalculate
from budgetplan.xlsx.formula_local import FRENCH_FUNCTIONS, typed_as
from tests.conftest import IN_CI

#: LibreOffice's French interface (the package libreoffice-l10n-fr): its function names.
FRENCH_UI = Path("/usr/lib/libreoffice/program/resource/fr")


def _functions(xlsx: Path) -> set[str]:
    with zipfile.ZipFile(xlsx) as z:
        text = "".join(
            z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")
        )
    return {
        name
        for formula in re.findall(r"<f[^>]*>([^<]*)</f>", text)
        for name in re.findall(r"([A-Z][A-Z0-9.]*)\(", formula)
    }


def test_every_function_the_workbook_uses_has_its_french_name(default_fr) -> None:
    assert _functions(default_fr) <= set(FRENCH_FUNCTIONS)


def test_a_formula_typed_in_french() -> None:
    stored = '=IF(AND(ISNUMBER(A1),A1>0.5),SUMIFS(AE,PILOT,"a,b"),FALSE)'
    assert typed_as(stored, "fr") == '=SI(ET(ESTNUM(A1);A1>0,5);SOMME.SI.ENS(AE;PILOT;"a,b");FAUX)'
    assert typed_as(stored, "en") == stored
    assert typed_as("COUNTIF(RD_LATE,TRUE)", "fr") == "NB.SI(RD_LATE;VRAI)"  # with no "="
    assert typed_as('="abc', "fr") == '="abc'  # no spreadsheet parses it: as it is


def test_a_formula_replaced_is_restored_in_french_words(tmp_path) -> None:
    """Typed over in a French workbook, the hint gives the formula as the officer types it."""
    import openpyxl

    from budgetplan.api import build, reconcile
    from budgetplan.core.findings import in_lang

    built = build(output=tmp_path / "p.xlsx").path
    book = openpyxl.load_workbook(built)
    book[label("sheet.checks", "fr")]["C6"] = True  # a check's formula typed over by VRAI
    book.save(tmp_path / "e.xlsx")
    (found,) = [f for f in reconcile(tmp_path / "e.xlsx").findings if f.code == "FORMULA_REPLACED"]
    hint = in_lang(found.hint, "fr")
    assert hint.startswith("rétablir =") and ";" in hint and "," not in hint, hint
    assert not set(re.findall(r"([A-Z][A-Z0-9.]*)\(", hint)) - set(FRENCH_FUNCTIONS.values())


@pytest.mark.libreoffice
def test_french_libreoffice_shows_the_workbook_s_formulas_as_typed_as_says(
    lo_available, default_fr
) -> None:
    """Every formula of the Checks and Summary sheets with no reference to another sheet (whose
    spelling follows LibreOffice's own reference syntax), as French LibreOffice shows it."""
    if not FRENCH_UI.is_dir():
        if IN_CI:
            pytest.fail("LibreOffice's French interface (libreoffice-l10n-fr) is required in CI")
        pytest.skip("LibreOffice's French interface (libreoffice-l10n-fr) is not installed")
    sheets = [label("sheet.checks", "fr"), label("sheet.summary", "fr")]
    ranges = [(s, "A1:Z200") for s in sheets]
    result = recalculate([default_fr], locale="fr-FR", strings=ranges)[default_fr]
    stored = {
        f"{c.sheet}!{c.ref}": c.formula
        for c in cached_formula_cells(default_fr)
        if c.sheet in sheets
    }
    compared = 0
    for where, shown in result["typed"].items():
        formula = stored.get(where)
        if formula is None or "!" in formula:
            continue
        shown = shown.replace("VRAI()", "VRAI").replace("FAUX()", "FAUX")
        assert "=" + typed_as(formula.removeprefix("="), "fr") == shown, where
        compared += 1
    assert compared >= 40
