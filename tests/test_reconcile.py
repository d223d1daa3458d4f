"""Reconcile: each tampering a finance officer can do is found, at the right cell."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from budgetplan.api import build
from budgetplan.core.findings import Severity
from budgetplan.readback.reconciliation import reconcile
from budgetplan.recalc import libreoffice
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.xlsxfile import sheet_parts
from budgetplan.yamlio.loader import default_scenario_path, load

LINES = "Lignes"
FIRST = 5  # first data row of every input table
LAST = FIRST + len(load().programme.cost_lines) - 1  # the row of the last cost line
MILESTONE_ROW = {  # the Milestones sheet's row of each default milestone
    m.id: FIRST + i
    for i, m in enumerate(m for pl in load().programme.pilots for m in pl.milestones)
}
DATE = "E"  # the Milestones sheet's fixed-date column


def at(key: str, row: int) -> str:
    """The cell of cost-line column ``key`` (a model field) in sheet row ``row``."""
    return f"{L.INPUTS.letter(key)}{row}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build(output=tmp_path_factory.mktemp("rec") / "base.xlsx").path


def tamper(base: Path, tmp: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    wb = openpyxl.load_workbook(base)
    change(wb)
    out = tmp / name
    wb.save(out)
    return out


def codes_at(result) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {(f.code, f.sheet, f.cell) for f in result.findings}


def test_untouched_workbooks_give_no_finding(built, tmp_path) -> None:
    import budgetplan

    result = budgetplan.reconcile(built)  # the library's entry point, as the README shows it
    assert result.findings == []
    assert result.programme == load().programme  # the programme the workbook holds
    resaved = tamper(built, tmp_path, "openpyxl.xlsx", lambda wb: None)
    assert reconcile(resaved).findings == []


CASES = {
    "total typed over its formula": (
        lambda wb: wb["Synthèse"].__setitem__("B8", 47000000),
        ("FORMULA_REPLACED", "Synthèse", "B8"),
    ),
    "formula changed": (
        lambda wb: wb["Échéancier CP"].__setitem__("G5", "=ROUND(E5*1.2,2)"),
        ("FORMULA_CHANGED", "Échéancier CP", "G5"),
    ),
    "sheet renamed": (
        lambda wb: setattr(wb["Calendrier"], "title", "Gantt"),
        ("SHEET_RENAMED", "Gantt", ""),
    ),
    "text in an amount": (
        lambda wb: wb[LINES].__setitem__(at("unit_cost", 7), "beaucoup"),
        ("BAD_VALUE", LINES, at("unit_cost", 7)),
    ),
    "a number typed as text in an amount": (
        lambda wb: wb[LINES].__setitem__(at("unit_cost", 8), "95 000,00"),
        ("BAD_VALUE", LINES, at("unit_cost", 8)),
    ),
    "impossible date": (
        lambda wb: wb["Jalons"].__setitem__("E6", "31/02/2023"),
        ("BAD_VALUE", "Jalons", "E6"),
    ),
    "negative amount": (
        lambda wb: wb[LINES].__setitem__(at("quantity", 9), -3),
        ("NON_NEGATIVE", LINES, at("quantity", 9)),
    ),
    "missing provenance": (
        lambda wb: wb[LINES].__setitem__(at("rationale", 10), None),
        ("PROVENANCE", LINES, at("rationale", 10)),
    ),
    "payment before commitment": (
        lambda wb: wb[LINES].__setitem__(at("ae_year", 11), 2023),
        ("CP_AFTER_AE", LINES, at("cp.start", 11)),
    ),
    "route the amount does not allow": (
        lambda wb: wb[LINES].__setitem__(at("route", 5), "adapted"),
        ("ROUTE", LINES, at("route", 5)),
    ),
    "money moved into titre 2": (
        lambda wb: wb[LINES].__setitem__(at("titre", 6), 2),
        ("TITRE2", "Paramètres", "J5"),
    ),
    "over the envelope": (
        lambda wb: wb[LINES].__setitem__(at("quantity", 5), 400),
        ("ENVELOPE_AE", "Paramètres", "H5"),
    ),
    "operational too late": (
        lambda wb: wb["Jalons"].__setitem__(  # late for OG2024
            f"{DATE}{MILESTONE_ROW['SCAN-OPS']}", dt.datetime(2024, 7, 1)
        ),
        ("READINESS", "Jalons", f"{DATE}{MILESTONE_ROW['SCAN-OPS']}"),
    ),
    "milestones out of order": (
        lambda wb: wb["Jalons"].__setitem__(  # delivery before its award
            f"{DATE}{MILESTONE_ROW['SCAN-DELIV']}", dt.datetime(2022, 1, 15)
        ),
        ("MILESTONE_ORDER", "Jalons", f"{DATE}{MILESTONE_ROW['SCAN-DELIV']}"),
    ),
    "automated decision without a human": (
        lambda wb: wb["Pilotes"].__setitem__(f"{L.PILOTS.letter('human_in_loop')}5", False),
        ("HUMAN_IN_LOOP", "Pilotes", f"{L.PILOTS.letter('human_in_loop')}5"),
    ),
    "intrusive pilot without supervision": (
        lambda wb: wb["Pilotes"].__setitem__(f"{L.PILOTS.letter('supervising_body')}8", None),
        ("INTRUSIVE_SUPERVISED", "Pilotes", "A8"),
    ),
    "duplicated row": (
        lambda wb: [
            wb[LINES].cell(LAST + 1, c, wb[LINES].cell(5, c).value)
            for c in range(1, len(L.INPUTS.columns) + 1)
        ],
        ("DUPLICATE_ID", LINES, f"A{LAST + 1}"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_tampering_is_found_at_its_cell(built, tmp_path, case) -> None:
    change, expected = CASES[case]
    result = reconcile(tamper(built, tmp_path, "t.xlsx", change))
    assert expected in codes_at(result), [f.one_line() for f in result.findings]
    assert not result.ok


def test_row_deleted_from_the_inputs(built, tmp_path) -> None:
    result = reconcile(tamper(built, tmp_path, "del.xlsx", lambda wb: wb[LINES].delete_rows(12)))
    assert ("PHASING_ROWS", "Échéancier CP", "A5") in codes_at(result)
    assert any(f.code == "PHASING_ROWS" and "deleted" in f.message for f in result.findings)


def test_sheet_removed(built, tmp_path) -> None:
    result = reconcile(tamper(built, tmp_path, "rm.xlsx", lambda wb: wb.remove(wb["Échéances"])))
    assert ("SHEET_MISSING", "Échéances", "") in codes_at(result)


def part_of(path: Path, sheet: str) -> str:
    """The zip member holding ``sheet``'s XML."""
    with zipfile.ZipFile(path) as zf:
        return next(p.part for p in sheet_parts(zf) if p.name == sheet)


