"""Real client: LibreOffice recalculates every formula and must find the cached values."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from budgetplan.compute.checks import CHECKS
from budgetplan.recalc import libreoffice
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.layout import CHECKS_MASTER_ROW

pytestmark = pytest.mark.libreoffice


@pytest.mark.parametrize("name", ["default_fr", "default_en", "over_envelope", "edge_cases"])
def test_every_formula_recalculates_to_its_cached_value(name, request, recalculated) -> None:
    path: Path = request.getfixturevalue(name)
    result = recalculated[path]
    assert result["errors"] == [], result["errors"]
    cells = libreoffice.cached_formula_cells(path)
    assert len(cells) > 1000
    mismatches = libreoffice.compare(path, result)
    assert mismatches == [], "\n".join(str(m) for m in mismatches[:20])


def _master(result: dict, sheet: str) -> object:
    return result["sheets"][sheet][f"C{CHECKS_MASTER_ROW + 1}"][1]


def test_master_check_true_by_default_false_over_envelope(
    recalculated, default_fr, over_envelope
) -> None:
    assert _master(recalculated[default_fr], "Contrôles") == 1
    over = recalculated[over_envelope]
    assert _master(over, "Contrôles") == 0
    checks = over["sheets"]["Contrôles"]
    first = CHECKS_MASTER_ROW + 4
    failing = [spec.code for i, spec in enumerate(CHECKS) if checks[f"C{first + i}"][1] == 0]
    assert failing == ["ENVELOPE_CP"]


def test_edge_case_checks_fail_in_libreoffice_as_in_python(recalculated, edge_cases) -> None:
    checks = recalculated[edge_cases]["sheets"]["Checks"]
    first = CHECKS_MASTER_ROW + 4
    counts = {spec.code: checks[f"D{first + i}"][1] for i, spec in enumerate(CHECKS)}
    assert {k: v for k, v in counts.items() if v} == {
        "CP_TIES": 1,
        "CP_TOTAL": 1,
        "CP_AFTER_AE": 1,
        "ROUTE": 3,
        "IMPUTATION": 1,
        "READINESS": 1,
        "MILESTONE_ORDER": 1,
        "INTRUSIVE_SUPERVISED": 1,
        "SUPERVISED_BEFORE": 1,
        "HUMAN_IN_LOOP": 1,
        "ESTIMATE_RANGE": 1,
    }


def test_the_comparison_catches_a_wrong_input(tmp_path, default_fr, lo_available) -> None:
    """Guard against a harness that cannot fail: change one quantity behind the cached values."""
    tampered = tmp_path / "tampered.xlsx"
    with zipfile.ZipFile(default_fr) as src, zipfile.ZipFile(tampered, "w") as dst:
        sheets = src.read("xl/workbook.xml").decode()
        index = sheets.split("<sheet ").index(
            next(s for s in sheets.split("<sheet ") if 'name="Lignes"' in s)
        )
        part = f"xl/worksheets/sheet{index}.xml"
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                text = data.decode()
                marker = f'<c r="{L.INPUTS.letter("quantity")}5" s="'
                start = text.index(marker)
                v0 = text.index("<v>", start) + 3
                v1 = text.index("</v>", v0)
                text = text[:v0] + str(int(text[v0:v1]) + 1) + text[v1:]
                data = text.encode()
            dst.writestr(info, data)
    result = libreoffice.recalculate([tampered])[tampered]
    mismatches = libreoffice.compare(tampered, result)
    assert any(m.sheet == "Synthèse" and m.ref == "B8" for m in mismatches)


def test_libreoffice_prints_the_whole_workbook_to_pdf(tmp_path, default_fr, lo_available) -> None:
    import subprocess

    profile = (tmp_path / "profile").as_uri()
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(default_fr),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    pdf = tmp_path / (default_fr.stem + ".pdf")
    assert pdf.exists(), result.stdout + result.stderr
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())
    assert len(pages) > 10


def test_libreoffice_shows_injected_labels_as_text(tmp_path, lo_available) -> None:
    from budgetplan.api import build
    from tests.conftest import edit_scenario
    from tests.test_workbook import INJECTIONS

    def inject(doc):  # type: ignore[no-untyped-def]
        for line, text in zip(doc["cost_lines"], INJECTIONS, strict=False):
            line["label"] = text

    out = build(edit_scenario(tmp_path, "inject.yaml", inject), output=tmp_path / "i.xlsx").path
    result = libreoffice.recalculate([out])[out]
    label_col = "C"
    formulas = result["sheets"]["Lignes"]
    assert not [ref for ref in formulas if ref.startswith(label_col)]
    assert libreoffice.compare(out, result) == []


def _every_formula_an_error(xml: str) -> str:
    """The sheet with each formula replaced by NA() and its stored value dropped."""
    xml = re.sub(r"<f>[^<]*</f>", "<f>NA()</f>", xml)
    return re.sub(r"(<f>NA\(\)</f>)<v>[^<]*</v>", r"\1", xml)


def _reading_errors(sheet_key: str) -> set[str]:
    """The checks that read a formula of sheet ``sheet_key``: by a name over its calculated cells,
    or (for the envelopes' calculations on Parameters) through the Credits rows."""
    from budgetplan.compute.checks import CHECKS
    from budgetplan.xlsx.formulas import names_in

    def calculated(name: str) -> bool:
        n = L.NAME_BY_ID[name]
        if n.sheet == "parameters" and sheet_key == "parameters" and n.table is None:
            return False  # scalar parameters are values
        col = n.table and next(c for c in n.table.columns if c.key == n.key)
        return n.sheet == sheet_key and (col is None or not col.is_input)

    out = set()
    for spec in CHECKS:
        used = names_in(spec.formula)
        if any(calculated(n) for n in used):
            out.add(spec.code)
        if sheet_key == "parameters" and any(n.startswith("CR_") for n in used):
            out.add(spec.code)
    return out


@pytest.mark.parametrize(
    "sheet_key", ["timeline", "phasing", "milestones", "evaluation", "parameters", "credits"]
)
def test_checks_fail_closed_when_a_calculation_sheet_holds_errors(
    default_fr, tmp_path, sheet_key
) -> None:
    """COUNTIF skips error cells: a check must not pass because its inputs are errors."""
    from budgetplan.xlsx.layout import sheet_name
    from tests.test_reconcile import rewrite_sheet

    name = sheet_name(sheet_key, "fr")
    broken = rewrite_sheet(
        default_fr, tmp_path / f"{sheet_key}.xlsx", name, _every_formula_an_error
    )
    result = libreoffice.recalculate([broken])[broken]
    checks = result["sheets"]["Contrôles"]
    assert _master(result, "Contrôles") == 0  # FALSE, not an error, not TRUE
    first = CHECKS_MASTER_ROW + 4
    results = [checks[f"C{first + i}"][1] for i in range(len(CHECKS))]
    assert all(v in (0, 1) for v in results), results  # every check a TRUE/FALSE value
    false = {spec.code for spec, v in zip(CHECKS, results, strict=True) if v == 0}
    reading = _reading_errors(sheet_key)
    assert reading, sheet_key  # the sheet feeds some check
    assert reading <= false, reading - false  # each check reading an error is FALSE


def _no_cost_lines(doc) -> None:  # type: ignore[no-untyped-def]
    doc["cost_lines"] = []
    for pilot in doc["pilots"]:  # no line to pay for the evaluations either
        for evaluation in pilot.get("evaluations", []):
            evaluation["cost_line"] = None


def _pilot_without_milestones(doc) -> None:  # type: ignore[no-untyped-def]
    pilot = next(p for p in doc["pilots"] if p["id"] == "SUPV")
    pilot["milestones"], pilot["serves"] = [], []
    frp = next(p for p in doc["pilots"] if p["id"] == "FRP")
    frp["supervised_from"] = "FRP-CNIL"  # the evaluation body's installation goes with them
    for line in doc["cost_lines"]:  # the campaign's award milestone goes with them
        if line["pilot"] == "SUPV":
            line.pop("award", None)


def _paid_before_award(doc) -> None:  # type: ignore[no-untyped-def]
    """SCAN-EQ (awarded at SCAN-AWARD, November 2022) paid from January 2022: in its AE year,
    before its contract; and DRONE-EQ paid by an explicit schedule before its award."""
    for line in doc["cost_lines"]:
        if line["id"] == "SCAN-EQ":
            line["cp"] = {"profile": "flat", "start": "2022-01", "end": "2022-03"}


@pytest.mark.parametrize(
    "change",
    [_no_cost_lines, _pilot_without_milestones, _paid_before_award],
    ids=["empty", "no-milestones", "paid-before-award"],
)
def test_edge_programmes_store_what_libreoffice_computes(tmp_path, change) -> None:
    """An empty programme was stored as passing and failed once recalculated; a payment before
    the contract's award fails CP_AFTER_AE in LibreOffice as in Python."""
    from budgetplan.api import build
    from tests.conftest import edit_scenario

    scenario = edit_scenario(tmp_path, "edge.yaml", change)
    built = build(scenario, output=tmp_path / "edge.xlsx")
    result = libreoffice.recalculate([built.path])[built.path]
    assert result["errors"] == []
    assert libreoffice.compare(built.path, result) == []
    assert _master(result, "Contrôles") == (1 if built.ok else 0)


@pytest.mark.parametrize("gap", [0, 2], ids=["first-empty-row", "third-empty-row"])
def test_a_line_typed_into_a_spare_row_is_counted_reconciled_and_rebuilt(tmp_path, gap) -> None:
    """What a finance officer does: type a cost line into an empty row of the protected Inputs
    sheet in LibreOffice (the first, or one further down), recalculate, save, send back."""
    import datetime as dt
    import shutil

    import openpyxl

    from budgetplan.api import build, reconcile
    from budgetplan.core.labels import label
    from budgetplan.xlsx import layout as L
    from budgetplan.xlsx.codec import serial
    from budgetplan.yamlio.loader import default_scenario_path
    from budgetplan.yamlio.scenario_writer import apply_to_scenario

    built = build(output=tmp_path / "sent.xlsx")
    n = len(built.figures.lines)
    row = L.FIRST_DATA_ROW + n + 1 + gap  # 1-based row of the spare line typed into
    sheet = label("sheet.inputs", "fr")
    wb = openpyxl.load_workbook(built.path)
    assert wb[sheet].protection.sheet and not wb[sheet][f"A{row}"].protection.locked
    allocated_ref = wb.defined_names["ALLOCATED_AE"].attr_text.split("!")[1].replace("$", "")
    typed = {
        "id": ("text", "SCAN-TRAIN2"),
        "pilot": ("text", "SCAN"),
        "label": ("text", "Deux sessions de formation de plus"),
        "titre": ("number", 3),
        "nature": ("text", "Services"),
        "quantity": ("number", 2),
        "unit_cost": ("number", 12000),
        "ae_year": ("number", 2022),
        "cp.profile": ("text", "Linéaire"),
        "cp.start": ("number", serial(dt.date(2023, 1, 1))),
        "cp.end": ("number", serial(dt.date(2023, 6, 1))),
        "estimate.low": ("number", 20000),
        "estimate.high": ("number", 30000),
        "route": ("text", "Gré à gré"),
        "provenance": ("text", "Hypothèse"),
        "rationale": ("text", "Two more sessions for the second stadium"),
    }
    edits = [(sheet, f"{L.INPUTS.letter(k)}{row}", how, v) for k, (how, v) in typed.items()]
    saved_dir = tmp_path / "returned"
    saved_dir.mkdir()
    # typed in a French LibreOffice, as the Gendarmerie's officers type
    result = libreoffice.recalculate(
        [built.path], save_dir=saved_dir, edits={built.path: edits}, locale="fr-FR"
    )
    after = result[built.path]
    assert after["errors"] == []
    summary = after["sheets"][label("sheet.summary", "fr")]
    new_ae = 2 * 12000 * 1.2  # incl. 20% VAT
    allocated = built.figures.net_ae[2022] - built.figures.headroom[2022]  # 2022 and carried
    assert summary[allocated_ref][1] == pytest.approx(allocated / 100 + new_ae)
    assert _master(after, "Contrôles") == 1  # the names chosen from the lists: every check holds

    returned = saved_dir / "sent.xlsx"
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    back = reconcile(returned, scenario=scenario)
    assert back.ok, [f.one_line() for f in back.errors]
    assert [(e.what, e.item) for e in back.edits] == [("added", "cost_lines[SCAN-TRAIN2]")]
    apply_to_scenario(scenario, back.programme, scenario)
    rebuilt = build(scenario, output=tmp_path / "rebuilt.xlsx")
    again = rebuilt.figures.net_ae[2022] - rebuilt.figures.headroom[2022]
    assert again / 100 == pytest.approx(summary[allocated_ref][1])


def test_a_payment_typed_into_a_spare_schedule_row_is_counted(tmp_path) -> None:
    """An explicit schedule's payment typed into the first empty row of Échéances: the month's
    CP total takes it once recalculated, and the line no longer ties (CP_TIES false), in
    LibreOffice as in reconcile."""
    import datetime as dt

    from budgetplan.api import build, reconcile
    from budgetplan.core.labels import label
    from budgetplan.core.model import Profile
    from budgetplan.xlsx import layout as L
    from budgetplan.xlsx.codec import serial

    built = build(output=tmp_path / "sent.xlsx")
    line = next(lf.line for lf in built.figures.lines if lf.line.cp.profile is Profile.EXPLICIT)
    n_rows = sum(len(lf.line.cp.amounts) for lf in built.figures.lines)
    row = L.FIRST_DATA_ROW + n_rows + 1  # 1-based row of the first empty schedule row
    month = dt.date(2023, 3, 1)
    sheet = label("sheet.schedules", "fr")
    T = L.SCHEDULES
    edits = [
        (sheet, f"{T.letter('line')}{row}", "text", line.id),
        (sheet, f"{T.letter('month')}{row}", "number", serial(month)),
        (sheet, f"{T.letter('amount')}{row}", "number", 1000),
    ]
    saved = tmp_path / "returned"
    saved.mkdir()
    after = libreoffice.recalculate([built.path], save_dir=saved, edits={built.path: edits})
    after = after[built.path]
    k = built.figures.months.index(month)
    col = L.phasing_month_col(len(built.figures.years)) + k
    from xlsxwriter.utility import xl_rowcol_to_cell

    total = after["sheets"][label("sheet.phasing", "fr")][
        xl_rowcol_to_cell(L.PHASING_TOTAL_ROW, col)
    ][1]
    assert total == pytest.approx(built.figures.cp_by_month[k] / 100 + 1000)
    checks = after["sheets"]["Contrôles"]
    first = CHECKS_MASTER_ROW + 4
    ties = next(i for i, c in enumerate(CHECKS) if c.code == "CP_TIES")
    assert checks[f"C{first + ties}"][1] == 0 and _master(after, "Contrôles") == 0
    back = reconcile(saved / "sent.xlsx")
    assert any(f.code == "CP_TIES" and line.id in f.message for f in back.findings)


def test_a_milestone_typed_into_an_empty_row_moves_the_timeline_and_is_carried(tmp_path) -> None:
    """A milestone typed (id left empty) into the second empty row of the protected Milestones
    sheet: the Timeline takes it once recalculated, reconcile names it, the rebuild holds it."""
    import datetime as dt
    import shutil

    from budgetplan.api import build, reconcile
    from budgetplan.core.labels import label
    from budgetplan.xlsx import layout as L
    from budgetplan.xlsx.codec import serial
    from budgetplan.yamlio.loader import default_scenario_path
    from budgetplan.yamlio.scenario_writer import apply_to_scenario

    built = build(output=tmp_path / "sent.xlsx")
    programme = built.figures.programme
    n = sum(len(p.milestones) for p in programme.pilots)
    row = L.FIRST_DATA_ROW + n + 2  # 1-based: the second empty milestone row
    sheet, T = label("sheet.milestones", "fr"), L.MILESTONES
    day = dt.date(2025, 3, 31)  # after every DATA milestone: the pilot's last one
    edits = [
        (sheet, f"{T.letter('pilot')}{row}", "text", "DATA"),
        (sheet, f"{T.letter('kind')}{row}", "text", "Évaluation"),
        (sheet, f"{T.letter('label')}{row}", "text", "Rapport final d'évaluation"),
        (sheet, f"{T.letter('date')}{row}", "number", serial(day)),
        (sheet, f"{T.letter('provenance')}{row}", "text", "Hypothèse"),
        (sheet, f"{T.letter('rationale')}{row}", "text", "Three months after the data review"),
    ]
    saved = tmp_path / "returned"
    saved.mkdir()
    after = libreoffice.recalculate([built.path], save_dir=saved, edits={built.path: edits})
    after = after[built.path]
    assert after["errors"] == []
    data_row = L.FIRST_DATA_ROW + [p.id for p in programme.pilots].index("DATA") + 1
    timeline = after["sheets"][label("sheet.timeline", "fr")]
    assert timeline[f"{L.TIMELINE.letter('last')}{data_row}"][1] == serial(day)

    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    back = reconcile(saved / "sent.xlsx", scenario=scenario)
    assert back.ok, [f.one_line() for f in back.errors]
    assert any(f.code == "MILESTONE_ADDED" and "DATA-NEW1" in f.message for f in back.findings)
    assert [e.what for e in back.edits] == ["added"]
    apply_to_scenario(scenario, back.programme, scenario)
    rebuilt = build(scenario, output=tmp_path / "rebuilt.xlsx")
    assert next(p for p in rebuilt.figures.pilots if p.pilot == "DATA").last_milestone == day


def test_an_event_served_typed_into_an_empty_row_gets_its_readiness(tmp_path) -> None:
    """An event served typed into the first empty row of the Pilots sheet: its readiness row
    appears on the Timeline once recalculated, reconcile carries it, the rebuild holds it."""
    import shutil

    from budgetplan.api import build, reconcile
    from budgetplan.core.labels import label
    from budgetplan.xlsx import layout as L
    from budgetplan.yamlio.loader import default_scenario_path
    from budgetplan.yamlio.scenario_writer import apply_to_scenario

    built = build(output=tmp_path / "sent.xlsx")
    programme = built.figures.programme
    n = sum(len(p.serves) for p in programme.pilots)
    row = L.FIRST_DATA_ROW + n + 1  # 1-based: the first empty row of the events served
    sheet, S = label("sheet.pilots", "fr"), L.SERVES
    edits = [
        (sheet, f"{S.letter('pilot')}{row}", "text", "DATA"),
        (sheet, f"{S.letter('event')}{row}", "text", "PG2024"),
        (sheet, f"{S.letter('lead_days')}{row}", "number", 30),
        (sheet, f"{S.letter('rationale')}{row}", "text", "Models ready for the Paralympic Games"),
    ]
    saved = tmp_path / "returned"
    saved.mkdir()
    after = libreoffice.recalculate([built.path], save_dir=saved, edits={built.path: edits})
    after = after[built.path]
    assert after["errors"] == []
    timeline = after["sheets"][label("sheet.timeline", "fr")]
    r = L.readiness_header_row(len(programme.pilots)) + 1 + n + 1  # its readiness row, 1-based
    R = L.READINESS
    at = {c.key: f"{R.letter(c.key)}{r}" for c in R.columns}
    assert [timeline[at[k]][1] for k in ("pilot", "event", "purpose")] == [
        "DATA",
        "PG2024",
        "Exploitation",  # no purpose typed: one to operate at, by its French name
    ]
    # DATA is operational on 31/03/2023; the Paralympics start on 28/08/2024, 30 days needed
    assert timeline[at["margin"]][1] == 486
    # its probability is not drawn until the next build: the margin decides meanwhile
    assert at["probability"] not in timeline and timeline[at["late"]][1] == 0
    assert _master(after, "Contrôles") == 1

    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    back = reconcile(saved / "sent.xlsx", scenario=scenario)
    assert back.ok, [f.one_line() for f in back.errors]
    assert [e.what for e in back.edits] == ["added"]
    apply_to_scenario(scenario, back.programme, scenario)
    rebuilt = build(scenario, output=tmp_path / "rebuilt.xlsx")
    ready = [(x.pilot, x.event, x.margin_days, x.late) for x in rebuilt.figures.readiness]
    assert ("DATA", "PG2024", 486, False) in ready  # drawn: in time in nearly every draw


def test_a_routes_minimum_typed_on_parameters_reaches_the_checks(tmp_path) -> None:
    """The formal route's statutory minimum raised to 150 days on the Parameters sheet: the
    tenders of 135 to 138 days fail PROCEDURE_TIME once recalculated, and reconcile reads the
    new duration back with the same finding."""
    from budgetplan.api import build, reconcile
    from budgetplan.core.labels import label
    from budgetplan.core.model import ROUTE_ORDER, Route

    built = build(output=tmp_path / "sent.xlsx")
    row = L.FIRST_DATA_ROW + ROUTE_ORDER.index(Route.FORMAL) + 1
    cell = f"{L.ROUTES.letter('minimum_days')}{row}"
    edits = [(label("sheet.parameters", "fr"), cell, "number", 150)]
    saved = tmp_path / "returned"
    saved.mkdir()
    after = libreoffice.recalculate([built.path], save_dir=saved, edits={built.path: edits})
    after = after[built.path]
    checks = after["sheets"]["Contrôles"]
    first = CHECKS_MASTER_ROW + 4
    k = next(i for i, c in enumerate(CHECKS) if c.code == "PROCEDURE_TIME")
    assert checks[f"C{first + k}"][1] == 0 and _master(after, "Contrôles") == 0
    back = reconcile(saved / "sent.xlsx")
    assert back.programme.procedure(Route.FORMAL).minimum_days == 150
    late = {f.message.split(" ")[1] for f in back.findings if f.code == "PROCEDURE_TIME"}
    assert {x.split("-")[0] for x in late} == {"FRA", "CROWD", "OSINT", "DATA"}


def test_a_duration_typed_in_the_workbook_flags_stale_dates_until_rebuilt(tmp_path) -> None:
    """The scanners' delivery typed as 254 days instead of 164: once recalculated the row says
    its dates are not current (SCHEDULE_CURRENT and the master check FALSE); reconcile reads the
    duration and recomputes the dates (the scanners now late for the Rugby World Cup), and the
    rebuilt workbook is current again."""
    import datetime as dt
    import shutil

    from budgetplan.api import build, reconcile
    from budgetplan.core.labels import label
    from budgetplan.yamlio.loader import default_scenario_path
    from budgetplan.yamlio.scenario_writer import apply_to_scenario

    built = build(output=tmp_path / "sent.xlsx")
    rows = [mid for p in built.figures.programme.pilots for mid in (m.id for m in p.milestones)]
    row = L.FIRST_DATA_ROW + rows.index("SCAN-DELIV") + 1
    sheet, T = label("sheet.milestones", "fr"), L.MILESTONES
    edits = [(sheet, f"{T.letter('duration.likely')}{row}", "number", 254)]
    saved = tmp_path / "returned"
    saved.mkdir()
    after = libreoffice.recalculate([built.path], save_dir=saved, edits={built.path: edits})
    after = after[built.path]
    assert after["sheets"][sheet][f"{T.letter('calc.current')}{row}"][1] == 0
    checks = after["sheets"]["Contrôles"]
    first = CHECKS_MASTER_ROW + 4
    k = next(i for i, c in enumerate(CHECKS) if c.code == "SCHEDULE_CURRENT")
    assert checks[f"C{first + k}"][1] == 0 and _master(after, "Contrôles") == 0

    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    back = reconcile(saved / "sent.xlsx", scenario=scenario)
    assert [(e.field, e.old, e.new) for e in back.edits] == [("duration", 164, 254)]
    from budgetplan.compute.figures import compute

    rwc = next(r for r in compute(back.programme).readiness if r.event == "RWC2023")
    assert rwc.pilot == "SCAN" and rwc.margin_days < 0  # now after the World Cup's lead time
    assert not rwc.required and rwc.probability == 0.0  # its trial ground: shown, not required
    apply_to_scenario(scenario, back.programme, scenario)
    rebuilt = build(scenario, output=tmp_path / "rebuilt.xlsx")
    delivery = dt.date(2022, 11, 15) + dt.timedelta(days=254)
    assert rebuilt.figures.dates["SCAN-DELIV"] == delivery
    redone = libreoffice.recalculate([rebuilt.path])[rebuilt.path]
    assert redone["sheets"][sheet][f"{T.letter('calc.current')}{row}"][1] == 1


@pytest.mark.parametrize(
    ("typed", "holds"),
    [("Provision", True), ("contingency", False), ("Contingency", False)],
    ids=["french-name", "code", "english-name"],
)
def test_a_value_typed_instead_of_chosen_fails_the_lists_check(tmp_path, typed, holds) -> None:
    """A finance officer who types a nature rather than choosing it: the French name is counted
    (the line becomes the provision), a code or an English name is counted nowhere, so the
    LISTS check and the master check turn FALSE in LibreOffice, and reconcile names the cell."""
    from budgetplan.api import build, reconcile
    from budgetplan.core.labels import label

    built = build(output=tmp_path / "sent.xlsx")
    figures = built.figures
    i = next(i for i, lf in enumerate(figures.lines) if lf.line.nature.value == "services")
    ref = f"{L.INPUTS.letter('nature')}{L.FIRST_DATA_ROW + 1 + i}"
    edits = [(label("sheet.inputs", "fr"), ref, "text", typed)]
    saved = tmp_path / "returned"
    saved.mkdir()
    after = libreoffice.recalculate([built.path], save_dir=saved, edits={built.path: edits})
    after = after[built.path]
    assert after["errors"] == []
    checks = after["sheets"]["Contrôles"]
    first = CHECKS_MASTER_ROW + 4
    row = first + [c.code for c in CHECKS].index("LISTS")
    assert checks[f"C{row}"][1] == (1 if holds else 0)
    assert checks[f"D{row}"][1] == (0 if holds else 1)
    from xlsxwriter.utility import xl_rowcol_to_cell

    year = figures.lines[i].line.ae_year  # the line's AE year: its provision takes the line
    j = [y.year for y in figures.credits].index(year)
    at = xl_rowcol_to_cell(L.credit_row("ae_provision"), L.CREDITS_FIRST_COL + j)
    provision = after["sheets"][label("sheet.credits", "fr")].get(at, (None, 0))[1]
    moved = figures.lines[i].ttc / 100 if holds else 0
    assert provision == pytest.approx(figures.credits[j].ae_provision / 100 + moved)
    back = reconcile(saved / "sent.xlsx")
    warned = [(f.sheet, f.cell) for f in back.findings if f.code == "NOT_IN_LIST"]
    assert warned == ([] if holds else [(label("sheet.inputs", "fr"), ref)])
