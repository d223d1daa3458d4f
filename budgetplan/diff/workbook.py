"""The diff as a workbook for finance officers: a Changes sheet, then the new version with the
changed cells highlighted and their old value in a comment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from budgetplan.core.atomic import atomic_path
from budgetplan.core.findings import in_lang
from budgetplan.core.labels import Lang, filled, label
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


def _highlights(result: DiffResult, lang: Lang) -> dict[tuple[str, str], dict[str, object]]:
    """The cells of the new version to highlight, each with its old value for a comment: the
    changed lines' fields (an added line whole) and the Summary's totals that moved."""
    highlights: dict[tuple[str, str], dict[str, object]] = {}
    for line in result.lines:
        if line.status == "added":
            highlights[("line", line.id)] = {"*": filled("dif.added", lang)}
        elif line.status != "removed":
            highlights[("line", line.id)] = {k: _text(c.old) for k, c in line.changes.items()}
    for total in result.totals:
        moved = {}
        if total.ae_old != total.ae_new:
            moved["ae"] = eur(total.ae_old, lang)
        if total.cp_old != total.cp_new:
            moved["cp"] = eur(total.cp_old, lang)
        if moved:
            highlights[("total", total.key)] = moved
    return highlights


#: One table of the Changes sheet: its title, its column heads, its rows.
_Table = tuple[str, tuple[str, ...], list[tuple[object, ...]]]


def _heads(lang: Lang, *keys: str) -> tuple[str, ...]:
    return tuple(filled(f"dif.{k}", lang) for k in keys)


def _line_table(result: DiffResult, lang: Lang) -> _Table:
    no_change = [("", type("C", (), {"old": "", "new": ""})())]  # an added or removed line
    rows: list[tuple[object, ...]] = [
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
        for k, c in (x.changes.items() or no_change)
    ]
    keys = ("id", "status", "field", "old", "new", "ae_old", "ae_new", "ae_change")
    return filled("dif.lines", lang), _heads(lang, *keys), rows


def _tables(result: DiffResult, lang: Lang) -> list[_Table]:
    """The Changes sheet's tables, in order: lines, programme, impact, milestones, readiness,
    checks (an empty one is left out)."""
    state = {True: filled("dif.pass", lang), False: filled("dif.fail", lang)}
    parameters = [
        (
            L.item_words(i, lang),
            L.field_label(_kind(i), f, lang),
            _as_kind(_kind(i), f, c.old),
            _as_kind(_kind(i), f, c.new),
        )
        for i, f, c in result.parameters
    ]
    impact = [
        (key_words(x.key, lang), x.ae_old / 100, x.ae_new / 100, x.cp_old / 100, x.cp_new / 100)
        for x in result.totals
    ]
    milestones = [
        (m.id, m.pilot, m.old, m.new, m.old_float, m.new_float) for m in result.milestones
    ]
    readiness = [
        (  # days, plain numbers (not euros)
            r.pilot,
            r.event,
            None if r.old is None else Decimal(r.old),
            None if r.new is None else Decimal(r.new),
            filled("dif.late", lang) if r.became_late else "",
        )
        for r in result.readiness
    ]
    checks = [(c.code, state[c.old], state[c.new], in_lang(c.message, lang)) for c in result.checks]
    return [
        _line_table(result, lang),
        (filled("dif.programme", lang), _heads(lang, "item", "field", "old", "new"), parameters),
        (
            filled("dif.impact", lang),
            _heads(lang, "total", "ae_old", "ae_new", "cp_old", "cp_new"),
            impact,
        ),
        (
            filled("dif.milestones", lang),
            _heads(lang, "id", "pilot", "old", "new", "float_old", "float_new"),
            milestones,
        ),
        (
            filled("dif.readiness", lang),
            _heads(lang, "pilot", "event", "old", "new", "late_now"),
            readiness,
        ),
        (filled("dif.checks", lang), _heads(lang, "id", "old", "new", "message"), checks),
    ]


def _changes_sheet(
    ctx: Context, result: DiffResult, lang: Lang, old_name: str, new_name: str
) -> None:
    """The Changes sheet, top to bottom: the totals before and after, whether the lines'
    changes explain the move, then one table per part of the diff."""
    wb = ctx.wb
    ws = wb.add_worksheet(filled("dif.sheet", lang))
    ctx.sheets["changes"] = ws
    head = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78"})
    title = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": nf.MONEY})
    plain = wb.add_format({"num_format": "General"})
    day = wb.add_format({"num_format": nf.DATE})
    ws.write_string(
        0, 0, f"{old_name} -> {new_name}", wb.add_format({"bold": True, "font_size": 14})
    )
    for row, key, (old, new) in (
        (2, "dif.ae_total", result.total_ae),
        (3, "dif.headroom", result.headroom),
    ):
        ws.write_string(row, 0, filled(key, lang))
        ws.write_number(row, 1, old / 100, money)
        ws.write_number(row, 2, new / 100, money)
    untied = filled("dif.untied", lang, amount=eur(result.unexplained, lang))
    ws.write_string(4, 0, filled("dif.tie", lang) if result.unexplained == 0 else untied)
    row = 6
    for name, heads, rows in _tables(result, lang):
        if not rows:
            continue
        ws.write_string(row, 0, name, title)
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
    ws.set_column(0, 0, 22)
    ws.set_column(1, 7, 18)
    print_fitted(ws, f"{old_name} -> {new_name}", 0)


def write_diff_workbook(
    result: DiffResult, new: Programme, target: Path, lang: Lang, old_name: str, new_name: str
) -> Path | None:
    """The Changes sheet, then the new version's workbook with the changed cells highlighted. A
    file already at ``target`` that budgetplan did not write as it is (an officer's workbook, a
    diff someone typed into) is kept as a backup first, and that backup returned."""
    from budgetplan.compute.figures import compute
    from budgetplan.compute.risk import sheet_simulation

    def before(ctx: Context) -> None:
        set_placeholder(ctx.wb)  # stamped once written: a later diff can tell it was edited
        _changes_sheet(ctx, result, lang, old_name, new_name)

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
                highlights=_highlights(result, lang),
                before=before,
                risk=sheet_simulation(fig),
            )
            stamp(tmp)
    return kept
