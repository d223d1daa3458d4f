"""Renderers of a diff: text (terminal), Markdown (reviews), JSON (a stable schema)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from decimal import Decimal
from enum import StrEnum

from budgetplan.core.codes import NAMES
from budgetplan.core.codes import name as code_name
from budgetplan.core.display import escape, show
from budgetplan.core.display import plain as _n
from budgetplan.core.findings import in_lang
from budgetplan.core.labels import Lang, label
from budgetplan.core.model import CostLine, Nature
from budgetplan.core.money import eur, to_cents
from budgetplan.diff.compare import DiffResult
from budgetplan.xlsx import layout as L


def _eur(cents: int, lang: str = "en") -> str:
    return eur(cents, lang, unit=False)


def _delta(old: int, new: int, lang: str = "en") -> str:
    d = new - old
    pct = ""
    if old:
        share = f"{d / old * 100:+.1f}"
        pct = f" ({share.replace('.', ',')} %)" if lang == "fr" else f" ({share}%)"
    return f"{'+' if d >= 0 else '-'}{_eur(abs(d), lang)}{pct}"


#: The first words of a total's key ("pilot SCAN", "year 2023") that a language translates.
_KEY_WORDS = ("pilot", "year", "titre", "programme")


def _kind(item: str) -> str:
    return item.partition("[")[0].split(".")[-1]


def _param_words(item: str, key: str) -> str:
    """A changed field in French words: ``Probable (j) du jalon SCAN-LAW``."""
    found = L.ITEM_KINDS.get(_kind(item))
    ident = item.partition("[")[2].split("]")[0]
    if found is None:
        return f"{item}.{key}"
    return f"{L.field_label(_kind(item), key, 'fr')} {found[2]} {ident}"


def key_words(key: str, lang: Lang) -> str:
    """A total's key as a sentence says it: ``pilot SCAN`` -> pilote SCAN."""
    head, _, rest = key.partition(" ")
    return f"{_w(f'key_{head}', lang)} {rest}".strip() if head in _KEY_WORDS else key


