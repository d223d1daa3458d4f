"""Semantic diff of two budget versions: what changed, in the budget's own terms, and what it costs.

Items are matched by their stable ids, never by row position; amounts compare to the cent; the
line-by-line changes are shown to add up to the change of the totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from budgetplan.compute.checks import CHECKS, CheckResult, run_checks
from budgetplan.compute.figures import Figures, compute
from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import Finding, Severity, said
from budgetplan.core.items import flatten as _flatten
from budgetplan.core.items import items as _items
from budgetplan.core.model import CostLine, Programme
from budgetplan.core.money import to_cents


class DiffError(BudgetplanError):
    """Diff input budgetplan cannot use."""


def load_version(path: str | Path) -> Programme:
    """The programme of a scenario file or of a budgetplan workbook (as built or re-saved)."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml", ".py"):
        from budgetplan.scenarios.sources import RunError, load_source
        from budgetplan.yamlio.loader import LoadError

        try:
            return load_source(path).programme
        except LoadError as exc:
            raise DiffError(exc.findings) from None
        except RunError as exc:
            raise DiffError(
                [
                    Finding(
                        Severity.ERROR,
                        "SCRIPT",
                        exc.message,
                        said("correct the script", "corriger le script"),
                        (),
                        str(path),
                    )
                ]
            ) from None
    from budgetplan.xlsx.reader import (
        ReadError,
        corrupt_as_read_error,
        open_workbook,
        read_programme,
    )

    try:
        wb = open_workbook(path)
        with corrupt_as_read_error(path):
            programme, _ = read_programme(wb)
    except ReadError as exc:
        raise DiffError(exc.findings) from None
    if programme is None:
        errors = [f for f in wb.findings if f.severity is Severity.ERROR]
        raise DiffError(
            errors[:1]
            or [
                Finding(
                    Severity.ERROR,
                    "UNREADABLE",
                    "its inputs do not make a programme",
                    "run budgetplan reconcile on it",
                    file=str(path),
                )
            ]
        )
    return programme


def _cents(value: Decimal) -> int:
    return to_cents(value)


@dataclass
class Change:
    old: object
    new: object


@dataclass
class LineDiff:
    id: str
    status: str  # added | removed | changed | moved
    changes: dict[str, Change]
    ae_old: int  # cents
    ae_new: int
    line: CostLine | None = None  # the line as it is now (as it was, for a removed one)

    @property
    def ae_delta(self) -> int:
        return self.ae_new - self.ae_old


@dataclass
class Total:
    key: str  # e.g. "pilot SCAN", "titre 5", "year 2023"
    ae_old: int
    ae_new: int
    cp_old: int
    cp_new: int


@dataclass
class MilestoneMove:
    """A milestone whose date (typed, or from the forward pass) or float moved."""

    id: str
    pilot: str
    old: dt.date | None
    new: dt.date | None
    #: days it can slip before an event it leads to is late (None: it leads to none)
    old_float: int | None = None
    new_float: int | None = None


@dataclass
class ReadinessChange:
    pilot: str
    event: str
    old: int | None  # margin in days
    new: int | None
    old_probability: float = 1.0  # of being in time, over the schedule's draws
    new_probability: float = 1.0
    old_late: bool = False  # late or unlikely, for an event it must operate at
    new_late: bool = False

    @property
    def became_late(self) -> bool:
        return self.new_late and not self.old_late


@dataclass
class CheckChange:
    code: str
    old: bool
    new: bool
    message: str


@dataclass
class DiffResult:
    lines: list[LineDiff] = field(default_factory=list)
    parameters: list[tuple[str, str, Change]] = field(default_factory=list)  # item, field, change
    totals: list[Total] = field(default_factory=list)
    headroom: tuple[int, int] = (0, 0)
    total_ae: tuple[int, int] = (0, 0)
    milestones: list[MilestoneMove] = field(default_factory=list)
    readiness: list[ReadinessChange] = field(default_factory=list)
    checks: list[CheckChange] = field(default_factory=list)
    hidden: int = 0  # changes under the threshold

    @property
    def lines_delta(self) -> int:
        return sum(line.ae_delta for line in self.lines)

    @property
    def unexplained(self) -> int:
        """Change of total AE not explained by the line changes (0 when they tie)."""
        return (self.total_ae[1] - self.total_ae[0]) - self.lines_delta - self.hidden_delta

    hidden_delta: int = 0

    @property
    def same(self) -> bool:
        return not (
            self.lines
            or self.parameters
            or self.milestones
            or self.readiness
            or self.checks
            or self.hidden
        )


