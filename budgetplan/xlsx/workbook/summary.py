"""Summary sheet: envelope, reserve, allocation, headroom, per-pilot AE/CP, master check, charts."""

from __future__ import annotations

from typing import NamedTuple

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from budgetplan.core.codes import name as code_name
from budgetplan.core.model import Purpose, Titre
from budgetplan.xlsx import layout as L
from budgetplan.xlsx import number_formats as nf
from budgetplan.xlsx.codec import serial
from budgetplan.xlsx.workbook.context import Context, page_setup, protect, row_height

KEY_ROWS = (
    "budget_year",
    "envelope",
    "reserve",
    "net",
    "allocated",
    "headroom",
    "total_cp",
    "master",
)


#: Widths of the Summary's first two columns: the key figures' labels and the pilots' names,
#: wrapped where longer.
LABEL_WIDTH, NAME_WIDTH = 34, 36


def write(ctx: Context) -> None:
    """The Summary, block under block (rows are written in order): key figures and the risk
    verdict, per pilot, per year, by titre, readiness, monthly CP; charts beside."""
    ws = ctx.add_sheet("summary")
    st, p = ctx.styles, ctx.fig.programme
    look = _looks(ctx)
    ws.write_string(L.TITLE_ROW, 0, ctx.t("title.summary"), st.title)
    ws.write_formula(1, 0, "=PROGRAMME_TITLE", st.subtitle, p.title)
    master_row = _key_figures(ctx, ws, look)
    pilot_hdr, pilot_last, c_rap = _by_pilot(ctx, ws, look, master_row + 2)
    row = _by_year(ctx, ws, look, pilot_last + 3)
    row = _by_titre(ctx, ws, look, row + 2)
    row = _readiness(ctx, ws, look, row + 2)
    month_hdr, month_last = _monthly(ctx, ws, look, row + 2)
    events = len(p.events)
    # every figure but the master check itself is watched for errors (check FIGURES_SOUND)
    right = xl_col_to_name(max(c_rap, 3 + events))
    ctx.watch(f"{ctx.q('summary')}!$A$1:${right}${master_row}")
    ctx.watch(f"{ctx.q('summary')}!$A${master_row + 2}:${right}${month_last + 1}")
    chart_col = max(c_rap, 3 + events) + 2
    _charts(ctx, ws, pilot_hdr, pilot_last, month_hdr, month_last, events, chart_col)
    ws.set_column(0, 0, LABEL_WIDTH)
    ws.set_column(1, 1, NAME_WIDTH)
    ws.set_column(2, max(c_rap, RISK_COL + RISK_SPAN), 17)
    ws.set_column(4, 3 + events, 17)
    page_setup(ws, ctx.t("title.summary"), repeat_rows=1, breaks=[chart_col], last_col=chart_col)
    protect(ws, editable_rows=False)


class _Look(NamedTuple):
    """The Summary's formats, made once, in the order the sheet first uses them."""

    money: Format
    integer: Format
    total: Format
    text: Format
    boolean: Format
    big: Format
    hdr_year: Format
    date_fmt: Format
    wrapped: Format
    label_wrapped: Format


def _looks(ctx: Context) -> _Look:
    st = ctx.styles
    money, integer = st.cell("money", "calc"), st.cell("int", "calc")
    total, text = st.cell("money", "total"), st.text_calc
    boolean = ctx.wb.add_format({"bold": True, "border": 2})
    big = ctx.wb.add_format({"bold": True, "num_format": nf.MONEY, "font_size": 12})
    hdr_year = ctx.wb.add_format(
        {
            "bold": True,
            "font_color": "#FFFFFF",
            "bg_color": "#1F4E78",
            "num_format": nf.CP_YEAR,
            "border": 1,
            "text_wrap": True,
            "align": "left",  # a number, shown as a header: not run into the next header
        }
    )
    date_fmt = st.cell("month", "calc")
    wrapped = st.cell("note", "calc")
    label_wrapped = ctx.wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    return _Look(
        money, integer, total, text, boolean, big, hdr_year, date_fmt, wrapped, label_wrapped
    )


