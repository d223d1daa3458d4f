"""A layout that cannot be forgotten: its fingerprint on the About sheet, a header row read
before any value, and a workbook of an older layout refused in one line that names it and the
way forward (tests/fixtures/layout-1.xlsx: the default workbook as budgetplan wrote it at
ec3c815, layout 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from budgetplan.api import build, reconcile
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.reader import ReadError
from tests.test_steering import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_the_layout_in_force_is_registered() -> None:
    """Change the layout (a column, a sheet, a name) and this fails until the new layout is
    registered in layout.LAYOUTS, with its version bumped: the reader then names the old one."""
    assert list(L.LAYOUTS)[-1] == L.LAYOUT, (
        f"the layout changed: register {L.LAYOUT!r} in layout.LAYOUTS (and bump LAYOUT_VERSION)"
    )
    versions = [key.split(".")[0] for key in L.LAYOUTS]
    assert versions == sorted(versions, key=int) and len(set(versions)) == len(versions)


def test_the_fingerprint_is_the_same_whatever_the_hash_seed() -> None:
    code = "from budgetplan.xlsx import layout as L; print(L.LAYOUT)"
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("0", "1", "12345")
    }
    assert seen == {L.LAYOUT}


def test_the_about_sheet_names_the_layout(default_fr) -> None:
    about = openpyxl.load_workbook(default_fr)[L.sheet_name("about", "fr")]
    values = {row[0]: row[2] for row in about.iter_rows(values_only=True) if row[0]}
    assert values["layout"] == L.LAYOUT


@pytest.mark.parametrize(
    ("fixture", "layout"),
    [
        ("layout-1.xlsx", "1"),
        ("layout-2.xlsx", "2.ae461a1a6237"),
        ("layout-3.xlsx", "3.619ba318601a"),
    ],
)
def test_an_older_layout_is_refused_in_one_line_naming_it(tmp_path, fixture, layout) -> None:
    """Each released layout's default workbook (layout-2.xlsx: as committed at 041ff35,
    layout-3.xlsx at 774b3ab)."""
    old = FIXTURES / fixture
    with pytest.raises(ReadError) as caught:
        reconcile(old)
    assert [f.code for f in caught.value.findings] == ["LAYOUT_VERSION"]
    code, out, err = cli("reconcile", str(old))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert f"mise en page {layout} ({L.LAYOUTS[layout].fr})" in lines[0]  # type: ignore[attr-defined]
    if layout in L.LAYOUTS_UPGRADABLE:  # its inputs are read: upgrade them
        assert f"budgetplan upgrade {old}" in lines[0]
    else:
        assert "reconcile --write-scenario" in lines[0] and "budgetplan build" in lines[0]
    # a build over it keeps it, naming its layout; --force replaces it, a backup kept
    target = tmp_path / "old.xlsx"
    target.write_bytes(old.read_bytes())
    code, out, err = cli("build", "-o", str(target))
    assert code == 2 and f"mise en page {layout}" in err and target.read_bytes() == old.read_bytes()
    assert cli("build", "-o", str(target), "--force")[0] == 0
    assert [p.name for p in tmp_path.glob("old.*.bak.xlsx")]


def test_a_column_inserted_in_a_table_is_one_finding_at_its_header(tmp_path) -> None:
    """An inserted column shifted every value of the table: 470 BAD_VALUEs. The header row is
    read first: one finding at the first header out of place, and no value read."""
    book = build(output=tmp_path / "book.xlsx").path
    wb = openpyxl.load_workbook(book)
    wb[L.sheet_name("inputs", "fr")].insert_cols(4)
    edited = tmp_path / "inserted.xlsx"
    wb.save(edited)
    back = reconcile(edited)
    assert [(f.code, f.sheet, f.cell) for f in back.errors] == [
        ("HEADER_MOVED", L.sheet_name("inputs", "fr"), "D4")
    ]
    assert "« Titre » est attendue ici" in back.errors[0].one_line("fr")


#: The formulas of the default French workbook (in relative R1C1 form, by sheet and column),
#: hashed, for each layout: a formula changed without a new layout would make every workbook
#: in circulation of "this" layout come back as FORMULA_CHANGED at each of its cells.
FORMULAS = {"4.41b439aa7ecb": "52b5527241ca"}


def test_a_changed_formula_cannot_keep_the_layout(default_fr) -> None:
    import hashlib

    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    from budgetplan.recalc.libreoffice import cached_formula_cells
    from budgetplan.xlsx.formulas import to_r1c1

    shapes = set()
    for cell in cached_formula_cells(default_fr):
        col, row = coordinate_from_string(cell.ref)
        r1c1 = to_r1c1(cell.formula.removeprefix("="), row, column_index_from_string(col))
        shapes.add(f"{cell.sheet}\t{col}\t{r1c1}")
    digest = hashlib.sha256("\n".join(sorted(shapes)).encode()).hexdigest()[:12]
    assert FORMULAS.get(L.LAYOUT) == digest, (
        f"the workbook's formulas changed ({digest}): bump LAYOUT_VERSION, register the layout "
        "in layout.LAYOUTS and LAYOUTS_UPGRADABLE, keep the previous default workbook as "
        f"tests/fixtures/layout-N.xlsx, and record {digest} for {L.LAYOUT} here"
    )
