"""Risk sheet: the Monte Carlo figures, an S-curve of the total cost against the envelope, and the
probability that each pilot is ready in time for each event (values of a seeded simulation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from budgetplan.compute.risk_result import SHEET_FIGURES, SHEET_FIRST_ROW
from budgetplan.xlsx import number_formats as nf
from budgetplan.xlsx.workbook.context import Context, page_setup, protect

if TYPE_CHECKING:
    from budgetplan.compute.risk_result import RiskResult


CHART_COL = 5  # the charts stand right of the tables, from this column


def write(ctx: Context, r: RiskResult) -> None:
    """The Risk sheet of the simulation ``r`` (run by the caller: the writer draws nothing).

    Block by block: figures, pilots, readiness, what drives the cost and the dates, the
    S-curve's points; its charts beside.
    """
    ws = ctx.add_sheet("risk")
    st = ctx.styles
    money = ctx.wb.add_format({"num_format": nf.MONEY_WHOLE})
    pct = ctx.wb.add_format({"num_format": nf.PERCENT})
    ws.write_string(0, 0, ctx.t("title.risk"), st.title)
    ws.write_string(1, 0, ctx.t("risk.note"), st.subtitle)
    _figures(ctx, ws, r, money, pct)
    row = SHEET_FIRST_ROW + len(SHEET_FIGURES) + 1
    ws.write_string(row, 0, ctx.t("risk.pilot"), st.header)
    for j, h in enumerate(("P50", "P80", "P90")):
        ws.write_string(row, 1 + j, h, st.header)
    for pid, q in r.pilots.items():
        row += 1
        ws.write_string(row, 0, pid)
        for j, key in enumerate(("p50", "p80", "p90")):
            ws.write_number(row, 1 + j, q[key], money)
    row += 2
    for j, key in enumerate(("risk.pilot", "risk.event", "risk.ready")):
        ws.write_string(row, j, ctx.t(key), st.header)
    for pid, events in r.readiness.items():
        for event, p in events.items():
            row += 1
            ws.write_string(row, 0, pid)
            ws.write_string(row, 1, event)
            ws.write_number(row, 2, p, pct)
    # What drives the cost's spread (a tornado chart) and each pilot's operational date.
    row += 2
    ws.write_string(row, 0, ctx.t("risk.cost_drivers"), st.label)
    row += 1
    ws.write_string(row, 0, ctx.t("risk.line"), st.header)
    ws.write_string(row, 1, ctx.t("risk.std_share"), st.header)
    drivers_first = row + 1
    for line, share in r.cost_drivers:
        row += 1
        ws.write_string(row, 0, line)
        ws.write_number(row, 1, share, money)
    drivers_last = row
    row += 2
    for j, key in enumerate(("risk.pilot", "risk.milestone", "risk.correlation")):
        ws.write_string(row, j, ctx.t(key), st.header)
    corr = ctx.wb.add_format({"num_format": nf.CORRELATION})
    for pid, found in r.readiness_drivers.items():
        for milestone, c in found:
            row += 1
            ws.write_string(row, 0, pid)
            ws.write_string(row, 1, milestone)
            ws.write_number(row, 2, c, corr)
    printed_last = row  # the S-curve's 101 points below are the chart's data, not for print
    row += 2
    ws.write_string(row, 0, ctx.t("risk.curve"), st.label)
    row += 1
    ws.write_string(row, 0, ctx.t("risk.cost"), st.header)
    ws.write_string(row, 1, ctx.t("risk.prob"), st.header)
    ws.write_string(row, 2, ctx.t("risk.envelope"), st.header)
    first = row + 1
    totals = r.totals if r.totals is not None else np.array([r.planned])
    for k in range(101):
        row += 1
        q = min(len(totals) - 1, int(round(k / 100 * (len(totals) - 1))))
        ws.write_number(row, 0, float(totals[q]), money)
        ws.write_number(row, 1, k / 100, pct)
        if k < 2:  # the envelope as a vertical line: two points, written in row order
            ws.write_number(row, 2, r.envelope_net, money)
            ws.write_number(row, 3, float(k), pct)
    _charts(ctx, ws, r, (first, row), (drivers_first, drivers_last))
    ws.set_column(0, 0, 44)
    ws.set_column(1, 3, 18)
    chart_last_col = CHART_COL + 12  # the charts are 720 pixels wide: twelve default columns
    ws.print_area(0, 0, max(printed_last, 45), chart_last_col)
    page_setup(ws, ctx.t("title.risk"), repeat_rows=1, breaks=[CHART_COL], last_col=CHART_COL)
    protect(ws, editable_rows=False)


def _figures(ctx: Context, ws: Worksheet, r: RiskResult, money: Format, pct: Format) -> None:
    """The simulation's figures, one a row in SHEET_FIGURES order; the names the Summary's
    risk verdict and the check RISK_OVERRUN read."""
    st = ctx.styles
    labels = {
        "iterations": "risk.iterations",
        "planned": "risk.planned",
        "p50": "P50",
        "p80": "P80",
        "p90": "P90",
        "envelope_net": "risk.envelope",
        "probability_over_envelope": "risk.prob_over",
        "contingency_p80": "risk.contingency",
        "contingency_planned": "risk.contingency_planned",
    }
    formats = {"iterations": None, "probability_over_envelope": pct}
    named = {
        "probability_over_envelope": "RISK_PROB_OVER",
        "contingency_p80": "RISK_CONTINGENCY_P80",
        "contingency_planned": "RISK_PROVISION",
    }
    for i, figure in enumerate(SHEET_FIGURES):  # in the order reconcile reads them back
        key, row = labels[figure], SHEET_FIRST_ROW + i
        ws.write_string(row, 0, ctx.t(key) if "." in key else key, st.label)
        ws.write_number(row, 1, float(getattr(r, figure)), formats.get(figure, money))
        if figure in named:  # what the Summary's risk verdict and the RISK_OVERRUN check read
            ctx.define(named[figure], "risk", f"$B${row + 1}")


def _charts(
    ctx: Context,
    ws: Worksheet,
    r: RiskResult,
    curve: tuple[int, int],
    drivers: tuple[int, int],
) -> None:
    """The S-curve of the total cost against the envelope (its points in rows ``curve``) and,
    when the drivers were kept, the tornado of what drives the cost (rows ``drivers``)."""
    first, row = curve
    drivers_first, drivers_last = drivers
    name = ctx.name("risk")
    chart = ctx.wb.add_chart({"type": "scatter", "subtype": "straight"})
    chart.add_series(
        {
            "name": ctx.t("risk.cost"),
            "categories": [name, first, 0, row, 0],
            "values": [name, first, 1, row, 1],
            "line": {"color": "#2E75B6", "width": 2.25},
        }
    )
    chart.add_series(
        {
            "name": ctx.t("risk.envelope"),
            "categories": [name, first, 2, first + 1, 2],
            "values": [name, first, 3, first + 1, 3],
            "line": {"color": "#C00000", "dash_type": "dash"},
        }
    )
    chart.set_title({"name": ctx.t("risk.curve")})
    chart.set_x_axis({"num_format": nf.MONEY_WHOLE, "name": ctx.t("risk.cost")})
    chart.set_y_axis(
        {"num_format": nf.PERCENT_WHOLE, "min": 0, "max": 1, "name": ctx.t("risk.prob")}
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 420})
    ws.insert_chart(3, CHART_COL, chart)
    if r.cost_drivers:
        tornado = ctx.wb.add_chart({"type": "bar"})
        tornado.add_series(
            {
                "name": ctx.t("risk.std_share"),
                "categories": [name, drivers_first, 0, drivers_last, 0],
                "values": [name, drivers_first, 1, drivers_last, 1],
                "fill": {"color": "#2E75B6"},
            }
        )
        tornado.set_title({"name": ctx.t("risk.cost_drivers")})
        tornado.set_x_axis({"num_format": nf.MONEY_WHOLE})
        tornado.set_y_axis({"reverse": True})
        tornado.set_legend({"none": True})
        tornado.set_size({"width": 720, "height": 380})
        ws.insert_chart(26, CHART_COL, tornado)
