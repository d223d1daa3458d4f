"""Input sheets: Pilots (with the events each serves), Milestones, cost lines, CP schedules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel
from xlsxwriter.worksheet import Worksheet

from budgetplan.compute.figures import Figures
from budgetplan.core.labels import Lang
from budgetplan.core.model import (
    Commitment,
    CostLine,
    LegalStatus,
    Milestone,
    MilestoneKind,
    Nature,
    Pilot,
    Profile,
    Provenance,
    Purpose,
    Route,
    Step,
    Titre,
    field_bounds,
)
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.codec import codec, encode_ids, encode_number, serial
from budgetplan.xlsx.workbook.cells import field_value, write_value
from budgetplan.xlsx.workbook.context import (
    Context,
    add_table,
    page_setup,
    protect,
    row_height,
    set_widths,
)
from budgetplan.xlsx.workbook.sheet import ValueRow

CalcWriter = Callable[[Worksheet, int, int], None]  # (worksheet, 0-based row, item index)


def _rows(
    ctx: Context,
    ws: Worksheet,
    table: L.Table,
    items: Sequence[object],
    row: int,
    i: int,
    calc: CalcWriter | None = None,
    values: Callable[[object, str], object] = field_value,
) -> None:
    """Write item ``i`` of ``items`` (or an empty input row when there are none)."""
    st = ctx.styles
    if i >= len(items):
        if i == 0:
            _empty_row(ctx, ws, table, row)
        return
    item = items[i]
    role = "own" if ctx.owns(item) else "input"  # in a split workbook, "input" is context
    for j, col in enumerate(table.columns):
        if col.is_input:
            value = values(item, col.key)
            write_value(
                ws,
                row,
                table.first_col + j,
                col.kind,
                value,
                st,
                role,
                codes=col.codes,
                lang=ctx.lang,
            )
    if calc:
        calc(ws, row, i)


def _empty_row(ctx: Context, ws: Worksheet, table: L.Table, row: int) -> None:
    """The input cells of an empty row of ``table``: styled as inputs, unlocked, nothing in them
    (a contributor's too: a row they add is checked as theirs when it comes back)."""
    for j, col in enumerate(table.columns):
        if col.is_input:
            write_value(
                ws, row, table.first_col + j, col.kind, None, ctx.styles, "own", codes=col.codes
            )


def _write_changed_row(
    ws: Worksheet,
    T: L.Table,
    plain: ValueRow,
    changed: ValueRow,
    row: int,
    line: object,
    getters: list[Callable[[object], object]],
    marks: dict[str, object],
    was: str = "{value}",
) -> None:
    """A cost-line row of a diff workbook: changed cells highlighted, old value in a comment
    (``was``: its wording in the workbook's language)."""
    values = [get(line) for get in getters]
    cells = []
    for j, col in enumerate(T.columns):
        hit = col.key in marks or (not marks and j == 0) or "*" in marks
        cells.append((changed if hit else plain).cells[j])
        if hit and col.key in marks:
            ws.write_comment(
                row,
                T.first_col + j,
                was.format(value=marks[col.key]),
                {"x_scale": 2, "author": "budgetplan diff"},
            )
        elif hit and "*" in marks and j == 0:
            ws.write_comment(row, T.first_col, str(marks["*"]), {"x_scale": 2})
    mixed = ValueRow.__new__(ValueRow)
    mixed.cells, mixed.first_col, mixed.last_col = cells, plain.first_col, plain.last_col
    ws.write_row_xml(row, mixed.first_col, mixed.last_col, mixed.render(row + 1, values))


def _getter(column: L.Column, lang: Lang) -> Callable[[object], object]:
    """A function giving the cell value of a line's field in ``column``, as its codec encodes it."""
    key, encode = column.key, codec(column.kind, column.codes, lang).encode

    def get(obj: object) -> object:
        return encode(field_value(obj, key))

    return get


def _texts(
    table: L.Table, item: object, values: Callable[[object, str], object]
) -> list[tuple[str, float]]:
    """The wrapped texts of an item's row and their column widths, for ``row_height``."""
    return [(str(values(item, c.key) or ""), c.width) for c in table.columns if c.kind == "note"]


def _child_value(table: L.Table) -> Callable[[object, str], object]:
    def value(child: object, key: str) -> object:
        return L.child_value(table, child, key)  # type: ignore[arg-type]

    return value


def _validate_list(
    ctx: Context, ws: Worksheet, table: L.Table, key: str, n: int, source: object
) -> None:
    col = table.index(key)
    ws.data_validation(
        L.FIRST_DATA_ROW,
        col,
        L.FIRST_DATA_ROW + max(n, 1) - 1,
        col,
        {
            "validate": "list",
            "source": source,
            "error_title": "budgetplan",
            "error_message": ctx.t("dv.choose"),
        },
    )


def _validate_bounds(
    ws: Worksheet, table: L.Table, key: str, n: int, model: type[BaseModel]
) -> None:
    """Data validation of column ``key`` within the limits the model puts on the field."""
    low, high = (encode_number(b) for b in field_bounds(model, key))
    col = table.index(key)
    whole = table.columns[col - table.first_col].kind in ("int", "year")
    ws.data_validation(
        L.FIRST_DATA_ROW,
        col,
        L.FIRST_DATA_ROW + max(n, 1) - 1,
        col,
        {
            "validate": "integer" if whole else "decimal",
            "criteria": "between",
            "minimum": low,
            "maximum": high,
        },
    )


def _begin(ctx: Context, key: str, title_key: str) -> Worksheet:
    ws = ctx.add_sheet(key)
    ws.write_string(L.TITLE_ROW, 0, ctx.t(title_key), ctx.styles.title)
    ws.write_string(1, 0, ctx.t("subtitle.inputs"), ctx.styles.subtitle)
    return ws


def _finish(
    ctx: Context,
    ws: Worksheet,
    title_key: str,
    freeze_col: int,
    *,
    repeat_cols: int = 0,
    breaks: tuple[int, ...] = (),
) -> None:
    """Freeze, print and protect an input sheet: its empty rows print too, so that what an
    officer types into them is on paper before any rebuild."""
    ws.freeze_panes(L.FIRST_DATA_ROW, freeze_col)
    page_setup(
        ws,
        ctx.t(title_key),
        repeat_cols=repeat_cols or 1,  # the id on every page a row continues on
        breaks=breaks,
    )
    protect(ws, editable_rows=True)


# --------------------------------------------------------------------------- Pilots


def write_pilots(ctx: Context) -> None:
    ws = _begin(ctx, "pilots", "title.pilots")
    st, p, fig = ctx.styles, ctx.fig.programme, ctx.fig
    pilots = list(p.pilots)
    served = L.children(L.SERVES, p)
    served_at = ctx.served_at_row()  # the events served, then empty rows to type new ones into
    ws.write_string(2, L.SERVES.first_col, ctx.t("srv.title"), st.label)
    add_table(ws, st, L.PILOTS, len(pilots), [ctx.t(c.label) for c in L.PILOTS.columns])
    add_table(ws, st, L.SERVES, len(served_at), [ctx.t(c.label) for c in L.SERVES.columns])

    T = L.PILOTS
    ph = L.PHASING_FIXED
    n = ctx.line_rows
    ttc = ph.range("ttc", n, ctx.lang)
    pil = ph.range("pilot", n, ctx.lang)
    ae_by_pilot = {pf.pilot: pf.ae for pf in fig.pilots}
    principles_ok = {pf.pilot: pf.principles_ok for pf in fig.pilots}
    money, boolean = st.cell("money", "calc"), st.cell("bool", "calc")

    def calc(w: Worksheet, row: int, i: int) -> None:
        r = row + 1
        pilot = pilots[i]
        w.write_formula(
            row,
            T.index("calc.ae"),
            f"=SUMIFS({ttc},{pil},$A{r})",
            money,
            ae_by_pilot[pilot.id] / 100,
        )
        c = {
            k: f"${T.letter(k)}{r}"
            for k in (
                "intrusiveness",
                "legal_basis",
                "supervising_body",
                "automates_decision",
                "human_in_loop",
            )
        }
        ok = principles_ok[pilot.id]
        w.write_formula(
            row,
            T.index("calc.principles_ok"),
            f'=AND(OR({c["intrusiveness"]}<INTRUSIVE_LEVEL,AND({c["legal_basis"]}<>"",'
            f'{c["supervising_body"]}<>"")),OR(NOT({c["automates_decision"]}),'
            f"{c['human_in_loop']}))",
            boolean,
            ok,
        )

    for i in range(max(len(pilots), len(served_at), 1)):
        row = L.FIRST_DATA_ROW + i
        j = served_at[i] if i < len(served_at) else None
        texts = [] if i >= len(pilots) else _texts(T, pilots[i], field_value)
        if j is not None:
            texts += _texts(L.SERVES, served[j], _child_value(L.SERVES))
        height = row_height(texts)
        if height:  # before the row's cells: constant-memory mode writes rows in order
            ws.set_row(row, height)
        _rows(ctx, ws, T, pilots, row, i, calc)
        if j is not None:
            _rows(ctx, ws, L.SERVES, served, row, j, values=_child_value(L.SERVES))
        elif i < len(served_at) or i == 0:
            _empty_row(ctx, ws, L.SERVES, row)

    n_p, n_s = len(pilots), len(served_at)
    ctx.define_columns(T, n_p)
    ctx.define_columns(L.SERVES, n_s)
    _validate_list(ctx, ws, T, "legal_status", n_p, "=" + L.LIST_NAMES[LegalStatus])
    _validate_list(ctx, ws, T, "supervised_from", n_p, "=MIL_IDS")
    for key in ("sovereignty_required", "automates_decision", "human_in_loop"):
        _validate_list(ctx, ws, T, key, n_p, "=BOOLEANS")
    for key in ("intrusiveness", "trl"):
        _validate_bounds(ws, T, key, n_p, Pilot)
    _validate_list(ctx, ws, L.SERVES, "pilot", n_s, "=PIL_IDS")
    _validate_list(ctx, ws, L.SERVES, "event", n_s, "=EVENT_IDS")
    _validate_list(ctx, ws, L.SERVES, "purpose", n_s, "=" + L.LIST_NAMES[Purpose])
    set_widths(ws, T)
    set_widths(ws, L.SERVES)
    _finish(ctx, ws, "title.pilots", 1, breaks=(L.SERVES.first_col,))


# --------------------------------------------------------------------------- Milestones


def schedule_signature(m: Milestone | None) -> str:
    """What the forward pass read from a milestone's row, as the row's own formula joins it:
    its fixed date, likely duration, prerequisites, not-before date and calendar (an edit of
    any of them makes the computed dates stale until the next build)."""
    if m is None:
        return ""
    parts = (
        str(serial(m.date)) if m.date else "",
        str(m.duration.likely) if m.duration else "",
        encode_ids(m.depends_on) or "",
        str(serial(m.not_before)) if m.not_before else "",
        m.calendar or "",
    )
    return "|".join(parts)


def typed_date(ctx: Context, r: int, c: dict[str, str]) -> str:
    """The date of a milestone typed into the empty row ``r`` (1-based), as the forward pass
    gives it: the latest of the programme's first day, its not-before date and its
    prerequisites' dates, plus its likely duration. Its prerequisites are read from the rows
    above it (a milestone never waits on one typed below it: no formula refers to itself).
    What a formula cannot do as budgetplan does (a lag ``A+30``, a calendar with closures, a
    prerequisite not found above, no duration) leaves "à recalculer" (by budgetplan): the row's
    date is then budgetplan's, at the next reconcile and build (check SCHEDULE_CURRENT)."""
    T = L.MILESTONES
    first = L.FIRST_DATA_ROW + 1
    later = f'"{ctx.t("mil.recompute")}"'
    if r <= first:
        return f'=IF(OR({c["date"]}<>"",{c["duration.likely"]}=""),"",{later})'
    ids = f"${T.letter('id')}${first}:${T.letter('id')}${r - 1}"
    dates = f"${T.letter('calc.date')}${first}:${T.letter('calc.date')}${r - 1}"
    deps = f'SUBSTITUTE({c["depends_on"]}," ","")'
    listed = f'ISNUMBER(SEARCH(";"&{ids}&";",";"&{deps}&";"))'
    wanted = f'IF({deps}="",0,LEN({deps})-LEN(SUBSTITUTE({deps},";",""))+1)'
    closures = len(ctx.fig.programme.closures)
    closed = (
        f"COUNTIF({L.CLOSURES.range('calendar', closures, ctx.lang)},{c['calendar']})>0"
        if closures
        else "FALSE"
    )
    cannot = (
        f'OR(ISNUMBER(SEARCH("+",{deps})),AND({c["calendar"]}<>"",{closed}),'
        f"SUMPRODUCT(--{listed})<{wanted})"
    )
    start = f"MAX(PERIOD_START,N({c['not_before']}),SUMPRODUCT(MAX({listed}*{dates})))"
    return (
        f'=IF(OR({c["date"]}<>"",{c["duration.likely"]}=""),"",'
        f"IF({cannot},{later},{start}+{c['duration.likely']}))"
    )


@dataclass(frozen=True)
class MilestoneValues:
    """What the forward pass stores in a milestone row's value cells (the rest are formulas):
    the writer writes them, the add-on's schedule command writes them again."""

    computed: int | None  # the serial of its computed date; None: a fixed date, or none
    float_days: int | None  # its least float to the events it leads to; None: it leads to none
    critical: bool
    signature: str  # what its dates were computed from (schedule_signature)


def milestone_values(fig: Figures, m: Milestone, critical: set[str]) -> MilestoneValues:
    planned = fig.dates.get(m.id)
    computed = serial(planned) if m.date is None and planned is not None else None
    return MilestoneValues(computed, fig.floats.get(m.id), m.id in critical, schedule_signature(m))


def write_milestones(ctx: Context) -> None:
    ws = _begin(ctx, "milestones", "title.milestones")
    st = ctx.styles
    T = L.MILESTONES
    fig = ctx.fig
    items = L.children(T, fig.programme)
    n = ctx.milestone_rows  # the milestones, then empty rows to type new ones into
    add_table(ws, st, T, n, [ctx.t(c.label) for c in T.columns])
    ids, dates = T.range("id", n), T.range("calc.date", n)
    order_ok = fig.milestone_order_ok
    boolean, day = st.cell("bool", "calc"), st.cell("date", "calc")
    critical = {mid for path in fig.paths for mid in path.critical}

    def calc(w: Worksheet, row: int, i: int | None) -> None:
        r = row + 1
        m = None if i is None else items[i][1]
        ok = True if i is None else order_ok[i]  # an empty row has no prerequisite
        c = {k: f"${T.letter(k)}{r}" for k in ("depends_on", "date", "duration.likely")}
        c |= {k: f"${T.letter(k)}{r}" for k in ("not_before", "calendar", "calc.computed")}
        c |= {k: f"${T.letter(k)}{r}" for k in ("calc.date", "calc.built")}
        planned = fig.dates.get(m.id) if m is not None else None
        values = milestone_values(fig, m, critical) if m is not None else None
        if values is not None and values.computed is not None:
            w.write_number(row, T.index("calc.computed"), values.computed, day)
        elif m is None:  # a row to type a milestone into: dated by its own formula
            w.write_formula(row, T.index("calc.computed"), typed_date(ctx, r, c), day, "")
        else:
            w.write_blank(row, T.index("calc.computed"), None, day)
        w.write_formula(
            row,
            T.index("calc.date"),
            f'=IF({c["date"]}<>"",{c["date"]},N({c["calc.computed"]}))',
            day,
            serial(planned) if planned else 0,
        )
        slack = values.float_days if values is not None else None
        if slack is None:
            w.write_blank(row, T.index("calc.float"), None, st.cell("int", "calc"))
        else:
            w.write_number(row, T.index("calc.float"), slack, st.cell("int", "calc"))
        if values is None:
            w.write_blank(row, T.index("calc.critical"), None, boolean)
        else:
            w.write_boolean(row, T.index("calc.critical"), values.critical, boolean)
        w.write_formula(
            row,
            T.index("calc.deps_ok"),
            f'=IF({c["depends_on"]}="",TRUE,{c["calc.date"]}>=SUMPRODUCT(MAX(ISNUMBER(SEARCH('
            f'";"&{ids}&";",";"&SUBSTITUTE({c["depends_on"]}," ","")&";"))*{dates})))',
            boolean,
            ok,
        )
        w.write_string(row, T.index("calc.built"), values.signature if values else "", st.small)
        w.write_formula(
            row,
            T.index("calc.current"),
            f'=IF({c["calc.built"]}="",OR({c["duration.likely"]}="",'
            f"ISNUMBER({c['calc.computed']})),{c['calc.built']}="
            f'{c["date"]}&"|"&{c["duration.likely"]}&"|"&{c["depends_on"]}&"|"&'
            f'{c["not_before"]}&"|"&{c["calendar"]})',
            boolean,
            True,
        )

    for offset, i in enumerate(ctx.milestone_at_row()):
        row = L.FIRST_DATA_ROW + offset
        if i is None:
            _empty_row(ctx, ws, T, row)
            calc(ws, row, None)
        else:
            _rows(ctx, ws, T, items, row, i, calc, _child_value(T))
    ctx.define_columns(T, n)
    _validate_list(ctx, ws, T, "pilot", n, "=PIL_IDS")
    _validate_list(ctx, ws, T, "kind", n, "=" + L.LIST_NAMES[MilestoneKind])
    _validate_list(ctx, ws, T, "step", n, "=" + L.LIST_NAMES[Step])
    _validate_list(ctx, ws, T, "provenance", n, "=" + L.LIST_NAMES[Provenance])
    set_widths(ws, T)
    built = T.index("calc.built")  # what the dates were computed from: for the formulas only
    ws.set_column(built, built, None, None, {"hidden": True})
    _finish(ctx, ws, "title.milestones", 1)


# --------------------------------------------------------------------------- Cost lines


def write_lines(ctx: Context) -> None:
    ws = _begin(ctx, "inputs", "title.inputs")
    st = ctx.styles
    lines = [lf.line for lf in ctx.fig.lines]
    T = L.INPUTS
    rows = ctx.line_rows
    add_table(ws, st, T, rows, [ctx.t(c.label) for c in T.columns])
    # Hot loop (100,000 lines in the benchmark): one XML row per line.
    row_xml = ValueRow([(T.first_col + j, st.cell(c.kind, "own")) for j, c in enumerate(T.columns)])
    context_row = (  # another contributor's line, in a split workbook: locked, greyed
        ValueRow([(T.first_col + j, st.cell(c.kind, "input")) for j, c in enumerate(T.columns)])
        if st.split
        else row_xml
    )
    getters = [_getter(c, ctx.lang) for c in T.columns]
    changed_row = (  # only diff workbooks highlight: no extra format in a plain build
        ValueRow([(T.first_col + j, st.cell(c.kind, "changed")) for j, c in enumerate(T.columns)])
        if ctx.highlights
        else row_xml
    )
    # a label's characters are narrower than the digit a column's width counts: a fifth more
    # of them fit on a line (measured on the default programme's labels in LibreOffice's PDF)
    label_width = T.columns[T.index("label") - T.first_col].width * 1.2
    for i, line in enumerate(() if ctx.formulas_only else lines):  # these rows hold no formula
        row = L.FIRST_DATA_ROW + i
        marks = ctx.highlights.get(("line", line.id))
        if marks is not None:
            _write_changed_row(
                ws, T, row_xml, changed_row, row, line, getters, marks, ctx.t("dif.was")
            )
            continue
        xml = row_xml if context_row is row_xml or ctx.owns(line) else context_row
        ws.write_row_xml(
            row,
            xml.first_col,
            xml.last_col,
            xml.render(row + 1, [get(line) for get in getters]),
            row_height([(line.label, label_width)]),  # a long label wraps: its row grows
        )
    blank = [None] * len(T.columns)
    for row in range(L.FIRST_DATA_ROW + len(lines), L.FIRST_DATA_ROW + rows):
        if not ctx.formulas_only:  # the spare rows: empty input cells, counted once filled
            ws.write_row_xml(
                row, row_xml.first_col, row_xml.last_col, row_xml.render(row + 1, blank)
            )
    n = rows
    ctx.define_columns(T, n)
    _validate_list(ctx, ws, T, "pilot", n, "=PIL_IDS")
    _validate_list(ctx, ws, T, "titre", n, [str(int(t)) for t in Titre])
    _validate_list(ctx, ws, T, "nature", n, "=" + L.LIST_NAMES[Nature])
    _validate_list(ctx, ws, T, "cp.profile", n, "=" + L.LIST_NAMES[Profile])
    _validate_list(ctx, ws, T, "route", n, "=" + L.LIST_NAMES[Route])
    _validate_list(ctx, ws, T, "award", n, "=MIL_IDS")
    _validate_list(ctx, ws, T, "commitment", n, "=" + L.LIST_NAMES[Commitment])
    _validate_list(ctx, ws, T, "tender", n, "=MIL_IDS")
    _validate_list(ctx, ws, T, "provenance", n, "=" + L.LIST_NAMES[Provenance])
    _validate_list(ctx, ws, T, "innovative", n, "=BOOLEANS")
    for key in ("quantity", "unit_cost", "estimate.low", "estimate.high"):
        col = T.index(key)
        ws.data_validation(
            L.FIRST_DATA_ROW,
            col,
            L.FIRST_DATA_ROW + max(n, 1) - 1,
            col,
            {"validate": "decimal", "criteria": ">=", "value": 0},
        )
    for key in ("vat_rate", "ae_year"):
        _validate_bounds(ws, T, key, n, CostLine)
    set_widths(ws, T)
    _finish(ctx, ws, "title.inputs", 1)


# --------------------------------------------------------------------------- CP schedules


def write_schedules(ctx: Context) -> None:
    ws = _begin(ctx, "schedules", "title.schedules")
    st = ctx.styles
    T = L.SCHEDULES
    items = L.children(T, ctx.fig.programme)
    n = len(items) + L.SPARE_SCHEDULE_ROWS  # empty rows for payments typed in the workbook
    add_table(ws, st, T, n, [ctx.t(c.label) for c in T.columns])
    for i in range(n):
        if i < len(items):
            _rows(ctx, ws, T, items, L.FIRST_DATA_ROW + i, i, values=_child_value(T))
        else:
            _empty_row(ctx, ws, T, L.FIRST_DATA_ROW + i)
    ctx.define_columns(T, n)
    _validate_list(ctx, ws, T, "line", n, "=IN_IDS")
    set_widths(ws, T)
    _finish(ctx, ws, "title.schedules", 1)