@dataclass
class Version:
    """A budget version loaded for comparison: its programme, figures, checks and totals."""

    programme: Programme
    figures: Figures
    checks: dict[str, CheckResult]
    totals: dict[str, tuple[int, int]]  # "pilot X" / "titre N" / "year Y" -> (AE, CP) cents
    lines: dict[str, CostLine]
    line_ae: dict[str, int]


def prepare(programme: Programme) -> Version:
    """Compute what a comparison needs once, so that comparing loaded versions is cheap."""
    fig = compute(programme)
    return Version(
        programme,
        fig,
        {r.spec.code: r for r in run_checks(fig)},
        _totals(fig),
        {line.id: line for line in programme.cost_lines},
        {lf.id: lf.ttc for lf in fig.lines},
    )


def _totals(fig: Figures) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for pf in fig.pilots:
        out[f"pilot {pf.pilot}"] = (pf.ae, sum(pf.cp_by_year.values()))
    titre_cp: dict[int, int] = {}
    for lf in fig.lines:
        key = int(lf.line.titre)
        titre_cp[key] = titre_cp.get(key, 0) + sum(lf.year_cp)
    for titre, ae in fig.by_titre.items():
        out[f"titre {titre}"] = (ae, titre_cp.get(titre, 0))
    for year in sorted(set(fig.ae_by_year) | set(fig.cp_by_year)):
        out[f"year {year}"] = (fig.ae_by_year.get(year, 0), fig.cp_by_year.get(year, 0))
    return out


def parse_threshold(text: str | None) -> tuple[int, Decimal] | None:
    """``"1000"`` (euros) or ``"5%"``: changes under it are hidden."""
    if not text:
        return None
    text = text.strip().replace(",", ".")
    share = text.endswith("%")
    number = Decimal(text[:-1] if share else text)  # InvalidOperation (ArithmeticError) if not one
    if not number.is_finite() or number < 0 or number > Decimal("1e12"):
        raise ArithmeticError(f"threshold {text} is not an amount or a share")
    return (0, number / 100) if share else (_cents(number), Decimal(0))


def diff(
    old: Programme | Version | str | Path,
    new: Programme | Version | str | Path,
    threshold: str | None = None,
) -> DiffResult:
    """What changed from ``old`` to ``new`` (programmes, loaded versions or files)."""
    va = (
        old
        if isinstance(old, Version)
        else prepare(old if isinstance(old, Programme) else load_version(old))
    )
    vb = (
        new
        if isinstance(new, Version)
        else prepare(new if isinstance(new, Programme) else load_version(new))
    )
    return compare(va, vb, threshold)


def _line_changes(a: CostLine | None, b: CostLine | None) -> dict[str, Change]:
    fa = _flatten(a.model_dump(mode="python")) if a is not None else {}
    fb = _flatten(b.model_dump(mode="python")) if b is not None else {}
    return {
        k: Change(fa.get(k), fb.get(k))
        for k in sorted(fa.keys() | fb.keys())
        if fa.get(k) != fb.get(k)
    }