def rewrite_sheet(base: Path, out: Path, sheet: str, change) -> Path:  # type: ignore[no-untyped-def]
    """``base`` with the XML of ``sheet`` passed through ``change``, every other part kept."""
    part = part_of(base, sheet)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, change(data.decode()).encode() if info.filename == part else data)
    return out


def edit_cell_xml(base: Path, out: Path, sheet: str, cell: str, element: str, text) -> Path:  # type: ignore[no-untyped-def]
    """``base`` with the text of one cell's ``<v>`` or ``<f>`` replaced (by ``text``, or by what
    ``text`` makes of the old one), every other byte kept: the workbook as written but for that
    cell."""

    def change(xml: str) -> str:
        start = xml.index(f'<c r="{cell}"')
        v0 = xml.index(f"<{element}>", start) + len(element) + 2
        v1 = xml.index(f"</{element}>", v0)
        return xml[:v0] + (text(xml[v0:v1]) if callable(text) else text) + xml[v1:]

    return rewrite_sheet(base, out, sheet, change)


SUMMARY, PHASING = "Synthèse", "Échéancier CP"


@pytest.mark.parametrize(
    ("sheet", "cell", "element", "text", "expected"),
    [
        (SUMMARY, "B8", "v", "1234.5", ("VALUE_STALE", SUMMARY, "B8")),
        # inside the Phasing data rows, the rest of the sheet byte for byte as written
        (PHASING, "E7", "v", "1234.5", ("VALUE_STALE", PHASING, "E7")),
        (PHASING, "F9", "v", lambda old: "9" * len(old), ("VALUE_STALE", PHASING, "F9")),
        (PHASING, "G30", "f", "ROUND(E30*1.3,2)", ("FORMULA_CHANGED", PHASING, "G30")),
        (PHASING, f"AT{LAST}", "v", "#DIV/0!", ("VALUE_STALE", PHASING, f"AT{LAST}")),
    ],
)
def test_cached_value_or_formula_changed_in_place(
    built, tmp_path, sheet, cell, element, text, expected
) -> None:
    out = edit_cell_xml(built, tmp_path / "edited.xlsx", sheet, cell, element, text)
    result = reconcile(out)
    assert expected in codes_at(result)
    assert len(result.findings) == 1, result.findings


