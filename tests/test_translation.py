"""The programme's own texts in the workbook's language: the English workbook of the default
programme reads in English, its edits go back into the French scenario, and a scenario may carry
its own catalogue."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import polib
import pytest

from budgetplan.api import build, load_programme
from budgetplan.core.retext import retext, reverse, texts
from budgetplan.readback.reconciliation import reconcile
from budgetplan.xlsx import layout as L
from budgetplan.yamlio.catalogue import bundled, catalogue
from budgetplan.yamlio.loader import default_scenario_path

#: Texts written alike in both languages: acronyms, bodies' names and numbers.
SAME_IN_BOTH = {"216", "CNIL", "DPSIS", "DPSIS / DGPN", "DPSIS / DGGN", "DPSIS / DGSI"}
SAME_IN_BOTH |= {"DPSIS / Paris 2024"}
FIRST = 5  # first data row of every input table


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Path:
    return build(output=tmp_path_factory.mktemp("tr") / "en.xlsx", lang="en").path


def _cells(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    found = {
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v
    }
    wb.close()
    return found


def test_every_text_of_the_default_programme_has_its_english() -> None:
    entries = catalogue("budgetplan:programme-2022.yaml", "en")
    french = {text for _, text in texts(load_programme())}
    assert len(french) > 300
    assert french - set(entries) == set()  # `python3 dev.py catalogue` adds what is missing
    alike = {text for text in french if entries[text] == text}
    assert alike == SAME_IN_BOTH


def test_the_english_workbook_shows_no_french_text_of_the_programme(english) -> None:
    entries = catalogue("", "en")
    cells = _cells(english)
    french_left = {t for _, t in texts(load_programme()) if t in cells and t not in SAME_IN_BOTH}
    assert french_left == set()
    assert "Millimetre-wave body scanners at stadium access" in cells
    assert entries["Provision pour aléas"] in cells


def test_the_french_workbook_keeps_the_french_texts(default_fr) -> None:
    cells = _cells(default_fr)
    assert "Scanners corporels à ondes millimétriques aux accès des stades" in cells
    assert "Millimetre-wave body scanners at stadium access" not in cells


@pytest.mark.slow
def test_an_english_text_edited_goes_back_into_the_french_scenario(english, tmp_path) -> None:
    """Untouched, the English workbook is the scenario; one label retyped is the only edit, and
    writing the scenario back changes that line alone: every other text stays French."""
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    assert reconcile(english, scenario).edits == []
    sheet = L.sheet_name("inputs", "en")
    wb = openpyxl.load_workbook(english)
    cell = f"{L.INPUTS.letter('label')}{FIRST}"
    assert wb[sheet][cell].value == "Millimetre-wave scanners (40 units)"
    wb[sheet][cell] = "Body scanners (40)"
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    result = reconcile(edited, scenario)
    assert [(e.field, e.old, e.new) for e in result.edits] == [
        ("label", "Millimetre-wave scanners (40 units)", "Body scanners (40)")
    ]
    before = scenario.read_text(encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "budgetplan", "reconcile", str(edited), "--scenario", str(scenario)]
        + ["--write-scenario", str(scenario)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    after = scenario.read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [
        ("    label: Scanners à ondes millimétriques (40 unités)", "    label: Body scanners (40)")
    ]


def test_a_scenarios_own_catalogue_comes_first(tmp_path) -> None:
    scenario = tmp_path / "mine.yaml"
    shutil.copy(default_scenario_path(), scenario)
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Provision pour aléas", msgstr="Contingency reserve"))
    po.save(str(tmp_path / "mine.en.po"))
    built = build(scenario, output=tmp_path / "mine-en.xlsx", lang="en")
    cells = _cells(built.path)
    assert "Contingency reserve" in cells
    assert "Contingency provision" not in cells  # the shipped entry, overridden
    assert "Millimetre-wave scanners (40 units)" in cells  # the shipped entries still apply
    assert reconcile(built.path, scenario).edits == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'msgid "a"\nmsgstr "b"\ngarbage\n',
            "mine.en.po:3: error[CATALOGUE] not a readable PO catalogue",
        ),
        (
            f'msgid "Provision pour aléas"\nmsgstr "{"x" * 501}"\n',
            "mine.en.po:1: error[CATALOGUE] translation of 501 characters",
        ),
    ],
)
def test_a_broken_catalogue_is_one_located_line(tmp_path, text, expected) -> None:
    scenario = tmp_path / "mine.yaml"
    shutil.copy(default_scenario_path(), scenario)
    (tmp_path / "mine.en.po").write_text(text, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "budgetplan", "build", str(scenario), "--lang", "en"]
        + ["-o", str(tmp_path / "x.xlsx")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert expected in out.stderr and len(out.stderr.splitlines()) == 1
    assert not (tmp_path / "x.xlsx").exists()


def test_retext_copies_only_what_changes() -> None:
    programme = load_programme()
    assert retext(programme, {"nothing of the programme": "x"}) is programme
    renamed = retext(programme, {"Provision pour aléas": "Contingency"})
    assert renamed is not programme
    assert renamed.pilots[0] is programme.pilots[0]  # untouched pilots are shared
    assert [line.label for line in renamed.cost_lines].count("Contingency") == 1
    assert renamed.cost_lines[0].label == programme.cost_lines[0].label


def test_reverse_leaves_out_what_could_not_be_told_back() -> None:
    assert reverse({"a": "x", "b": "x", "c": "y"}) == {"y": "c"}


def test_the_shipped_catalogue_is_a_valid_po_file() -> None:
    po = polib.pofile(str(bundled("en")))
    assert po.percent_translated() == 100
    assert not po.fuzzy_entries()
    assert all(entry.occurrences for entry in po)  # translators see where each text is used


def test_the_catalogue_follows_the_programme_as_msgmerge_does(tmp_path) -> None:
    """A text edited in the programme: its old entry goes obsolete, the new text waits for its
    translation (and shows in French meanwhile); a second run changes nothing."""
    from budgetplan.yamlio.catalogue import read_catalogue, update_catalogue

    po = tmp_path / "programme-2022.en.po"
    shutil.copy(bundled("en"), po)
    programme = load_programme()
    edited = retext(programme, {"Provision pour aléas": "Réserve pour aléas"})
    assert update_catalogue(po, edited) == (1, 1)
    assert update_catalogue(po, edited) == (0, 0)
    entries = read_catalogue(po)
    assert "Réserve pour aléas" not in entries  # untranslated until a translator fills it in
    assert "Provision pour aléas" not in entries  # obsolete
    assert len(entries) == len(catalogue("", "en")) - 1