def _key_figures(ctx: Context, ws: Worksheet, look: _Look) -> int:
    """The budget year's key figures and the master check, the risk verdict beside them; the master check's row."""
    st, fig = ctx.styles, ctx.fig
    by = fig.budget_year
    money, integer, total, text, boolean, big, hdr_year, date_fmt, wrapped, label_wrapped = look
    row = L.HEADER_ROW
    ws.write_string(row, 0, ctx.t("sum.budget_year"), st.header)
    ws.write_formula(
        row, 1, "=BUDGET_YEAR", ctx.wb.add_format({"bold": True, "num_format": "0"}), by
    )
    risk_rows = _risk_block(ctx)
    _risk_row(ctx, ws, row, risk_rows)
    allocated = fig.net_ae[by] - fig.headroom[by]  # the year's AE and those carried over
    values = {
        "envelope": ("=ENVELOPE_AE", fig.envelope_ae[by]),
        "reserve": ("=RESERVE_AE", fig.reserve[by]),
        "net": ("=NET_AE", fig.net_ae[by]),
        "allocated": (
            "=SUMIFS(PH_TTC,PH_AEYEAR,BUDGET_YEAR)+SUMIFS(CR_AE_CARRIED_IN,CR_YEARS,BUDGET_YEAR+1)",
            allocated,
        ),
        "headroom": ("=NET_AE-ALLOCATED_AE", fig.headroom[by]),
        "total_cp": ("=SUM(PH_MONTH_TOTALS)", fig.total_cp),
    }
    for key in KEY_ROWS[1:]:
        row += 1
        _risk_row(ctx, ws, row, risk_rows)
        height = row_height([(ctx.t(f"sum.{key}"), LABEL_WIDTH)])
        if height:  # the whole label, wrapped: before the row's cells
            ws.set_row(row, height)
        ws.write_string(row, 0, ctx.t(f"sum.{key}"), label_wrapped)
        if key == "master":
            master_row = row
            ws.write_formula(row, 1, "=MASTER_CHECK", boolean, ctx.checks_ok)
            ws.conditional_format(
                row,
                1,
                row,
                1,
                {"type": "cell", "criteria": "==", "value": "TRUE", "format": st.check_ok},
            )
            ws.conditional_format(
                row,
                1,
                row,
                1,
                {"type": "cell", "criteria": "==", "value": "FALSE", "format": st.check_bad},
            )
            continue
        formula, cents = values[key]
        ws.write_formula(row, 1, formula, big, cents / 100)
        if key in ("allocated", "headroom"):
            ctx.define(
                "ALLOCATED_AE" if key == "allocated" else "HEADROOM", "summary", f"$B${row + 1}"
            )
    return master_row


