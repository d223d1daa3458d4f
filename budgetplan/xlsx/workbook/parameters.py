"""Parameters sheet: every constant a formula uses, as input cells; envelopes; events; routes."""

from __future__ import annotations

from typing import NamedTuple

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from budgetplan.core.codes import name as code_name
from budgetplan.core.codes import names
from budgetplan.core.model import (
    ROUTE_ORDER,
    Closure,
    Envelope,
    Event,
    MilestoneKind,
    Procedure,
    Programme,
    Provenance,
    Reserve,
    RiskAcceptance,
    Route,
    Spread,
    Thresholds,
)
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.workbook.cells import field_value, write_value
from budgetplan.xlsx.workbook.context import (
    Context,
    add_table,
    page_setup,
    protect,
    row_height,
    set_widths,
)

BOOLEAN_VALUES = (True, False)
# Scalars whose provenance and rationale are their parent's (the reserve's rates, the risk
# accepted) - others are rules in force or identity.
_SOURCED_KEYS = {"reserve.titre2_rate", "reserve.other_rate", "risk_acceptance.overrun_probability"}


def _sourced(p: Programme, key: str) -> Reserve | RiskAcceptance | None:
    """The object whose provenance and rationale the scalar ``key`` shows, if any."""
    if key not in _SOURCED_KEYS:
        return None
    return p.reserve if key.startswith("reserve.") else p.risk_acceptance


def write(ctx: Context) -> None:
    """Side-by-side tables filled row by row (constant-memory mode writes rows in order): the
    scalar parameters, the envelopes, events, routes, thresholds, closures, spreads and lists."""
    ws = ctx.add_sheet("parameters")
    st = ctx.styles
    p = ctx.fig.programme
    envelopes = sorted(p.envelopes, key=lambda e: e.year)
    events = list(p.events)
    thresholds = list(p.thresholds)
    procedures = list(p.procedures)  # one per route, in ROUTE_ORDER
    closures, spreads = list(p.closures), list(p.spreads)
    n_rows = max(
        len(L.PARAMETERS),
        len(envelopes),
        len(events),
        len(procedures),
        len(thresholds),
        len(closures),
        len(spreads),
        max(len(c.codes or ()) for c in L.LISTS.columns),
    )

    ws.write_string(L.TITLE_ROW, 0, ctx.t("title.parameters"), st.title)
    ws.write_string(1, 0, ctx.t("subtitle.inputs"), st.subtitle)
    ws.write_string(2, L.ENVELOPES.first_col, ctx.t("par.envelopes"), st.label)
    ws.write_string(2, L.EVENTS.first_col, ctx.t("par.events"), st.label)
    ws.write_string(2, L.ROUTES.first_col, ctx.t("par.routes"), st.label)
    ws.write_string(2, L.THRESHOLDS.first_col, ctx.t("par.thresholds"), st.label)
    ws.write_string(2, L.CLOSURES.first_col, ctx.t("par.closures"), st.label)
    ws.write_string(2, L.SPREADS.first_col, ctx.t("par.spreads"), st.label)
    ws.write_string(2, L.LISTS.first_col, ctx.t("par.lists"), st.label)

    P = L.PARAM_COLS
    for key, col in P.items():
        ws.write_string(L.HEADER_ROW, col, ctx.t(f"par.{key}"), st.header)
    add_table(ws, st, L.ENVELOPES, len(envelopes), [ctx.t(c.label) for c in L.ENVELOPES.columns])
    add_table(ws, st, L.EVENTS, len(events), [ctx.t(c.label) for c in L.EVENTS.columns])
    add_table(ws, st, L.THRESHOLDS, len(thresholds), [ctx.t(c.label) for c in L.THRESHOLDS.columns])
    add_table(ws, st, L.ROUTES, len(procedures), [ctx.t(c.label) for c in L.ROUTES.columns])
    add_table(ws, st, L.CLOSURES, len(closures), [ctx.t(c.label) for c in L.CLOSURES.columns])
    add_table(ws, st, L.SPREADS, len(spreads), [ctx.t(c.label) for c in L.SPREADS.columns])
    for j, col in enumerate(L.LISTS.columns):
        ws.write_string(L.HEADER_ROW, L.LISTS.first_col + j, ctx.t(col.label), st.header)
    ws.write_string(L.HEADER_ROW, L.BOOLEANS.first_col, ctx.t("par.booleans"), st.header)

    tables = _Tables(envelopes, events, thresholds, procedures, closures, spreads)
    wrapped = st.cell("note", "calc")
    for i in range(n_rows):
        _write_row(ctx, ws, i, tables, wrapped)
    _finish(ctx, ws, tables, n_rows)


class _Tables(NamedTuple):
    """The items of each side-by-side table, in row order."""

    envelopes: list[Envelope]
    events: list[Event]
    thresholds: list[Thresholds]
    procedures: list[Procedure]
    closures: list[Closure]
    spreads: list[Spread]


