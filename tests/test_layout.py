"""One description of the workbook: every check is one object, every defined name is registered,
and the workbook's formulas use nothing else."""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import load_workbook

import budgetplan
from budgetplan.compute.checks import CHECKS, Check, run_checks
from budgetplan.compute.figures import compute
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.formulas import names_in


def test_every_check_has_both_texts_a_rule_and_a_formula_over_registered_names() -> None:
    assert len({c.code for c in CHECKS}) == len(CHECKS)
    for check in CHECKS:
        assert isinstance(check, Check)
        assert check.fr.strip() and check.en.strip() and check.fr != check.en, check.code
        assert check.explain_fr.strip() and check.explain_en.strip(), check.code
        assert callable(check.rule), check.code
        assert check.formula.startswith("="), check.code
        assert set(names_in(check.formula)) <= set(L.NAME_BY_ID), check.code


def test_run_checks_is_the_list_in_order(default_loaded) -> None:
    results = run_checks(compute(default_loaded.programme))
    assert [r.spec for r in results] == list(CHECKS)
    assert all(r.ok == (r.count == 0) == (not r.findings) for r in results)


def test_the_workbook_defines_the_registered_names_and_its_formulas_use_only_them(
    default_fr,
) -> None:
    wb = load_workbook(default_fr)
    defined = set(wb.defined_names)
    registered = set(L.NAME_BY_ID)
    # Excel's own names (print titles, table filters) aside, the workbook defines the registry.
    assert {n for n in defined if not n.startswith("_xlnm")} == registered
    used: set[str] = set()
    with zipfile.ZipFile(default_fr) as zf:
        for part in zf.namelist():
            if part.startswith("xl/worksheets/sheet"):
                xml = zf.read(part).decode()
                for f in re.findall(r"<f>(.*?)</f>", xml):
                    formula = "=" + f.replace("&amp;", "&").replace("&lt;", "<").replace(
                        "&gt;", ">"
                    )
                    used.update(names_in(formula.replace("&quot;", '"')))
    assert used <= registered, used - registered
    assert {"PH_TTC", "NET_AE", "MIL_DATES", "RD_LATE"} <= used  # the scan does see names


def _modules_loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_layers_look_down_reading_a_workbook_loads_no_yaml_parser_nor_scipy() -> None:
    loaded = _modules_loaded_by("import budgetplan.xlsx.reader")
    assert not {"ruamel.yaml", "scipy", "budgetplan.api", "budgetplan.yamlio.loader"} & loaded
    writer = _modules_loaded_by("import budgetplan.xlsx.workbook.writer")
    assert not {"scipy", "budgetplan.api", "budgetplan.compute.risk", "ruamel.yaml"} & writer


def test_the_scenario_algebra_is_pure() -> None:
    """Scenario changes programmes and nothing else: no printing, no building, no diffing."""
    tree = ast.parse((Path(budgetplan.__file__).parent / "scenarios" / "scenario.py").read_text())
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not imported & {"budgetplan.api", "budgetplan.diff.compare", "budgetplan.diff.render"}
    calls = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert "print" not in calls


def test_the_package_offers_every_function_of_the_api() -> None:
    from budgetplan import api

    functions = {n for n in api.__all__ if callable(getattr(api, n)) and n[0].islower()}
    assert set(budgetplan.API_FUNCTIONS) == functions - {"diff"}  # budgetplan.diff: the package
    functions -= {"diff"}
    # a subpackage of the same name would shadow the function once imported (budgetplan.diff)
    assert not [n for n in functions if importlib.util.find_spec(f"budgetplan.{n}")]
    assert all(getattr(budgetplan, n) is getattr(api, n) for n in functions)


def test_scripts_written_against_the_old_module_paths_keep_working() -> None:
    from budgetplan.runner import report
    from budgetplan.scenario import Scenario
    from budgetplan.scenarios import runner, scenario

    assert Scenario is scenario.Scenario and report is runner.report


def test_the_light_formula_reader_finds_the_names_openpyxl_finds(default_fr, default_en) -> None:
    """core.formula_names reads the names a formula uses without a spreadsheet library; on
    every formula budgetplan writes it finds what openpyxl's tokenizer finds (whole rows and
    columns, which the tokenizer takes for names, aside)."""
    import html
    import re
    import zipfile

    from budgetplan.core.formula_names import names_in
    from budgetplan.xlsx.formulas import tokenized_names_in

    formulas = [c.formula for c in CHECKS]
    for path in (default_fr, default_en):
        with zipfile.ZipFile(path) as zf:
            for part in zf.namelist():
                if part.startswith("xl/worksheets/sheet"):
                    found = re.findall(r"<f>([^<]*)</f>", zf.read(part).decode())
                    formulas += [html.unescape(f) for f in found]
    whole = re.compile(r"!\$?[A-Z]+:\$?[A-Z]+\b|!\$?\d+:\$?\d+\b")
    checked = [f for f in dict.fromkeys(formulas) if not whole.search(f)]
    assert len(checked) > 1000
    differ = [f for f in checked if names_in(f) != tokenized_names_in(f)]
    assert differ == [], differ[:5]
