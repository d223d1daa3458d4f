"""Renderers of findings: text (terminal), JSON (machines), Markdown (reviews)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from budgetplan.findings import Finding, Severity

ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def finding_dict(f: Finding) -> dict[str, object]:
    return {
        "severity": f.severity.value,
        "code": f.code,
        "sheet": f.sheet,
        "cell": f.cell,
        "message": f.message,
        "hint": f.hint,
        "file": f.file,
        "path": ".".join(str(p) for p in f.path),
    }


def to_json(findings: Iterable[Finding], **extra: object) -> str:
    return json.dumps(
        {"findings": [finding_dict(f) for f in findings], **extra}, indent=2, ensure_ascii=False
    )


def to_text(findings: list[Finding], title: str) -> str:
    out = [title]
    for severity in ORDER:
        group = [f for f in findings if f.severity is severity]
        if not group:
            continue
        out.append(f"\n{severity.value.upper()}S ({len(group)})")
        width = max(len(_where(f)) for f in group)
        for f in group:
            hint = f"  -> {f.hint}" if f.hint else ""
            out.append(f"  {_where(f):<{width}}  {f.code:<20} {f.message}{hint}")
    counts = ", ".join(f"{sum(f.severity is s for f in findings)} {s.value}(s)" for s in ORDER)
    out.append(f"\n{counts}")
    return "\n".join(out)


def to_markdown(findings: list[Finding], title: str) -> str:
    out = [f"## {title}", ""]
    if not findings:
        return "\n".join([*out, "No findings."])
    out += ["| severity | code | where | message | what to do |", "| --- | --- | --- | --- | --- |"]
    for severity in ORDER:
        for f in (f for f in findings if f.severity is severity):
            cells = [f.severity.value, f.code, _where(f), f.message, f.hint]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out)


def _where(f: Finding) -> str:
    if f.sheet:
        return f"{f.sheet}!{f.cell}" if f.cell else f.sheet
    return ".".join(str(p) for p in f.path)
