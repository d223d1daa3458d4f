"""Excel 2016 and LibreOffice 7 are the floor: no workbook budgetplan writes calls a newer
function (Excel 2016 shows #NAME? for MINIFS, MAXIFS, IFS, XLOOKUP...)."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from pathlib import Path

import pytest

from budgetplan.cli import run
from budgetplan.xlsx.formulas import EXCEL_2016_FUNCTIONS, NEWER_THAN_EXCEL_2016, functions_in

REPO = Path(__file__).resolve().parent.parent
# Cells, conditional formats, data validations and defined names: everything that is evaluated.
FORMULA_XML = re.compile(
    r"<(?:\w+:)?(f|formula|formula1|formula2|definedName)\b[^>]*>([^<]*)</", re.S
)


def _cli(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return run(list(args))


@pytest.fixture(scope="module")
def written(tmp_path_factory, edge_cases, over_envelope) -> list[Path]:
    """One workbook of every kind budgetplan writes."""
    out = tmp_path_factory.mktemp("every-kind")
    assert _cli("build", "-o", str(out / "fr.xlsx")) == 0
    assert _cli("build", "--lang", "en", "-o", str(out / "en.xlsx")) == 0
    assert _cli("run", str(REPO / "scenarios"), "-o", str(out / "run")) == 3  # some checks fail
    diff = out / "diff.xlsx"
    assert (
        _cli("diff", str(out / "fr.xlsx"), str(over_envelope), "--format", "xlsx", "-o", str(diff))
        == 1
    )
    rec = out / "reconciliation.xlsx"
    assert _cli("reconcile", str(edge_cases), "-o", str(rec)) in (0, 1)
    paths = [out / "fr.xlsx", out / "en.xlsx", diff, rec, edge_cases, over_envelope]
    paths += sorted((out / "run").glob("*.xlsx"))
    paths += sorted((REPO / "workbooks").glob("*.xlsx"))
    assert all(p.is_file() for p in paths)
    assert (out / "run" / "comparison.xlsx") in paths
    return paths


def _formulas(path: Path) -> list[tuple[str, str]]:
    out = []
    with zipfile.ZipFile(path) as zf:
        for part in zf.namelist():
            if part.endswith(".xml"):
                xml = zf.read(part).decode("utf-8")
                for _tag, text in FORMULA_XML.findall(xml):
                    text = text.replace("&quot;", '"').replace("&amp;", "&")
                    text = text.replace("&lt;", "<").replace("&gt;", ">")
                    if text.strip():
                        out.append((part, text))
    return out


@pytest.mark.slow  # builds every kind of workbook (all scenarios too): the full suite runs it
def test_no_workbook_budgetplan_writes_calls_a_function_newer_than_excel_2016(written) -> None:
    offenders = []
    seen: set[str] = set()
    for path in written:
        for part, formula in _formulas(path):
            called = functions_in(formula)
            seen |= called
            if called - EXCEL_2016_FUNCTIONS:
                offenders.append(f"{path.name} {part}: {sorted(called - EXCEL_2016_FUNCTIONS)}")
    assert offenders == [], offenders[:10]
    assert {"SUMPRODUCT", "LARGE", "SUMIFS", "EDATE"} <= seen  # the scan does read formulas


def test_the_allowed_list_holds_nothing_newer() -> None:
    assert not EXCEL_2016_FUNCTIONS & NEWER_THAN_EXCEL_2016
    assert functions_in('=_xlfn.MINIFS(A1:A3,B1:B3,"x")+SUM(C1)') == {"MINIFS", "SUM"}
