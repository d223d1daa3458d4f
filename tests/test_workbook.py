"""The workbook as a finance officer opens it: structure, styles, protection, formulas, bytes."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from budgetplan.api import build
from budgetplan.compute.figures import compute
from budgetplan.core.labels import label
from budgetplan.recalc.libreoffice import cached_formula_cells
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.formulas import EXCEL_2016_FUNCTIONS, numeric_literals, to_r1c1
from tests import golden
from tests.conftest import edit_scenario

UNIVERSAL = {"0", "1", "2", "12", "100"}


@pytest.fixture(scope="module")
def wb_fr(default_fr):
    return openpyxl.load_workbook(default_fr)


def test_sheets_in_fast_order_in_both_languages(wb_fr, default_en) -> None:
    assert wb_fr.sheetnames == [label(f"sheet.{k}", "fr") for k in L.SHEETS]
    en = openpyxl.load_workbook(default_en, read_only=True)
    assert en.sheetnames == [label(f"sheet.{k}", "en") for k in L.SHEETS]


def test_input_tables_and_named_key_figures(wb_fr, default_loaded) -> None:
    tables = {name for ws in wb_fr.worksheets for name in ws.tables}
    assert {t.name for t in L.INPUT_TABLES} <= tables
    names = set(wb_fr.defined_names)
    for name in (
        "ENVELOPE_AE",
        "RESERVE_AE",
        "NET_AE",
        "ALLOCATED_AE",
        "HEADROOM",
        "VAT_RATE",
        "MASTER_CHECK",
        "RESERVE_RATE_T2",
        "RESERVE_RATE_OTHER",
        "PERIOD_START",
    ):
        assert name in names, name
    inputs = wb_fr[label("sheet.inputs", "fr")]
    ref = inputs.tables[L.INPUTS.name].ref
    n_lines = len(default_loaded.programme.cost_lines)
    rows = n_lines + L.SPARE_LINES  # the lines, then the empty rows to type new ones into
    assert ref == f"A4:{L.INPUTS.letter(L.INPUTS.columns[-1].key)}{L.HEADER_ROW + 1 + rows}"
    assert inputs.tables[L.INPUTS.name].autoFilter.ref == ref


def test_every_sheet_protected_inputs_unlocked_calculations_locked(wb_fr) -> None:
    for ws in wb_fr.worksheets:
        assert ws.protection.sheet, ws.title
        assert not ws.protection.password, ws.title
    inputs = wb_fr[label("sheet.inputs", "fr")]
    for col in range(1, len(L.INPUTS.columns) + 1):
        cell = inputs.cell(row=L.FIRST_DATA_ROW + 1, column=col)
        assert cell.protection.locked is False, cell.coordinate
        assert cell.fill.fgColor.rgb.endswith("FFF2CC"), cell.coordinate
    phasing = wb_fr[label("sheet.phasing", "fr")]
    for col in range(1, 30):
        assert phasing.cell(row=L.FIRST_DATA_ROW + 1, column=col).protection.locked is True
    pilots = wb_fr[label("sheet.pilots", "fr")]
    calc = pilots.cell(row=L.FIRST_DATA_ROW + 1, column=L.PILOTS.index("calc.ae") + 1)
    assert calc.protection.locked is True
    assert calc.value.startswith("=SUMIFS(")


def test_drop_downs_on_coded_inputs(wb_fr) -> None:
    inputs = wb_fr[label("sheet.inputs", "fr")]
    lists = {
        str(dv.sqref).split(":")[0][:-1]: dv.formula1
        for dv in inputs.data_validations.dataValidation
        if dv.type == "list"
    }
    for key in ("pilot", "titre", "nature", "route", "provenance", "cp.profile"):
        assert L.INPUTS.letter(key) in lists, key
    assert lists[L.INPUTS.letter("pilot")] == "PIL_IDS"
    assert lists[L.INPUTS.letter("route")] == "ROUTES"


def test_every_boolean_input_has_a_drop_down_of_booleans(wb_fr) -> None:
    """Choosing from a list of the two boolean cells enters a boolean in any language."""
    for table in L.INPUT_TABLES:
        ws = wb_fr[label(f"sheet.{table.sheet}", "fr")]
        lists = {
            str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
            for dv in ws.data_validations.dataValidation
            if dv.type == "list"
        }
        for col in table.columns:
            if col.kind == "bool" and col.is_input:
                assert lists.get(table.letter(col.key)) == "BOOLEANS", (table.name, col.key)
    booleans = wb_fr[label("sheet.parameters", "fr")]
    first = L.FIRST_DATA_ROW + 1
    cells = [booleans[f"{L.BOOLEANS.letter('value')}{first + k}"].value for k in range(2)]
    assert cells == [True, False]


def test_no_constant_typed_into_a_formula(default_fr) -> None:
    cells = cached_formula_cells(default_fr)
    assert len(cells) > 3000
    offenders = [
        (c.sheet, c.ref, c.formula) for c in cells if set(numeric_literals(c.formula)) - UNIVERSAL
    ]
    assert offenders == []


def test_phasing_rows_share_one_formula_shape(default_fr) -> None:
    phasing = label("sheet.phasing", "fr")
    shapes_by_col: dict[str, set[str]] = defaultdict(set)
    month_shapes_by_row: dict[int, set[str]] = defaultdict(set)
    first_month = L.phasing_month_col(3) + 1
    for c in cached_formula_cells(default_fr):
        if c.sheet != phasing:
            continue
        letters, row = coordinate_from_string(c.ref)
        if row < L.FIRST_DATA_ROW + 1:
            continue
        col = column_index_from_string(letters)
        shape = to_r1c1(c.formula, row, col)
        shapes_by_col[letters].add(shape)
        if col >= first_month:
            month_shapes_by_row[row].add(shape)
    assert len(shapes_by_col) == len(L.PHASING_FIXED.columns) + 3 + 36
    assert all(len(s) == 1 for s in shapes_by_col.values()), {
        k: v for k, v in shapes_by_col.items() if len(v) > 1
    }
    assert all(len(s) == 1 for s in month_shapes_by_row.values())
    assert len({next(iter(s)) for s in month_shapes_by_row.values()}) == 1


def test_cached_values_are_the_python_figures(default_fr, default_loaded) -> None:
    fig = compute(default_loaded.programme)
    summary = pd.read_excel(
        default_fr, sheet_name=label("sheet.summary", "fr"), header=None, engine="calamine"
    )
    values = dict(zip(summary[0], summary[1], strict=False))
    allocated = fig.ae_by_year[2022] + fig.credits[1].ae_carried_in  # with the 2023 carry-over
    assert values[label("sum.allocated", "fr")] == allocated / 100
    assert values[label("sum.headroom", "fr")] == fig.headroom[2022] / 100
    assert values[label("sum.net", "fr")] == 47_522_500
    assert values[label("sum.master", "fr")] is True
    phasing = pd.read_excel(
        default_fr, sheet_name=label("sheet.phasing", "fr"), header=3, engine="calamine"
    )
    n_lines = len(default_loaded.programme.cost_lines)
    assert len(phasing) == n_lines + L.SPARE_LINES  # a Phasing row for each spare line too
    ttc = phasing[label("ph.ttc", "fr")]
    assert round(ttc.sum(), 2) == fig.total_ae / 100
    assert (ttc[n_lines:] == 0).all()


def test_print_setup_frozen_panes_and_formats(wb_fr) -> None:
    for ws in wb_fr.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.paperSize == 9, ws.title
        # fitted to the page width (or to two or three pages for a wide table), or printed
        # block by block at a scale a reader takes (tests/test_print.py measures the pages)
        fitted = ws.sheet_properties.pageSetUpPr.fitToPage
        scale = ws.page_setup.scale
        assert fitted or (scale is not None and 58 <= scale <= 65), ws.title
        if ws.title == label("sheet.phasing", "fr"):
            assert ws.print_title_cols == "$A:$B"  # the line and pilot on every page
            # the line, its amounts and need | its route and row checks and the years (the
            # monthly columns are out of the print area)
            assert len(ws.col_breaks.brk) == 1
    inputs = wb_fr[label("sheet.inputs", "fr")]
    assert inputs.freeze_panes == "B5"
    assert inputs.print_title_rows == "$1:$4"
    r = L.FIRST_DATA_ROW + 1
    assert "€" in inputs.cell(r, L.INPUTS.index("unit_cost") + 1).number_format
    assert inputs.cell(r, L.INPUTS.index("cp.start") + 1).number_format == "mm/yyyy"
    milestones = wb_fr[label("sheet.milestones", "fr")]
    assert milestones.cell(r, L.MILESTONES.index("date") + 1).number_format == "dd/mm/yyyy"


def test_charts_and_gantt(default_fr, wb_fr) -> None:
    with zipfile.ZipFile(default_fr) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 4  # allocation, cumulative CP, risk S-curve, cost drivers
        xml = "".join(zf.read(n).decode() for n in charts)
    assert "<c:barChart>" in xml and "<c:lineChart>" in xml and "Synthèse" in xml
    assert "<c:scatterChart>" in xml and "Risques" in xml
    timeline = wb_fr[label("sheet.timeline", "fr")]
    rules = [r for cf in timeline.conditional_formatting for r in cf.rules]
    assert len(rules) >= 3


def test_same_scenario_same_bytes(tmp_path) -> None:
    a = build(output=tmp_path / "a" / "w.xlsx").path
    b = build(output=tmp_path / "b" / "w.xlsx").path
    assert a.read_bytes() == b.read_bytes()


INJECTIONS = [
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://evil.example","x")',
    "https://example.org/phish",
]


def test_text_from_scenarios_is_never_a_formula_or_link(tmp_path) -> None:
    def inject(doc):  # type: ignore[no-untyped-def]
        for line, text in zip(doc["cost_lines"], INJECTIONS, strict=False):
            line["label"] = text
            line["rationale"] = text
        doc["pilots"][0]["name"] = INJECTIONS[0]
        doc["title"] = INJECTIONS[4]

    path = edit_scenario(tmp_path, "inject.yaml", inject)
    out = build(path, output=tmp_path / "inject.xlsx").path
    with zipfile.ZipFile(out) as zf:
        assert not any("hyperlink" in n or "externalLink" in n for n in zf.namelist())
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".xml"))
    assert "<hyperlink" not in xml
    formulas = [c.formula for c in cached_formula_cells(out)]
    assert not any("cmd|" in f or "evil" in f or "phish" in f for f in formulas)
    wb = openpyxl.load_workbook(out)
    inputs = wb[label("sheet.inputs", "fr")]
    col = L.INPUTS.index("label") + 1
    for i, text in enumerate(INJECTIONS):
        cell = inputs.cell(L.FIRST_DATA_ROW + 1 + i, col)
        assert cell.data_type == "s" and cell.value == text


def test_text_cells_are_inline_strings_not_formulas(default_fr) -> None:
    with zipfile.ZipFile(default_fr) as zf:
        sheet = zf.read("xl/worksheets/sheet6.xml").decode()
    label_cell = re.search(r'<c r="C5"[^>]*>(.*?)</c>', sheet)
    assert label_cell and "<f>" not in label_cell.group(1) and 't="inlineStr"' in sheet


def test_an_interrupted_build_leaves_the_old_workbook_whole(tmp_path, monkeypatch) -> None:
    target = tmp_path / "w.xlsx"
    build(output=target)
    before = target.read_bytes()

    from budgetplan.xlsx.workbook import timeline

    def boom(ctx):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(timeline, "write", boom)
    with pytest.raises(KeyboardInterrupt):
        build(output=target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.xlsx"]


def test_english_labels(default_en) -> None:
    wb = openpyxl.load_workbook(default_en, read_only=True)
    assert wb["Summary"]["A1"].value == "Programme summary"
    assert wb["Inputs"][f"{L.INPUTS.letter('unit_cost')}4"].value == "Unit cost excl. VAT"
    about = {r[1]: r[2] for r in wb["About"].iter_rows(values_only=True) if r[1]}
    assert about["Language"] == "en"
    assert about["To rebuild"] == "budgetplan build --lang en"
    assert Path(default_en).exists()


# Functions every Excel since 2010 and LibreOffice know without a prefix; the Excel 2019
# functions budgetplan uses are written with their _xlfn. prefix (FastWorksheet adds none).
CLASSIC = EXCEL_2016_FUNCTIONS


def test_every_function_is_classic_or_prefixed(default_fr, edge_cases) -> None:
    from openpyxl.formula.tokenizer import Token, Tokenizer

    used = set()
    for path in (default_fr, edge_cases):
        for cell in cached_formula_cells(path):
            for token in Tokenizer("=" + cell.formula).items:
                if token.type == Token.FUNC and token.subtype == Token.OPEN:
                    used.add(token.value[:-1].upper().removeprefix("_XLFN."))
    assert used <= CLASSIC, used - CLASSIC
    assert {"LARGE", "SUMIFS", "EDATE"} <= used


def test_workbooks_kept_in_the_repository_are_up_to_date(tmp_path) -> None:
    """workbooks/ holds the default programme's workbooks; a rebuild must give the same bytes."""
    root = Path(__file__).resolve().parent.parent / "workbooks"
    for lang, name in (("fr", "programme-2022.xlsx"), ("en", "programme-2022-en.xlsx")):
        fresh = build(output=tmp_path / name, lang=lang).path
        differs = golden.difference((root / name).read_bytes(), fresh.read_bytes())
        assert differs is None, (
            f"workbooks/{name} is stale ({differs}): "
            "run `python3 dev.py build` and `python3 dev.py build --lang en`"
        )


