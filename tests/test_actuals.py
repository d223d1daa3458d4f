"""Actuals: French exports of commitments and payments set against the budget."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pytest

from budgetplan.api import build
from budgetplan.readback.actuals import parse_amount
from budgetplan.readback.reconciliation import reconcile
from tests.conftest import edit_scenario

CSV = """N° EJ;Date;Montant;Statut;Ligne;Code financier
EJ-001;15/11/2022;7 200 000,00;engagé;SCAN-EQ;
EJ-002;14/10/2022;9 000 000,00;engagé;ADRN-SYS;
EJ-002;20/12/2022;2 700 000,00;payé;ADRN-SYS;
EJ-003;01/12/2022;100 000,00;engagé;;0216-01-DPIA
EJ-004;02/12/2022;1 000,50;payé;;9999-NOPE
"""


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("act")

    def code(doc):  # type: ignore[no-untyped-def]
        doc["cost_lines"][5]["financial_code"] = "0216-01-DPIA"  # SCAN-DPIA

    return build(edit_scenario(tmp, "p.yaml", code), output=tmp / "p.xlsx").path


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 234,56", "1234.56"),
        ("1\u202f234,56 €", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("-12,5", "-12.50"),
        (1234.5, "1234.50"),
    ],
)
def test_french_and_english_number_formats(text, value) -> None:
    assert parse_amount(text) == Decimal(value)


def test_budget_against_actual_from_a_french_csv(workbook, tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="cp1252", errors="replace")
    result = reconcile(workbook, actuals=path)
    report = result.actuals
    assert report is not None and report.as_of == dt.date(2022, 12, 20)
    lines = {la.line: la for la in report.lines}
    assert lines["SCAN-EQ"].committed == Decimal("7200000.00")
    assert lines["ADRN-SYS"].paid == Decimal("2700000.00")
    assert lines["SCAN-DPIA"].committed == Decimal("100000.00")  # matched by financial code
    # SCAN-DPIA: 35,000 HT + 20% VAT = 42,000 AE; committed 100,000 -> over-committed
    assert lines["SCAN-DPIA"].ae == Decimal("42000.00")
    assert lines["SCAN-DPIA"].forecast == Decimal("100000.00")
    # ADRN-SYS planned 2,700,000 in 12/2022 (explicit schedule): paid on plan
    assert lines["ADRN-SYS"].cp_to_date == Decimal("2700000.00")
    assert lines["ADRN-SYS"].cp_variance == 0
    assert lines["ADRN-SYS"].ae_rate == Decimal("1.0000")  # fully committed
    assert report.by_pilot["ADRN"].ae_rate == Decimal("0.6812")  # 9,000,000 / 13,212,000
    scan = report.by_pilot["SCAN"]
    assert scan.committed == Decimal("7300000.00")
    assert [a.commitment for a in report.unmatched] == ["EJ-004"]
    codes = {(f.code, f.sheet, f.cell) for f in result.findings}
    assert ("OVERCOMMITTED", "Lignes", "A10") in codes
    assert any(f.code == "ACTUAL_UNMATCHED" and f.line == 6 for f in result.findings)


def test_xlsx_export_with_english_headings_and_json(workbook, tmp_path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["commitment", "date", "amount", "status", "line"])
    ws.append(["EJ-9", dt.datetime(2022, 11, 2), 1500.25, "committed", "FRA-DPIA"])
    ws.append(["EJ-9", "03/12/2022", "1 500,25", "paid", "FRA-DPIA"])
    path = tmp_path / "export.xlsx"
    wb.save(path)
    out = tmp_path / "rec.xlsx"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "budgetplan",
            "reconcile",
            str(workbook),
            "--actuals",
            str(path),
            "--format",
            "json",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    line = next(x for x in data["actuals"]["lines"] if x["id"] == "FRA-DPIA")
    assert line["committed"] == "1500.25" and line["paid"] == "1500.25"
    rec = openpyxl.load_workbook(out)
    assert rec.sheetnames[:2] == ["Constats", "Budget et exécution"]  # the workbook's language


def test_actuals_without_the_needed_columns(workbook, tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "budgetplan", "reconcile", str(workbook), "--actuals", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and "colonne(s) manquante(s)" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_corrupted_actuals_workbook_is_one_clear_line(workbook, tmp_path) -> None:
    good = tmp_path / "ok.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["commitment", "date", "amount", "status", "line"])
    wb.save(good)
    data = bytearray(good.read_bytes())
    for i in range(600, 900):
        data[i] ^= 0x5A
    bad = tmp_path / "bad-export.xlsx"
    bad.write_bytes(bytes(data))
    run = subprocess.run(
        [sys.executable, "-m", "budgetplan", "reconcile", str(workbook), "--actuals", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert str(bad) in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_a_chorus_activite_of_one_line_matches_its_rows(tmp_path) -> None:
    def imputed(doc):  # type: ignore[no-untyped-def]
        for line in doc["cost_lines"]:
            if line["id"] == "SCAN-EQ":
                line["activite"] = "021601010101"  # its own activité
            if line["id"] in ("ADRN-SYS", "ADRN-MOB"):
                line["activite"] = "021601020202"  # shared: names no single line

    built = build(edit_scenario(tmp_path, "p.yaml", imputed), output=tmp_path / "p.xlsx").path
    export = tmp_path / "ej.csv"
    export.write_text(
        "N° EJ;Date;Montant;Statut;Activité\n"
        "EJ-1;15/11/2022;7 200 000,00;engagé;021601010101\n"
        "EJ-2;14/10/2022;9 000 000,00;engagé;021601020202\n",
        encoding="utf-8",
    )
    report = reconcile(built, actuals=export).actuals
    assert report is not None
    lines = {la.line: la for la in report.lines}
    assert lines["SCAN-EQ"].committed == Decimal("7200000.00")
    assert lines["ADRN-SYS"].committed == 0 and lines["ADRN-MOB"].committed == 0
    assert [u.key for u in report.unmatched] == ["021601020202"]
