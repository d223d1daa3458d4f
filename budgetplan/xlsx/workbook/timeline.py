"""Timeline sheet: a Gantt drawn with conditional formatting, and each pilot's readiness margin."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from budgetplan.core.codes import formula_text
from budgetplan.core.codes import name as code_name
from budgetplan.core.labels import Lang
from budgetplan.core.model import MilestoneKind, Purpose
from budgetplan.xlsx import layout as L
from budgetplan.xlsx import number_formats as nf
from budgetplan.xlsx.codec import serial
from budgetplan.xlsx.workbook.context import Context, fit_header, page_setup, protect, row_height

HEADER_HEIGHT = 30  # points: two lines of a wrapped header


def first_date(matches: str) -> str:
    """The earliest milestone date among the rows ``matches`` selects, 0 when none does.

    Excel 2016 has no MINIFS: the k-th largest of the dates of the matching rows (others count
    0), k being how many rows match. An error in a date shows as an error, never as a date."""
    count = f"SUMPRODUCT(--{matches})"
    return f"=IF({count}=0,0,SUMPRODUCT(LARGE({matches}*MIL_DATES,{count})))"


def operational_rows(pilot: str, lang: Lang) -> str:
    """The milestones of kind operational of the pilot named in the cell ``pilot`` (``lang``:
    the workbook's, whose name of the kind the cells hold)."""
    return f"((MIL_PILOTS={pilot})*(MIL_KINDS={formula_text(MilestoneKind.OPERATIONAL, lang)}))"


def _legend(ctx: Context, ws: Worksheet, m0: int) -> None:
    """What the Gantt's colours mean, in a row above it: a swatch, then its label."""
    st = ctx.styles
    for k, (fmt, key) in enumerate(
        (
            (st.gantt_bar, "tl.legend_bar"),
            (st.gantt_ops, "tl.legend_ops"),
            (st.gantt_event, "tl.legend_event"),
            (st.gantt_both, "tl.legend_both"),
        )
    ):
        col = m0 + 9 * k
        ws.write_blank(1, col, None, fmt)
        ws.write_string(1, col + 1, ctx.t(key), st.small)


def _width(j: int) -> float:
    """Column ``j``'s width: the Gantt and the readiness table share the first columns, each
    as wide as the wider."""
    gantt = [c.width for c in L.TIMELINE.columns]
    return max(L.READINESS_COLUMNS[j].width, gantt[j] if j < len(gantt) else 0)


#: The pilots' names' column (wrapped where longer).
NAME_WIDTH = _width(1)


def write(ctx: Context) -> None:
    """The Timeline: a Gantt per pilot under a year and month header, then the readiness table
    below it."""
    ws = ctx.add_sheet("timeline")
    st, fig, T = ctx.styles, ctx.fig, L.TIMELINE
    m0 = L.TIMELINE_MONTH_COL
    m1 = m0 + len(fig.months) - 1
    hdr = L.HEADER_ROW + 1

    ws.write_string(L.TITLE_ROW, 0, ctx.t("title.timeline"), st.title)
    _legend(ctx, ws, m0)  # rows in order: the legend, the years, then the headers
    year_hdr = ctx.wb.add_format({"bold": True, "left": 1})
    for k, month in enumerate(fig.months):
        if k == 0 or month.month == 1:  # the year above its first month, read across
            c = xl_col_to_name(m0 + k)
            ws.write_formula(
                L.HEADER_ROW - 1, m0 + k, f'=YEAR({c}{hdr})&""', year_hdr, str(month.year)
            )
    ws.set_row(L.HEADER_ROW, HEADER_HEIGHT)  # wrapped headers, on two lines
    for j, col in enumerate(T.columns):
        ws.write_string(L.HEADER_ROW, j, ctx.t(col.label), st.header)
    month_hdr = ctx.wb.add_format(
        {
            "bold": True,
            "font_color": "#FFFFFF",
            "bg_color": "#1F4E78",
            "num_format": nf.MONTH_ONLY,
            "align": "center",
            "border": 1,
        }
    )
    for k in range(len(fig.months)):
        col = m0 + k
        formula = "=PERIOD_START" if k == 0 else f"=EDATE({xl_col_to_name(col - 1)}{hdr},1)"
        ws.write_formula(L.HEADER_ROW, col, formula, month_hdr, serial(fig.months[k]))
    _gantt(ctx, ws, m0, m1)
    _readiness_table(ctx, ws)
    # The Gantt and the readiness table share the first columns: each as wide as the wider.
    for j in range(len(L.READINESS_COLUMNS)):
        ws.set_column(j, j, _width(j))
    ws.set_column(m0, m1, 3.2)
    ws.freeze_panes(L.FIRST_DATA_ROW, m0)
    # printed down to the last event served, not the empty rows below it (a page of blanks),
    # as the Phasing prints its lines and not its spare rows: the Summary's readiness table
    # prints them all
    real = [i for i, j in enumerate(ctx.served_at_row()) if j is not None]
    ws.print_area(
        0, 0, L.readiness_header_row(len(fig.programme.pilots)) + 1 + max(real, default=0), m1
    )
    # the tables on the first page width, the Gantt's months on the next, pilots repeated
    page_setup(ws, ctx.t("title.timeline"), repeat_cols=1, breaks=[m0])
    protect(ws, editable_rows=False)


def _gantt(ctx: Context, ws: Worksheet, m0: int, m1: int) -> None:
    """Each pilot's first, operational and last dates, and its bar over the month columns
    ``m0`` to ``m1`` (conditional formats: its operational month, the events' months)."""
    st, fig = ctx.styles, ctx.fig
    pilots = list(fig.programme.pilots)
    n_p = len(pilots)
    hdr = L.HEADER_ROW + 1
    date, text, wrapped = st.cell("date", "calc"), st.text_calc, st.cell("note", "calc")
    P = L.PILOTS
    pq = ctx.q("pilots")
    by_id = {pf.pilot: pf for pf in fig.pilots}
    for i, pilot in enumerate(pilots):
        row = L.FIRST_DATA_ROW + i
        r = row + 1
        pr = L.FIRST_DATA_ROW + i + 1
        pf = by_id[pilot.id]
        ws.write_formula(row, 0, f"={pq}!${P.letter('id')}{pr}", text, pilot.id)
        ws.write_formula(row, 1, f"={pq}!${P.letter('name')}{pr}", wrapped, pilot.name)
        height = row_height([(pilot.name, NAME_WIDTH - 1)])  # the name whole, wrapped
        if height:
            ws.set_row(row, height)
        mine = f"(MIL_PILOTS=$A{r})"
        ws.write_formula(row, 2, first_date(mine), date, serial(pf.first_milestone))
        ws.write_formula(
            row, 3, first_date(operational_rows(f"$A{r}", ctx.lang)), date, serial(pf.operational)
        )
        ws.write_formula(
            row, 4, f"=SUMPRODUCT(MAX({mine}*MIL_DATES))", date, serial(pf.last_milestone)
        )
    last_gantt = L.FIRST_DATA_ROW + max(n_p, 1) - 1
    first = L.FIRST_DATA_ROW + 1
    c0 = xl_col_to_name(m0)
    grid = (L.FIRST_DATA_ROW, m0, last_gantt, m1)
    # One rule a month cell, the first that holds: its operational month, a month of an event
    # while the pilot runs (drawn over the bar), the bar, a month of an event.
    ops = f"AND($D{first}>0,YEAR($D{first})=YEAR({c0}${hdr}),MONTH($D{first})=MONTH({c0}${hdr}))"
    bar = f"AND($C{first}>0,{c0}${hdr}>=$C{first}-DAY($C{first})+1,{c0}${hdr}<=$E{first})"
    event = f"SUMPRODUCT((EVENT_FIRST<=EOMONTH({c0}${hdr},0))*(EVENT_LAST>={c0}${hdr}))>0"
    for criteria, fmt in (
        (ops, st.gantt_ops),
        (f"AND({bar},{event})", st.gantt_both),
        (bar, st.gantt_bar),
    ):
        ws.conditional_format(
            *grid,
            {"type": "formula", "criteria": "=" + criteria, "format": fmt, "stop_if_true": True},
        )
    ws.conditional_format(
        L.HEADER_ROW,
        m0,
        last_gantt,
        m1,
        {"type": "formula", "criteria": "=" + event, "format": st.gantt_event},
    )


def _readiness_table(ctx: Context, ws: Worksheet) -> None:
    """Each pilot's readiness before each event it serves, one row per row of the events
    served (empty or not), below the Gantt; RD_LATE over its late column.

    Long: a row's ten formulas, one per column, beside the values a build stores."""
    st, fig = ctx.styles, ctx.fig
    n_p = len(fig.programme.pilots)
    date, text = st.cell("date", "calc"), st.text_calc
    integer, boolean = st.cell("int", "calc"), st.cell("bool", "calc")
    pq = ctx.q("pilots")
    h = L.readiness_header_row(n_p)
    ws.write_string(h - 1, 0, ctx.t("tl.readiness"), st.label)
    ws.set_row(h, HEADER_HEIGHT)
    fit_header(ws, [(ctx.t(c.label), _width(j)) for j, c in enumerate(L.READINESS_COLUMNS)], h)
    for j, col in enumerate(L.READINESS_COLUMNS):
        ws.write_string(h, j, ctx.t(col.label), st.header)
    S, R = L.SERVES, L.READINESS
    c = {col.key: f"${R.letter(col.key)}" for col in R.columns}  # $A, $B...: column of each
    rows = ctx.served_at_row()  # one readiness row per row of the events served, empty or not
    blank: tuple[object, ...] = ("", "", "", 0, "", "", 0, "", None, "")
    for i, j in enumerate(rows):
        row = h + 1 + i
        r = row + 1
        sr = L.FIRST_DATA_ROW + i + 1
        if j is None:
            values = blank
        else:
            rd = fig.readiness[j]
            margin = "" if rd.margin_days is None else rd.margin_days
            values = (
                rd.pilot,
                rd.event,
                code_name(Purpose.OPERATE if rd.required else Purpose.TRIAL, Purpose, ctx.lang),
                serial(rd.event_first_day),
                rd.lead_days,
                serial(rd.required_by),
                serial(rd.operational),
                margin,
                rd.probability,
                rd.late,
            )
        mine_operational = operational_rows(f"{c['pilot']}{r}", ctx.lang)
        formulas = (
            (f'={pq}!${S.letter("pilot")}{sr}&""', text),
            (f'={pq}!${S.letter("event")}{sr}&""', text),
            (  # an event served with no purpose typed is one to operate at, as in the data
                f'=IF({c["pilot"]}{r}="","",IF({pq}!${S.letter("purpose")}{sr}="",'
                f"{ctx.code(Purpose.OPERATE)},"
                f'{pq}!${S.letter("purpose")}{sr}&""))',
                text,
            ),
            (
                f'=IF({c["event"]}{r}="",0,INDEX(EVENT_FIRST,MATCH({c["event"]}{r},EVENT_IDS,0)))',
                date,
            ),
            # an empty row shows no lead nor date (no stray 0 on paper)
            (f'=IF({c["pilot"]}{r}="","",{pq}!${S.letter("lead_days")}{sr})', integer),
            (f'=IF({c["pilot"]}{r}="","",{c["event_first"]}{r}-{c["lead"]}{r})', date),
            (f'=IF({c["pilot"]}{r}="",0,{first_date(mine_operational)[1:]})', date),
            (
                f'=IF({c["operational"]}{r}=0,"",{c["required_by"]}{r}-{c["operational"]}{r})',
                integer,
            ),
            None,  # the probability: a value of the schedule's draws (blank until computed)
            # late, or unlikely to be in time (a row typed in has no probability until the next
            # build: its margin decides, and reconcile says if the draws disagree); an empty
            # row, nothing (no FAUX on paper)
            (
                f'=IF({c["pilot"]}{r}="","",IF({pq}!${S.letter("purpose")}{sr}='
                f"{ctx.code(Purpose.TRIAL)},FALSE,"
                f"IF(OR({c['operational']}{r}=0,{c['required_by']}{r}<{c['operational']}{r}),TRUE,"
                f'IF({c["probability"]}{r}="",FALSE,{c["probability"]}{r}<READY_PROBABILITY))))',
                boolean,
            ),
        )
        for col, (spec, value) in enumerate(zip(formulas, values, strict=True)):
            if spec is None:
                if value is None:
                    ws.write_blank(row, col, None, st.cell("rate", "calc"))
                else:
                    ws.write_number(row, col, value, st.cell("rate", "calc"))
                continue
            formula, fmt = spec
            ws.write_formula(row, col, formula, fmt, value)
    last = h + max(len(rows), 1)
    late = R.letter("late")
    ctx.define("RD_LATE", "timeline", f"${late}${h + 2}:${late}${last + 1}")
    ws.conditional_format(
        h + 1,
        R.index("margin"),
        last,
        R.index("late"),
        {"type": "formula", "criteria": f"={c['late']}{h + 2}=TRUE", "format": st.check_bad},
    )
