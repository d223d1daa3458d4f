"""The reconciliation workbook a finance officer files: findings with links to their cells, and
budget against actual when actuals were given. Every text is written as text."""

from __future__ import annotations

import os
from pathlib import Path

import xlsxwriter

from budgetplan.core.atomic import atomic_path
from budgetplan.core.findings import in_lang
from budgetplan.core.labels import LANGS, Lang, filled
from budgetplan.core.lock import writing
from budgetplan.readback.actuals import REPORT_COLUMNS, ActualsReport
from budgetplan.readback.reconciliation import Reconciliation
from budgetplan.xlsx import number_formats as nf
from budgetplan.xlsx.layout import SHEETS, sheet_name
from budgetplan.xlsx.stamp import keep_if_edited, set_placeholder, stamp
from budgetplan.xlsx.workbook.context import print_fitted, row_height
from budgetplan.xlsx.workbook.writer import FIXED_CREATED

LAYOUT_SHEETS = {sheet_name(k, lang) for k in SHEETS for lang in LANGS}
HEADER = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "border": 1}
#: The headings of the budget-against-actual columns (REPORT_COLUMNS, in that order).
ACTUALS_HEADINGS = (
    "rec.ae_budget",
    "rec.committed",
    "rec.ae_used",
    "rec.cp_to_date",
    "rec.paid",
    "rec.cp_variance",
    "rec.forecast",
)
SEVERITY_COLOURS = {"error": "#FFC7CE", "warning": "#FFEB9C", "info": "#DDEBF7"}


#: Widths (characters) of the findings' message and hint columns: wrapped, the sheet prints
#: one A4 page wide with every word of them.
MESSAGE_WIDTH, HINT_WIDTH = 72, 46


def write_reconciliation(
    result: Reconciliation, target: Path, lang: Lang | None = None
) -> Path | None:
    """The reconciliation workbook at ``target``; a previous one someone typed into since it was
    written is kept as a backup first, and that backup returned."""
    target = Path(target)
    with writing(target):
        kept = keep_if_edited(target)
        _write(result, target, lang or ("en" if result.lang == "en" else "fr"))
    return kept


def _findings_sheet(
    wb: xlsxwriter.Workbook, result: Reconciliation, target: Path, lang: Lang
) -> None:
    """One row per finding: its severity coloured, its code, its cell (a link into the workbook
    reconciled), its message and hint wrapped whole."""
    header = wb.add_format(HEADER)
    link = wb.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
    fills = {
        k: wb.add_format({"bg_color": v, "valign": "top"}) for k, v in SEVERITY_COLOURS.items()
    }
    top = wb.add_format({"valign": "top"})
    wrapped = wb.add_format({"text_wrap": True, "valign": "top"})
    ws = wb.add_worksheet(filled("rec.findings", lang))
    title = filled("rec.title", lang, name=result.path.name)
    ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    heads = ("severity", "code", "sheet", "cell", "message", "hint")
    for c, h in enumerate(heads):
        ws.write_string(2, c, filled(f"rec.{h}", lang), header)
    rel = os.path.relpath(result.path.resolve(), target.resolve().parent)
    for r, f in enumerate(result.findings, start=3):
        ws.write_string(r, 0, filled(f"rec.{f.severity.value}", lang), fills[f.severity.value])
        ws.write_string(r, 1, f.code, top)
        ws.write_string(r, 2, f.sheet, top)
        if f.sheet in LAYOUT_SHEETS and _safe_ref(f.cell):
            sheet = f.sheet.replace("'", "''")
            ws.write_url(r, 3, f"external:{rel}#'{sheet}'!{f.cell}", link, string=f.cell)
        else:
            ws.write_string(r, 3, f.cell, top)
        message, hint = in_lang(f.message, lang), in_lang(f.hint, lang)
        height = row_height([(message, MESSAGE_WIDTH), (hint, HINT_WIDTH)])
        if height:  # every word shown: the amounts at the end of a message included
            ws.set_row(r, height)
        ws.write_string(r, 4, message, wrapped)
        ws.write_string(r, 5, hint, wrapped)
    ws.set_column(0, 1, 16)
    ws.set_column(2, 3, 11)
    ws.set_column(4, 4, MESSAGE_WIDTH)
    ws.set_column(5, 5, HINT_WIDTH)
    ws.autofilter(2, 0, max(2, 2 + len(result.findings)), len(heads) - 1)
    ws.freeze_panes(3, 0)
    print_fitted(ws, title, 2)


