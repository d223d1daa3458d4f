"""Checks fail closed on every sheet the officer reads, and on every word typed where a number,
a date or TRUE/FALSE belongs (LibreOffice recalculates; the master check must turn FALSE)."""

from __future__ import annotations

import pytest
from xlsxwriter.utility import xl_col_to_name

from budgetplan.compute.checks import CHECKS
from budgetplan.recalc import libreoffice
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.layout import CHECKS_MASTER_ROW, sheet_name
from tests.test_libreoffice import _every_formula_an_error
from tests.test_reconcile import rewrite_sheet

pytestmark = pytest.mark.libreoffice

CHECKS_SHEET = "Contrôles"


def _results(result: dict) -> tuple[object, dict[str, object]]:
    """The master check and each check's TRUE/FALSE, as LibreOffice computed them."""
    cells = result["sheets"][CHECKS_SHEET]
    first = CHECKS_MASTER_ROW + 4
    each = {spec.code: cells[f"C{first + i}"][1] for i, spec in enumerate(CHECKS)}
    return cells[f"C{CHECKS_MASTER_ROW + 1}"][1], each


@pytest.mark.parametrize("sheet_key", ["summary", "pilots"])
def test_errors_in_the_figures_the_officer_reads_fail_the_master_check(
    default_fr, tmp_path, lo_available, sheet_key
) -> None:
    """No check read the Summary nor the Pilots' calculated columns: every formula there made
    #N/A left the master check TRUE."""
    broken = rewrite_sheet(
        default_fr,
        tmp_path / f"{sheet_key}.xlsx",
        sheet_name(sheet_key, "fr"),
        _every_formula_an_error,
    )
    result = libreoffice.recalculate([broken], sheets=[CHECKS_SHEET], locale="fr-FR")[broken]
    master, each = _results(result)
    assert master == 0
    assert each["FIGURES_SOUND"] == 0


def _typed(table: L.Table, key: str) -> tuple[str, str]:
    return sheet_name(table.sheet, "fr"), table.cell(key, 0).replace("$", "")


def _parameter(key: str) -> tuple[str, str]:
    column = xl_col_to_name(L.PARAM_COLS["value"])
    return sheet_name("parameters", "fr"), f"{column}{L.parameter_row(key) + 1}"


WORDS = {
    "evaluation-level": (_parameter("evaluation_level"), "deux"),
    "intrusive-level": (_parameter("intrusive_level"), "trois"),
    "direct-award-threshold": (_typed(L.THRESHOLDS, "direct"), "quarante mille"),
    "human-in-the-loop": (_typed(L.PILOTS, "human_in_loop"), "non"),
    "titre": (_typed(L.INPUTS, "titre"), "cinq"),
    "titre-4": (_typed(L.INPUTS, "titre"), 4),
    "quantity": (_typed(L.INPUTS, "quantity"), "quarante"),
}


def test_a_word_typed_where_a_number_or_a_boolean_belongs_fails_the_master_check(
    default_fr, tmp_path, lo_available
) -> None:
    """A word compares silently as text (``"deux">=2``, ``"non"=FALSE``): it switched checks
    off while the master check stayed TRUE. Each word, typed alone in its own copy."""
    books, edits = [], {}
    for name, ((sheet, ref), word) in WORDS.items():
        book = tmp_path / f"{name}.xlsx"
        book.write_bytes(default_fr.read_bytes())
        books.append(book)
        how = "number" if isinstance(word, int) else "text"
        edits[book] = [(sheet, ref, how, word)]
    # typed as an officer of the Gendarmerie types them: LibreOffice in French
    results = libreoffice.recalculate(
        [*books, default_fr], edits=edits, sheets=[CHECKS_SHEET], locale="fr-FR"
    )
    for name, book in zip(WORDS, books, strict=True):
        master, each = _results(results[book])
        assert master == 0, (name, WORDS[name])
        if name != "titre-4":  # a number, but not a titre: TITRE_LISTED alone catches it
            assert each["TYPED_NUMBERS"] == 0, (name, WORDS[name])
        if name.startswith("titre"):  # in no total by titre
            assert each["TITRE_LISTED"] == 0, name
    assert _results(results[default_fr])[0] == 1  # untouched, it holds


def test_the_risk_accepted_is_a_verdict_the_master_check_follows(
    default_fr, tmp_path, lo_available
) -> None:
    """The default accepts 55 % (the Risk sheet: 51.7 %): typed down to 20 % in a French
    LibreOffice, RISK_OVERRUN, the Summary's verdict and the master check turn FALSE; a word
    there fails them too; 60 % holds."""
    from budgetplan.xlsx.workbook.summary import verdict_cell

    where = _parameter("risk_acceptance.overrun_probability")
    verdict = verdict_cell()
    summary = sheet_name("summary", "fr")
    typed = {"20 %": ("number", 0.2), "vingt": ("text", "vingt"), "60 %": ("number", 0.6)}
    books, edits = {}, {}
    for name, (how, value) in typed.items():
        book = tmp_path / f"risk-{len(books)}.xlsx"
        book.write_bytes(default_fr.read_bytes())
        books[name] = book
        edits[book] = [(*where, how, value)]
    results = libreoffice.recalculate(
        list(books.values()), edits=edits, sheets=[CHECKS_SHEET, summary], locale="fr-FR"
    )
    for name, expected in (("20 %", 0), ("vingt", 0), ("60 %", 1)):
        master, each = _results(results[books[name]])
        assert (master, each["RISK_OVERRUN"]) == (expected, expected), name
        assert results[books[name]]["sheets"][summary][verdict][1] == expected, name