def _by_pilot(ctx: Context, ws: Worksheet, look: _Look, row: int) -> tuple[int, int, int]:
    """AE and CP per pilot and year, the reste à payer, their total from ``row``: the header's row, the last pilot's row and the reste à payer's column."""
    st, fig = ctx.styles, ctx.fig
    p, by = fig.programme, fig.budget_year
    money, integer, total, text, boolean, big, hdr_year, date_fmt, wrapped, label_wrapped = look
    years = fig.years
    ws.write_string(row, 0, ctx.t("sum.by_pilot"), st.label)
    row += 1
    pilot_hdr = row
    heads = [ctx.t("sum.pilot"), ctx.t("sum.name"), ctx.t("sum.ae")]
    for j, h in enumerate(heads):
        ws.write_string(row, j, h, st.header)
    ph = ctx.q("phasing")
    n = ctx.line_rows
    first_r, last_r = L.FIRST_DATA_ROW + 1, L.FIRST_DATA_ROW + max(n, 1)
    for j, year in enumerate(years):
        ph_col = xl_col_to_name(L.PHASING_YEAR_COL + j)
        ws.write_formula(row, 3 + j, f"={ph}!{ph_col}${L.HEADER_ROW + 1}", hdr_year, year)
    c_total, c_rap = 3 + len(years), 4 + len(years)
    ws.write_string(row, c_total, ctx.t("sum.cp_total"), st.header)
    ws.write_string(row, c_rap, f"{ctx.t('sum.rap')} {by}", st.header)
    pq = ctx.q("pilots")
    P = L.PILOTS
    pilots = fig.pilots
    for i, pf in enumerate(pilots):
        row += 1
        r = row + 1
        pr = L.FIRST_DATA_ROW + i + 1
        pilot = p.pilots[i]
        height = row_height([(pilot.name, NAME_WIDTH)])
        if height:  # the whole name, wrapped: before the row's cells (rows are written in order)
            ws.set_row(row, height)
        ws.write_formula(row, 0, f"={pq}!${P.letter('id')}{pr}", text, pilot.id)
        ws.write_formula(row, 1, f"={pq}!${P.letter('name')}{pr}", wrapped, pilot.name)
        moved = _moved(ctx, ws, row, f"pilot {pilot.id}", (2, c_total))
        ws.write_formula(
            row, 2, f"=SUMIFS(PH_TTC,PH_PILOT,$A{r})", moved.get(2, money), pf.ae / 100
        )
        for j, year in enumerate(years):
            ph_col = xl_col_to_name(L.PHASING_YEAR_COL + j)
            ws.write_formula(
                row,
                3 + j,
                f"=SUMIFS({ph}!{ph_col}${first_r}:{ph_col}${last_r},PH_PILOT,$A{r})",
                money,
                pf.cp_by_year[year] / 100,
            )
        first_y, last_y = xl_col_to_name(3), xl_col_to_name(2 + len(years))
        ws.write_formula(
            row,
            c_total,
            f"=SUM({first_y}{r}:{last_y}{r})",
            moved.get(c_total, money),
            sum(pf.cp_by_year.values()) / 100,
        )
        paid = sum(c for y, c in pf.cp_by_year.items() if y <= by)
        ws.write_formula(
            row,
            c_rap,
            f'=SUMIFS(PH_TTC,PH_PILOT,$A{r},PH_AEYEAR,"<="&BUDGET_YEAR)'
            f"-SUMPRODUCT((PH_PILOT=$A{r})*(YEAR(PH_MONTH_HDR)<=BUDGET_YEAR)*PH_MONTHS)",
            money,
            (
                sum(
                    lf.ttc
                    for lf in fig.lines
                    if lf.line.pilot == pf.pilot and lf.line.ae_year <= by
                )
                - paid
            )
            / 100,
        )
    _pilot_totals(ctx, ws, look, row + 1, pilot_hdr)
    return pilot_hdr, row, c_rap


def _pilot_totals(ctx: Context, ws: Worksheet, look: _Look, row: int, pilot_hdr: int) -> None:
    """The total of the per-pilot table, in ``row`` below its last pilot."""
    st, fig = ctx.styles, ctx.fig
    by, years, pilots = fig.budget_year, fig.years, fig.pilots
    c_total, c_rap = 3 + len(years), 4 + len(years)
    ws.write_string(row, 0, ctx.t("sum.total"), st.label)
    for col in range(2, c_rap + 1):
        c = xl_col_to_name(col)
        if col == 2:
            value = sum(pf.ae for pf in pilots)
        elif col < c_total:
            value = sum(pf.cp_by_year[years[col - 3]] for pf in pilots)
        elif col == c_total:
            value = fig.total_cp
        else:
            value = sum(lf.ttc for lf in fig.lines if lf.line.ae_year <= by) - sum(
                c for lf in fig.lines for y, c in lf.cp_by_year.items() if y <= by
            )
        ws.write_formula(row, col, f"=SUM({c}{pilot_hdr + 2}:{c}{row})", look.total, value / 100)


