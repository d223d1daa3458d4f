"""Renderers of findings: text (terminal), JSON (machines), Markdown (reviews)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from budgetplan.core.findings import Finding, Severity, in_lang
from budgetplan.core.labels import Lang, label
from budgetplan.core.money import eur, to_cents

ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def finding_dict(f: Finding, lang: str = "en") -> dict[str, object]:
    """A finding for machines: codes as codes, the message and hint in ``lang``."""
    return {
        "severity": f.severity.value,
        "code": f.code,
        "sheet": f.sheet,
        "cell": f.cell,
        "message": in_lang(f.message, lang),
        "hint": in_lang(f.hint, lang),
        "file": f.file,
        "path": ".".join(str(p) for p in f.path),
        # an edit's item and field as the scenario names them (the message says them in words)
        **{k: f.extra[k] for k in ("item", "field") if k in f.extra},
    }


def to_json(findings: Iterable[Finding], lang: str = "en", **extra: object) -> str:
    return json.dumps(
        {"findings": [finding_dict(f, lang) for f in findings], **extra},
        indent=2,
        ensure_ascii=False,
    )


def to_text(findings: list[Finding], title: str, lang: Lang = "en") -> str:
    out = [title]
    for severity in ORDER:
        group = [f for f in findings if f.severity is severity]
        if not group:
            continue
        out.append(f"\n{label(f'rep.{severity.value}s', lang)} ({len(group)})")
        width = max(len(_where(f)) for f in group)
        for f in group:
            hint = f"  -> {in_lang(f.hint, lang)}" if f.hint else ""
            out.append(f"  {_where(f):<{width}}  {f.code:<20} {in_lang(f.message, lang)}{hint}")
    counts = [sum(f.severity is s for f in findings) for s in ORDER]
    out.append("\n" + label("rep.counts", lang).format(*counts))
    return "\n".join(out)


def to_markdown(findings: list[Finding], title: str, lang: Lang = "en") -> str:
    out = [f"## {title}", ""]
    if not findings:
        return "\n".join([*out, label("rep.none", lang)])
    heads = [label(f"rec.{k}", lang) for k in ("severity", "code", "where", "message", "hint")]
    out += ["| " + " | ".join(heads) + " |", "| --- | --- | --- | --- | --- |"]
    for severity in ORDER:
        for f in (f for f in findings if f.severity is severity):
            cells = [
                label(f"rec.{f.severity.value}", lang),
                f.code,
                _where(f),
                in_lang(f.message, lang),
                in_lang(f.hint, lang),
            ]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out)


def _where(f: Finding) -> str:
    if f.sheet:
        return f"{f.sheet}!{f.cell}" if f.cell else f.sheet
    if f.file and f.line:
        return f"{Path(f.file).name}:{f.line}"
    return ".".join(str(p) for p in f.path)


def actuals_dict(report) -> dict[str, object]:  # type: ignore[no-untyped-def]
    def line(la) -> dict[str, object]:  # type: ignore[no-untyped-def]
        return {
            "id": la.line,
            "pilot": la.pilot,
            "ae": str(la.ae),
            "committed": str(la.committed),
            "ae_consumption": None if la.ae_rate is None else str(la.ae_rate),
            "cp_planned_to_date": str(la.cp_to_date),
            "paid": str(la.paid),
            "cp_variance": str(la.cp_variance),
            "forecast_at_completion": str(la.forecast),
        }

    return {
        "as_of": report.as_of.isoformat() if report.as_of else None,
        "lines": [line(la) for la in report.lines],
        "pilots": [line(la) for la in report.by_pilot.values()],
        "months": [
            {"month": f"{m:%Y-%m}", "cp_planned": str(p), "paid": str(a)}
            for m, (p, a) in report.by_month.items()
        ],
        "unmatched": [
            {
                "row": a.row,
                "commitment": a.commitment,
                "date": a.date.isoformat(),
                "amount": str(a.amount),
                "status": a.status,
                "key": a.key,
            }
            for a in report.unmatched
        ],
    }


def actuals_text(report, markdown: bool = False, lang: Lang = "en") -> str:  # type: ignore[no-untyped-def]
    """Budget against actual, pilot by pilot, in ``lang``: a table for the terminal or Markdown."""
    from budgetplan.readback.workbook import ACTUALS_HEADINGS

    heads = (label("rec.pilot", lang), *(label(k, lang) for k in ACTUALS_HEADINGS))
    rows = []
    for la in report.by_pilot.values():
        rate = "-" if la.ae_rate is None else percent(la.ae_rate, lang)
        amounts = (la.ae, la.committed, la.cp_to_date, la.paid, la.cp_variance, la.forecast)
        ae, committed, cp_to_date, paid, variance, forecast = (_eur(v, lang) for v in amounts)
        rows.append((la.line, ae, committed, rate, cp_to_date, paid, variance, forecast))
    as_of = label("rec.as_of", lang).format(date=f"{report.as_of:%d/%m/%Y}") if report.as_of else ""
    title = label("rec.actuals_title", lang).format(as_of=as_of)
    if markdown:
        out = [
            f"### {title}",
            "",
            "| " + " | ".join(heads) + " |",
            "|" + " --- |" * len(heads),
        ]
        out += ["| " + " | ".join(r) + " |" for r in rows]
    else:
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(heads)]
        out = [
            f"\n{title.upper()}",
            "  " + "  ".join(h.rjust(w) for h, w in zip(heads, widths, strict=True)),
        ]
        out += ["  " + "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    if report.unmatched:
        out.append(label("rec.n_unmatched", lang).format(n=len(report.unmatched)))
    return "\n".join(out)


def percent(rate: Decimal, lang: Lang) -> str:
    text = f"{rate * 100:.1f}"
    return f"{text.replace('.', ',')} %" if lang == "fr" else f"{text}%"


def _eur(value, lang: Lang = "en") -> str:  # type: ignore[no-untyped-def]
    return eur(to_cents(Decimal(str(value))), lang, unit=False)
