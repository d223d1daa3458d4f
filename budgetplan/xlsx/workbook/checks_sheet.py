"""Checks sheet: each check a formula showing TRUE or FALSE, and one master check."""

from __future__ import annotations

from budgetplan.compute.checks import CHECKS, CheckResult
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.formulas import names_in
from budgetplan.xlsx.workbook.context import Context, page_setup, protect, row_height

#: 0-based row of the checks' header, below the master check; the checks follow in CHECKS order
HEADER = L.CHECKS_MASTER_ROW + 2


def write(ctx: Context, results: list[CheckResult]) -> None:
    ws = ctx.add_sheet("checks")
    st = ctx.styles
    C = L.CHECKS_COLS
    first = HEADER
    first_data = first + 1
    last = first_data + len(CHECKS) - 1
    boolean = st.cell("bool", "calc")
    master_fmt = ctx.wb.add_format(
        {"bold": True, "font_size": 12, "border": 2, "num_format": st.bool_format}
    )
    all_ok = all(r.ok for r in results)
    wrapped = st.cell("note", "calc")  # the texts wrap: the sheet prints readable on A4

    ws.write_string(L.TITLE_ROW, 0, ctx.t("title.checks"), st.title)
    ws.write_string(L.CHECKS_MASTER_ROW, C["check"], ctx.t("chk.master"), st.label)
    ws.write_formula(
        L.CHECKS_MASTER_ROW,
        C["result"],
        f"=IFERROR(AND($C${first_data + 1}:$C${last + 1}),FALSE)",
        master_fmt,
        all_ok,
    )
    ctx.define("MASTER_CHECK", "checks", f"$C${L.CHECKS_MASTER_ROW + 1}")
    for key, col in C.items():
        ws.write_string(first, col, ctx.t(f"chk.{key}"), st.header)
    by_code = {r.spec.code: r for r in results}
    for i, spec in enumerate(CHECKS):
        row = first_data + i
        result = by_code[spec.code]
        height = row_height([(spec.text(ctx.lang), 52), (spec.explain(ctx.lang), 62)])
        if height:  # before the row's cells: constant-memory mode writes rows in order
            ws.set_row(row, height)
        ws.write_string(row, C["code"], spec.code, st.text_calc)
        ws.write_string(row, C["check"], spec.text(ctx.lang), wrapped)
        typed = tuple(L.typed_number_names(names_in(spec.formula)))
        ws.write_formula(
            row, C["result"], spec.result_formula(f"$D{row + 1}", typed), boolean, result.ok
        )
        ws.write_formula(
            row, C["count"], spec.formula_in(ctx.lang), st.cell("int", "calc"), result.count
        )
        ws.write_string(row, C["explain"], spec.explain(ctx.lang), wrapped)
    for rng in (
        (L.CHECKS_MASTER_ROW, C["result"], L.CHECKS_MASTER_ROW, C["result"]),
        (first_data, C["result"], last, C["result"]),
    ):
        ws.conditional_format(
            *rng, {"type": "cell", "criteria": "==", "value": "TRUE", "format": st.check_ok}
        )
        ws.conditional_format(
            *rng, {"type": "cell", "criteria": "==", "value": "FALSE", "format": st.check_bad}
        )
    widths = ((0, 22), (1, 52), (2, 11), (3, 10), (4, 62))
    for col, width in widths:
        ws.set_column(col, col, width)
    ws.freeze_panes(first_data, 0)
    page_setup(ws, ctx.t("title.checks"), repeat_rows=first, paged=True)
    protect(ws, editable_rows=False)