def test_the_golden_comparison_names_the_part_and_the_cell(tmp_path) -> None:
    """A stale reference workbook is reported by its part and cell, not a byte offset."""
    import zipfile

    want = Path(__file__).resolve().parent.parent / "workbooks" / "programme-2022.xlsx"
    changed = tmp_path / "changed.xlsx"
    with zipfile.ZipFile(want) as src, zipfile.ZipFile(changed, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet12.xml":  # the Risk sheet: P50 in B8
                head, _, tail = data.partition(b'<c r="B8"')
                cell, close, rest = tail.partition(b"</c>")
                data = head + b'<c r="B8"' + cell.replace(b"<v>", b"<v>9", 1) + close + rest
            dst.writestr(info, data)
    said = golden.difference(want.read_bytes(), changed.read_bytes())
    assert said is not None and said.startswith("part xl/worksheets/sheet12.xml, cell B8:"), said
    assert golden.difference(want.read_bytes(), want.read_bytes()) is None


def test_risk_sheet_holds_the_simulation(wb_fr) -> None:
    ws = wb_fr[label("sheet.risk", "fr")]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, 13)}
    assert values[label("risk.iterations", "fr")] == 10000
    assert values["P50"] < values["P80"] < values["P90"]
    assert 0 <= values[label("risk.prob_over", "fr")] <= 1
    # the S-curve's envelope line: two points at the net envelope, probability 0 and 1
    head = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == label("risk.envelope", "fr")
    )
    net = values[label("risk.envelope", "fr")]
    assert [ws.cell(head + k, 3).value for k in (1, 2)] == [net, net]
    assert [ws.cell(head + k, 4).value for k in (1, 2)] == [0, 1]


