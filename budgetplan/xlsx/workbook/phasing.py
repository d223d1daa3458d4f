"""Phasing sheet: monthly CP per line, one consistent formula across each row and down columns."""

from __future__ import annotations

from typing import Any, NamedTuple

from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from budgetplan.compute.figures import LineFigures
from budgetplan.compute.procurement import implied_route
from budgetplan.core.codes import name as code_name
from budgetplan.core.labels import Lang
from budgetplan.core.model import Commitment, Nature, Profile, Route
from budgetplan.xlsx import layout as L
from budgetplan.xlsx import number_formats as nf
from budgetplan.xlsx.codec import serial
from budgetplan.xlsx.workbook.context import Context, fit_header, page_setup, protect, set_widths
from budgetplan.xlsx.workbook.sheet import RowTemplate


class _AmountText(dict[int, str]):
    """The cached value of an amount in cents, as the cell stores it, made once per amount: the
    530,000 month cells of a 10,000-line Phasing sheet hold about 70,000 distinct amounts."""

    def __missing__(self, cents: int) -> str:
        text = str(cents / 100).removesuffix(".0")  # 12 as a spreadsheet writes it, not 12.0
        self[cents] = text
        return text


#: Width of a month's column: a month's total of several millions, with its cents and the euro
#: sign, shows whole (no ###).
MONTH_WIDTH = 16


def _line_values(
    lf: LineFigures, years: list[int], amounts: _AmountText, lang: Lang
) -> list[object]:
    """The cached values of a line's Phasing row, in the template's column order (codes by their
    names in ``lang``, as the formulas give them)."""
    line = lf.line
    need = lf.need if line.need.strip() else f"{line.pilot}|{code_name(line.nature, Nature, lang)}"
    values: list[object] = [
        line.id,
        line.pilot,
        int(line.titre),
        line.ae_year,
        lf.ht / 100,
        float(lf.vat_rate),
        lf.ttc / 100,
        lf.ttc,
        0 if line.cp.profile is Profile.EXPLICIT else lf.first_index,
        lf.months,
        need,
        lf.need_ht / 100,
        serial(lf.launch) if lf.launch else 0,
        lf.threshold_row,
        code_name(lf.implied_route, Route, lang),
        lf.route_ok,
        lf.cp_ties,
        lf.cp_after_ae,
        lf.award_ok,
        lf.procedure_ok,
        lf.transfer_ok,
        lf.virement,
        lf.imputation_ok,
    ]
    values += [amounts[lf.cp_by_year.get(y, 0)] for y in years]
    values += map(amounts.__getitem__, lf.monthly)
    return values


def _spare_row_values(ctx: Context, amounts: _AmountText) -> list[object]:
    """What the formulas of a Phasing row give for an empty cost-line row: nothing paid, the
    programme's VAT rate, the route a zero amount allows, every row check true."""
    p = ctx.fig.programme
    route = implied_route(0, Nature.SUPPLIES, False, p.thresholds[0])  # blank nature: supplies
    head: list[object] = ["", "", 0, 0, 0.0, float(p.vat_rate), 0.0, 0, 0, 1]
    head += [
        "|",
        0.0,
        0,
        1,
        code_name(route, Route, ctx.lang),
    ]  # need: "" & "|" & "", no launch: the first thresholds
    head += [True, True, True, True, True, True, False, True]  # route_ok .. virement, imputation_ok
    return head + [amounts[0]] * (ctx.n_years + len(ctx.fig.months))


def month_cols(ctx: Context) -> tuple[int, int]:
    first = L.phasing_month_col(ctx.n_years)
    return first, first + len(ctx.fig.months) - 1