def _write_row(ctx: Context, ws: Worksheet, i: int, tables: _Tables, wrapped: Format) -> None:
    """Row ``i`` of every table of the sheet.

    Long: one branch per table beside the others (constant-memory mode writes a row whole)."""
    st, p = ctx.styles, ctx.fig.programme
    P = L.PARAM_COLS
    envelopes, events, thresholds, procedures, closures, spreads = tables
    side_by_side = (
        (L.ENVELOPES, envelopes),
        (L.EVENTS, events),
        (L.ROUTES, procedures),
        (L.CLOSURES, closures),
        (L.SPREADS, spreads),
    )
    row = L.FIRST_DATA_ROW + i
    height = row_height(_row_texts(ctx, i, side_by_side))
    if height:  # before the row's cells: constant-memory mode writes rows in order
        ws.set_row(row, height)
    if i < len(L.PARAMETERS):
        key, lbl, kind, name = L.PARAMETERS[i]
        ws.write_string(row, P["key"], key, st.small)
        ws.write_string(row, P["label"], ctx.t(lbl), wrapped)
        write_value(
            ws, row, P["value"], "note" if kind == "text" else kind, field_value(p, key), st
        )
        ctx.define(name, "parameters", xl_rowcol_to_cell(row, P["value"], True, True))
        source = _sourced(p, key)
        if source is not None:
            provenance = code_name(source.provenance, Provenance, ctx.lang)
            ws.write_string(row, P["provenance"], provenance, st.text_calc)
            ws.write_string(row, P["rationale"], source.rationale, wrapped)
    if i < len(envelopes) or (i == 0 and not envelopes):
        env = envelopes[i]
        for j, col in enumerate(L.ENVELOPES.columns):
            c = L.ENVELOPES.first_col + j
            if col.is_input:
                value = field_value(env, col.key)
                write_value(ws, row, c, col.kind, value, st, codes=col.codes, lang=ctx.lang)
        _envelope_calcs(ctx, row, env)
    if i < len(events):
        for j, col in enumerate(L.EVENTS.columns):
            write_value(
                ws, row, L.EVENTS.first_col + j, col.kind, field_value(events[i], col.key), st
            )
    elif i == 0:
        for j, col in enumerate(L.EVENTS.columns):
            write_value(ws, row, L.EVENTS.first_col + j, col.kind, None, st)
    if i < len(thresholds):
        for j, col in enumerate(L.THRESHOLDS.columns):
            value = field_value(thresholds[i], col.key)
            write_value(ws, row, L.THRESHOLDS.first_col + j, col.kind, value, st)
    if i < len(procedures):  # the route itself is fixed (formulas rank routes by row)
        route = code_name(procedures[i].route, Route, ctx.lang)
        ws.write_string(row, L.ROUTES.first_col, route, st.text_calc)
        for j, col in enumerate(L.ROUTES.columns[1:], start=1):
            value = field_value(procedures[i], col.key)
            write_value(ws, row, L.ROUTES.first_col + j, col.kind, value, st)
    if i < len(closures) or i == 0:  # an empty row to type the first closure into
        closure = closures[i] if i < len(closures) else None
        for j, col in enumerate(L.CLOSURES.columns):
            value = field_value(closure, col.key) if closure else None
            write_value(ws, row, L.CLOSURES.first_col + j, col.kind, value, st)
    if i < len(spreads):  # the kind is fixed: one row per kind of milestone
        kind = code_name(spreads[i].kind, MilestoneKind, ctx.lang)
        ws.write_string(row, L.SPREADS.first_col, kind, st.text_calc)
        for j, col in enumerate(L.SPREADS.columns[1:], start=1):
            value = field_value(spreads[i], col.key)
            write_value(ws, row, L.SPREADS.first_col + j, col.kind, value, st)
    for j, col in enumerate(L.LISTS.columns):
        assert col.codes is not None
        if i < len(col.codes):
            ws.write_string(row, L.LISTS.first_col + j, names(col.codes, ctx.lang)[i], st.text_calc)
    if i < len(BOOLEAN_VALUES):
        ws.write_boolean(row, L.BOOLEANS.first_col, BOOLEAN_VALUES[i], st.cell("bool", "calc"))