def as_excel_shares(base: Path, out: Path, columns: tuple[str, ...]) -> Path:
    """``base`` with the Phasing formulas of ``columns`` stored as Excel stores a formula filled
    down: the text once in the first data row, the rows below pointing at it."""
    import re

    def share(xml: str) -> str:
        for si, col in enumerate(columns):
            cells = list(re.finditer(rf'<c r="{col}(\d+)"([^>]*)><f>([^<]*)</f>', xml))
            cells = [c for c in cells if int(c.group(1)) >= FIRST]
            last = cells[-1].group(1)
            pieces, pos = [], 0
            for i, c in enumerate(cells):
                head = f'<c r="{col}{c.group(1)}"{c.group(2)}>'
                if i == 0:
                    f = f'<f t="shared" ref="{col}{FIRST}:{col}{last}" si="{si}">{c.group(3)}</f>'
                else:
                    f = f'<f t="shared" si="{si}"/>'
                pieces += [xml[pos : c.start()], head + f]
                pos = c.end()
            xml = "".join(pieces) + xml[pos:]
        return xml

    return rewrite_sheet(base, out, PHASING, share)


def test_formulas_shared_as_excel_saves_them(built, tmp_path) -> None:
    import re

    shared = as_excel_shares(built, tmp_path / "shared.xlsx", ("E", "G", "R", "AT"))
    assert b't="shared"' in zipfile.ZipFile(shared).read(part_of(shared, PHASING))
    assert reconcile(shared).findings == []

    def unshare(xml: str) -> str:  # a follower that no longer follows: a formula of its own
        xml, n = re.subn(r'(<c r="G9"[^>]*>)<f t="shared" si="\d+"/>', r"\1<f>$E9*2</f>", xml)
        assert n == 1
        return xml

    broken = rewrite_sheet(shared, tmp_path / "broken.xlsx", PHASING, unshare)
    assert ("FORMULA_CHANGED", PHASING, "G9") in codes_at(reconcile(broken))


def test_a_new_row_with_every_field_is_an_edit(built, tmp_path) -> None:
    ids = [c.id for c in load().programme.cost_lines]
    small = FIRST + ids.index("SCAN-DPIA")  # EUR 42,000 TTC: a copy fits the 2022 headroom

    def add(wb):  # type: ignore[no-untyped-def]
        ws = wb[LINES]
        for c in range(2, len(L.INPUTS.columns) + 1):
            ws.cell(LAST + 1, c, ws.cell(small, c).value)
        ws.cell(LAST + 1, 3, "Ligne ajoutée par le bureau financier")

    result = reconcile(tamper(built, tmp_path, "add.xlsx", add))
    assert result.errors == [], [f.one_line() for f in result.errors]
    assert ("LINE_ADDED", LINES, f"A{LAST + 1}") in codes_at(result)
    assert result.programme is not None
    assert result.programme.cost_lines[-1].id == "SCAN-NEW1"


@pytest.mark.slow
def test_edit_write_scenario_rebuild(built, tmp_path) -> None:
    """Edit an input cell, write the scenario, rebuild: the new workbook holds the edit."""
    edited = tamper(
        built, tmp_path, "e.xlsx", lambda wb: wb[LINES].__setitem__(at("quantity", 5), 41)
    )
    original = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), original)
    result = reconcile(edited, original)
    assert result.ok
    assert [(e.item, e.field, e.old, e.new) for e in result.edits] == [
        ("cost_lines[SCAN-EQ]", "quantity", 40, 41)
    ]
    from budgetplan.yamlio.scenario_writer import apply_to_scenario

    before = original.read_text(encoding="utf-8")
    apply_to_scenario(original, result.programme, original)
    after = original.read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [("    quantity: 40", "    quantity: 41")]
    rebuilt = build(original, output=tmp_path / "rebuilt.xlsx")
    assert rebuilt.ok
    assert load(original).programme.cost_lines[0].quantity == 41
    assert reconcile(rebuilt.path).findings == []