def write(ctx: Context) -> None:
    """The Phasing sheet: its title, month index and totals rows, its headers, then one row per
    cost line (and spare row) from one template of formulas (the hot path), its names."""
    ws = ctx.add_sheet("phasing")
    st, T = ctx.styles, L.PHASING_FIXED
    n = ctx.line_rows  # the lines, then the spare rows a finance officer may fill
    m0, m1 = month_cols(ctx)
    y0 = L.PHASING_YEAR_COL
    M0, M1 = xl_col_to_name(m0), xl_col_to_name(m1)
    hdr = L.HEADER_ROW + 1  # 1-based header row
    first_r, last_r = L.FIRST_DATA_ROW + 1, L.FIRST_DATA_ROW + max(n, 1)
    looks = _Looks(
        st.cell("money", "calc"),
        st.cell("bool", "calc"),
        st.cell("int", "calc"),
        st.text_calc,
        st.cell("rate", "calc"),
        st.cell("money", "total"),
    )
    _top_rows(ctx, ws, looks, m0, m1)
    _headers(ctx, ws, m0)
    template = _row_template(ctx, looks, m0, m1)
    _line_rows(ctx, ws, template)
    # Names used by the checks, the summary and the pilots sheet.
    ctx.define_columns(T, n)
    total_r = L.PHASING_TOTAL_ROW + 1
    ctx.define("PH_MONTH_HDR", "phasing", f"${M0}${hdr}:${M1}${hdr}")
    ctx.define("PH_MONTH_TOTALS", "phasing", f"${M0}${total_r}:${M1}${total_r}")
    ctx.define("PH_MONTHS", "phasing", f"${M0}${first_r}:${M1}${last_r}")

    checks = (T.index("route_ok"), T.index("procedure_ok"))
    ws.conditional_format(
        L.FIRST_DATA_ROW,
        checks[0],
        L.FIRST_DATA_ROW + max(n, 1) - 1,
        checks[1],
        {"type": "cell", "criteria": "==", "value": "FALSE", "format": st.check_bad},
    )
    set_widths(ws, T)
    ws.set_column(y0, y0 + ctx.n_years - 1, 15)
    ws.set_column(m0, m1, MONTH_WIDTH)
    ws.autofilter(L.HEADER_ROW, 0, L.FIRST_DATA_ROW + max(n, 1) - 1, m1)
    ws.freeze_panes(L.FIRST_DATA_ROW, 2)
    # printed: the line and its amounts, the row checks, then the years, the line and pilot
    # repeated on every page; the lines only (not the spare rows below them), and not the
    # 36 monthly columns: the Summary prints the month by month CP of the whole programme, and
    # thirty pages of monthly cells per line are no one's reading
    real = [offset for offset, i in enumerate(ctx.line_at_row()) if i is not None]
    ws.print_area(0, 0, L.FIRST_DATA_ROW + max(real, default=0), y0 + ctx.n_years - 1)
    # across as few page widths as it takes, the line's id and pilot on every one
    page_setup(ws, ctx.t("title.phasing"), repeat_cols=2, last_col=y0 + ctx.n_years - 1)
    protect(ws, editable_rows=False)


class _Looks(NamedTuple):
    """The Phasing sheet's formats, made once, in the order the sheet first uses them."""

    money: Format
    boolean: Format
    integer: Format
    text: Format
    rate: Format
    total: Format


def _top_rows(ctx: Context, ws: Worksheet, looks: _Looks, m0: int, m1: int) -> None:
    """Rows 1-3: the title, each month column's index, the totals."""
    st, fig, T = ctx.styles, ctx.fig, L.PHASING_FIXED
    total = looks.total
    y0 = L.PHASING_YEAR_COL
    hdr = L.HEADER_ROW + 1
    n = ctx.line_rows
    first_r, last_r = L.FIRST_DATA_ROW + 1, L.FIRST_DATA_ROW + max(n, 1)
    ws.write_string(L.TITLE_ROW, 0, ctx.t("title.phasing"), st.title)
    ws.write_string(L.PHASING_INDEX_ROW, 0, ctx.t("ph.month_index"), st.small)
    for k, col in enumerate(range(m0, m1 + 1)):
        c = xl_col_to_name(col)
        ws.write_formula(
            L.PHASING_INDEX_ROW,
            col,
            f"=(YEAR({c}${hdr})-YEAR(PERIOD_START))*12+MONTH({c}${hdr})-MONTH(PERIOD_START)",
            st.small,
            k,
        )
    ws.write_string(L.PHASING_TOTAL_ROW, 0, ctx.t("ph.total"), st.label)
    sums = {
        T.index("ht"): sum(lf.ht for lf in fig.lines) / 100,
        T.index("ttc"): fig.total_ae / 100,
    }
    for j, year in enumerate(fig.years):
        sums[y0 + j] = fig.cp_by_year[year] / 100
    for k, cents in enumerate(fig.cp_by_month):
        sums[m0 + k] = cents / 100
    for col, value in sums.items():
        c = xl_col_to_name(col)
        ws.write_formula(L.PHASING_TOTAL_ROW, col, f"=SUM({c}{first_r}:{c}{last_r})", total, value)