def compare(va: Version, vb: Version, threshold: str | None = None) -> DiffResult:
    """Compare two loaded versions: lines matched by id, only the changed ones examined.

    Long: one comparison per part of the programme, in the order the report shows them.
    """
    limit = parse_threshold(threshold)
    result = DiffResult()
    for line_id in sorted(va.lines.keys() | vb.lines.keys()):
        la, lb = va.lines.get(line_id), vb.lines.get(line_id)
        if la is not None and lb is not None and la == lb:
            continue
        changes = _line_changes(la, lb)
        if not changes:
            continue
        status = (
            "added"
            if la is None
            else "removed"
            if lb is None
            else "moved"
            if "pilot" in changes
            else "changed"
        )
        line = LineDiff(
            line_id,
            status,
            changes if status in ("changed", "moved") else {},
            va.line_ae.get(line_id, 0),
            vb.line_ae.get(line_id, 0),
            lb or la,
        )
        if limit and status == "changed" and _under(line.ae_old, line.ae_new, limit):
            result.hidden += 1
            result.hidden_delta += line.ae_delta
            continue
        result.lines.append(line)
    items_a = _items(va.programme, lines=False)
    items_b = _items(vb.programme, lines=False)
    for item in sorted(items_a.keys() | items_b.keys()):
        old_item, new_item = items_a.get(item), items_b.get(item)
        fields_a = _flatten(old_item) if old_item else {}  # type: ignore[arg-type]
        fields_b = _flatten(new_item) if new_item else {}  # type: ignore[arg-type]
        changes = {
            k: Change(fields_a.get(k), fields_b.get(k))
            for k in sorted(fields_a.keys() | fields_b.keys())
            if fields_a.get(k) != fields_b.get(k)
        }
        if not changes:
            continue
        for key, change in changes.items():
            if item.startswith("milestones[") and key == "date":
                continue  # a date typed: said below with the dates it moves
            result.parameters.append((item, key, change))
    result.milestones = _milestone_moves(va, vb)
    ta, tb = va.totals, vb.totals
    for key in sorted(ta.keys() | tb.keys(), key=_total_order):
        (ae0, cp0), (ae1, cp1) = ta.get(key, (0, 0)), tb.get(key, (0, 0))
        small = limit and _under(ae0, ae1, limit) and _under(cp0, cp1, limit)
        if (ae0, cp0) != (ae1, cp1) and not small:
            result.totals.append(Total(key, ae0, ae1, cp0, cp1))
    fa, fb = va.figures, vb.figures
    year = fb.budget_year
    result.headroom = (fa.headroom.get(year, 0), fb.headroom.get(year, 0))
    result.total_ae = (fa.total_ae, fb.total_ae)
    ra = {(r.pilot, r.event): r.margin_days for r in fa.readiness}
    rb = {(r.pilot, r.event): r.margin_days for r in fb.readiness}
    pa = {(r.pilot, r.event): r for r in fa.readiness}
    pb = {(r.pilot, r.event): r for r in fb.readiness}
    for key in sorted(ra.keys() | rb.keys()):
        a, b = pa.get(key), pb.get(key)
        pair = (a.probability if a else 0.0, b.probability if b else 0.0)
        if ra.get(key) != rb.get(key) or pair[0] != pair[1]:
            result.readiness.append(
                ReadinessChange(
                    key[0],
                    key[1],
                    ra.get(key),
                    rb.get(key),
                    *pair,
                    a.late if a else True,
                    b.late if b else True,
                )
            )
    for spec in CHECKS:
        ca, cb = va.checks[spec.code], vb.checks[spec.code]
        if ca.ok != cb.ok:
            found = cb.findings or ca.findings
            message = found[0].message if found else said(spec.en, spec.fr)
            result.checks.append(CheckChange(spec.code, ca.ok, cb.ok, message))
    return result


def _milestone_moves(va: Version, vb: Version) -> list[MilestoneMove]:
    """Every milestone whose date or float moved, the computed ones included: a duration or a
    prerequisite changed moves every milestone after it."""
    fa, fb = va.figures, vb.figures
    pilot_of = {m.id: p.id for v in (va, vb) for p in v.programme.pilots for m in p.milestones}
    moves = []
    for mid in sorted(fa.dates.keys() | fb.dates.keys()):
        old, new = fa.dates.get(mid), fb.dates.get(mid)
        old_float, new_float = fa.floats.get(mid), fb.floats.get(mid)
        if old != new or old_float != new_float:
            moves.append(MilestoneMove(mid, pilot_of.get(mid, ""), old, new, old_float, new_float))
    return moves


def _under(old: int, new: int, limit: tuple[int, Decimal]) -> bool:
    amount, share = limit
    delta = abs(new - old)
    if share:
        return delta < abs(old) * share if old else delta == 0
    return delta < amount


def _total_order(key: str) -> tuple[int, str]:
    return ({"pilot": 0, "titre": 1, "year": 2}[key.split()[0]], key)
