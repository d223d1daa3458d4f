"""Ids a spreadsheet cannot misread: unique ignoring case, never a boolean or a date."""

from __future__ import annotations

import contextlib
import io

import pytest

from budgetplan.cli import run
from tests.conftest import edit_scenario


def _validate(path) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = run(["validate", str(path)])
    return code, err.getvalue()


def _rename_pilot(new_id: str):  # type: ignore[no-untyped-def]
    def change(doc) -> None:  # type: ignore[no-untyped-def]
        old = doc["pilots"][3]["id"]  # FRP: its lines and milestones follow it
        doc["pilots"][3]["id"] = new_id
        for line in doc["cost_lines"]:
            if line["pilot"] == old:
                line["pilot"] = new_id

    return change


def test_ids_equal_but_for_case_are_refused_at_their_lines(tmp_path) -> None:
    """FRA and fra are one pilot to SUMIFS: the totals would count FRA's lines twice."""
    path = edit_scenario(tmp_path, "case.yaml", _rename_pilot("fra"))
    code, err = _validate(path)
    assert code == 2, err
    lines = [line for line in err.splitlines() if "DUPLICATE_ID" in line]
    assert len(lines) == 2 and all(f"{path}:" in line for line in lines)
    assert "ne diffère de 'FRA' que par la casse" in err and "Traceback" not in err  # French


def test_line_ids_equal_but_for_case_are_refused(tmp_path) -> None:
    def change(doc) -> None:  # type: ignore[no-untyped-def]
        doc["cost_lines"][1]["id"] = doc["cost_lines"][0]["id"].lower()

    code, err = _validate(edit_scenario(tmp_path, "lines.yaml", change))
    assert code == 2 and "le code de la ligne de coût" in err and "que par la casse" in err


@pytest.mark.parametrize(
    ("ident", "reading"),
    [("TRUE", "vrai/faux"), ("Faux", "vrai/faux"), ("Mar-2022", "une date"), ("dec.5", "une date")],
)
def test_ids_a_spreadsheet_reads_as_something_else_are_refused(tmp_path, ident, reading) -> None:
    code, err = _validate(edit_scenario(tmp_path, "odd.yaml", _rename_pilot(ident)))
    assert code == 2, err
    assert f"est lu comme {reading}" in err and "en choisir un autre" in err
    assert "Traceback" not in err