def _headers(ctx: Context, ws: Worksheet, m0: int) -> None:
    """Row 4: the headers; the years and months are formulas from the period parameters."""
    st, fig, T = ctx.styles, ctx.fig, L.PHASING_FIXED
    y0 = L.PHASING_YEAR_COL
    hdr = L.HEADER_ROW + 1
    fit_header(ws, [(ctx.t(c.label), c.width) for c in T.columns])
    for j, col in enumerate(T.columns):
        ws.write_string(L.HEADER_ROW, j, ctx.t(col.label), st.header)
    year_hdr = ctx.wb.add_format(
        {
            "bold": True,
            "font_color": "#FFFFFF",
            "bg_color": "#1F4E78",
            "num_format": "0",
            "border": 1,
        }
    )
    month_hdr = ctx.wb.add_format(
        {
            "bold": True,
            "font_color": "#FFFFFF",
            "bg_color": "#1F4E78",
            "num_format": nf.MONTH,
            "border": 1,
        }
    )
    for j, year in enumerate(fig.years):
        col = y0 + j
        prev = xl_col_to_name(col - 1)
        formula = "=YEAR(PERIOD_START)" if j == 0 else f"={prev}{hdr}+1"
        ws.write_formula(L.HEADER_ROW, col, formula, year_hdr, year)
    for k, month in enumerate(fig.months):
        col = m0 + k
        formula = "=PERIOD_START" if k == 0 else f"=EDATE({xl_col_to_name(col - 1)}{hdr},1)"
        ws.write_formula(L.HEADER_ROW, col, formula, month_hdr, serial(month))


class _Refs:
    """What a row's formulas say of the cells they read, as templates (``{r}``: the row)."""

    def __init__(self, ctx: Context, m0: int, m1: int) -> None:
        self.ctx, self.T = ctx, L.PHASING_FIXED
        self.inputs = ctx.q("inputs")
        self.M0, self.M1 = xl_col_to_name(m0), xl_col_to_name(m1)
        self.hdr = L.HEADER_ROW + 1
        self.code = ctx.code
        self.explicit = f"{self.inp('cp.profile')}={self.code(Profile.EXPLICIT)}"
        self.award_day = f"INDEX(MIL_DATES,MATCH({self.inp('award')},MIL_IDS,0))"
        self.prog = f"INDEX(PIL_PROGRAMME,MATCH({self.inp('pilot')},PIL_IDS,0))"
        self.nature = self.inp("nature")

    def inp(self, key: str) -> str:
        return f"{self.inputs}!${L.INPUTS.letter(key)}{{r}}"

    def me(self, key: str) -> str:
        return f"${self.T.letter(key)}{{r}}"

    def on_programme(self, key: str) -> str:
        """Whether the Chorus code in ``key`` starts with the pilot's programme, padded with
        zeros to the code's first part ("0216-01" and "216")."""
        inp = self.inp
        part = f'LEFT({inp(key)},FIND("-",{inp(key)})-1)'
        return f'{part}=RIGHT(REPT("0",LEN({part}))&{self.prog},LEN({part}))'

    def names(self) -> tuple[Any, ...]:
        """inp, me, on_programme, code, explicit, award_day, nature, M0, M1, hdr."""
        return (
            self.inp,
            self.me,
            self.on_programme,
            self.code,
            self.explicit,
            self.award_day,
            self.nature,
            self.M0,
            self.M1,
            self.hdr,
        )


Column = tuple[str, str, Format]


def _amount_columns(ctx: Context, looks: _Looks, refs: _Refs) -> list[Column]:
    """The line, its amounts and its months: id to months."""
    st = ctx.styles
    money, boolean, integer, text, rate, _total = looks
    inp, me, on_programme, code, explicit, award_day, nature, M0, M1, hdr = refs.names()
    return [
        ("id", f'={inp("id")}&""', text),  # &"": an empty spare row gives "", not 0
        ("pilot", f'={inp("pilot")}&""', text),
        ("titre", f"={inp('titre')}", integer),
        ("ae_year", f"={inp('ae_year')}", st.cell("year", "calc")),
        ("ht", f"=ROUND({inp('quantity')}*{inp('unit_cost')},2)", money),
        ("vat", f'=IF({inp("vat_rate")}="",VAT_RATE,{inp("vat_rate")})', rate),
        ("ttc", f"=ROUND({me('ht')}*(1+{me('vat')}),2)", money),
        ("cents", f"=ROUND({me('ttc')}*100,0)", integer),
        (
            "first",
            f'=IF(OR({explicit},{inp("cp.start")}=""),0,'
            f"(YEAR({inp('cp.start')})-YEAR(PERIOD_START))*12"
            f"+MONTH({inp('cp.start')})-MONTH(PERIOD_START))",
            integer,
        ),
        (
            "months",
            f'=IF(OR({explicit},{inp("cp.start")}="",{inp("cp.end")}=""),1,'
            f"(YEAR({inp('cp.end')})-YEAR({inp('cp.start')}))*12"
            f"+MONTH({inp('cp.end')})-MONTH({inp('cp.start')})+1)",
            integer,
        ),
    ]


