"""The Evaluation sheet: each pilot's evaluations (inputs), then its governance (calculations).

The governance table computes, one formula across each row, what the checks IMPACT_ASSESSMENT,
ACCREDITATION, EVALUATION_PLAN, GO_NO_GO and SUPERVISED_BEFORE count: the same rules as
:mod:`budgetplan.compute.governance`, over the milestones, events served and evaluations as typed.
"""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from budgetplan.core.codes import name as code_name
from budgetplan.core.model import Purpose, Step
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.codec import serial
from budgetplan.xlsx.workbook.context import Context, add_table, row_height, set_widths
from budgetplan.xlsx.workbook.inputs import (
    _begin,
    _child_value,
    _empty_row,
    _finish,
    _rows,
    _validate_list,
)
from budgetplan.xlsx.workbook.timeline import first_date, operational_rows

#: Height of a line of wrapped text (points), and the most lines a row grows to.


def _evaluation_calc(ctx: Context):  # noqa: ANN202 - the CalcWriter of the evaluation rows
    T, st = L.EVALUATIONS, ctx.styles
    items = L.children(T, ctx.fig.programme)
    ph = L.PHASING_FIXED
    ttc, ids = ph.range("ttc", ctx.line_rows, ctx.lang), ph.range("id", ctx.line_rows, ctx.lang)

    def calc(w: Worksheet, row: int, i: int | None) -> None:
        r = row + 1
        c = {col.key: f"${T.letter(col.key)}{r}" for col in T.columns}
        ev = None if i is None else ctx.fig.evaluations[i]
        pub, line = c["publication"], c["cost_line"]
        w.write_formula(
            row,
            T.index("calc.published"),
            f'=IF({pub}="",0,IF(COUNTIF(MIL_IDS,{pub})=0,0,INDEX(MIL_DATES,MATCH({pub},'
            "MIL_IDS,0))))",
            st.cell("date", "calc"),
            serial(ev.published) if ev and ev.published else 0,
        )
        w.write_formula(
            row,
            T.index("calc.cost"),
            f'=IF({line}="","",SUMIFS({ttc},{ids},{line}))',
            st.cell("money", "calc"),
            ev.cost / 100 if ev and items[i][1].cost_line else "",
        )
        filled = ",".join(
            f'{c[k]}<>""'
            for k in ("pilot", "indicator", "baseline", "measurement", "target", "protocol")
        )
        w.write_formula(
            row,
            T.index("calc.complete"),
            f'=IF({c["pilot"]}="","",AND({filled},{c["evaluator"]}<>"",{c["independent"]}=TRUE,'
            f'{c["calc.published"]}>0,{line}<>"",COUNTIF(IN_IDS,{line})>0))',
            st.cell("bool", "calc"),
            ev.complete if ev else "",
        )

    return calc


def _served(pilot: str, purpose: str) -> str:
    """1 for each event the pilot in ``pilot`` serves with ``purpose`` (a COUNTIFS criterion,
    quoted)."""
    return f"(COUNTIFS(SRV_PILOTS,{pilot},SRV_EVENTS,EVENT_IDS,SRV_PURPOSE,{purpose})>0)"


def _governance_formulas(r: int, pilot_row: int, ctx: Context) -> list[tuple[str, str]]:
    """The formula and the style kind of each governance column, in row ``r`` (1-based) for the
    pilot of the Pilots sheet's row ``pilot_row`` (1-based)."""
    P = L.PILOTS
    pq = ctx.q("pilots")
    col = {c.key: xl_col_to_name(i) for i, c in enumerate(L.GOVERNANCE_COLUMNS)}
    a = f"${col['pilot']}{r}"
    ops, req, event = (f"${col[k]}{r}" for k in ("operational", "required", "event"))
    ops_limit = f"IF({ops}=0,MAX(MIL_DATES),{ops})"  # no operational date: any date counts

    def before_ops(step: Step) -> str:
        return (
            f"=OR(NOT({req}),COUNTIFS(MIL_PILOTS,{a},MIL_STEPS,{ctx.code(step)},MIL_DATES,"
            '">0",'
            f'MIL_DATES,"<="&{ops_limit})>0)'
        )

    operational = first_date(operational_rows(a, ctx.lang))[1:]
    trial_name = code_name(Purpose.TRIAL, Purpose, ctx.lang)
    operate = _served(a, f'"<>{trial_name}"')  # a purpose left blank is one to operate at
    trial = _served(a, ctx.code(Purpose.TRIAL))
    n_operate = f"SUMPRODUCT(--{operate})"
    sup = f"{pq}!${P.letter('supervised_from')}{pilot_row}"
    supervised = f"${col['supervised_from']}{r}"
    return [
        (f'={pq}!${P.letter("id")}{pilot_row}&""', "text"),
        (f"={pq}!${P.letter('intrusiveness')}{pilot_row}", "int"),
        (f"=${col['intrusiveness']}{r}>=EVALUATION_LEVEL", "bool"),
        (f'=IF({a}="",0,{operational})', "date"),
        (before_ops(Step.IMPACT_ASSESSMENT), "bool"),
        (before_ops(Step.ACCREDITATION), "bool"),
        (f"=COUNTIFS(EV_PILOTS,{a},EV_COMPLETE,TRUE)", "int"),
        (f"=OR(NOT({req}),${col['evaluations']}{r}>0)", "bool"),
        (
            f"=IF({n_operate}=0,0,SUMPRODUCT(LARGE({operate}*EVENT_FIRST,{n_operate})))",
            "date",
        ),
        (f"=SUMPRODUCT(MAX({trial}*(EVENT_LAST<{event})*EVENT_LAST))", "date"),
        (
            f"=OR(NOT({req}),{event}=0,COUNTIFS(MIL_PILOTS,{a},MIL_STEPS,"
            f'{ctx.code(Step.GO_NO_GO)},MIL_DATES,">"&${col["trial_end"]}{r},MIL_DATES,"<"&{event})>0)',
            "bool",
        ),
        (
            f'=IF({sup}="",0,IF(COUNTIF(MIL_IDS,{sup})=0,0,INDEX(MIL_DATES,MATCH({sup},'
            "MIL_IDS,0))))",
            "date",
        ),
        (
            f'=OR(NOT({req}),AND({pq}!${P.letter("supervising_body")}{pilot_row}<>"",'
            f"{supervised}>0,OR({ops}=0,{supervised}<={ops})))",
            "bool",
        ),
    ]


