"""About sheet: what scenario this is, the hash of its source, the generator, how to rebuild."""

from __future__ import annotations

from budgetplan import layout as L
from budgetplan.fingerprint import fingerprint
from budgetplan.workbook.context import Context, page_setup, protect


def rebuild_command(ctx: Context) -> str:
    src = ctx.source.path
    arg = "" if src.startswith("budgetplan:") else f" {src}"
    lang = "" if ctx.lang == "fr" else f" --lang {ctx.lang}"
    return f"budgetplan build{arg}{lang}"


def write(ctx: Context) -> None:
    ws = ctx.add_sheet("about")
    st = ctx.styles
    values = {
        "fingerprint": "" if ctx.formulas_only else fingerprint(ctx.fig.programme),
        "scenario": ctx.source.name,
        "source": ctx.source.path,
        "hash": ctx.source.sha256,
        "generator": f"budgetplan {ctx.version}",
        "layout": str(L.LAYOUT_VERSION),
        "lang": ctx.lang,
        "lines": str(ctx.n_lines),
        "rebuild": rebuild_command(ctx),
    }
    ws.write_string(L.TITLE_ROW, 0, ctx.t("title.about"), st.title)
    for i, key in enumerate(L.ABOUT_KEYS):
        row = L.FIRST_DATA_ROW + i
        ws.write_string(row, 0, key, st.small)
        ws.write_string(row, 1, ctx.t(f"ab.{key}"), st.label)
        ws.write_string(row, 2, values[key], st.text_calc)
    row = L.FIRST_DATA_ROW + len(L.ABOUT_KEYS) + 1
    ws.write_string(row, 1, ctx.t("ab.legend"), st.label)
    ws.write_string(row + 1, 1, ctx.t("ab.input"), st.cell("text", "input"))
    ws.write_string(row + 2, 1, ctx.t("ab.calc"), st.text_calc)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 2, 80)
    page_setup(ws, ctx.t("title.about"))
    protect(ws, editable_rows=False)
