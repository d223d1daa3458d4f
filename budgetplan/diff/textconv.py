"""A stable, line-oriented, id-sorted text view of a workbook or scenario, for `git diff`: the
budget figures a reviewer reads first, then every input field on a line of its own, so that no
edit of an input is invisible. Text is escaped: no label can forge a line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.display import escape
from budgetplan.core.display import plain as _n
from budgetplan.core.model import Programme


def _eur(cents: int) -> str:
    return f"{cents / 100:.2f}"


#: The field that names an item of a list in the input records, first found wins.
_ITEM_KEYS = ("id", "year", "event", "route", "kind", "valid_from")


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | float | int):
        return _n(Decimal(str(value)))
    return escape(str(value))


def _records(value: Any, path: str, out: list[str]) -> None:
    """One ``path: value`` line for every input field under ``value``; items of a list named by
    their id (or year, event...), so that a line's path never depends on its position."""
    if isinstance(value, dict):
        for key in sorted(value, key=str):
            _records(value[key], f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list | tuple) and value and all(isinstance(v, dict) for v in value):
        named = []
        for i, item in enumerate(value):
            if "calendar" in item:  # a closure: its calendar and first day
                name = f"{item['calendar']} {item.get('first_day')}"
            else:
                key = next((item[k] for k in _ITEM_KEYS if item.get(k) not in (None, "")), i + 1)
                name = _scalar(key)
            named.append((name, item))
        for name, item in sorted(named, key=lambda x: x[0]):
            _records(item, f"{path}[{name}]", out)
    elif isinstance(value, list | tuple):
        out.append(f"{path}: {', '.join(_scalar(v) for v in value)}")
    else:
        out.append(f"{path}: {_scalar(value)}")


def input_records(programme: Programme) -> list[str]:
    """Every input of the programme, a line a field, sorted: what no edit can slip past."""
    out: list[str] = []
    _records(programme.model_dump(mode="python", exclude_none=False), "", out)
    return ["input " + line for line in out]


def textconv(programme: Programme) -> str:
    fig = compute(programme)
    out = [f"programme {programme.id}: {escape(programme.title)}"]
    for env in sorted(programme.envelopes, key=lambda e: e.year):
        out.append(
            f"envelope {env.year}: AE {env.ae} CP {env.cp} titre2 {env.titre2} "
            f"programme {escape(str(env.budget_programme))} action {escape(str(env.action))}"
        )
    r = programme.reserve
    out.append(
        f"reserve: titre2 {_n(r.titre2_rate)} other {_n(r.other_rate)}; VAT {_n(programme.vat_rate)}"
    )
    for e in sorted(programme.events, key=lambda e: e.id):
        out.append(f"event {e.id}: {e.first_day} .. {e.last_day}  {escape(e.name)}")
    for lf in sorted(fig.lines, key=lambda x: x.id):
        line = lf.line
        cp = (
            f"{line.cp.start:%Y-%m}..{line.cp.end:%Y-%m}"
            if line.cp.start and line.cp.end
            else "explicit "
            + ",".join(f"{m:%Y-%m}={a}" for m, a in sorted(line.cp.amounts.items()))
        )
        out.append(
            f"line {line.id} | {line.pilot} | T{int(line.titre)} | {line.nature.value} | "
            f"{_n(line.quantity)} x {line.unit_cost} = {_eur(lf.ht)} HT | {_eur(lf.ttc)} TTC | "
            f"AE {line.ae_year} | CP {cp} | {line.route.value} | {line.provenance.value} | "
            f"{escape(line.label)}"
        )
    for pf in sorted(fig.pilots, key=lambda x: x.pilot):
        years = " ".join(f"{y}={_eur(c)}" for y, c in sorted(pf.cp_by_year.items()))
        out.append(f"total pilot {pf.pilot}: AE {_eur(pf.ae)} CP {years}")
    for year in sorted(fig.cp_by_year):
        out.append(
            f"total year {year}: AE {_eur(fig.ae_by_year.get(year, 0))} "
            f"CP {_eur(fig.cp_by_year[year])} outstanding {_eur(fig.reste_a_payer[year])}"
        )
    out.append(f"total: AE {_eur(fig.total_ae)} headroom {_eur(fig.headroom[fig.budget_year])}")
    milestones = sorted((m.id, p.id, m) for p in programme.pilots for m in p.milestones)
    for mid, pid, m in milestones:
        deps = ",".join(m.depends_on)
        out.append(
            f"milestone {mid} | {pid} | {m.kind.value} | {fig.dates[mid]}"
            + (f" | float {fig.floats[mid]} days" if mid in fig.floats else "")
            + (f" | after {deps}" if deps else "")
        )
    for rd in sorted(fig.readiness, key=lambda x: (x.pilot, x.event)):
        out.append(f"readiness {rd.pilot} {rd.event}: margin {rd.margin_days} days")
    for check in run_checks(fig):
        out.append(f"check {check.spec.code}: {'pass' if check.ok else 'FAIL'} ({check.count})")
    out += input_records(programme)
    return "\n".join(out) + "\n"