def _title(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number(cents: int) -> float:
    """Euros as a JSON number, exact to the cent (a double holds 15 digits: EUR 10 billion)."""
    return float(Decimal(cents) / 100)


def _json_value(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _line_json(line: CostLine | None) -> dict[str, object] | None:
    if line is None:
        return None
    return {k: _json_value(v) for k, v in line.model_dump(mode="python").items()}


def content(line: CostLine | None, lang: str = "en") -> str:
    """What an added or removed line is, in a few words a reviewer reads."""
    if line is None:
        return ""
    nature = line.nature.value if lang == "en" else code_name(line.nature, Nature, "fr")
    return (
        f"{escape(line.label)} · {line.pilot} · T{int(line.titre)} · {nature} · "
        f"{_n(line.quantity)} x {_eur(to_cents(line.unit_cost), lang)} HT · AE {line.ae_year}"
    )


def _field(key: str, lang: Lang) -> str:
    """A cost line's field as the French workbook heads its column; its key in English."""
    if lang == "fr":
        column = next((c for c in L.INPUTS.columns if c.key == key), None)
        if column is not None:
            return label(column.label, "fr")
    return key


def _show(value: object, lang: Lang) -> str:
    """A changed value: a code by its French name in French, as the workbook shows it."""
    if lang == "fr" and isinstance(value, StrEnum) and type(value) in NAMES:
        return code_name(value, type(value), "fr")
    return show(value)


def to_json(r: DiffResult) -> str:
    data = {
        "same": r.same,
        "lines": [
            {
                "id": line.id,
                "status": line.status,
                "changes": {
                    k: {"old": _json_value(c.old), "new": _json_value(c.new)}
                    for k, c in line.changes.items()
                },
                "line": _line_json(line.line) if line.status in ("added", "removed") else None,
                "ae_old": _number(line.ae_old),
                "ae_new": _number(line.ae_new),
            }
            for line in r.lines
        ],
        "parameters": [
            {"item": i, "field": f, "old": _json_value(c.old), "new": _json_value(c.new)}
            for i, f, c in r.parameters
        ],
        "totals": {
            "ae_old": _number(r.total_ae[0]),
            "ae_new": _number(r.total_ae[1]),
            "headroom_old": _number(r.headroom[0]),
            "headroom_new": _number(r.headroom[1]),
            "lines_explain": _number(r.lines_delta + r.hidden_delta),
            "unexplained": _number(r.unexplained),
            "by": [
                {
                    "key": t.key,
                    "ae_old": _number(t.ae_old),
                    "ae_new": _number(t.ae_new),
                    "cp_old": _number(t.cp_old),
                    "cp_new": _number(t.cp_new),
                }
                for t in r.totals
            ],
        },
        "milestones": [
            {
                "id": m.id,
                "pilot": m.pilot,
                "old": _json_value(m.old),
                "new": _json_value(m.new),
                "old_float_days": m.old_float,
                "new_float_days": m.new_float,
            }
            for m in r.milestones
        ],
        "readiness": [
            {
                "pilot": x.pilot,
                "event": x.event,
                "old_margin_days": x.old,
                "new_margin_days": x.new,
                "old_probability": round(x.old_probability, 4),
                "new_probability": round(x.new_probability, 4),
                "became_late": x.became_late,
            }
            for x in r.readiness
        ],
        "checks": [
            {"code": c.code, "old": c.old, "new": c.new, "message": c.message} for c in r.checks
        ],
        "hidden_under_threshold": r.hidden,
        "hidden_ae_change": _number(r.hidden_delta),
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def cell(text: object) -> str:
    """Text for a Markdown table cell that renders as written: no pipe ends the cell, no
    emphasis, link or HTML starts, no line breaks or bidi controls."""
    out = escape(str(text))
    for ch in "\\`*_[]<>|#~":
        out = out.replace(ch, "\\" + ch)
    return out


def _table(head: list[str], rows: list[list[object]], right: set[int] = frozenset()) -> list[str]:
    out = ["| " + " | ".join(head) + " |"]
    out.append("|" + "|".join("---:" if i in right else "---" for i in range(len(head))) + "|")
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def _w(key: str, lang: Lang, **fields: object) -> str:
    """A word of the diff report (labels ``dfw.*``), in ``lang``."""
    return label(f"dfw.{key}", lang).format(**fields)


def _pct(p: float, lang: Lang) -> str:
    return f"{p * 100:.0f} %" if lang == "fr" else f"{p:.0%}"


def _md_section(title: str, table: list[str]) -> list[str]:
    return ["", f"### {_title(title)}", "", *table]


def _md_totals(r: DiffResult, lang: Lang) -> list[str]:
    """The AE and headroom before and after, and whether the lines' changes explain the move."""
    w = functools.partial(_w, lang=lang)
    rows = [
        [w(name), _eur(old, lang), _eur(new, lang), _delta(old, new, lang=lang)]
        for name, (old, new) in (("AE (incl. VAT)", r.total_ae), ("Headroom", r.headroom))
    ]
    out = _table(["", w("Old"), w("New"), w("Change")], rows, {1, 2, 3})
    tie = w("ties") if r.unexplained == 0 else w("unexplained", amount=_eur(r.unexplained, lang))
    return [*out, "", tie[0].upper() + tie[1:] + "."]


def _md_lines(r: DiffResult, lang: Lang) -> list[str]:
    w = functools.partial(_w, lang=lang)
    rows = []
    for line in sorted(r.lines, key=lambda x: (x.status, x.id)):
        what = "; ".join(
            f"{_field(k, lang)}: {_show(c.old, lang)} → {_show(c.new, lang)}"
            for k, c in line.changes.items()
        ) or content(line.line, lang)
        old, new = line.ae_old, line.ae_new
        rows.append(
            [
                w(line.status),
                line.id,
                _eur(old, lang),
                _eur(new, lang),
                _delta(old, new, lang),
                what,
            ]
        )
    heads = ["Status", "Line", "AE old", "AE new", "Change", "What"]
    return _md_section(w("cost lines"), _table([w(h) for h in heads], rows, {2, 3, 4}))


def _md_parameters(r: DiffResult, lang: Lang) -> list[str]:
    w = functools.partial(_w, lang=lang)
    rows = [
        [
            it if lang == "en" else L.item_words(it, "fr"),
            key if lang == "en" else L.field_label(_kind(it), key, "fr"),
            _show(c.old, lang),
            _show(c.new, lang),
        ]
        for it, key, c in r.parameters
    ]
    return _md_section(w("programme"), _table([w("Item"), w("Field"), w("Old"), w("New")], rows))


def _md_impact(r: DiffResult, lang: Lang) -> list[str]:
    w = functools.partial(_w, lang=lang)
    rows = [
        [
            key_words(t.key, lang),
            _eur(t.ae_old, lang),
            _eur(t.ae_new, lang),
            _delta(t.ae_old, t.ae_new, lang),
            _eur(t.cp_old, lang),
            _eur(t.cp_new, lang),
        ]
        for t in r.totals
    ]
    heads = ("Total", "AE old", "AE new", "AE change", "CP old", "CP new")
    return _md_section(w("impact"), _table([w(h) for h in heads], rows, {1, 2, 3, 4, 5}))


def _md_milestones(r: DiffResult, lang: Lang) -> list[str]:
    w = functools.partial(_w, lang=lang)
    heads = ("Milestone", "Pilot", "Old", "New", "Float old (days)", "Float new")
    rows = [
        [m.id, m.pilot, show(m.old), show(m.new), show(m.old_float), show(m.new_float)]
        for m in r.milestones
    ]
    return _md_section(w("milestones"), _table([w(h) for h in heads], rows))


def _md_readiness(r: DiffResult, lang: Lang) -> list[str]:
    w = functools.partial(_w, lang=lang)
    heads = ["Pilot", "Event", "Margin old (days)", "Margin new", "Ready old", "Ready new"]
    rows = [
        [
            x.pilot,
            x.event,
            show(x.old),
            show(x.new),
            _pct(x.old_probability, lang),
            _pct(x.new_probability, lang),
            w("NOW LATE") if x.became_late else "",
        ]
        for x in r.readiness
    ]
    return _md_section(w("Readiness"), _table([*(w(h) for h in heads), ""], rows, {2, 3, 4, 5}))


def _md_checks(r: DiffResult, lang: Lang) -> list[str]:
    w = functools.partial(_w, lang=lang)
    state = {True: w("pass"), False: w("FAIL")}
    rows = [[c.code, state[c.old], state[c.new], in_lang(c.message, lang)] for c in r.checks]
    return _md_section(w("checks"), _table([w("Check"), w("Old"), w("New"), w("Message")], rows))


def to_markdown(r: DiffResult, old: str, new: str, lang: Lang = "en") -> str:
    """The diff as Markdown tables a reviewer pastes into a merge request, one per part."""
    out = [f"## {cell(old)} → {cell(new)}", ""]
    if r.same:
        return "\n".join([*out, _w("No change.", lang)])
    out += _md_totals(r, lang)
    if r.lines:
        out += _md_lines(r, lang)
    if r.hidden:
        out += ["", _w("hidden", lang, n=r.hidden, amount=_eur(r.hidden_delta, lang)) + "."]
    for present, section in (
        (r.parameters, _md_parameters),
        (r.totals, _md_impact),
        (r.milestones, _md_milestones),
        (r.readiness, _md_readiness),
        (r.checks, _md_checks),
    ):
        if present:
            out += section(r, lang)
    return "\n".join(out)


def to_text(r: DiffResult, old: str, new: str, lang: Lang = "en") -> str:
    """Long: one paragraph per part of the diff, in report order (``to_markdown`` for tables)."""
    w = functools.partial(_w, lang=lang)

    def h(title: str) -> str:
        return f"\n{w(title).upper()}"

    item = "  "
    out = [f"{old} -> {new}"]
    if r.same:
        out.append(w("no_change"))
        return "\n".join(out)
    out.append(
        f"{item}AE {_eur(r.total_ae[0], lang)} -> {_eur(r.total_ae[1], lang)} "
        f"({_delta(*r.total_ae, lang=lang)}); {w('headroom')} {_eur(r.headroom[0], lang)} -> "
        f"{_eur(r.headroom[1], lang)}"
    )
    tie = w("ties") if r.unexplained == 0 else w("unexplained", amount=_eur(r.unexplained, lang))
    out.append(f"{item}{tie}")
    if r.lines:
        out.append(h("cost lines"))
        for line in sorted(r.lines, key=lambda x: (x.status, x.id)):
            fields = "; ".join(
                f"{_field(k, lang)}: {_show(c.old, lang)} -> {_show(c.new, lang)}"
                for k, c in line.changes.items()
            )
            amount = (
                f"AE {_eur(line.ae_old, lang)} -> {_eur(line.ae_new, lang)} "
                f"({_delta(line.ae_old, line.ae_new, lang)})"
            )
            what = fields or (
                content(line.line, lang) if line.status in ("added", "removed") else ""
            )
            out.append(
                f"{item}{w(line.status):<9} {line.id:<14} {amount}"
                + (f"  [{what}]" if what else "")
            )
    if r.hidden:
        out.append(f"{item}" + w("hidden", n=r.hidden, amount=_eur(r.hidden_delta, lang)))
    if r.parameters:
        out.append(h("programme"))
        for it, key, c in r.parameters:
            where = f"{it}.{key}:" if lang == "en" else f"{_param_words(it, key)} :"
            out.append(f"{item}{where} {_show(c.old, lang)} -> {_show(c.new, lang)}")
    if r.totals:
        out.append(h("impact"))
        for t in r.totals:
            out.append(
                f"{item}{key_words(t.key, lang):<14} AE {_eur(t.ae_old, lang)} -> {_eur(t.ae_new, lang)} "
                f"({_delta(t.ae_old, t.ae_new, lang)}); CP {_eur(t.cp_old, lang)} -> {_eur(t.cp_new, lang)}"
            )
    if r.milestones:
        out.append(h("milestones"))
        for m in r.milestones:
            slack = ""
            if m.old_float != m.new_float:
                slack = "; " + w("float", old=show(m.old_float), new=show(m.new_float))
            out.append(f"{item}{m.id} ({m.pilot}): {show(m.old)} -> {show(m.new)}{slack}")
    if r.readiness:
        out.append(h("readiness"))
        for x in r.readiness:
            flag = f"  ** {w('NOW LATE')} **" if x.became_late else ""
            odds = f" ({_pct(x.old_probability, lang)} -> {_pct(x.new_probability, lang)})"
            out.append(f"{item}{x.pilot} / {x.event}: {show(x.old)} -> {show(x.new)}{odds}{flag}")
    if r.checks:
        out.append(h("checks"))
        for c in r.checks:
            state = lambda ok: w("pass") if ok else w("FAIL")  # noqa: E731
            message = in_lang(c.message, lang)
            out.append(f"{item}{c.code}: {state(c.old)} -> {state(c.new)}  {message}")
    return "\n".join(out)
