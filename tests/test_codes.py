"""Codes shown by their names: French in the French workbook, read back from name or code."""

from __future__ import annotations

import openpyxl
import pytest

from budgetplan.api import build
from budgetplan.core import codes
from budgetplan.core.labels import label
from budgetplan.readback.reconciliation import reconcile
from budgetplan.xlsx import layout as L

#: Every coded column of every table of the workbook (inputs, and the fixed lists).
CODED = [
    (table, col)
    for table in (*L.INPUT_TABLES, L.LISTS)
    for col in table.columns
    if col.codes is not None
]


@pytest.mark.parametrize("codes_list", list(codes.NAMES), ids=lambda c: c.__name__)
def test_names_cover_their_list_and_are_safe_in_formulas(codes_list) -> None:
    """Each code has a name in each language; none holds a list separator, a wildcard or a
    criteria operator; two codes of a list never share a name in any case and any language."""
    assert set(codes.NAMES[codes_list]) == {c.value for c in codes_list}
    seen: dict[str, str] = {}
    for code, names in codes.NAMES[codes_list].items():
        for name in (code, *names):
            assert not set(name) & set(',*?~"'), name
            assert name[0] not in "=<>" and name == name.strip(), name
            assert seen.setdefault(name.casefold(), code) == code, (name, seen[name.casefold()])


def test_a_cell_reads_as_its_code_whatever_it_holds() -> None:
    from budgetplan.core.model import Nature, Route

    for text in (
        "defence_security",
        "Défense et sécurité",
        "défense ET  sécurité",
        "Defence and security",
    ):
        assert codes.read(Nature, text) is Nature.DEFENCE_SECURITY
    assert codes.read(Route, "Gré à gré") is Route.DIRECT
    assert codes.read(Route, "beaucoup") is None
    assert codes.formula_text(Route.INNOVATION_PARTNERSHIP, "fr") == '"Partenariat d\'innovation"'


def _code_cells(path, lang):  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(path)
    for table, col in CODED:
        ws = wb[L.sheet_name(table.sheet, lang)]
        c = table.index(col.key) + 1
        for r in range(L.FIRST_DATA_ROW + 1, L.FIRST_DATA_ROW + 400):
            value = ws.cell(r, c).value
            if table is L.EVALUATIONS or (table.until and value == label(table.until, lang)):
                break
            if value not in (None, ""):
                yield table, col, ws.cell(r, c), value


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_coded_cells_show_names_of_the_workbook_language(tmp_path, lang) -> None:
    """Every coded cell of the default workbook holds its code's name in the workbook's language,
    and no cell anywhere holds a bare code (a code that is no name of the language)."""
    built = build(output=tmp_path / f"{lang}.xlsx", lang=lang).path
    seen = 0
    for _table, col, cell, value in _code_cells(built, lang):
        assert col.codes is not None and codes.is_name(col.codes, value, lang), (cell, value)
        seen += 1
    assert seen > 200
    names = {n for c in codes.NAMES for n in codes.names(c, lang)}
    bare = {code for c in codes.NAMES for code in codes.NAMES[c]} - names
    found = [
        f"{ws.title}!{cell.coordinate}: {cell.value}"
        for ws in openpyxl.load_workbook(built).worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value in bare
    ]
    assert found == []


def test_codes_and_english_names_typed_in_a_french_workbook_read_with_a_warning(tmp_path) -> None:
    """What a person may type instead of choosing from the list: the code (``supplies``) or the
    other language's name (``Defence and security``), in any case. Reconcile reads the same
    programme, and warns at each such cell that the formulas need the French name."""
    built = build(output=tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(built.path)
    ws = wb[label("sheet.inputs", "fr")]
    col = L.INPUTS.index("nature") + 1
    row = L.FIRST_DATA_ROW + 1
    line = built.figures.lines[0].line
    typed = {line.nature.value.upper(): row}  # the code, in capitals
    ws.cell(row, col).value = line.nature.value.upper()
    en = codes.name(built.figures.lines[1].line.nature, type(line.nature), "en")
    ws.cell(row + 1, col).value = en
    typed[en] = row + 1
    edited = tmp_path / "typed.xlsx"
    wb.save(edited)
    back = reconcile(edited, scenario=None)
    assert back.ok and back.programme == built.figures.programme
    warned = {(f.sheet, f.cell) for f in back.findings if f.code == "NOT_IN_LIST"}
    letter = L.INPUTS.letter("nature")
    assert warned == {(label("sheet.inputs", "fr"), f"{letter}{r}") for r in typed.values()}


def test_a_text_of_no_list_is_refused_with_the_names_to_choose(tmp_path) -> None:
    built = build(output=tmp_path / "a.xlsx")
    wb = openpyxl.load_workbook(built.path)
    ws = wb[label("sheet.milestones", "fr")]
    ref = f"{L.MILESTONES.letter('kind')}{L.FIRST_DATA_ROW + 1}"
    ws[ref] = "juridique-ish"
    edited = tmp_path / "bad.xlsx"
    wb.save(edited)
    back = reconcile(edited, scenario=None)
    bad = [f for f in back.errors if f.code == "BAD_VALUE"]
    assert [(f.sheet, f.cell) for f in bad] == [(label("sheet.milestones", "fr"), ref)]
    assert "Juridique / Achat / Livraison / Mise en service / Évaluation" in bad[0].message
