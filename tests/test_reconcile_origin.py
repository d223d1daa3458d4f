"""Reconcile without --scenario: the scenario a workbook was built from is found by what its
About sheet records (source and SHA-256), and the officer's edits are listed against it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from budgetplan.api import build, reconcile
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.workbook.context import LINE_HEIGHT
from budgetplan.yamlio.loader import default_scenario_path
from tests.test_steering import cli

QUANTITY = L.INPUTS.letter("quantity")
FIRST = L.FIRST_DATA_ROW + 1  # SCAN-EQ, the first cost line


def _typed(book: Path, target: Path, quantity: int) -> Path:
    wb = openpyxl.load_workbook(book)
    wb[L.sheet_name("inputs", "fr")][f"{QUANTITY}{FIRST}"] = quantity
    wb.save(target)
    return target


def test_an_untouched_workbook_needs_no_scenario(default_fr) -> None:
    """Its inputs' fingerprint is the one written: no edit to list, no scenario loaded."""
    back = reconcile(default_fr, find_scenario=True)
    assert back.origin is not None and back.origin.unchanged and back.origin.path is None
    assert back.edits == []


def test_the_packaged_default_is_found(tmp_path, default_fr) -> None:
    edited = _typed(default_fr, tmp_path / "edited.xlsx", 41)
    back = reconcile(edited, find_scenario=True)
    assert back.origin is not None and back.origin.path == default_scenario_path()
    assert [(e.item, e.field) for e in back.edits] == [("cost_lines[SCAN-EQ]", "quantity")]


@pytest.mark.slow
def test_edits_are_listed_against_the_scenario_beside_the_workbook(tmp_path) -> None:
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    book = build(scenario, output=tmp_path / "sent.xlsx").path
    back = _typed(book, tmp_path / "back.xlsx", 41)
    code, out, _err = cli("reconcile", str(back))
    assert code == 0, out
    assert out.splitlines()[0].startswith(
        "saisies listées par rapport au scénario dont il a été construit : "
    )
    assert f"Lignes!{QUANTITY}{FIRST}" in out and "EDIT_CHANGED" in out and "40 -> 41" in out
    # carried into that very file when asked
    assert cli("reconcile", str(back), "--write-scenario", str(scenario))[0] == 0
    assert "quantity: 41" in scenario.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_scenario_changed_since_is_found_in_its_git_history(tmp_path) -> None:
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", *args],
            cwd=tmp_path, check=True, capture_output=True,
        )  # fmt: skip

    git("init", "-q")
    git("add", "programme.yaml")
    git("commit", "-qm", "v1")
    book = build(scenario, output=tmp_path / "sent.xlsx").path
    scenario.write_text(
        scenario.read_text(encoding="utf-8").replace("vat_rate: 0.20", "vat_rate: 0.2"),
        encoding="utf-8",
    )
    git("commit", "-qam", "v2")
    back = reconcile(_typed(book, tmp_path / "back.xlsx", 41), find_scenario=True)
    assert back.origin is not None and back.origin.path is not None
    assert not back.origin.own_file  # a copy of an old version: not a file to write into
    assert "historique git" in back.origin.where.fr  # type: ignore[attr-defined]
    assert [(e.item, e.field, e.old, e.new) for e in back.edits] == [
        ("cost_lines[SCAN-EQ]", "quantity", 40, 41)
    ]


@pytest.mark.slow
def test_a_scenario_nowhere_to_be_found_says_where_it_looked(tmp_path) -> None:
    scenario = tmp_path / "gone.yaml"
    shutil.copy(default_scenario_path(), scenario)
    book = build(scenario, output=tmp_path / "sent.xlsx").path
    scenario.unlink()
    edited = _typed(book, tmp_path / "edited.xlsx", 41)  # an edit: the scenario is wanted
    code, out, _err = cli("reconcile", str(edited))
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("saisies non listées : le scénario dont il a été construit est")
    assert "gone.yaml" in first and "--scenario" in first


@pytest.mark.slow
def test_a_bad_value_hides_no_other_edit_and_edits_are_said_in_the_workbooks_words(
    tmp_path,
) -> None:
    """1,500 typed as a unit cost (ambiguous), a quantity changed and a boolean switched: the
    bad value is one finding, in French; the two edits are listed anyway, each in the
    workbook's words (its column, the line's label, VRAI/FAUX), the path kept for JSON."""
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    book = build(scenario, output=tmp_path / "sent.xlsx").path
    wb = openpyxl.load_workbook(book)
    lines = wb[L.sheet_name("inputs", "fr")]
    lines[f"{QUANTITY}{FIRST}"] = 41
    lines[f"{L.INPUTS.letter('unit_cost')}{FIRST + 1}"] = "1,500"
    wb[L.sheet_name("pilots", "fr")][f"{L.PILOTS.letter('human_in_loop')}{FIRST}"] = False
    back = tmp_path / "back.xlsx"
    wb.save(back)
    code, out, _err = cli("reconcile", str(back))
    assert code == 1
    assert "'1,500' peut se lire 1,5 (virgule décimale) ou 1500 (milliers)" in out
    assert "Quantité de la ligne SCAN-EQ (« " in out and ": 40 -> 41" in out
    assert "Humain dans la boucle du pilote SCAN (« " in out and ": VRAI -> FAUX" in out
    code, out, _err = cli("reconcile", str(back), "--format", "json")
    import json

    edits = [f for f in json.loads(out)["findings"] if f["code"] == "EDIT_CHANGED"]
    assert {(f["item"], f["field"]) for f in edits} >= {
        ("cost_lines[SCAN-EQ]", "quantity"),
        ("pilots[SCAN]", "human_in_loop"),
    }


@pytest.mark.slow
def test_the_reconciliation_workbook_shows_every_word_of_its_findings(tmp_path) -> None:
    """The euro impact at the end of an edit's message was cut ("(+19"): the message and hint
    columns wrap, and each row is as tall as its longest text needs."""
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    book = build(scenario, output=tmp_path / "sent.xlsx").path
    back = _typed(book, tmp_path / "back.xlsx", 41)
    report = tmp_path / "rec.xlsx"
    assert cli("reconcile", str(back), "-o", str(report))[0] == 0
    ws = openpyxl.load_workbook(report).worksheets[0]
    width = ws.column_dimensions["E"].width
    for row in ws.iter_rows(min_row=4):
        message = row[4]
        if not message.value:
            continue
        assert message.alignment.wrap_text
        lines = -(-len(str(message.value)) // int(width - 1))
        if lines > 1:
            height = ws.row_dimensions[message.row].height
            assert height >= LINE_HEIGHT * lines, message.value


def test_an_about_sheet_naming_a_big_or_odd_file_makes_reconcile_read_none(
    tmp_path, monkeypatch
) -> None:
    """The About sheet of a returned workbook is not trusted: a source named there that is a
    pipe or a file larger than a scenario may be is looked at, not read."""
    import os
    from pathlib import Path

    from budgetplan.yamlio.origin import find_origin

    read: list[Path] = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or real(self))

    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(65 * 1024 * 1024)  # sparse: nothing to write, too large to read
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    for named in (big, pipe):
        origin = find_origin(tmp_path / "w.xlsx", str(named), "0" * 64, tmp_path)
        assert origin.path is None and str(named) in origin.tried
    assert read == []  # neither was read