def test_no_shared_string_that_no_cell_uses(default_fr, default_en) -> None:
    """Text cells are inline strings: a shared-strings part, if any, holds only used strings."""
    import re
    import zipfile

    for path in (default_fr, default_en):
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if "xl/sharedStrings.xml" not in names:
                continue
            count = len(re.findall(r"<si>", zf.read("xl/sharedStrings.xml").decode()))
            used = {
                int(v)
                for part in names
                if part.startswith("xl/worksheets/sheet")
                for v in re.findall(r't="s"[^>]*><v>(\d+)</v>', zf.read(part).decode())
            }
            assert used == set(range(count)), (path.name, count, len(used))


def test_charts_carry_their_series_values(default_fr, default_loaded) -> None:
    """A previewer that does not recalculate draws a chart from the values it carries."""
    import re
    import zipfile

    with zipfile.ZipFile(default_fr) as zf:
        charts = [zf.read(p).decode() for p in zf.namelist() if p.startswith("xl/charts/chart")]
    assert len(charts) >= 3
    for xml in charts:
        for series in re.findall(r"<c:ser>.*?</c:ser>", xml, flags=re.S):
            values = re.search(r"<c:(?:val|yVal)>.*?</c:(?:val|yVal)>", series, flags=re.S)
            assert values and "<c:pt " in values.group(0), series[:200]
    ae_by_pilot = charts[0].split("<c:val>")[1]
    shown = [float(v) for v in re.findall(r"<c:v>([^<]*)</c:v>", ae_by_pilot)]
    fig = compute(default_loaded.programme)
    assert shown == [pf.ae / 100 for pf in fig.pilots]