def _by_year(ctx: Context, ws: Worksheet, look: _Look, row: int) -> int:
    """AE, CP and reste à payer by year, and the credits to ask for, from ``row``: its last row."""
    st, fig = ctx.styles, ctx.fig
    money, integer, total, text, boolean, big, hdr_year, date_fmt, wrapped, label_wrapped = look
    ws.write_string(row, 0, ctx.t("sum.by_year"), st.label)
    row += 1
    heads = ("sum.year", "sum.ae_year", "sum.cp_year", "sum.rap_year", *_CREDIT_COLUMNS)
    for j, key in enumerate(heads):
        ws.write_string(row, j, ctx.t(key), st.header)
    years = fig.years
    credits = {yc.year: yc for yc in fig.credits}
    year_first = row + 1
    for j, year in enumerate(years):
        row += 1
        r = row + 1
        ws.write_formula(
            row,
            0,
            "=YEAR(PERIOD_START)" if j == 0 else f"=$A{r - 1}+1",
            ctx.wb.add_format({"num_format": "0"}),
            year,
        )
        moved = _moved(ctx, ws, row, f"year {year}", (1, 2))
        ws.write_formula(
            row,
            1,
            f"=SUMIFS(PH_TTC,PH_AEYEAR,$A{r})",
            moved.get(1, money),
            fig.ae_by_year.get(year, 0) / 100,
        )
        ws.write_formula(
            row,
            2,
            f"=SUMPRODUCT((YEAR(PH_MONTH_HDR)=$A{r})*PH_MONTH_TOTALS)",
            moved.get(2, money),
            fig.cp_by_year[year] / 100,
        )
        ws.write_formula(
            row,
            3,
            f"=SUM($B${year_first + 1}:$B{r})-SUM($C${year_first + 1}:$C{r})",
            money,
            fig.reste_a_payer[year] / 100,
        )
        for k, (name, value) in enumerate(_CREDIT_COLUMNS.values()):
            ws.write_formula(
                row,
                4 + k,
                f"=INDEX({name},MATCH($A{r},CR_YEARS,0))" if name else f"=MAX($C{r}-$E{r},0)",
                money,
                value(credits[year]) / 100,
            )
    return row


def _by_titre(ctx: Context, ws: Worksheet, look: _Look, row: int) -> int:
    """AE by titre from ``row``: its last row."""
    st, fig = ctx.styles, ctx.fig
    money, integer, total, text, boolean, big, hdr_year, date_fmt, wrapped, label_wrapped = look
    ws.write_string(row, 0, ctx.t("sum.by_titre"), st.label)
    row += 1
    ws.write_string(row, 0, ctx.t("sum.titre"), st.header)
    ws.write_string(row, 1, ctx.t("sum.ae"), st.header)
    titres_first = row + 2  # 1-based: the row of the first titre
    ctx.define("TITRES", "summary", f"$A${titres_first}:$A${titres_first + len(Titre) - 1}")
    for titre in Titre:
        row += 1
        # the number the formulas match, shown with the titre's name (a format, not a text)
        named = ctx.wb.add_format({"num_format": nf.titre(ctx.t(f"titre.{int(titre)}"))})
        ws.write_number(row, 0, int(titre), named)
        moved = _moved(ctx, ws, row, f"titre {int(titre)}", (1,))
        ws.write_formula(
            row,
            1,
            f"=SUMIFS(PH_TTC,PH_TITRE,$A{row + 1})",
            moved.get(1, money),
            fig.by_titre[int(titre)] / 100,
        )
    return row