def _actuals_sheets(wb: xlsxwriter.Workbook, report: ActualsReport, lang: Lang) -> None:
    """Budget against actual per line and per pilot; then the actuals no line matched."""
    header = wb.add_format(HEADER)
    money = wb.add_format({"num_format": nf.MONEY})
    rate = wb.add_format({"num_format": nf.PERCENT})
    ws = wb.add_worksheet(filled("rec.actuals", lang))
    as_of = filled("rec.as_of", lang, date=f"{report.as_of:%d/%m/%Y}") if report.as_of else ""
    title = filled("rec.actuals_title", lang, as_of=as_of)
    ws.write_string(0, 0, title, wb.add_format({"bold": True, "font_size": 14}))
    heads = (
        filled("rec.line", lang),
        filled("rec.pilot", lang),
        *(filled(k, lang) for k in ACTUALS_HEADINGS),
    )
    assert len(heads) == 2 + len(REPORT_COLUMNS)
    for c, h in enumerate(heads):
        ws.write_string(2, c, h, header)
    rows = [*report.lines, *report.by_pilot.values()]
    for r, la in enumerate(rows, start=3):
        ws.write_string(r, 0, la.line if r - 3 < len(report.lines) else "")
        ws.write_string(r, 1, la.pilot)
        for c, value in enumerate((la.ae, la.committed), start=2):
            ws.write_number(r, c, float(value), money)
        if la.ae_rate is not None:
            ws.write_number(r, 4, float(la.ae_rate), rate)
        for c, value in enumerate((la.cp_to_date, la.paid, la.cp_variance, la.forecast), start=5):
            ws.write_number(r, c, float(value), money)
    ws.set_column(0, 1, 14)
    ws.set_column(2, 8, 18)
    ws.freeze_panes(3, 1)
    print_fitted(ws, title, 2)
    if not report.unmatched:
        return
    ws = wb.add_worksheet(filled("rec.unmatched", lang))
    for c, h in enumerate(("row", "commitment", "date", "amount", "status", "key")):
        ws.write_string(0, c, filled(f"rec.{h}", lang), header)
    for r, a in enumerate(report.unmatched, start=1):
        ws.write_number(r, 0, a.row)
        ws.write_string(r, 1, a.commitment)
        ws.write_string(r, 2, a.date.isoformat())
        ws.write_number(r, 3, float(a.amount), money)
        ws.write_string(r, 4, a.status)
        ws.write_string(r, 5, a.key)
    print_fitted(ws, filled("rec.unmatched", lang), 0)


def _write(result: Reconciliation, target: Path, lang: Lang) -> None:
    """The reconciliation workbook, sheet by sheet, in ``lang`` (by default the language of the
    workbook reconciled): its codes and cells as they are, its words translated."""
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        wb.set_properties(
            {
                "title": filled("rec.title", lang, name=result.path.name),
                "author": "budgetplan",
                "created": FIXED_CREATED,
            }
        )
        set_placeholder(wb)
        _findings_sheet(wb, result, target, lang)
        if result.actuals is not None:
            _actuals_sheets(wb, result.actuals, lang)
        wb.close()
        stamp(tmp)


def _safe_ref(cell: str) -> bool:
    return cell.isalnum() and cell[:1].isalpha() and cell[-1:].isdigit()