def _governance_values(ctx: Context, i: int) -> list[object]:
    g = ctx.fig.governance[i]

    def day(d: object) -> int:
        return serial(d) if d else 0  # type: ignore[arg-type]

    return [
        g.pilot,
        g.intrusiveness,
        g.required,
        day(g.operational),
        g.impact_ok,
        g.accreditation_ok,
        g.evaluations,
        g.evaluated_ok,
        day(g.event),
        day(g.trial_end),
        g.gate_ok,
        day(g.supervised_from),
        g.supervision_ok,
    ]


def _write_governance(ctx: Context, ws: Worksheet, evaluation_rows: int) -> None:
    st = ctx.styles
    h = L.governance_header_row(evaluation_rows)
    ws.write_string(h - 1, 0, ctx.t("gov.title"), st.label)
    ws.set_row(h, 45)
    for j, col in enumerate(L.GOVERNANCE_COLUMNS):
        ws.write_string(h, j, ctx.t(col.label), st.header)
    n = len(ctx.fig.programme.pilots)
    for i in range(n):
        row = h + 1 + i
        formulas = _governance_formulas(row + 1, L.FIRST_DATA_ROW + i + 1, ctx)
        for j, ((formula, kind), value) in enumerate(
            zip(formulas, _governance_values(ctx, i), strict=True)
        ):
            fmt = st.text_calc if kind == "text" else st.cell(kind, "calc")
            ws.write_formula(row, j, formula, fmt, value)
    first, last = h + 2, h + 1 + max(n, 1)
    for key in ("impact_ok", "accreditation_ok", "evaluated_ok", "gate_ok", "supervision_ok"):
        letter = xl_col_to_name(L.governance_col(key))
        ctx.define(f"GOV_{key.upper()}", "evaluation", f"${letter}${first}:${letter}${last}")
        ws.conditional_format(
            h + 1,
            L.governance_col(key),
            h + max(n, 1),
            L.governance_col(key),
            {"type": "cell", "criteria": "==", "value": False, "format": st.check_bad},
        )


def write(ctx: Context) -> None:
    ws = _begin(ctx, "evaluation", "title.evaluation")
    st, T = ctx.styles, L.EVALUATIONS
    items = L.children(T, ctx.fig.programme)
    at = ctx.evaluation_at_row()
    n = len(at)
    add_table(ws, st, T, n, [ctx.t(c.label) for c in T.columns])
    calc = _evaluation_calc(ctx)
    for offset, i in enumerate(at):
        row = L.FIRST_DATA_ROW + offset
        if i is None:
            _empty_row(ctx, ws, T, row)
            calc(ws, row, None)
        else:
            texts = [(str(L.child_value(T, items[i], c.key) or ""), c.width) for c in T.columns]
            height = row_height(texts)
            if height:  # before the row's cells: constant-memory mode writes rows in order
                ws.set_row(row, height)
            _rows(ctx, ws, T, items, row, i, calc, _child_value(T))
    ctx.define_columns(T, n)
    _validate_list(ctx, ws, T, "pilot", n, "=PIL_IDS")
    _validate_list(ctx, ws, T, "publication", n, "=MIL_IDS")
    _validate_list(ctx, ws, T, "cost_line", n, "=IN_IDS")
    _validate_list(ctx, ws, T, "independent", n, "=BOOLEANS")
    _write_governance(ctx, ws, n)
    set_widths(ws, T)
    for j, col in enumerate(L.GOVERNANCE_COLUMNS):  # the two tables share the columns
        if j < len(T.columns) and T.columns[j].width < col.width:
            ws.set_column(j, j, col.width)
    _finish(ctx, ws, "title.evaluation", 1)
