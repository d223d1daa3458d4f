"""``budgetplan upgrade``: a workbook of the previous layout (tests/fixtures/layout-2.xlsx, the
default workbook as committed at 041ff35) brought to this one, its inputs and edits kept; what
cannot be upgraded refused in one line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from budgetplan.api import reconcile, upgrade
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.reader import ReadError, open_workbook, read_programme
from tests.test_reconcile import edit_cell_xml
from tests.test_steering import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OLD = FIXTURES / "layout-2.xlsx"


def _programme(path: Path, upgrading: bool = False):  # type: ignore[no-untyped-def]
    programme, _places = read_programme(open_workbook(path, upgrading=upgrading))
    assert programme is not None
    return programme


def _quantity_cell(index: int) -> str:
    return L.INPUTS.cell("quantity", index).replace("$", "")


def test_an_edited_workbook_of_the_previous_layout_keeps_its_inputs_and_edits(tmp_path) -> None:
    """An officer's edit (SCAN-EQ 40 -> 41 scanners) typed into a layout-2 workbook is in the
    upgraded one, which reads back in this layout with no finding about its cells; the risk
    accepted, which layout 2 did not have, takes its default (20 %)."""
    before = _programme(OLD, upgrading=True)
    index = next(i for i, c in enumerate(before.cost_lines) if c.id == "SCAN-EQ")
    assert before.cost_lines[index].quantity == Decimal(40)
    edited = edit_cell_xml(
        OLD,
        tmp_path / "edited.xlsx",
        L.sheet_name("inputs", "fr"),
        _quantity_cell(index),
        "v",
        "41",
    )
    given = edited.read_bytes()
    code, out, err = cli("upgrade", str(edited))
    # written; as build does, it names the check that fails: the risk accepted takes its 20 %
    assert code == 0 and [line.split("[")[1].split("]")[0] for line in err.splitlines()] == [
        "RISK_OVERRUN"
    ], err
    assert err.startswith("avertissement: ") and "(1 contrôle(s) en ÉCHEC)" in out
    target = tmp_path / f"edited-mise-en-page-{L.LAYOUT_VERSION}.xlsx"
    assert f"écrit {target}" in out and "mise en page 2.ae461a1a6237" in out
    old, new = _programme(edited, upgrading=True), _programme(target)
    assert new == old and new.cost_lines[index].quantity == Decimal(41)
    assert new.risk_acceptance.overrun_probability == Decimal("0.2")
    assert edited.read_bytes() == given  # its input untouched
    back = reconcile(target)
    assert back.layout_findings == [] if hasattr(back, "layout_findings") else True
    assert {f.code for f in back.errors} <= {"RISK_OVERRUN"}, [f.one_line() for f in back.errors]


def test_what_cannot_be_upgraded_is_refused_in_one_line(tmp_path, default_fr) -> None:
    """Its own input as output; layout 1 (a different table layout: the old way forward); a
    workbook already in this layout. Each exit 2, one line, nothing written."""
    copy = tmp_path / "old.xlsx"
    copy.write_bytes(OLD.read_bytes())
    code, _out, err = cli("upgrade", str(copy), "-o", str(copy))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "entrées" in err
    assert copy.read_bytes() == OLD.read_bytes()
    code, _out, err = cli(
        "upgrade", str(FIXTURES / "layout-1.xlsx"), "-o", str(tmp_path / "x.xlsx")
    )
    assert code == 2 and len(err.strip().splitlines()) == 1 and "mise en page 1" in err
    assert "reconcile --write-scenario" in err and not (tmp_path / "x.xlsx").exists()
    with pytest.raises(ReadError) as caught:
        upgrade(default_fr, tmp_path / "y.xlsx")
    assert [f.code for f in caught.value.findings] == ["LAYOUT_CURRENT"]
    assert not (tmp_path / "y.xlsx").exists()


def test_reconcile_names_the_upgrade_for_the_previous_layout() -> None:
    code, _out, err = cli("reconcile", str(OLD))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"budgetplan upgrade {OLD}" in err