def _readiness(ctx: Context, ws: Worksheet, look: _Look, row: int) -> int:
    """Readiness before each event, from the Timeline, from ``row``: its last row."""
    st, fig = ctx.styles, ctx.fig
    p = fig.programme
    money, integer, total, text, boolean, big, hdr_year, date_fmt, wrapped, label_wrapped = look
    ws.write_string(row, 0, ctx.t("sum.readiness"), st.label)
    row += 1
    heads = ("tl.pilot", "tl.event", "srv.purpose", "tl.margin", "tl.probability", "tl.late")
    ws.set_row(row, 30)
    for j, key in enumerate(heads):
        ws.write_string(row, j, ctx.t(key), st.header)
    tq = ctx.q("timeline")
    h = L.readiness_header_row(len(p.pilots))
    rate, flag = st.cell("rate", "calc"), st.cell("bool", "calc")
    # one row per row of the events served, empty or not: an event typed in shows here too
    for i, j in enumerate(ctx.served_at_row()):
        rd = None if j is None else fig.readiness[j]
        row += 1
        tr = h + 2 + i  # the readiness row of the Timeline, 1-based
        margin = "" if rd is None or rd.margin_days is None else rd.margin_days
        purpose = f"={tq}!${L.READINESS.letter('purpose')}${tr}"
        purposes = (Purpose.OPERATE, Purpose.TRIAL)
        kind = "" if rd is None else code_name(purposes[0 if rd.required else 1], Purpose, ctx.lang)
        ws.write_formula(row, 2, purpose, text, kind)
        R = L.READINESS
        odds = f"{tq}!${R.letter('probability')}${tr}"
        cells = (
            (0, f"={tq}!${R.letter('pilot')}${tr}", text, "" if rd is None else rd.pilot),
            (1, f"={tq}!${R.letter('event')}${tr}", text, "" if rd is None else rd.event),
            (3, f"={tq}!${R.letter('margin')}${tr}", integer, margin),
            (4, f'=IF({odds}="","",{odds})', rate, "" if rd is None else rd.probability),
            (5, f"={tq}!${R.letter('late')}${tr}", flag, "" if rd is None else rd.late),
        )
        for col, formula, fmt, value in cells:
            ws.write_formula(row, col, formula, fmt, value)
    return row


def _monthly(ctx: Context, ws: Worksheet, look: _Look, row: int) -> tuple[int, int]:
    """Monthly cumulative CP against the net envelope, a marker on each event's month, from ``row``: the header's row and the last month's."""
    st, fig = ctx.styles, ctx.fig
    p = fig.programme
    money, integer, total, text, boolean, big, hdr_year, date_fmt, wrapped, label_wrapped = look
    ws.write_string(row, 0, ctx.t("sum.monthly"), st.label)
    row += 1
    month_hdr = row
    heads = [
        ctx.t("sum.month"),
        ctx.t("sum.cp_month"),
        ctx.t("sum.cp_cumul"),
        ctx.t("sum.net_line"),
    ]
    for j, h in enumerate(heads):
        ws.write_string(row, j, h, st.header)
    events = list(p.events)
    E = L.EVENTS
    par = ctx.q("parameters")
    for k, event in enumerate(events):
        ws.write_formula(
            row, 4 + k, f"={par}!${E.letter('id')}${L.FIRST_DATA_ROW + 1 + k}", st.header, event.id
        )
    cumul = 0
    for k, month in enumerate(fig.months):
        row += 1
        r = row + 1
        cents = fig.cp_by_month[k]
        cumul += cents
        ws.write_formula(
            row, 0, "=PERIOD_START" if k == 0 else f"=EDATE($A{r - 1},1)", date_fmt, serial(month)
        )
        ws.write_formula(
            row, 1, f"=SUMPRODUCT((PH_MONTH_HDR=$A{r})*PH_MONTH_TOTALS)", money, cents / 100
        )
        ws.write_formula(row, 2, f"=$B{r}" if k == 0 else f"=$C{r - 1}+$B{r}", money, cumul / 100)
        ws.write_formula(row, 3, "=NET_AE", money, fig.net_ae[fig.budget_year] / 100)
        for e, event in enumerate(events):
            c = xl_col_to_name(4 + e)
            first_day = f"INDEX(EVENT_FIRST,MATCH({c}${month_hdr + 1},EVENT_IDS,0))"
            hit = month <= event.first_day < _next_month(month)
            ws.write_formula(
                row,
                4 + e,
                f"=IF(AND({first_day}>=$A{r},{first_day}<EDATE($A{r},1)),NET_AE,0)",
                money,
                fig.net_ae[fig.budget_year] / 100 if hit else 0,
            )
    month_last = row
    return month_hdr, month_last