def _finish(ctx: Context, ws: Worksheet, tables: _Tables, n_rows: int) -> None:
    """The tables' names, the columns' widths, validation, print area and protection."""
    P = L.PARAM_COLS
    envelopes, events, thresholds, _procedures, closures, spreads = tables
    n_env, n_evt = len(envelopes), len(events)
    ctx.define_columns(L.ROUTES, len(ROUTE_ORDER))
    ctx.define_columns(L.BOOLEANS, len(BOOLEAN_VALUES))
    ctx.define_columns(L.EVENTS, n_evt)
    ctx.define_columns(L.THRESHOLDS, len(thresholds))
    ctx.define_columns(L.ENVELOPES, n_env)
    ctx.define_columns(L.CLOSURES, len(closures))  # no names: their number inputs only
    ctx.define_columns(L.SPREADS, len(spreads))
    _envelope_lists(ctx, n_env)

    for col, w in zip(P.values(), PARAM_WIDTHS, strict=True):  # one page wide
        ws.set_column(col, col, w)
    set_widths(ws, L.ENVELOPES)
    set_widths(ws, L.EVENTS)
    set_widths(ws, L.ROUTES)
    set_widths(ws, L.BOOLEANS)
    set_widths(ws, L.THRESHOLDS)
    set_widths(ws, L.CLOSURES)
    set_widths(ws, L.SPREADS)
    set_widths(ws, L.LISTS)
    for codes, list_name in L.LIST_NAMES.items():
        if codes is not Route:  # the routes' list is the Routes table's column
            ctx.define(list_name, "parameters", L.list_ref(codes))
    ws.freeze_panes(L.FIRST_DATA_ROW, 0)
    value_col = P["value"]
    last_row = L.FIRST_DATA_ROW + len(L.PARAMETERS) - 1
    ws.data_validation(L.FIRST_DATA_ROW, value_col, last_row, value_col, {"validate": "any"})
    tables = (L.ENVELOPES, L.EVENTS, L.ROUTES, L.BOOLEANS, L.THRESHOLDS, L.CLOSURES, L.SPREADS)
    # printed up to the last table people fill in: the drop-down lists right of it are the
    # workbook's own reference, not the programme's
    ws.print_area(0, 0, L.FIRST_DATA_ROW + n_rows - 1, L.SPREADS.last_col)
    page_setup(
        ws,
        ctx.t("title.parameters"),
        blocks=[t.first_col for t in tables],
        last_col=L.SPREADS.last_col,
    )
    protect(ws, editable_rows=True)


#: Widths of the scalar parameters' columns (key, label, value, provenance, rationale): one
#: page wide.
PARAM_WIDTHS = (24, 46, 16, 12, 50)


def _row_texts(
    ctx: Context, i: int, tables: tuple[tuple[L.Table, list], ...]
) -> list[tuple[str, float]]:
    """The wrapped texts of row ``i`` of every table of the sheet, with their widths."""
    P = L.PARAM_COLS
    texts: list[tuple[str, float]] = []
    if i < len(L.PARAMETERS):
        key, lbl, kind, _name = L.PARAMETERS[i]
        texts.append((ctx.t(lbl), PARAM_WIDTHS[P["label"]]))
        if kind == "text":
            texts.append((str(field_value(ctx.fig.programme, key) or ""), PARAM_WIDTHS[P["value"]]))
        source = _sourced(ctx.fig.programme, key)
        if source is not None:
            texts.append((source.rationale, PARAM_WIDTHS[P["rationale"]]))
    for table, items in tables:
        if i < len(items):
            for col in table.columns:
                if col.kind == "note":
                    texts.append((str(field_value(items[i], col.key) or ""), col.width))
    return texts


def _envelope_lists(ctx: Context, n_env: int) -> None:
    """Drop-down lists of the envelopes' coded columns."""
    ws = ctx.sheets["parameters"]
    for key in ("vehicle", "provenance"):
        col = L.ENVELOPES.index(key)
        codes = L.ENVELOPES.columns[col - L.ENVELOPES.first_col].codes
        assert codes is not None
        ws.data_validation(
            L.FIRST_DATA_ROW,
            col,
            L.FIRST_DATA_ROW + max(n_env, 1) - 1,
            col,
            {
                "validate": "list",
                "source": "=" + L.LIST_NAMES[codes],
                "error_title": "budgetplan",
                "error_message": ctx.t("dv.choose"),
            },
        )


def _envelope_calcs(ctx: Context, row: int, env: Envelope) -> None:
    ws, st = ctx.sheets["parameters"], ctx.styles
    T = L.ENVELOPES
    r = row + 1
    ae, cp, t2 = (f"${T.letter(k)}{r}" for k in ("ae", "cp", "titre2"))
    fig, year = ctx.fig, env.year
    money = st.cell("money", "calc")
    ws.write_formula(
        row,
        T.index("calc.reserve"),
        f"=ROUND({t2}*RESERVE_RATE_T2,2)+ROUND(({ae}-{t2})*RESERVE_RATE_OTHER,2)",
        money,
        fig.reserve[year] / 100,
    )
    ws.write_formula(
        row,
        T.index("calc.net_ae"),
        f"={ae}-${T.letter('calc.reserve')}{r}",
        money,
        fig.net_ae[year] / 100,
    )
    ws.write_formula(
        row,
        T.index("calc.net_cp"),
        f"={cp}-(ROUND({t2}*RESERVE_RATE_T2,2)+ROUND(({cp}-{t2})*RESERVE_RATE_OTHER,2))",
        money,
        fig.net_cp[year] / 100,
    )
    ws.write_formula(
        row,
        T.index("calc.net_t2"),
        f"={t2}-ROUND({t2}*RESERVE_RATE_T2,2)",
        money,
        fig.net_t2[year] / 100,
    )
    initial = f"${T.letter('programme_initial_cp')}{r}"
    base = env.cp if env.programme_initial_cp is None else env.programme_initial_cp
    ws.write_formula(
        row, T.index("calc.carry_base"), f'=IF({initial}="",{cp},{initial})', money, float(base)
    )