def _rule_columns(ctx: Context, looks: _Looks, refs: _Refs) -> list[Column]:
    """Its need and what the rules say of it: need to imputation_ok.

    Long: one formula per column, each as the workbook holds it, to be read side by side."""
    st = ctx.styles
    money, boolean, integer, text, rate, _total = looks
    inp, me, on_programme, code, explicit, award_day, nature, M0, M1, hdr = refs.names()
    return [
        (
            "need",
            f'=IF(TRIM({inp("need")})="",{inp("pilot")}&"|"&{nature},TRIM({inp("need")}))',
            text,
        ),
        ("need_ht", f"=SUMIFS(PH_HT,PH_NEED,{me('need')})", money),
        (
            "launch",
            f'=IF({inp("tender")}<>"",INDEX(MIL_DATES,MATCH({inp("tender")},MIL_IDS,0)),'
            f'IF({inp("award")}<>"",INDEX(MIL_DATES,MATCH({inp("award")},MIL_IDS,0)),'
            f"IF({me('ae_year')}>0,DATE({me('ae_year')},1,1),0)))",
            st.cell("date", "calc"),
        ),
        (
            "th",
            # before every set: the first (errors in the dates propagate: fail closed)
            f"=IF({me('launch')}<INDEX(TH_FROM,1),1,MATCH({me('launch')},TH_FROM,1))",
            integer,
        ),
        (
            "implied_route",
            f"=IF(OR({nature}={code(Nature.PERSONNEL)},{nature}={code(Nature.GRANT)},"
            f"{nature}={code(Nature.CONTINGENCY)},{nature}={code(Nature.TRANSFER)}),"
            f"{code(Route.NOT_APPLICABLE)},"
            f"IF({me('need_ht')}<IF({inp('innovative')},INDEX(TH_INNOVATIVE,{me('th')}),"
            f"INDEX(TH_DIRECT,{me('th')})),{code(Route.DIRECT)},"
            f"IF({me('need_ht')}<IF({nature}={code(Nature.WORKS)},INDEX(TH_WORKS,{me('th')}),"
            f"IF({nature}={code(Nature.DEFENCE_SECURITY)},INDEX(TH_DEFENCE,{me('th')}),"
            f"INDEX(TH_SUPPLIES,{me('th')}))),{code(Route.ADAPTED)},{code(Route.FORMAL)})))",
            text,
        ),
        (
            "route_ok",
            f'=IF({inp("route")}="",{me("cents")}=0,'
            f"AND(MATCH({inp('route')},ROUTES,0)>=MATCH({me('implied_route')},ROUTES,0),"
            f"OR({inp('route')}<>{code(Route.RD_EXEMPT)},{nature}={code(Nature.SERVICES)}),"
            f"OR({inp('route')}<>{code(Route.NEGOTIATED_DEFENCE)},"
            f"{nature}={code(Nature.DEFENCE_SECURITY)})))",
            boolean,
        ),
        ("ties", f"=ROUND(SUM(${M0}{{r}}:${M1}{{r}})*100,0)={me('cents')}", boolean),
        (  # no payment before the AE year, nor before the award's month (an unknown one fails)
            "after_ae",
            f"=AND(IF({explicit},SUMPRODUCT((SCHED_LINES={me('id')})"
            f"*(YEAR(SCHED_MONTHS)<{me('ae_year')}))=0,YEAR({inp('cp.start')})>={me('ae_year')}),"
            f'IF({inp("award")}="",TRUE,IFERROR(IF({explicit},SUMPRODUCT((SCHED_LINES={me("id")})'
            f"*(SCHED_MONTHS<DATE(YEAR({award_day}),MONTH({award_day}),1)))=0,"
            f"{inp('cp.start')}>=DATE(YEAR({award_day}),MONTH({award_day}),1)),FALSE)))",
            boolean,
        ),
        (
            "award_ok",
            f'=IF({inp("award")}="",TRUE,IFERROR(IF({inp("commitment")}={code(Commitment.ORDER)},'
            f"YEAR({award_day})<={me('ae_year')},YEAR({award_day})={me('ae_year')}),FALSE))",
            boolean,
        ),
        (
            "procedure_ok",
            f'=IF(OR({inp("tender")}="",{inp("award")}=""),TRUE,IFERROR({award_day}'
            f"-INDEX(MIL_DATES,MATCH({inp('tender')},MIL_IDS,0))"
            f">=INDEX(ROUTE_MIN_DAYS,MATCH({inp('route')},ROUTES,0)),FALSE))",
            boolean,
        ),
        (
            "transfer_ok",
            f'=IF(({inp("transfer_to")}<>"")<>({nature}={code(Nature.TRANSFER)}),FALSE,'
            f"IF({nature}={code(Nature.TRANSFER)},ROUND(SUMPRODUCT((YEAR(${M0}${hdr}:${M1}${hdr})"
            f"={me('ae_year')})*${M0}{{r}}:${M1}{{r}})*100,0)={me('cents')},TRUE))",
            boolean,
        ),
        (
            "virement",
            f'=AND({inp("transfer_to")}<>"",ISNUMBER(SEARCH(";"&{inp("transfer_to")}&";",'
            f'";"&SUBSTITUTE(MINISTRY_PROGRAMMES," ","")&";")))',
            boolean,
        ),
        (
            "imputation_ok",
            f'=IF(AND({inp("centre_financier")}="",{inp("domaine_fonctionnel")}=""),TRUE,'
            # IF, not OR: OR evaluates every argument, and FIND errs on an empty code
            f'IFERROR(AND(IF({inp("centre_financier")}="",TRUE,{on_programme("centre_financier")}),'
            f'IF({inp("domaine_fonctionnel")}="",TRUE,{on_programme("domaine_fonctionnel")})),'
            "FALSE))",
            boolean,
        ),
    ]


