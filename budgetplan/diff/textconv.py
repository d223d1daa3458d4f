"""A stable, line-oriented, id-sorted text view of a workbook or scenario, for `git diff`."""

from __future__ import annotations

from decimal import Decimal

from budgetplan.compute.checks import run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.model import Programme


def _eur(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _n(value: Decimal) -> str:
    """A decimal the same however it was typed (0.2, 0.20) or read back (40, 40.0)."""
    return format(value.normalize(), "f") if value else "0"


def textconv(programme: Programme) -> str:
    fig = compute(programme)
    out = [f"programme {programme.id}: {programme.title}"]
    for env in sorted(programme.envelopes, key=lambda e: e.year):
        out.append(
            f"envelope {env.year}: AE {env.ae} CP {env.cp} titre2 {env.titre2} "
            f"programme {env.budget_programme} action {env.action}"
        )
    r = programme.reserve
    out.append(
        f"reserve: titre2 {_n(r.titre2_rate)} other {_n(r.other_rate)}; VAT {_n(programme.vat_rate)}"
    )
    for e in sorted(programme.events, key=lambda e: e.id):
        out.append(f"event {e.id}: {e.first_day} .. {e.last_day}  {e.name}")
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
            f"{line.label}"
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
            + (f" | after {deps}" if deps else "")
        )
    for rd in sorted(fig.readiness, key=lambda x: (x.pilot, x.event)):
        out.append(f"readiness {rd.pilot} {rd.event}: margin {rd.margin_days} days")
    for check in run_checks(fig):
        out.append(f"check {check.spec.code}: {'pass' if check.ok else 'FAIL'} ({check.count})")
    return "\n".join(out) + "\n"
