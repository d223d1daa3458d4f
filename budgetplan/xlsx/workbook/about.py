"""About sheet: what scenario this is, the hash of its source, the generator, how to rebuild."""

from __future__ import annotations

from budgetplan.core.fingerprint import fingerprint
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.workbook.context import Context, page_setup, protect


def rebuild_command(ctx: Context) -> str:
    """How to make the workbook again; for a contributor's (``budgetplan split``), how the
    steering team takes it back: the contributor sends it, and does not rebuild it."""
    src = ctx.source.path
    arg = "" if src.startswith("budgetplan:") else f" {src}"
    if ctx.source.contributor:
        return f"budgetplan consolidate{arg or ' SCENARIO'} RETURN.xlsx"
    lang = "" if ctx.lang == "fr" else f" --lang {ctx.lang}"
    return f"budgetplan build{arg}{lang}"


def _label(ctx: Context, key: str) -> str:
    if key == "rebuild" and ctx.source.contributor:
        return ctx.t("ab.return")
    return ctx.t(f"ab.{key}")


def write(ctx: Context) -> None:
    ws = ctx.add_sheet("about")
    st = ctx.styles
    values = {
        "fingerprint": "" if ctx.formulas_only else fingerprint(ctx.fig.programme),
        "scenario": ctx.source.name,
        "source": ctx.source.path,
        "hash": ctx.source.sha256,
        "generator": f"budgetplan {ctx.version}",
        "layout": L.LAYOUT,
        "lang": ctx.lang,
        "lines": str(ctx.n_lines),
        "line_rows": str(ctx.line_rows),
        "milestones": str(ctx.n_milestones),
        "milestone_rows": str(ctx.milestone_rows),
        "served": str(ctx.n_served),
        "served_rows": str(len(ctx.served_at_row())),
        "evaluations": str(ctx.n_evaluations),
        "evaluation_rows": str(len(ctx.evaluation_at_row())),
        "rebuild": rebuild_command(ctx),
        "contributor": ctx.source.contributor,
        "owns": " ".join(ctx.source.owns),
        "signature": ctx.source.signature,
    }
    ws.write_string(L.TITLE_ROW, 0, ctx.t("title.about"), st.title)
    A = L.ABOUT_COLS
    for i, key in enumerate(L.ABOUT_KEYS):
        row = L.FIRST_DATA_ROW + i
        ws.write_string(row, A["key"], key, st.small)
        ws.write_string(row, A["label"], _label(ctx, key), st.label)
        ws.write_string(row, A["value"], values[key], st.text_calc)
    row = L.FIRST_DATA_ROW + len(L.ABOUT_KEYS) + 1
    ws.write_string(row, A["label"], ctx.t("ab.legend"), st.label)
    ws.write_string(row + 1, A["label"], ctx.t("ab.input"), st.cell("text", "own"))
    ws.write_string(row + 2, A["label"], ctx.t("ab.calc"), st.text_calc)
    # the labels shown whole (the longest is a sentence: "Empreinte des saisies écrites ...")
    label_width = max(len(_label(ctx, key)) for key in L.ABOUT_KEYS) + 2
    for col, width in zip(A.values(), (12, label_width, 80), strict=True):
        ws.set_column(col, col, width)
    page_setup(ws, ctx.t("title.about"))
    protect(ws, editable_rows=False)
