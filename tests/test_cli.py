"""The command line as a user runs it: exit codes, one-line errors, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from budgetplan.compute.checks import CHECKS
from budgetplan.yamlio.loader import load
from tests.conftest import edit_scenario


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "budgetplan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_build_default_into_workbooks_folder(tmp_path) -> None:
    result = run("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "tous les contrôles sont respectés" in result.stdout  # French unless --lang en
    assert (tmp_path / "workbooks" / "programme-2022.xlsx").stat().st_size > 50_000


@pytest.mark.slow
def test_validate_ok_and_over_envelope(tmp_path) -> None:
    ok = run("validate", str(Path("budgetplan/data/programme-2022.yaml").resolve()))
    lines = len(load().programme.cost_lines)
    n = len(CHECKS)
    assert (
        ok.returncode == 0 and f"OK ({lines} lignes de coût, {n} contrôles respectés)" in ok.stdout
    )
    en = run("validate", str(Path("budgetplan/data/programme-2022.yaml").resolve()), "--lang", "en")
    assert en.returncode == 0 and f"OK ({lines} cost lines, {n} checks pass)" in en.stdout

    def short(doc):  # type: ignore[no-untyped-def]
        doc["envelopes"][1]["cp"] = 1000000  # 2023: EUR 1M of CP for EUR 35M of payments

    path = edit_scenario(tmp_path, "short.yaml", short)
    over = run("validate", str(path))
    assert over.returncode == 1
    assert f"{path}:" in over.stdout
    line = next(x for x in over.stdout.splitlines() if "ENVELOPE_CP" in x and "CP 2023" in x)
    # 34,689,088.95 to pay; 950,000 net of reserve + 99,002.98 carried in from 2022
    assert "34 944 688,95 € à payer dépassent les 1 049 002,98 € disponibles" in line
    assert "de 33 895 685,97 €" in line and "erreur[ENVELOPE_CP]" in line
    english = run("validate", str(path), "--lang", "en").stdout
    line = next(x for x in english.splitlines() if "ENVELOPE_CP" in x and "CP 2023" in x)
    assert "34 944 688.95 EUR to pay exceed the 1 049 002.98 EUR available" in line
    assert "by 33 895 685.97 EUR" in line and "error[ENVELOPE_CP]" in line

    def no_carry(doc):  # type: ignore[no-untyped-def]
        doc["envelopes"][1]["ae_carried_in"] = 0  # the 2023 awards have no AE

    path = edit_scenario(tmp_path, "no-carry.yaml", no_carry)
    over = run("validate", str(path))
    assert over.returncode == 1
    line = next(x for x in over.stdout.splitlines() if "ENVELOPE_AE" in x)
    assert "AE 2023 : 12 396 000,00 € engagés dépassent les 0,00 € disponibles" in line


@pytest.mark.slow  # one child process per bad scenario: the full suite runs it
def test_bad_scenarios_exit_2_with_located_errors_and_no_traceback(tmp_path) -> None:
    cases = {
        "malformed.yaml": b"id: [1, 2\nx: 3\n",
        "not-utf8.yaml": b"id: \xff\xfe\n",
        "empty.yaml": b"",
        "list.yaml": b"- 1\n- 2\n",
        "bad-date.yaml": b"id: X\nperiod: {start: 2022-02-30}\n",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)

    def typo(doc):  # type: ignore[no-untyped-def]
        doc["cost_lines"][0]["unit_cots"] = doc["cost_lines"][0].pop("unit_cost")
        doc["cost_lines"][1]["quantity"] = "lots"
        doc["cost_lines"][2]["pilot"] = "SCANN"

    edit_scenario(tmp_path, "typo.yaml", typo)
    for name in [*cases, "typo.yaml", "missing.yaml"]:
        for command in ("validate", "build"):
            result = run(command, str(tmp_path / name))
            assert result.returncode == 2, (name, command, result.stdout, result.stderr)
            assert "Traceback" not in result.stderr
            assert str(tmp_path / name) in result.stderr
    typo_errors = run("validate", str(tmp_path / "typo.yaml")).stderr.splitlines()
    assert any(
        "champ inconnu 'unit_cots'" in e and "vouliez-vous dire 'unit_cost'" in e
        for e in typo_errors
    )
    assert any("cost_lines[1].quantity" in e for e in typo_errors)
    assert all(":" in e.split()[0] for e in typo_errors)  # file:line first


def test_build_refuses_an_output_that_is_not_xlsx(tmp_path) -> None:
    result = run("build", "-o", str(tmp_path / "out.txt"))
    assert result.returncode == 2 and ".xlsx" in result.stderr


def test_schema_is_json_schema_of_the_programme() -> None:
    result = run("schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "Programme"
    assert {"envelopes", "pilots", "cost_lines", "events"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def test_version() -> None:
    assert run("--version").stdout.startswith("budgetplan ")


COMMANDS = [
    "build",
    "validate",
    "reconcile",
    "diff",
    "textconv",
    "git-setup",
    "run",
    "risk",
    "schema",
    "verify",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_reads_as_a_command_line_with_an_example(command, capsys) -> None:
    """Flags as flags, arguments by name, choices listed, and one example per command whose
    flags the command has."""
    from budgetplan.cli import run as run_in_process

    assert run_in_process([command, "--help"]) == 0
    text = capsys.readouterr().out
    for noise in ("<bool>", "<path>", "<str>", "<int", "<float", "{", "list[Path]"):
        assert noise not in text, (command, noise)
    example = text.split("Exemple :", 1)[1].splitlines()[1].strip()  # French by default
    assert example.split()[:2] in (["budgetplan", command], [".venv/bin/budgetplan", command])
    for flag in (w for w in example.split() if w.startswith("-")):
        assert flag in text, (command, flag)
    choices = {
        "build": ["--lang fr|en"],
        "reconcile": ["--format text|json|markdown"],
        "diff": ["--format text|json|markdown|xlsx", "--lang fr|en"],
        "risk": ["--distribution pert|triangular", "--format text|json"],
    }
    for shown in choices.get(command, []):
        assert shown in text, (command, shown)


def test_help_imports_nothing_heavy() -> None:
    """`budgetplan --help` loads the command line only: no YAML parser, no spreadsheet writer or
    reader, no numerical library (start-up measured by what is imported, not by a clock)."""
    probe = (
        "import sys, budgetplan.cli; "
        "print(','.join(m for m in ('numpy', 'scipy', 'ruamel', 'openpyxl', 'xlsxwriter', "
        "'pandas', 'pydantic', 'python_calamine') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "french", "english"),
    [
        (["reconcile"], "il manque l'argument 'WORKBOOK.xlsx'", "Missing argument 'WORKBOOK.xlsx'"),
        (["bogus"], "commande inconnue : 'bogus'", "No such command 'bogus'"),
        (["build", "--frobnicate"], "option inconnue : --frobnicate", "No such option"),
        (["risk", "-n", "abc"], "un nombre entier est attendu", "valid integer"),
        (["risk", "-n", "0"], "au moins 1", "greater than or equal to 1"),
        (["build", "--lang", "de"], "'de' n'est pas l'une des valeurs", None),  # no --lang en
        (["build", "a.yaml", "b.yaml"], "argument(s) en trop", "unexpected extra argument"),
        (["build", "nope.yaml"], "fichier ou dossier introuvable", "No such file or directory"),
    ],
)
def test_usage_errors_are_said_in_the_users_language(args, french, english) -> None:
    """A command line the parser refuses is one line in French, the default, and in English
    with --lang en, saying where to look (--help); exit 2, no traceback."""
    from tests.test_steering import cli

    code, _out, err = cli(*args)
    assert code == 2 and french in err and len(err.strip().splitlines()) == 1, err
    assert "voir budgetplan" in err or "vérifier le chemin" in err
    if english is not None:
        code, _out, err = cli(*args, "--lang", "en")
        assert code == 2 and english in err and "Traceback" not in err, err


def test_scenario_file_mistakes_are_said_in_french_by_default(tmp_path) -> None:
    """pydantic's words for a value of the wrong type or out of range, and a validator's own,
    come in French: what a programme manager reads in the terminal."""
    from tests.test_steering import cli

    def break_first_line(doc) -> None:  # type: ignore[no-untyped-def]
        line = doc["cost_lines"][0]
        line["quantity"], line["ae_year"], line["nature"] = "beaucoup", 1850, "magie"

    path = edit_scenario(tmp_path, "bad.yaml", break_first_line)
    code, _out, err = cli("validate", str(path))
    assert code == 2, err
    assert "quantity: erreur[SCHEMA] 'beaucoup' n'est pas un nombre (corriger la valeur)" in err
    assert "ae_year: erreur[SCHEMA] doit être au moins 1990" in err
    assert "nature: erreur[SCHEMA] la valeur doit être 'supplies'" in err and "' ou '" in err
    code, _out, err = cli("validate", str(path), "--lang", "en")
    assert "'beaucoup' is not a number (correct the value)" in err
    assert "greater than or equal to 1990" in err


def test_a_simulation_too_large_for_memory_says_how_many_draws_fit() -> None:
    """``risk -n`` beyond what memory allows is refused before drawing, in one line that says
    how many draws fit, in French and with --lang en in English."""
    from budgetplan.compute.risk import MAX_RISK_BYTES
    from tests.test_steering import cli

    code, _out, err = cli("risk", "-n", "5000000")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    limit = f"{MAX_RISK_BYTES / 1e6:,.0f}".replace(",", " ")
    assert "5 000 000 tirages" in err and f"Mo, au-delà des {limit} Mo" in err, err
    assert "ramener --iterations à" in err
    code, _out, err = cli("risk", "-n", "5000000", "--lang", "en")
    assert code == 2 and "5,000,000 draws" in err and "lower --iterations to" in err, err
