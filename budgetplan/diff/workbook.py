"""The diff as a workbook for finance officers: a Changes sheet, then the new version with the
changed cells highlighted and their old value in a comment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from budgetplan.core.atomic import atomic_path
from budgetplan.core.findings import in_lang
from budgetplan.core.labels import Lang, label
from budgetplan.core.lock import writing
from budgetplan.core.model import Programme
from budgetplan.core.money import eur
from budgetplan.core.source import Source
from budgetplan.diff.compare import DiffResult
from budgetplan.diff.render import key_words, show
from budgetplan.xlsx import layout as L
from budgetplan.xlsx import number_formats as nf
from budgetplan.xlsx.stamp import keep_if_edited, set_placeholder, stamp
from budgetplan.xlsx.workbook.context import Context, print_fitted
from budgetplan.xlsx.workbook.writer import write_workbook


def _text(value: object) -> str:
    return show(value, none="")


def _kind(item: str) -> str:
    return item.partition("[")[0].split(".")[-1]


def _as_kind(kind: str, field: str, value: object) -> object:
    """A changed value written as its column shows it: an amount (a Decimal of euros) as
    euros, which the tables write floats as; anything else as it is."""
    column = L.field_column(kind, field)
    if column is not None and column.kind == "money" and isinstance(value, Decimal):
        return float(value)
    return value


def write_diff_workbook(
    result: DiffResult, new: Programme, target: Path, lang: Lang, old_name: str, new_name: str
) -> Path | None:
    """Long: lays the diff workbook out top to bottom, one table per part of the diff. A file
    already at ``target`` that budgetplan did not write as it is (an officer's workbook, a diff
    someone typed into) is kept as a backup first, and that backup returned."""

    def t(key: str, **fields: object) -> str:
        return label(key, lang).format(**fields)

    highlights: dict[tuple[str, str], dict[str, object]] = {}
    for line in result.lines:
        if line.status == "added":
            highlights[("line", line.id)] = {"*": t("dif.added")}
        elif line.status != "removed":
            highlights[("line", line.id)] = {k: _text(c.old) for k, c in line.changes.items()}
    for total in result.totals:  # the Summary's totals that moved: highlighted, old in a comment
        moved = {}
        if total.ae_old != total.ae_new:
            moved["ae"] = eur(total.ae_old, lang)
        if total.cp_old != total.cp_new:
            moved["cp"] = eur(total.cp_old, lang)
        if moved:
            highlights[("total", total.key)] = moved

    def changes_sheet(ctx: Context) -> None:
        """Long: lays the Changes sheet out top to bottom, one table per part of the diff."""
        wb = ctx.wb
        ws = wb.add_worksheet(t("dif.sheet"))
        ctx.sheets["changes"] = ws
        bold = wb.add_format({"bold": True, "font_size": 14})
        head = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78"})
        money = wb.add_format({"num_format": nf.MONEY})
        plain = wb.add_format({"num_format": "General"})
        day = wb.add_format({"num_format": nf.DATE})
        ws.write_string(0, 0, f"{old_name} -> {new_name}", bold)
        row = 2
        ws.write_string(row, 0, t("dif.ae_total"))
        ws.write_number(row, 1, result.total_ae[0] / 100, money)
        ws.write_number(row, 2, result.total_ae[1] / 100, money)
        ws.write_string(row + 1, 0, t("dif.headroom"))
        ws.write_number(row + 1, 1, result.headroom[0] / 100, money)
        ws.write_number(row + 1, 2, result.headroom[1] / 100, money)
        tie = (
            t("dif.tie")
            if result.unexplained == 0
            else t("dif.untied", amount=eur(result.unexplained, lang))
        )
        ws.write_string(row + 2, 0, tie)
        row += 4

        def table(title: str, heads: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
            nonlocal row
            if not rows:
                return
            ws.write_string(row, 0, title, wb.add_format({"bold": True}))
            row += 1
            for c, h in enumerate(heads):
                ws.write_string(row, c, h, head)
            for values in rows:
                row += 1
                for c, v in enumerate(values):
                    if isinstance(v, Decimal | int) and not isinstance(v, bool):
                        # a changed quantity, rate, amount or number of days: a plain number
                        ws.write_number(row, c, float(v), plain)
                    elif isinstance(v, dt.date):
                        ws.write_datetime(row, c, dt.datetime(v.year, v.month, v.day), day)
                    elif isinstance(v, float):  # euros: the cents divided by 100
                        ws.write_number(row, c, v, money)
                    else:
                        ws.write_string(row, c, _text(v))
            row += 2

        table(
            t("dif.lines"),
            tuple(
                t(f"dif.{k}")
                for k in ("id", "status", "field", "old", "new", "ae_old", "ae_new", "ae_change")
            ),
            [
                (
                    x.id,
                    label(f"dfw.{x.status}", lang),
                    L.field_label("cost_lines", k, lang),
                    _as_kind("cost_lines", k, c.old),
                    _as_kind("cost_lines", k, c.new),
                    x.ae_old / 100,
                    x.ae_new / 100,
                    x.ae_delta / 100,
                )
                for x in result.lines
                for k, c in (x.changes.items() or [("", type("C", (), {"old": "", "new": ""})())])
            ],
        )
        table(
            t("dif.programme"),
            tuple(t(f"dif.{k}") for k in ("item", "field", "old", "new")),
            [
                (
                    L.item_words(i, lang),
                    L.field_label(_kind(i), f, lang),
                    _as_kind(_kind(i), f, c.old),
                    _as_kind(_kind(i), f, c.new),
                )
                for i, f, c in result.parameters
            ],
        )
        table(
            t("dif.impact"),
            tuple(t(f"dif.{k}") for k in ("total", "ae_old", "ae_new", "cp_old", "cp_new")),
            [
                (
                    key_words(t.key, lang),
                    t.ae_old / 100,
                    t.ae_new / 100,
                    t.cp_old / 100,
                    t.cp_new / 100,
                )
                for t in result.totals
            ],
        )
        table(
            t("dif.milestones"),
            tuple(t(f"dif.{k}") for k in ("id", "pilot", "old", "new", "float_old", "float_new")),
            [(m.id, m.pilot, m.old, m.new, m.old_float, m.new_float) for m in result.milestones],
        )
        table(
            t("dif.readiness"),
            tuple(t(f"dif.{k}") for k in ("pilot", "event", "old", "new", "late_now")),
            [
                (  # days, plain numbers (not euros)
                    r.pilot,
                    r.event,
                    None if r.old is None else Decimal(r.old),
                    None if r.new is None else Decimal(r.new),
                    t("dif.late") if r.became_late else "",
                )
                for r in result.readiness
            ],
        )
        state = {True: t("dif.pass"), False: t("dif.fail")}
        table(
            t("dif.checks"),
            tuple(t(f"dif.{k}") for k in ("id", "old", "new", "message")),
            [(c.code, state[c.old], state[c.new], in_lang(c.message, lang)) for c in result.checks],
        )
        ws.set_column(0, 0, 22)
        ws.set_column(1, 7, 18)
        print_fitted(ws, f"{old_name} -> {new_name}", 0)

    from budgetplan.compute.figures import compute
    from budgetplan.compute.risk import sheet_simulation

    def before(ctx: Context) -> None:
        set_placeholder(ctx.wb)  # stamped once written: a later diff can tell it was edited
        changes_sheet(ctx)

    fig = compute(new)
    with writing(target):
        kept = keep_if_edited(target)  # someone's workbook, or this report typed into since
        with atomic_path(target) as tmp:
            write_workbook(
                new,
                Source(new_name, new_name, ""),
                tmp,
                lang,
                figures=fig,
                highlights=highlights,
                before=before,
                risk=sheet_simulation(fig),
            )
            stamp(tmp)
    return kept