#: The risk verdict stands right of the key figures: its labels over RISK_SPAN columns from
#: RISK_COL (0-based), its figures in the next.
RISK_COL, RISK_SPAN = 3, 3
#: The risk verdict's rows, from the key figures' header row down
RISK_KEYS = (
    "sum.risk",
    "sum.risk_over",
    "sum.risk_accepted",
    "sum.risk_provision",
    "sum.risk_p80",
    "sum.risk_ok",
)
#: The verdict, as the check RISK_OVERRUN has it (FALSE when a figure it reads is not a number)
VERDICT = (
    "=IFERROR(AND(ISNUMBER(RISK_PROB_OVER),ISNUMBER(OVERRUN_PROBABILITY),"
    "RISK_PROB_OVER<=OVERRUN_PROBABILITY),FALSE)"
)


def _risk_block(ctx: Context) -> list[tuple[str, str, str, object]]:
    """The risk verdict's rows, in RISK_KEYS order: (label, formula, number format or
    "verdict", cached value), the first its heading. Without a simulation there is no Risk
    sheet and no verdict to show: the block is left out, and the check RISK_OVERRUN, whose
    names are then undefined, fails closed."""
    from budgetplan.compute.risk_result import RiskResult, within_accepted

    sim = ctx.fig.simulation
    if not isinstance(sim, RiskResult):
        return []
    accepted = float(ctx.fig.programme.risk_acceptance.overrun_probability)
    ok = within_accepted(sim.probability_over_envelope, accepted)
    rows = [
        ("sum.risk", "", "", None),
        ("sum.risk_over", "=RISK_PROB_OVER", nf.PERCENT, sim.probability_over_envelope),
        ("sum.risk_accepted", "=OVERRUN_PROBABILITY", nf.PERCENT, accepted),
        ("sum.risk_provision", "=RISK_PROVISION", nf.MONEY_WHOLE, sim.contingency_planned),
        ("sum.risk_p80", "=RISK_CONTINGENCY_P80", nf.MONEY_WHOLE, sim.contingency_p80),
        ("sum.risk_ok", VERDICT, "verdict", ok),
    ]
    assert tuple(key for key, *_ in rows) == RISK_KEYS
    return rows


def verdict_cell() -> str:
    """Where the Summary shows the risk verdict (A1)."""
    return (
        f"{xl_col_to_name(RISK_COL + RISK_SPAN)}{L.HEADER_ROW + RISK_KEYS.index('sum.risk_ok') + 1}"
    )


def _risk_row(
    ctx: Context, ws: Worksheet, row: int, rows: list[tuple[str, str, str, object]]
) -> None:
    """Row ``row`` of the risk verdict, if it has one (rows are written in order)."""
    i = row - L.HEADER_ROW
    if not 0 <= i < len(rows):
        return
    st = ctx.styles
    key, formula, fmt, value = rows[i]
    last = RISK_COL + RISK_SPAN - 1
    if not formula:
        ws.merge_range(row, RISK_COL, row, last + 1, ctx.t(key), st.header)
        return
    ws.merge_range(row, RISK_COL, row, last, ctx.t(key), st.label)
    if fmt == "verdict":
        ws.write_formula(
            row,
            last + 1,
            formula,
            ctx.wb.add_format({"bold": True, "border": 2, "num_format": st.bool_format}),
            value,
        )
        for shown, look in (("TRUE", st.check_ok), ("FALSE", st.check_bad)):
            ws.conditional_format(
                row,
                last + 1,
                row,
                last + 1,
                {"type": "cell", "criteria": "==", "value": shown, "format": look},
            )
        return
    number = ctx.wb.add_format({"bold": True, "num_format": fmt})
    ws.write_formula(row, last + 1, formula, number, value)


