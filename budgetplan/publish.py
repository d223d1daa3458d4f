"""Write a programme's workbook where a user will open it: refuse what would lose edits, keep a
backup when told to replace them, compute the figures, checks and risk once, and write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from budgetplan.compute.checks import CheckResult, run_checks
from budgetplan.compute.figures import Figures, compute
from budgetplan.core.bulk import collector_paused
from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import Finding, Severity, said
from budgetplan.core.labels import Lang
from budgetplan.core.model import Programme
from budgetplan.core.source import Source

if TYPE_CHECKING:
    from budgetplan.compute.risk import RiskResult
    from budgetplan.xlsx.safety import Existing


@dataclass(frozen=True)
class Built:
    path: Path
    figures: Figures
    checks: list[CheckResult]
    backup: Path | None = None
    risk: RiskResult | None = None  # the simulation its Risk sheet shows

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


class OverwriteRefused(BudgetplanError):
    """The target workbook is open elsewhere or holds edits not reconciled."""

    def __init__(self, target: Path, message: str, hint: str):
        self.target, self.message, self.hint = target, message, hint
        super().__init__(
            [Finding(Severity.ERROR, "OVERWRITE_REFUSED", message, hint, file=str(target))]
        )

    def __str__(self) -> str:
        return f"{self.target}: {self.message} ({self.hint})"


def publish(
    programme: Programme,
    source: Source,
    target: Path,
    lang: Lang = "fr",
    force: bool = False,
) -> Built:
    """Write the workbook of ``programme`` to ``target``; see :func:`budgetplan.api.build`."""
    from budgetplan.compute.risk import sheet_simulation
    from budgetplan.core.lock import writing
    from budgetplan.xlsx.safety import Refusal, backup, check_overwrite, lock_files
    from budgetplan.xlsx.workbook.writer import write_workbook
    from budgetplan.yamlio.catalogue import translated

    programme = translated(programme, source.path, lang)  # texts as the workbook shows them
    target.parent.mkdir(parents=True, exist_ok=True)
    with writing(target):  # from the check of the target to its replacement, one writer
        refusal, holds_edits, existing = check_overwrite(target, programme)
        if refusal is None and not holds_edits and existing is not None:
            typed = typed_over(target, existing)
            if typed:
                refusal, holds_edits = (
                    Refusal(
                        said(
                            f"holds what someone typed where budgetplan does not read ({typed})",
                            f"contient des saisies là où budgetplan ne lit pas ({typed})",
                        ),
                        said(
                            "carry it into the scenario file, or use --force to replace the "
                            "workbook (a dated backup is kept)",
                            "les reporter dans le fichier de scénario, ou remplacer le classeur "
                            "avec --force (une copie datée est gardée)",
                        ),
                    ),
                    True,
                )
        if refusal is not None and (lock_files(target) or not force):
            raise OverwriteRefused(target, refusal.message, refusal.hint)
        backup_path = backup(target) if holds_edits else None
        with collector_paused():
            fig = compute(programme)
            results = run_checks(fig)
            risk = sheet_simulation(fig)
            write_workbook(programme, source, target, lang, figures=fig, checks=results, risk=risk)
    return Built(target, fig, results, backup_path, risk)


#: What a reader typed that no input table reads: a constant over a formula, a note outside the
#: tables. A build would drop it without a word.
TYPED_OVER = ("FORMULA_REPLACED", "CELL_OUTSIDE")


def typed_over(target: Path, existing: Existing | None = None) -> str:
    """Where the workbook at ``target``, its inputs as built, holds something typed over its
    formulas or beside its tables ("Synthèse!H2, ..."), or "" when nothing. A workbook made by
    another version of budgetplan is not compared (its layout may differ). ``existing``: the
    workbook as :func:`check_overwrite` read it, not read again."""
    from budgetplan.core.version import __version__
    from budgetplan.readback.reconciliation import reconcile_opened
    from budgetplan.xlsx.reader import ReadError, open_workbook

    try:
        wb = existing.wb if existing else open_workbook(target)
        if wb.about.get("generator") != f"budgetplan {__version__}":
            return ""
        read = (existing.programme, existing.loc) if existing else None
        findings = reconcile_opened(wb, read).findings
    except (ReadError, BudgetplanError):
        return ""
    places = [f"{f.sheet}!{f.cell}" for f in findings if f.code in TYPED_OVER]
    return ", ".join(places[:3]) + (", ..." if len(places) > 3 else "")