def test_drop_down_messages_speak_the_workbook_language(default_fr, default_en) -> None:
    import re
    import zipfile

    for path, lang in ((default_fr, "fr"), (default_en, "en")):
        with zipfile.ZipFile(path) as zf:
            xml = "".join(
                zf.read(p).decode() for p in zf.namelist() if p.startswith("xl/worksheets/sheet")
            )
        messages = set(re.findall(r'error="([^"]*)"', xml))
        assert messages == {label("dv.choose", lang)}, messages


def test_summary_shows_margin_and_probability_side_by_side(default_fr, default_loaded) -> None:
    """The Summary's readiness rows are the Timeline's: each pilot and event with its purpose,
    margin, probability of being in time and whether it fails READINESS (they never disagree)."""
    fig = compute(default_loaded.programme)
    ws = openpyxl.load_workbook(default_fr)[label("sheet.summary", "fr")]
    heading = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label("sum.readiness", "fr")
    )
    rows = [
        tuple(ws.cell(r, c).value for c in range(1, 7))
        for r in range(heading + 2, heading + 2 + len(fig.readiness))
    ]
    assert all(str(row[0]).startswith("=") for row in rows)  # formulas, read for their targets
    cached = openpyxl.load_workbook(default_fr, data_only=True)[label("sheet.summary", "fr")]
    values = [
        tuple(cached.cell(r, c).value for c in range(1, 7))
        for r in range(heading + 2, heading + 2 + len(fig.readiness))
    ]
    expected = [
        (
            rd.pilot,
            rd.event,
            "Exploitation" if rd.required else "Essai",  # the purpose's French name
            rd.margin_days,
            rd.probability,
            rd.late,
        )
        for rd in fig.readiness
    ]
    assert values == expected
    assert values[0][:3] == ("SCAN", "RWC2023", "Essai") and values[0][5] is False


