"""The fingerprint of a programme's inputs (About sheet): the same for the programme a scenario
file gives and for the one its workbook gives back, however a cell holds a number; another for
any edit. It is how a build knows an untouched workbook, and reconcile an unedited one."""

from __future__ import annotations

from decimal import Decimal

from budgetplan.core.fingerprint import _canonical, fingerprint
from budgetplan.xlsx.reader import open_workbook, read_programme
from budgetplan.yamlio.loader import load


def test_a_workbook_gives_back_the_fingerprint_it_was_written_with(default_fr) -> None:
    wb = open_workbook(default_fr)
    programme, _loc = read_programme(wb)
    assert programme is not None
    assert fingerprint(programme) == wb.about["fingerprint"] == fingerprint(load(None).programme)


def test_a_number_is_the_same_however_it_is_held() -> None:
    held = [Decimal("40"), Decimal("40.00"), 40, 40.0, Decimal("4E+1")]
    assert {_canonical(v) for v in held} == {"40"}
    assert {_canonical(v) for v in (Decimal("0"), 0, 0.0, Decimal("0.00"))} == {"0"}
    assert _canonical(Decimal("1.50")) == _canonical(1.5) == "1.5"


def test_an_edit_changes_the_fingerprint() -> None:
    programme = load(None).programme
    line = programme.cost_lines[0]
    edited = programme.model_copy(
        update={
            "cost_lines": (
                line.model_copy(update={"quantity": line.quantity + 1}),
                *programme.cost_lines[1:],
            )
        }
    )
    assert fingerprint(edited) != fingerprint(programme)