def _row_template(ctx: Context, looks: _Looks, m0: int, m1: int) -> RowTemplate:
    """One row's formulas, resolved once: the fixed columns, the years, the months."""
    T = L.PHASING_FIXED
    money, boolean, text = looks.money, looks.boolean, looks.text
    y0 = L.PHASING_YEAR_COL
    idx_row = L.PHASING_INDEX_ROW + 1
    refs = _Refs(ctx, m0, m1)
    me, explicit, M0, M1, hdr = refs.me, refs.explicit, refs.M0, refs.M1, refs.hdr
    fixed = _amount_columns(ctx, looks, refs) + _rule_columns(ctx, looks, refs)
    fixed_t = [(T.index(k), f, fmt) for k, f, fmt in fixed]
    year_t = [
        (
            y0 + j,
            f"=SUMPRODUCT((YEAR(${M0}${hdr}:${M1}${hdr})={xl_col_to_name(y0 + j)}${hdr})"
            f"*${M0}{{r}}:${M1}{{r}})",
        )
        for j in range(ctx.n_years)
    ]
    first_c, months_c, cents_c, id_c = me("first"), me("months"), me("cents"), me("id")
    month_t = []
    for col in range(m0, m1 + 1):
        c = xl_col_to_name(col)
        month_t.append(
            (
                col,
                f"=IF({explicit},SUMIFS(SCHED_AMOUNTS,SCHED_LINES,{id_c},SCHED_MONTHS,{c}${hdr}),"
                f"IF(AND({c}${idx_row}>={first_c},{c}${idx_row}<{first_c}+{months_c}),"
                f"(INT({cents_c}/{months_c})+IF({c}${idx_row}-{first_c}<MOD({cents_c},{months_c}),1,0))"
                f"/100,0))",
            )
        )

    kind_of = {id(text): "str", id(boolean): "bool"}
    template = RowTemplate(
        [(col, f, fmt, kind_of.get(id(fmt), "num")) for col, f, fmt in fixed_t]
        + [(col, f, money, "num") for col, f in year_t]
        + [(col, f, money, "num") for col, f in month_t]
    )
    return template


def _line_rows(ctx: Context, ws: Worksheet, template: RowTemplate) -> None:
    """Each line's row (a spare row: blank values), written as XML from the template, or set
    aside for reconcile, which compares them with the workbook's own."""
    fig = ctx.fig
    years = fig.years
    aside = ctx.phasing_rows  # reconcile's expected rows, compared with the workbook's own
    amounts = _AmountText()
    blank = _spare_row_values(ctx, amounts)
    for offset, i in enumerate(ctx.line_at_row()):
        row = L.FIRST_DATA_ROW + offset
        values = blank if i is None else _line_values(fig.lines[i], years, amounts, ctx.lang)
        if aside is None:
            cells = template.render(row + 1, values)
            ws.write_row_xml(row, template.first_col, template.last_col, cells)
        else:
            aside.add(row, values, template)