@pytest.mark.slow
def test_report_workbooks_print_landscape_fitted_to_width(tmp_path) -> None:
    """The reconciliation and diff workbooks print as the programme's do: A4 landscape, each
    report sheet fitted to the page width, its header row repeated."""
    import openpyxl

    from budgetplan.cli import run as cli

    built = build(output=tmp_path / "a.xlsx").path
    assert cli(["reconcile", str(built), "-o", str(tmp_path / "rec.xlsx")]) == 0
    assert cli(["diff", str(built), str(built), "-o", str(tmp_path / "diff.xlsx")]) == 0
    for name, sheet in (("rec.xlsx", "Constats"), ("diff.xlsx", "Modifications")):
        ws = openpyxl.load_workbook(tmp_path / name)[sheet]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)


#: Words that mark a sentence as English (none of them is French).
ENGLISH_WORDS = {"the", "and", "with", "after", "before", "from", "which", "is", "are", "of"}


def test_no_english_sentence_in_the_french_workbook(wb_fr) -> None:
    """Every text of three words or more in the French workbook reads as French: rationales,
    procedures, spreads, titles, headings. (Codes stay codes: one word each; the drop-down
    values are still codes, see issue 16.)"""
    english = []
    for ws in wb_fr.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or cell.value.startswith("="):
                    continue
                words = [w.strip(".,;:()'\"").lower() for w in cell.value.split()]
                if len(words) >= 3 and ENGLISH_WORDS & set(words):
                    english.append(f"{ws.title}!{cell.coordinate}: {cell.value[:60]}")
    assert english == [], "\n".join(english[:20])