#: Columns of the by-year table read from the Credits sheet: label, (defined name, figure).
_CREDIT_COLUMNS = {
    "sum.cp_available": ("CR_CP_AVAILABLE", lambda yc: yc.cp_available),
    "sum.cp_missing": ("", lambda yc: yc.cp_gap),
    "sum.cp_proposed": ("CR_CP_PROPOSED", lambda yc: yc.cp_proposed),
}


def _moved(ctx: Context, ws: Worksheet, row: int, key: str, cols: tuple[int, ...]) -> dict:
    """In a diff workbook, the cells of a total that moved (``key``: "pilot SCAN", "year 2023",
    "titre 3"): highlighted, the old value in a comment; {} elsewhere. ``cols``: its AE cell,
    then its CP cell."""
    old = ctx.highlights.get(("total", key))
    if not old:
        return {}
    fmt = ctx.wb.add_format(
        {"num_format": nf.MONEY, "bg_color": "#F8CBAD", "font_color": "#9C0006", "bold": True}
    )
    out = {}
    for col, which in zip(cols, ("ae", "cp"), strict=False):
        if which in old:
            out[col] = fmt
            ws.write_comment(row, col, ctx.t("dif.was").format(value=old[which]), {"x_scale": 2})
    return out


def _next_month(month):  # type: ignore[no-untyped-def]
    return month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)


def _charts(
    ctx: Context,
    ws,
    pilot_hdr: int,
    pilot_last: int,
    month_hdr: int,
    month_last: int,
    n_events: int,
    chart_col: int,
) -> None:  # type: ignore[no-untyped-def]
    name = ctx.name("summary")
    bar = ctx.wb.add_chart({"type": "bar"})
    bar.add_series(
        {
            "name": ctx.t("sum.ae"),
            "categories": [name, pilot_hdr + 1, 0, pilot_last, 0],
            "values": [name, pilot_hdr + 1, 2, pilot_last, 2],
            "fill": {"color": "#2E75B6"},
        }
    )
    bar.set_title({"name": ctx.t("chart.alloc")})
    bar.set_legend({"none": True})
    bar.set_y_axis({"reverse": True})
    bar.set_x_axis({"num_format": nf.MONEY_WHOLE})
    bar.set_size({"width": 720, "height": 380})
    ws.insert_chart(L.HEADER_ROW, chart_col, bar)

    line = ctx.wb.add_chart({"type": "line"})
    cats = [name, month_hdr + 1, 0, month_last, 0]
    line.add_series(
        {
            "name": [name, month_hdr, 2],
            "categories": cats,
            "values": [name, month_hdr + 1, 2, month_last, 2],
            "line": {"color": "#2E75B6", "width": 2.25},
        }
    )
    line.add_series(
        {
            "name": [name, month_hdr, 3],
            "categories": cats,
            "values": [name, month_hdr + 1, 3, month_last, 3],
            "line": {"color": "#C00000", "dash_type": "dash"},
        }
    )
    if n_events:
        cols = ctx.wb.add_chart({"type": "column"})
        palette = ("#ED7D31", "#70AD47", "#7030A0", "#FFC000", "#5B9BD5")
        for e in range(n_events):
            cols.add_series(
                {
                    "name": [name, month_hdr, 4 + e],
                    "categories": cats,
                    "values": [name, month_hdr + 1, 4 + e, month_last, 4 + e],
                    "fill": {"color": palette[e % len(palette)]},
                    "gap": 50,
                }
            )
        line.combine(cols)
    line.set_title({"name": ctx.t("chart.cumul")})
    line.set_x_axis({"num_format": nf.MONTH, "date_axis": True})
    line.set_y_axis({"num_format": nf.MONEY_WHOLE})
    line.set_legend({"position": "bottom"})
    line.set_size({"width": 720, "height": 400})
    ws.insert_chart(L.HEADER_ROW + 21, chart_col, line)
