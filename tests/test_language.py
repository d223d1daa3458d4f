"""One language per report: French by default, English with --lang en, never a mix."""

from __future__ import annotations

import re

import openpyxl
import pytest

from budgetplan.api import build
from budgetplan.cli import run
from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.findings import Said, in_lang
from budgetplan.yamlio.loader import load
from tests.conftest import _edge_cases, _over_envelope, edit_scenario

#: Words that mark a text as English (none is French).
ENGLISH = {"the", "and", "with", "after", "before", "from", "which", "is", "are", "of", "its"}


def _english_words(text: str) -> set[str]:
    return ENGLISH & {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def _more_failures(doc) -> None:  # type: ignore[no-untyped-def]
    """Rules the edge cases leave alone: a negative quantity, an uncovered year, an assumption
    without rationale, a transfer without its programme, AE carried in excess."""
    _edge_cases(doc)
    _over_envelope(doc)
    lines = doc["cost_lines"]
    lines[8]["quantity"] = -1
    lines[9]["ae_year"] = 2030
    lines[10].update(provenance="assumption", rationale="")
    lines[11].update(nature="transfer")
    doc["envelopes"][1]["ae_carried_in"] = 99_000_000


def test_every_finding_of_the_checks_speaks_both_languages(tmp_path) -> None:
    """Each message and hint the checks give has its French, which reads as French, with
    amounts written the French way (1 234,56 €), and its English."""
    path = edit_scenario(tmp_path, "failing.yaml", _more_failures)
    findings = [f for r in run_checks(compute(load(path).programme)) for f in r.findings]
    codes = {f.code for f in findings}
    assert len(codes) >= 15, codes
    for f in findings:
        for text in (f.message, f.hint):
            assert isinstance(text, Said), (f.code, text)
            assert text.fr != str(text), (f.code, text)
            assert not _english_words(text.fr), (f.code, text.fr)
            assert "EUR" not in text.fr and not re.search(r"\d\.\d\d\b", text.fr), text.fr


@pytest.mark.slow
def test_reconcile_speaks_the_workbooks_language_unless_told(tmp_path, capsys) -> None:
    built = build(output=tmp_path / "fr.xlsx").path
    wb = openpyxl.load_workbook(built)
    wb["Lignes"]["H6"] = "beaucoup"
    wb.save(tmp_path / "typed.xlsx")
    assert run(["reconcile", str(tmp_path / "typed.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "ERREURS (1)" in out and "nombre attendu, texte trouvé 'beaucoup'" in out
    assert "1 erreur(s), 0 avertissement(s), 0 information(s)" in out
    assert not _english_words(out.replace(str(tmp_path), ""))
    assert run(["reconcile", str(tmp_path / "typed.xlsx"), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "ERRORS (1)" in out and "expected a number, found text 'beaucoup'" in out
    assert run(["reconcile", str(tmp_path / "typed.xlsx"), "--format", "json"]) == 1
    assert "nombre attendu" in capsys.readouterr().out  # JSON: codes as codes, words in French


@pytest.mark.parametrize(("lang", "words"), [("fr", "tirages, graine"), ("en", "iterations, seed")])
def test_risk_reports_in_the_language_asked(capsys, lang, words) -> None:
    assert run(["risk", "-n", "500", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert words in out
    percent = re.findall(r"\d+(?:[.,]\d)? ?%", out)
    assert percent and all((" %" in p) == (lang == "fr") for p in percent)
    if lang == "fr":
        assert not _english_words(out)


def test_a_french_text_passes_through_every_copy() -> None:
    """A message keeps its French when a finding is copied, pickled or compared."""
    import copy
    import dataclasses
    import pickle

    from budgetplan.core.findings import Finding, Severity, said

    f = Finding(Severity.ERROR, "X", said("the value", "la valeur"), said("fix", "corriger"))
    for g in (copy.deepcopy(f), pickle.loads(pickle.dumps(f)), dataclasses.replace(f, cell="A1")):
        assert in_lang(g.message, "fr") == "la valeur" and g.message == "the value"
    assert f.one_line("fr") == ": erreur[X] la valeur (corriger)"


def test_every_help_text_of_the_command_line_has_its_french() -> None:
    """No English help reaches a French user: each command's and option's help is in the
    French catalogue of the command line (budgetplan/cli_help.py)."""
    import typer.main

    from budgetplan.cli import app
    from budgetplan.cli_help import FRENCH, help_texts

    missing = [t for t in help_texts(typer.main.get_command(app)) if t not in FRENCH]
    assert missing == [], missing


@pytest.mark.parametrize("command", [[], ["build"], ["reconcile"], ["diff"], ["consolidate"]])
def test_help_is_french_by_default_and_english_when_asked(command, capsys, monkeypatch) -> None:
    from budgetplan.cli import run

    assert run([*command, "--help"]) == 0
    french = capsys.readouterr().out
    assert french.startswith("Utilisation : budgetplan")
    assert "Afficher cette aide et quitter." in french
    for english in ("Usage:", "Options:", "Show this message", "[default:", "Workbook"):
        assert english not in french, english
    if command:  # the commands take --lang; budgetplan alone follows the locale
        assert run([*command, "--help", "--lang", "en"]) == 0
        assert capsys.readouterr().out.startswith("Usage: budgetplan")
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert run([*command, "--help"]) == 0
    assert capsys.readouterr().out.startswith("Usage: budgetplan")
