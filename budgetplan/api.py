"""The library API; the CLI is a thin layer over these functions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from budgetplan.bulk import collector_paused
from budgetplan.checks import CheckResult, run_checks
from budgetplan.compute import Figures, compute
from budgetplan.labels import Lang
from budgetplan.loader import Loaded, load
from budgetplan.model import Programme


def load_programme(path: str | Path | None = None) -> Programme:
    """The programme of a scenario file, or the default 2022 programme."""
    return load(path).programme


@dataclass(frozen=True)
class Built:
    path: Path
    figures: Figures
    checks: list[CheckResult]
    backup: Path | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def check(path: str | Path | None = None) -> list[CheckResult]:
    """Run every check of a scenario; raises LoadError if the file is not a valid programme."""
    return run_checks(compute(load(path).programme))


class OverwriteRefused(Exception):
    """The target workbook is open elsewhere or holds edits not reconciled."""

    def __init__(self, target: Path, message: str, hint: str):
        self.target, self.message, self.hint = target, message, hint
        super().__init__(f"{target}: {message} ({hint})")


def build(
    scenario: str | Path | None = None,
    output: str | Path | None = None,
    lang: Lang = "fr",
    loaded: Loaded | None = None,
    force: bool = False,
) -> Built:
    """Build the workbook of a scenario (default programme when None) and return its figures.

    Refuses (OverwriteRefused) to write over a workbook open in Excel or LibreOffice, or one
    holding edits not reconciled; with ``force`` the latter is replaced after a dated backup.
    """
    from budgetplan.safety import backup, check_overwrite, lock_files
    from budgetplan.workbook.writer import write_workbook

    loaded = loaded or load(scenario)
    target = Path(output) if output else default_output(loaded, lang)
    backup_path = None
    if lock_files(target) or not force:
        refusal = check_overwrite(target)
        if refusal is not None:
            raise OverwriteRefused(target, refusal.message, refusal.hint)
    elif target.exists():
        backup_path = backup(target)
    with collector_paused():
        fig = compute(loaded.programme)
        results = run_checks(fig)
        write_workbook(loaded.programme, loaded.source, target, lang, figures=fig, checks=results)
    return Built(target, fig, results, backup_path)


def default_output(loaded: Loaded, lang: Lang) -> Path:
    suffix = "" if lang == "fr" else f"-{lang}"
    return Path("workbooks") / f"{loaded.source.name}{suffix}.xlsx"