def test_every_number_stored_is_rounded_to_a_stated_precision(default_fr, default_en) -> None:
    """No number carries numpy's last bits into the file (core/precision.py): every stored
    number, cached values of formulas included, is rounded to at most 4 decimals (probabilities;
    money to the cent, correlations to 3), so another build of numpy gives the same bytes."""
    number = re.compile(r"-?\d+(?:\.\d+)?(?:E[-+]?\d+)?")
    for path in (default_fr, default_en):
        with zipfile.ZipFile(path) as zf:
            for part in zf.namelist():
                if not part.startswith("xl/worksheets/sheet"):
                    continue
                values = re.findall(r"<v>([^<]*)</v>", zf.read(part).decode())
                loose = [
                    v for v in values if number.fullmatch(v) and round(float(v), 4) != float(v)
                ]
                assert not loose, f"{path.name} {part}: {loose[:5]} stored at full precision"


def test_sheets_are_cut_across_at_the_columns_that_fit_a_page() -> None:
    """budgetplan chooses where a wide sheet is cut across (LibreOffice's own cut left a
    column alone on a page): tables side by side share a page where both fit whole, a chart
    starts its own page, and the scale is the largest that takes the fewest page widths."""
    from xlsxwriter import Workbook

    from budgetplan.xlsx.workbook.context import MIN_SCALE, PAGE_PIXELS, PRINT_SCALE, paginate

    def sheet(widths: dict[int, float]):  # type: ignore[no-untyped-def]
        ws = Workbook(io.BytesIO()).add_worksheet()
        for col, chars in widths.items():
            ws.set_column(col, col, chars)
        return ws

    room = PAGE_PIXELS * 100 / PRINT_SCALE  # pixels a page takes at the usual scale
    per_col = int((room / 4 - 5) / 7)  # four such columns fill that page
    a_bit_wide = int((room * 1.05 / 5 - 5) / 7)  # five such overflow it by 5 %...
    ws = sheet({c: a_bit_wide for c in range(5)})  # ...a fifth alone at the usual scale...
    scale, breaks = paginate(ws, 4, 0)
    assert breaks == [] and MIN_SCALE <= scale < PRINT_SCALE  # ...so a smaller one, one page
    ws = sheet({c: per_col for c in range(8)})  # eight: two pages whatever the scale
    assert paginate(ws, 7, 0) == (PRINT_SCALE, [4])
    # two narrow tables with a gap between: one page; a chart after them: a page of its own
    ws = sheet({0: 20, 1: 20, 3: 20, 4: 20})
    assert paginate(ws, 4, 0, blocks=[3]) == (PRINT_SCALE, [])
    assert paginate(ws, 6, 0, breaks=[6], blocks=[3]) == (PRINT_SCALE, [6])
    # a table that does not fit beside the one before starts a page, its gap column kept
    # on the page before when it fits there
    ws = sheet({0: per_col, 1: per_col, 2: per_col, 4: per_col, 5: per_col})
    assert paginate(ws, 5, 0, blocks=[4]) == (PRINT_SCALE, [4])
    # the first columns repeated on every page count on every page
    ws = sheet({c: per_col for c in range(7)})
    assert paginate(ws, 6, 1) == (PRINT_SCALE, [4])
