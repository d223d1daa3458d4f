"""The comparison workbook of `budgetplan run`: every scenario beside the reference (the default
programme, the base the scenarios start from), differences highlighted, in the user's language,
printed landscape on A4 with its chart on a page of its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import Figures
from budgetplan.core.atomic import atomic_path
from budgetplan.core.labels import Lang, filled
from budgetplan.core.lock import writing
from budgetplan.xlsx import number_formats as nf
from budgetplan.xlsx.stamp import keep_if_edited, set_placeholder, stamp
from budgetplan.xlsx.workbook.context import print_fitted
from budgetplan.xlsx.workbook.writer import FIXED_CREATED

if TYPE_CHECKING:
    from budgetplan.compute.risk import RiskResult

MONEY, COUNT, TEXT = "money", "count", "text"


@dataclass(frozen=True)
class Column:
    """One scenario of the comparison: its name, figures and the simulation its workbook shows."""

    name: str
    figures: Figures
    risk: RiskResult


@dataclass(frozen=True)
class Row:
    label: str
    values: list[int | str | None]
    kind: str  # MONEY (cents), COUNT, TEXT
    group: str = ""  # "pilot" for the AE of each pilot (the chart's series)


def rows(columns: list[Column], lang: Lang) -> list[Row]:
    """The figures compared, one row each, in the order a reader looks for them."""
    figs = [c.figures for c in columns]
    by = figs[0].budget_year
    out = [
        Row(
            filled("cmp.ae_allocated", lang, year=by),
            [f.ae_by_year.get(by, 0) for f in figs],
            MONEY,
        ),
        Row(filled("cmp.net", lang, year=by), [f.net_ae.get(by, 0) for f in figs], MONEY),
        Row(filled("cmp.headroom", lang, year=by), [f.headroom.get(by, 0) for f in figs], MONEY),
    ]
    for year in sorted({y for f in figs for y in f.years}):
        out.append(
            Row(
                filled("cmp.ae_year", lang, year=year),
                [f.ae_by_year.get(year, 0) for f in figs],
                MONEY,
            )
        )
        out.append(
            Row(
                filled("cmp.cp_year", lang, year=year),
                [f.cp_by_year.get(year, 0) for f in figs],
                MONEY,
            )
        )
    pilots: list[str] = []
    for f in figs:  # every pilot of any scenario, in the programme's order
        pilots += [p.id for p in f.programme.pilots if p.id not in pilots]
    for pid in pilots:
        values = [next((p.ae for p in f.pilots if p.pilot == pid), None) for f in figs]
        out.append(Row(filled("cmp.ae_pilot", lang, pilot=pid), values, MONEY, "pilot"))
    risks = [c.risk for c in columns]
    for key, attr in (("cmp.p50", "p50"), ("cmp.p80", "p80"), ("cmp.p90", "p90")):
        out.append(Row(filled(key, lang), [round(getattr(r, attr) * 100) for r in risks], MONEY))
    out.append(
        Row(filled("cmp.contingency", lang), [round(r.contingency_p80 * 100) for r in risks], MONEY)
    )
    out.append(
        Row(
            filled("cmp.over", lang),
            [round(r.probability_over_envelope * 100) for r in risks],
            COUNT,
        )
    )
    keys: list[tuple[str, str]] = []
    for f in figs:
        keys += [(r.pilot, r.event) for r in f.readiness if (r.pilot, r.event) not in keys]
    for pilot, event in keys:
        found = [
            next((r for r in f.readiness if (r.pilot, r.event) == (pilot, event)), None)
            for f in figs
        ]
        out.append(
            Row(
                filled("cmp.margin", lang, pilot=pilot, event=event),
                [None if r is None else r.margin_days for r in found],
                COUNT,
            )
        )
        out.append(
            Row(
                filled("cmp.ready", lang, pilot=pilot, event=event),
                [None if r is None else round(r.probability * 100) for r in found],
                COUNT,
            )
        )
    failing = [[r.spec.code for r in run_checks(f) if not r.ok] for f in figs]
    out.append(Row(filled("cmp.failing_count", lang), [len(codes) for codes in failing], COUNT))
    out.append(
        Row(
            filled("cmp.failing", lang),
            [", ".join(codes) or filled("cmp.none", lang) for codes in failing],
            TEXT,
        )
    )
    return out


def write_comparison(columns: list[Column], target: Path, lang: Lang = "fr") -> Path | None:
    """The comparison workbook: a header of scenario names (the reference first), one row per
    figure, the chart of AE by pilot below, on its own printed page. A comparison someone typed
    into since it was written is kept as a backup first; returns that backup."""
    if not columns:
        return None
    table = rows(columns, lang)
    sheet = filled("cmp.sheet", lang)
    with writing(target):
        kept = keep_if_edited(target)
        _write(columns, table, sheet, target, lang)
    return kept


def _write(columns: list[Column], table: list[Row], sheet: str, target: Path, lang: Lang) -> None:
    """Long: the comparison sheet top to bottom (see write_comparison)."""
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties(
            {
                "title": filled("cmp.doc_title", lang),
                "author": "budgetplan",
                "created": FIXED_CREATED,
            }
        )
        set_placeholder(wb)
        ws = wb.add_worksheet(sheet)
        head = wb.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": "#1F4E78",
                "text_wrap": True,
                "valign": "top",
            }
        )
        formats = {
            (MONEY, False): wb.add_format({"num_format": nf.MONEY_WHOLE}),
            (MONEY, True): wb.add_format(
                {"num_format": nf.MONEY_WHOLE, "bg_color": "#FFEB9C", "bold": True}
            ),
            (COUNT, False): wb.add_format({"num_format": "0"}),
            (COUNT, True): wb.add_format({"num_format": "0", "bg_color": "#FFEB9C", "bold": True}),
            (TEXT, False): wb.add_format({"text_wrap": True, "valign": "top"}),
            (TEXT, True): wb.add_format(
                {"text_wrap": True, "valign": "top", "bg_color": "#FFEB9C", "bold": True}
            ),
        }
        late = wb.add_format({"num_format": "0", "bg_color": "#FFC7CE", "font_color": "#9C0006"})
        ws.write_string(
            0, 0, filled("cmp.title", lang), wb.add_format({"bold": True, "font_size": 14})
        )
        ws.write_string(2, 0, filled("cmp.figure", lang), head)
        names = [filled("cmp.reference", lang, name=columns[0].name)] + [
            c.name for c in columns[1:]
        ]
        for j, name in enumerate(names):
            ws.write_string(2, 1 + j, name, head)
        width = max(16, min(40, max(len(n) for n in names) // 2 + 4))  # long names on two lines
        ws.set_row(2, 30)
        pilot_rows = [3 + i for i, row in enumerate(table) if row.group == "pilot"]
        for i, row in enumerate(table):
            r = 3 + i
            ws.write_string(r, 0, row.label)
            for j, value in enumerate(row.values):
                if value is None:
                    ws.write_string(r, 1 + j, "-")
                    continue
                differs = j > 0 and value != row.values[0]
                if isinstance(value, str):
                    ws.write_string(r, 1 + j, value, formats[(TEXT, differs)])
                elif row.kind == COUNT and value < 0:
                    ws.write_number(r, 1 + j, value, late)
                elif row.kind == MONEY:
                    ws.write_number(r, 1 + j, value / 100, formats[(MONEY, differs)])
                else:
                    ws.write_number(r, 1 + j, value, formats[(COUNT, differs)])
        last_row = 3 + len(table) - 1
        ws.set_column(0, 0, 46)
        ws.set_column(1, len(columns), width)
        ws.freeze_panes(3, 1)
        print_fitted(ws, filled("cmp.doc_title", lang), 2)
        if pilot_rows:
            first, last = pilot_rows[0], pilot_rows[-1]
            chart = wb.add_chart({"type": "bar"})
            for j in range(len(columns)):
                chart.add_series(
                    {
                        "name": [sheet, 2, 1 + j],
                        "categories": [sheet, first, 0, last, 0],
                        "values": [sheet, first, 1 + j, last, 1 + j],
                    }
                )
            chart.set_title({"name": filled("cmp.chart", lang)})
            chart.set_x_axis({"num_format": nf.MONEY_WHOLE})
            chart.set_y_axis({"reverse": True})
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": 900, "height": 560})
            chart_row = last_row + 3
            ws.set_h_pagebreaks([chart_row - 1])  # the chart on a page of its own, whole
            ws.insert_chart(chart_row, 0, chart)
        wb.close()
        stamp(tmp)