@pytest.mark.slow
def test_cli_json_and_exit_codes(built, tmp_path) -> None:
    bad = tamper(built, tmp_path, "bad.xlsx", lambda wb: wb["Synthèse"].__setitem__("B8", 1))
    run = subprocess.run(
        [sys.executable, "-m", "budgetplan", "reconcile", str(bad), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    data = json.loads(run.stdout)
    first = data["findings"][0]
    assert {"severity", "code", "sheet", "cell", "message", "hint"} <= set(first)
    ok = subprocess.run(
        [sys.executable, "-m", "budgetplan", "reconcile", str(built), "--format", "markdown"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and "Aucun constat." in ok.stdout  # the workbook's language
    junk = tmp_path / "junk.xlsx"
    junk.write_text("a,b\n1,2\n")
    bad_input = subprocess.run(
        [sys.executable, "-m", "budgetplan", "reconcile", str(junk)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad_input.returncode == 2 and "Traceback" not in bad_input.stderr
    assert str(junk) in bad_input.stderr


@pytest.mark.libreoffice
def test_libreoffice_resaved_workbooks(built, tmp_path, lo_available) -> None:
    """Saved again by LibreOffice (strings, styles, cell order change): no finding; with an
    edit made in LibreOffice's recalculated copy, only the edit, and the Summary's risk figures
    said to be those of the last build (RISK_STALE, a warning: an edit does not rerun the
    simulation; the line's dearer unit cost raises what reaching P80 takes)."""
    edited = tamper(
        built, tmp_path, "edited.xlsx", lambda wb: wb[LINES].__setitem__(at("unit_cost", 6), 15000)
    )
    out = tmp_path / "lo"
    out.mkdir()
    libreoffice.recalculate([built, edited], save_dir=out)
    clean = reconcile(out / built.name)
    assert clean.findings == [], [f.one_line() for f in clean.findings]
    result = reconcile(out / "edited.xlsx", default_scenario_path())
    assert result.errors == [], [f.one_line() for f in result.errors]
    assert [(e.item, e.field) for e in result.edits] == [("cost_lines[SCAN-INST]", "unit_cost")]
    stale = [(f.severity, f.sheet) for f in result.findings if f.code == "RISK_STALE"]
    assert stale and set(stale) == {(Severity.WARNING, "Synthèse")}, stale
    _respelled_chunks_still_find_changes(out / built.name, tmp_path)


def spy_on_chunks(mp: pytest.MonkeyPatch) -> list[int]:
    """The chunks of Phasing rows reconcile compares cell by cell (the row number each ends
    before), as it compares them: empty when every row is matched in place."""
    from budgetplan.readback import integrity

    chunks: list[int] = []
    compare_chunk = integrity._PhasingRows._compare_chunk

    def spy(self) -> None:  # type: ignore[no-untyped-def]
        chunks.append(self.high)
        compare_chunk(self)

    mp.setattr(integrity._PhasingRows, "_compare_chunk", spy)
    return chunks


def _respelled_chunks_still_find_changes(resaved: Path, tmp_path: Path) -> None:
    """LibreOffice's spelling, learnt on the first chunk of Phasing rows found alike, lets every
    next row be matched in place, byte for byte; a stale value and a changed formula rows below
    are found all the same, at their cells."""
    import re

    from budgetplan.readback import integrity

    with pytest.MonkeyPatch.context() as mp:
        chunks = spy_on_chunks(mp)
        mp.setattr(integrity._PhasingRows, "ROWS", 5)
        mp.setattr(integrity._PhasingRows, "FIRST_ROWS", 5)
        assert reconcile(resaved).findings == []
        # learnt on the first chunk (rows 20-24), every next row matched in place
        assert chunks == [integrity.L.FIRST_DATA_ROW + 1 + 5], chunks
        stale_row, changed_row = LAST - 3, LAST - 12

        def change(xml: str) -> str:
            xml, n = re.subn(
                rf'(<c r="F{stale_row}"[^>]*><f[^>]*>[^<]*</f><v>)[^<]*', r"\g<1>0.55", xml
            )
            assert n == 1
            xml, n = re.subn(rf'(<c r="G{changed_row}"[^>]*><f[^>]*>)ROUND', r"\1ROUNDUP", xml)
            assert n == 1
            return xml

        edited = rewrite_sheet(resaved, tmp_path / "lo-edited.xlsx", PHASING, change)
        chunks.clear()
        found = codes_at(reconcile(edited))
        # each changed row, and the rows after it up to a chunk, compared cell by cell
        assert len(chunks) == 3, chunks
    assert found == {
        ("VALUE_STALE", PHASING, f"F{stale_row}"),
        ("FORMULA_CHANGED", PHASING, f"G{changed_row}"),
    }, found


def test_the_garbage_collector_runs_again_after_reconcile(built, tmp_path) -> None:
    """reconcile pauses Python's cyclic garbage collector while it reads: a library caller gets
    it back, whether the workbook reads or not."""
    import gc

    from budgetplan.xlsx.reader import ReadError

    assert gc.isenabled()
    reconcile(built)
    assert gc.isenabled()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(built.read_bytes()[: built.stat().st_size // 2])
    with pytest.raises(ReadError):
        reconcile(broken)
    assert gc.isenabled()


def test_an_untouched_workbook_is_matched_in_place(built, tmp_path, monkeypatch) -> None:
    """The fast path: every Phasing row of a workbook nobody re-saved is found byte for byte as
    the writer renders it (were the expected rows to drift, e.g. a style index, each row would be
    compared cell by cell: right, but three times slower)."""

    chunks = spy_on_chunks(monkeypatch)
    assert reconcile(built).findings == []
    assert chunks == []  # no row compared cell by cell
    resaved = tamper(built, tmp_path, "openpyxl.xlsx", lambda wb: None)
    assert reconcile(resaved).findings == []
    assert chunks  # openpyxl spells every row otherwise: compared a chunk at a time


@pytest.mark.slow
def test_a_contributors_workbook_is_matched_in_place_once_its_styles_are_learnt(
    tmp_path, monkeypatch
) -> None:
    """A contributor's workbook (split) numbers its formats otherwise: its Phasing rows are
    compared cell by cell for a first short chunk, from which its style numbers are learnt, then
    matched in place; a value changed further down is still found at its cell."""
    import re

    from budgetplan.readback import integrity
    from budgetplan.steering import split

    chunks = spy_on_chunks(monkeypatch)
    monkeypatch.setattr(integrity._PhasingRows, "FIRST_ROWS", 5)
    returned = split(load(None), tmp_path / "outbox")[0].path
    assert reconcile(returned).findings == []
    assert chunks == [L.FIRST_DATA_ROW + 1 + 5], chunks  # learnt on 5 rows, the rest in place
    stale = LAST - 2

    def change(xml: str) -> str:
        xml, n = re.subn(rf'(<c r="G{stale}"[^>]*><f>[^<]*</f><v>)[^<]*', r"\g<1>1", xml)
        assert n == 1
        return xml

    edited = rewrite_sheet(returned, tmp_path / "edited.xlsx", PHASING, change)
    chunks.clear()
    assert codes_at(reconcile(edited)) == {("VALUE_STALE", PHASING, f"G{stale}")}
    assert len(chunks) == 2, chunks  # the first chunk, and the one from the changed row


@pytest.mark.slow
def test_once_the_edits_are_carried_build_replaces_the_returned_workbook(built, tmp_path) -> None:
    """The round trip a finance officer's return takes: reconcile, carry, rebuild in place."""
    from budgetplan.cli import run as cli

    returned = tamper(
        built, tmp_path, "returned.xlsx", lambda wb: wb[LINES].__setitem__(at("quantity", 5), 41)
    )
    edited = returned.read_bytes()
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    assert cli(["build", str(scenario), "-o", str(returned)]) == 2  # edits not carried: refused
    assert returned.read_bytes() == edited
    args = ["reconcile", str(returned), "--scenario", str(scenario)]
    assert cli([*args, "--write-scenario", str(scenario)]) == 0
    assert cli(["build", str(scenario), "-o", str(returned)]) == 0  # no --force needed
    backups = list(tmp_path.glob("returned.*.bak.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == edited  # the edits are kept
    assert reconcile(returned).findings == [] and returned.read_bytes() != edited
    assert load(scenario).programme.cost_lines[0].quantity == 41
    # a clean workbook is replaced with no backup at all
    assert cli(["build", str(scenario), "-o", str(returned)]) == 0
    assert len(list(tmp_path.glob("returned.*.bak.xlsx"))) == 1


def _type_a_line_into_the_first_spare_row(wb) -> None:  # type: ignore[no-untyped-def]
    """A cost line typed into the first empty row, its id left for reconcile to give."""
    import datetime as dt

    row = LAST + 1
    ws = wb[LINES]
    for key, value in {
        "pilot": "SCAN",
        "label": "Deux sessions de formation de plus",
        "titre": 3,
        "nature": "Services",
        "quantity": 2,
        "unit_cost": 12000,
        "ae_year": 2022,
        "cp.profile": "Linéaire",
        "cp.start": dt.datetime(2023, 1, 1),
        "cp.end": dt.datetime(2023, 6, 1),
        "estimate.low": 20000,
        "estimate.high": 30000,
        "route": "Gré à gré",
        "provenance": "Hypothèse",
        "rationale": "Second stadium",
    }.items():
        ws[f"{L.INPUTS.letter(key)}{row}"] = value


ONE_RUN = {
    "bad value": (
        lambda wb: wb[LINES].__setitem__(at("unit_cost", 7), "beaucoup"),
        ("BAD_VALUE", LINES, at("unit_cost", 7)),
    ),
    "total overwritten": (
        lambda wb: wb["Synthèse"].__setitem__("B9", 123),
        ("FORMULA_REPLACED", "Synthèse", "B9"),
    ),
    "line added": (_type_a_line_into_the_first_spare_row, ("LINE_ADDED", LINES, f"A{LAST + 1}")),
}


@pytest.mark.parametrize(
    "combo",
    [c for k in (2, 3) for c in itertools.combinations(ONE_RUN, k)],
    ids=lambda c: " + ".join(c),
)
def test_no_finding_hides_another(built, tmp_path, combo) -> None:
    """A bad value, an overwritten total and an added line in one workbook: every one is found
    at its cell in one run, and nothing else is reported."""

    def change(wb) -> None:  # type: ignore[no-untyped-def]
        for name in combo:
            ONE_RUN[name][0](wb)

    result = reconcile(tamper(built, tmp_path, "combo.xlsx", change))
    found = codes_at(result)
    assert {ONE_RUN[name][1] for name in combo} == found, [f.one_line() for f in result.findings]


def test_edits_name_their_cell_and_what_they_cost(built, tmp_path) -> None:
    """An edit is reported at the cell it was typed in, with what it does to the line's AE
    (once a line), and what all the edits do to the AE allocated and the headroom; inputs of
    every table are compared (a closure of Parliament's calendar, an evaluation)."""
    closures = L.CLOSURES
    evaluations = L.EVALUATIONS

    def edit(wb):  # type: ignore[no-untyped-def]
        wb[LINES][at("quantity", FIRST)] = 41
        wb[LINES][at("unit_cost", FIRST)] = 150000.5
        wb["Paramètres"][f"{closures.letter('last_day')}{FIRST}"] = dt.datetime(2022, 6, 30)
        wb["Évaluation"][f"{evaluations.letter('target')}{FIRST}"] = "Un débit triplé"

    original = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), original)
    result = reconcile(tamper(built, tmp_path, "e.xlsx", edit), original)
    found = {(f.code, f.sheet, f.cell): f.message for f in result.findings}
    quantity = found[("EDIT_CHANGED", LINES, at("quantity", FIRST))]
    assert quantity.startswith("cost_lines[SCAN-EQ].quantity: 40 -> 41 (AE of the line ")
    # 41 x 150 000.50 HT = 6 150 020.50, TTC 7 380 024.60: +180 024.60 on 7 200 000.00
    assert "7 200 000.00 EUR -> 7 380 024.60 EUR, +180 024.60 EUR" in quantity
    unit = found[("EDIT_CHANGED", LINES, at("unit_cost", FIRST))]
    assert unit == "cost_lines[SCAN-EQ].unit_cost: 150000 -> 150000.5"  # priced once
    closure = found[("EDIT_CHANGED", "Paramètres", f"{closures.letter('last_day')}{FIRST}")]
    assert closure == "closures[PARLIAMENT 2022-02-28].last_day: 27/06/2022 -> 30/06/2022"
    target = found[("EDIT_CHANGED", "Évaluation", f"{evaluations.letter('target')}{FIRST}")]
    assert target.startswith("evaluations[SCAN-E1].target: ") and target.endswith("Un débit triplé")
    (impact,) = [f for f in result.findings if f.code == "EDIT_IMPACT"]
    assert "from 47 324 000.00 EUR to 47 504 024.60 EUR (+180 024.60 EUR)" in impact.message
    assert "2022 headroom from 198 500.00 EUR to 18 475.40 EUR" in impact.message
    # what to do: the spreadsheet's menu first (the add-on's own title), then the command
    from budgetplan.core.findings import in_lang
    from budgetplan.core.menu import CARRY

    hint = in_lang(impact.hint, "fr")
    assert hint.index(f"menu Budget › {CARRY.fr}") < hint.index("budgetplan reconcile"), hint


def test_reconcile_never_writes_over_its_own_inputs(built, tmp_path, capsys) -> None:
    """`-o` or `--write-scenario` naming the returned workbook (or the scenario, or the
    actuals) would replace what the finance officer sent: refused, the file untouched."""
    from budgetplan.cli import run as cli

    returned = tamper(built, tmp_path, "returned.xlsx", lambda wb: None)
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    kept = (returned.read_bytes(), scenario.read_bytes())
    for args, says in (
        (["-o", str(returned)], "désigne une des entrées de la commande"),
        (["--write-scenario", str(returned)], "désigne une des entrées de la commande"),
        (["--scenario", str(scenario), "-o", str(scenario)], "doit être un fichier .xlsx"),
    ):
        assert cli(["reconcile", str(returned), *args]) == 2
        assert says in capsys.readouterr().err
    assert (returned.read_bytes(), scenario.read_bytes()) == kept


def test_libreoffices_spellings_of_the_same_cells_are_alike() -> None:
    """A sheet LibreOffice saved again without a change compares in one pass (no cell-by-cell
    search): a boolean result saved as the number 1, an empty text result saved as t="str", a
    TRUE typed into an input saved as the formula TRUE(). A changed value never is alike."""
    from budgetplan.readback.integrity import _all_alike, _without_typed_booleans

    built = [
        (b"A", b"5", b' s="1" t="b"', b"", b"AND(B5,C5)", b"1"),
        (b"B", b"5", b' s="2"', b"", b'IF(D5="","",D5)', b""),
        (b"C", b"5", b' s="3"', b"", b"SUM(E5:F5)", b"12.0"),
    ]
    resaved = [
        (b"A", b"5", b' s="1" t="n"', b' aca="false"', b"AND(B5,C5)", b"1"),
        (b"B", b"5", b' s="2" t="str"', b' aca="false"', b'IF(D5="","",D5)', b""),
        (b"C", b"5", b' s="3"', b' aca="false"', b"SUM(E5:F5)", b"12"),
        (b"G", b"5", b' s="4" t="b"', b' aca="false"', b"TRUE()", b"1"),
    ]
    assert _all_alike(built, _without_typed_booleans(built, resaved))
    changed = [resaved[0][:5] + (b"0",), *resaved[1:3]]
    assert not _all_alike(built, changed)
    text_now = [resaved[0], resaved[1][:5] + (b"x",), resaved[2]]
    assert not _all_alike(built, text_now)
    replaced = [*resaved[:2], (b"C", b"5", b' s="3" t="b"', b"", b"TRUE()", b"1")]
    assert not _all_alike(built, _without_typed_booleans(built, replaced))


@pytest.mark.slow
def test_the_phasing_sheet_is_compared_chunk_by_chunk_alike(built, tmp_path, monkeypatch) -> None:
    """Rows compared a few at a time (a 10,000-line sheet is never held twice): the same
    findings at the same cells as in one piece, and Excel's shared formulas followed across
    chunk boundaries (the master in the first data row, its followers chunks below)."""
    from budgetplan.readback import integrity, sheet_stream

    monkeypatch.setattr(integrity._PhasingRows, "ROWS", 5)
    monkeypatch.setattr(sheet_stream, "CHUNK", 4096)  # the sheet inflates 4 KB at a time
    edited = edit_cell_xml(built, tmp_path / "e.xlsx", PHASING, "F9", "v", "1234.5")
    edited = edit_cell_xml(edited, tmp_path / "e2.xlsx", PHASING, "G30", "f", "ROUND(E30*1.3,2)")
    found = codes_at(reconcile(edited))
    assert found == {("VALUE_STALE", PHASING, "F9"), ("FORMULA_CHANGED", PHASING, "G30")}, found
    shared = as_excel_shares(built, tmp_path / "shared.xlsx", ("E", "G", "R", "AT"))
    assert reconcile(shared).findings == []
    late = f"AT{LAST}"
    stale = edit_cell_xml(shared, tmp_path / "stale.xlsx", PHASING, late, "v", "#DIV/0!")
    assert codes_at(reconcile(stale)) == {("VALUE_STALE", PHASING, late)}


def test_the_phasing_sheet_is_never_read_whole(built, tmp_path, monkeypatch) -> None:
    """The Phasing sheet (1.2 GB of XML at 100,000 lines) is compared as it inflates, a
    megabyte at a time, as built and re-spelled: no read takes the member whole (the package
    checks read it a megabyte at a time too); a changed formula in the last row of a re-spelled
    sheet is still found at its cell."""
    from budgetplan.readback import sheet_stream

    monkeypatch.setattr(sheet_stream, "CHUNK", 2048)
    part = part_of(built, PHASING)
    reads: list[int] = []
    real_open = zipfile.ZipFile.open

    def watched_open(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
        handle = real_open(self, name, *args, **kwargs)
        target = name.filename if isinstance(name, zipfile.ZipInfo) else name
        if target == part and Path(str(self.filename)) in (built, respelled):
            real_read = handle.read

            def read(n: int = -1) -> bytes:
                data = real_read(n)
                reads.append(-1 if n is None or n < 0 else len(data))
                return data

            handle.read = read
        return handle

    respelled = rewrite_sheet(  # every row spelled as LibreOffice does (no quotes), one changed
        built,
        tmp_path / "respelled.xlsx",
        PHASING,
        lambda xml: xml.replace("'Lignes'!", "Lignes!").replace(
            f"<f>ROUND($E{LAST}*(1+$F{LAST}),2)</f>", f"<f>ROUND($E{LAST}*(1+$F{LAST}),3)</f>"
        ),
    )
    monkeypatch.setattr(zipfile.ZipFile, "open", watched_open)
    assert reconcile(built).findings == []
    found = codes_at(reconcile(respelled))
    assert found == {("FORMULA_CHANGED", PHASING, f"G{LAST}")}, found
    assert reads and -1 not in reads and max(reads) <= 1 << 20, sorted(set(reads))[-5:]


@pytest.mark.slow
def test_notes_typed_on_the_phasing_sheet_are_found_not_lost(built, tmp_path) -> None:
    """A note typed beside the Phasing table, in its header rows, or a million rows down is a
    CELL_OUTSIDE warning at its cell, its text shown as typed (the sheet is streamed, never read
    whole, so the far cell costs no memory); a build over the workbook then refuses to drop it."""
    from budgetplan.cli import run as cli

    def notes(wb) -> None:  # type: ignore[no-untyped-def]
        wb[PHASING]["BZ12"] = "à revoir avec le BOP"
        wb[PHASING]["D1"] = "note d'en-tête"
        wb[PHASING]["XFD1048576"] = 7

    noted = tamper(built, tmp_path, "noted.xlsx", notes)
    result = reconcile(noted)
    outside = {f.cell: f.message for f in result.findings if f.code == "CELL_OUTSIDE"}
    assert set(outside) == {"BZ12", "D1", "XFD1048576"}, outside
    assert "à revoir avec le BOP" in outside["BZ12"] and "note d'en-tête" in outside["D1"]
    assert "7" in outside["XFD1048576"]
    assert {f.code for f in result.findings} == {"CELL_OUTSIDE"}, result.findings
    before = noted.read_bytes()
    assert cli(["build", "-o", str(noted)]) == 2  # the notes would be lost: refused
    assert noted.read_bytes() == before


def test_a_boolean_read_against_a_blank_is_a_difference_not_a_crash() -> None:
    """A workbook of the previous build showed FAUX where an empty readiness row now shows
    nothing: rebuilding over it crashed comparing FALSE with a blank."""
    from budgetplan.readback.integrity import _same

    assert not _same(False, None) and not _same(None, True) and not _same(True, "")
    assert _same(True, 1) and _same(False, 0.0) and _same(True, True)
