"""Credits sheet: every budget year's AE and CP (opened, carried in, committed, paid, carried
out, lapsing) and the schedule of CP on AE (échéancier des CP sur AE) a budget directorate reads.

One budget year per column and one formula across each row (FAST); the budget checks read the
rows through their defined names (``layout.CREDIT_ROWS``).
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from budgetplan.compute.figures import YearCredits
from budgetplan.core.codes import formula_text
from budgetplan.core.labels import Lang
from budgetplan.core.model import Nature, Vehicle
from budgetplan.xlsx import layout as L
from budgetplan.xlsx import number_formats as nf
from budgetplan.xlsx.workbook.context import Context, page_setup, protect

#: The envelope column each SUMIFS row adds up, by measure.
_FROM_ENVELOPES = {
    "ae_opened": "ENV_AE",
    "reserve_ae": "ENV_RESERVE",
    "ae_carried_in": "ENV_AE_CARRIED",
    "cp_opened": "ENV_CP",
    "cp_net": "ENV_NET_CP",
    "carry_base": "ENV_CARRY_BASE",
    "t2_available": "ENV_NET_T2",
}


def _formula(key: str, c: str, b: str | None, lang: Lang) -> str:
    """The formula of measure ``key`` in year column ``c`` (``b``: the previous year's column,
    None for the first year; ``lang``: the workbook's, whose names of codes the cells hold).

    Long: one case per measure of the Credits sheet, read as a table.
    """
    R = {k: L.credit_row(k) + 1 for k, _l, _n in L.CREDIT_ROWS}
    year = f"{c}${R['year']}"

    def at(k: str, col: str = c) -> str:
        return f"{col}{R[k]}"

    if key == "year":
        return "=MIN(YEAR(PERIOD_START),MIN(ENV_YEARS))" if b is None else f"={at('year', b)}+1"
    if key in _FROM_ENVELOPES:
        return f"=SUMIFS({_FROM_ENVELOPES[key]},ENV_YEARS,{year})"
    contingency = formula_text(Nature.CONTINGENCY, lang)
    proposed = formula_text(Vehicle.PROPOSED, lang)
    formulas = {
        "ae_available": f"={at('ae_opened')}-{at('reserve_ae')}+{at('ae_carried_in')}",
        "ae_committed": f"=SUMIFS(PH_TTC,PH_AEYEAR,{year})-{at('ae_provision')}",
        "ae_provision": f"=SUMIFS(PH_TTC,PH_AEYEAR,{year},IN_NATURE,{contingency})",
        "ae_unused": f"={at('ae_available')}-{at('ae_committed')}-{at('ae_provision')}",
        "ae_carry_limit": f"={at('ae_carried_in')}"
        if b is None
        else f"=MAX({at('ae_unused', b)},0)",
        "cp_proposed": f"=SUMIFS(ENV_CP,ENV_YEARS,{year},ENV_VEHICLE,{proposed})",
        "cp_carried_in": "=0" if b is None else f"={at('cp_carried_out', b)}",
        "cp_available": f"={at('cp_net')}+{at('cp_carried_in')}",
        "cp_paid": f"=SUMPRODUCT((YEAR(PH_MONTH_HDR)={year})*PH_MONTH_TOTALS)",
        "cp_gap": f"=MAX({at('cp_paid')}-{at('cp_available')},0)",
        "cp_unused": f"={at('cp_available')}-{at('cp_paid')}",
        "carry_cap": f"=ROUND({at('carry_base')}*CARRY_OVER_RATE,2)",
        "cp_carried_out": f"=MIN(MAX({at('cp_unused')},0),{at('carry_cap')})",
        "cp_lost": f"=MAX({at('cp_unused')},0)-{at('cp_carried_out')}",
        "t2_committed": f"=SUMIFS(PH_TTC,PH_AEYEAR,{year},PH_TITRE,2)",
        "virements": f"=SUMIFS(PH_TTC,PH_AEYEAR,{year},PH_VIREMENT,TRUE)",
        "virement_cap": f"=ROUND({at('carry_base')}*VIREMENT_RATE,2)",
        "outstanding": f"={at('ae_committed')}+{at('ae_provision')}-{at('cp_paid')}"
        if b is None
        else f"={at('outstanding', b)}+{at('ae_committed')}+{at('ae_provision')}-{at('cp_paid')}",
    }
    return formulas[key]


def _value(key: str, yc: YearCredits) -> float | int:
    value = getattr(yc, key)
    return value if key == "year" else value / 100


def write(ctx: Context) -> None:
    ws = ctx.add_sheet("credits")
    st, fig = ctx.styles, ctx.fig
    money, total = st.cell("money", "calc"), st.cell("money", "total")
    year_fmt = ctx.wb.add_format(
        {
            "bold": True,
            "font_color": "#FFFFFF",
            "bg_color": "#1F4E78",
            "num_format": "0",
            "border": 1,
        }
    )
    cp_year_fmt = ctx.wb.add_format(
        {
            "bold": True,
            "font_color": "#FFFFFF",
            "bg_color": "#1F4E78",
            "num_format": nf.CP_YEAR,
            "border": 1,
        }
    )
    credits = fig.credits
    first = L.CREDITS_FIRST_COL
    cols = [xl_col_to_name(first + j) for j in range(len(credits))]

    ws.write_string(L.TITLE_ROW, 0, ctx.t("title.credits"), st.title)
    ws.write_string(1, 0, ctx.t("subtitle.credits"), st.subtitle)
    ws.write_string(L.HEADER_ROW, 0, ctx.t("cr.measure"), st.header)
    for key, label, name in L.CREDIT_ROWS:
        row = L.credit_row(key)
        if key != "year":
            ws.write_string(row, 0, ctx.t(label), st.label if name else st.text_calc)
        else:
            ws.write_string(row, 0, ctx.t(label), st.header)
        for j, yc in enumerate(credits):
            fmt = year_fmt if key == "year" else (total if name else money)
            prev = cols[j - 1] if j else None
            ws.write_formula(
                row, first + j, _formula(key, cols[j], prev, ctx.lang), fmt, _value(key, yc)
            )
        if name:
            r = row + 1
            ctx.define(name, "credits", f"${cols[0]}${r}:${cols[-1]}${r}")
    _schedule(ctx, cp_year_fmt, money, total)
    ws.set_column(0, 0, 58)
    ws.set_column(first, first + len(credits) - 1, 17)
    ws.set_column(first + len(credits), first + len(credits) + 2, 27)
    ws.freeze_panes(L.FIRST_DATA_ROW, 1)
    page_setup(ws, ctx.t("title.credits"), repeat_rows=L.HEADER_ROW)
    protect(ws, editable_rows=False)


def _schedule(ctx: Context, cp_year_fmt, money, total) -> None:  # type: ignore[no-untyped-def]
    """The CP of each year on the AE of each year (rows: year of commitment), with what remains
    to pay at the end of the period."""
    ws, st, fig = ctx.sheets["credits"], ctx.styles, ctx.fig
    credits = fig.credits
    first = L.CREDITS_FIRST_COL
    n = len(credits)
    cols = [xl_col_to_name(first + j) for j in range(n)]
    c_total, c_ae = (xl_col_to_name(first + n + k) for k in range(2))
    year_row = L.credit_row("year") + 1
    head = L.schedule_header_row()
    ws.write_string(head - 1, 0, ctx.t("cr.schedule"), st.label)
    ws.write_string(head, 0, ctx.t("cr.ae_year"), st.header)
    for j, yc in enumerate(credits):
        ws.write_formula(head, first + j, f"={cols[j]}${year_row}", cp_year_fmt, yc.year)
    for k, key in enumerate(("cr.total", "cr.ae", "cr.remaining")):
        ws.write_string(head, first + n + k, ctx.t(key), st.header)
    ph = ctx.q("phasing")
    lines = ctx.line_rows
    lo, hi = L.FIRST_DATA_ROW + 1, L.FIRST_DATA_ROW + max(lines, 1)
    period = {y: j for j, y in enumerate(fig.years)}
    year_int = ctx.wb.add_format({"num_format": "0", "bold": True})
    sums = [0] * (n + 3)
    for i, yc in enumerate(credits):
        row = head + 1 + i
        r = row + 1
        ws.write_formula(row, 0, f"={cols[i]}${year_row}", year_int, yc.year)
        paid = 0
        for j, pay in enumerate(credits):
            cents = fig.cp_on_ae.get((yc.year, pay.year), 0)
            paid += cents
            sums[j] += cents
            if pay.year in period:
                ph_col = xl_col_to_name(L.PHASING_YEAR_COL + period[pay.year])
                formula = f"=SUMIFS({ph}!${ph_col}${lo}:${ph_col}${hi},PH_AEYEAR,$A{r})"
            else:
                formula = "=0"
            ws.write_formula(row, first + j, formula, money, cents / 100)
        ae = fig.ae_by_year.get(yc.year, 0)
        for k, (formula, cents) in enumerate(
            (
                (f"=SUM({cols[0]}{r}:{cols[-1]}{r})", paid),
                (f"=SUMIFS(PH_TTC,PH_AEYEAR,$A{r})", ae),
                (f"={c_ae}{r}-{c_total}{r}", ae - paid),
            )
        ):
            sums[n + k] += cents
            ws.write_formula(row, first + n + k, formula, money, cents / 100)
    row = head + 1 + n
    ws.write_string(row, 0, ctx.t("cr.total"), st.label)
    for j in range(n + 3):
        c = xl_col_to_name(first + j)
        ws.write_formula(row, first + j, f"=SUM({c}{head + 2}:{c}{row})", total, sums[j] / 100)
