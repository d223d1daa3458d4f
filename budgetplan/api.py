"""The library API: every command of the CLI is one of these functions, and the CLI only parses
arguments and renders what they return.

    build       a scenario's workbook                    check      every check of a scenario
    reconcile   read a workbook back, findings, edits    diff       what changed between versions
    simulate    the Monte Carlo of costs and dates       run        scenarios and their comparison
    verify      recalculate workbooks in LibreOffice     load_programme / load_scenario
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from budgetplan.compute.checks import CheckResult, run_checks
from budgetplan.compute.figures import compute
from budgetplan.core.labels import Lang
from budgetplan.core.model import Programme
from budgetplan.publish import Built, OverwriteRefused, publish
from budgetplan.yamlio.loader import Loaded

if TYPE_CHECKING:
    from budgetplan.compute.risk import RiskResult
    from budgetplan.diff.compare import DiffResult
    from budgetplan.layout_upgrade import Upgraded
    from budgetplan.readback.reconciliation import Reconciliation
    from budgetplan.runner import Outcome
    from budgetplan.scenarios.scenario import Scenario

__all__ = [
    "Built",
    "OverwriteRefused",
    "build",
    "check",
    "diff",
    "load_programme",
    "load_scenario",
    "reconcile",
    "run",
    "simulate",
    "upgrade",
    "verify",
]


def load_programme(path: str | Path | None = None) -> Programme:
    """The programme of a scenario file (a programme, a change file or a script), or the default
    2022 programme."""
    from budgetplan.scenarios.sources import load_source

    return load_source(path).programme


def load_scenario(path: str | Path | None = None) -> Scenario:
    """A scenario from a script (its ``scenario`` global), a change file or a programme file;
    the default programme when None. Raises LoadError or RunError."""
    from budgetplan.scenarios.scenario import Scenario
    from budgetplan.scenarios.sources import load_any

    if path is None:
        return Scenario.default()
    return load_any(Path(path))


def check(path: str | Path | None = None) -> list[CheckResult]:
    """Run every check of a scenario; raises LoadError if the file is not a valid programme."""
    return run_checks(compute(load_programme(path)))


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
    if loaded is None:
        from budgetplan.scenarios.sources import load_source

        loaded = load_source(scenario)
    target = Path(output) if output else default_output(loaded, lang)
    return publish(loaded.programme, loaded.source, target, lang, force)


def upgrade(
    workbook: str | Path, output: str | Path | None = None, force: bool = False
) -> Upgraded:
    """Bring a workbook of an earlier layout (``layout.LAYOUTS_UPGRADABLE``) to this one, its
    inputs and edits kept, in ``output`` (default: beside it, named for the layout). Raises
    ReadError (not upgradable, an input unreadable) or OverwriteRefused."""
    from budgetplan.layout_upgrade import upgrade as run_upgrade

    return run_upgrade(Path(workbook), Path(output) if output is not None else None, force)


def default_output(loaded: Loaded, lang: Lang) -> Path:
    suffix = "" if lang == "fr" else f"-{lang}"
    return Path("workbooks") / f"{loaded.source.name}{suffix}.xlsx"


def reconcile(
    path: str | Path,
    scenario: str | Path | None = None,
    actuals: str | Path | None = None,
    allow_macros: bool = False,
    find_scenario: bool = False,
) -> Reconciliation:
    """Read a workbook back: integrity, budget rules, edits against ``scenario`` (or, with
    ``find_scenario``, against the scenario its About sheet names, wherever it is found),
    actuals."""
    from budgetplan.readback.reconciliation import reconcile as run_reconcile

    return run_reconcile(
        path,
        scenario=scenario,
        actuals=actuals,
        allow_macros=allow_macros,
        find_scenario=find_scenario,
    )


def diff(old: Any, new: Any, threshold: str | None = None) -> DiffResult:
    """What changed from ``old`` to ``new``: programmes, scenario files or workbooks."""
    from budgetplan.diff.compare import diff as run_diff

    return run_diff(old, new, threshold)


def simulate(
    programme: Programme,
    iterations: int = 10_000,
    seed: int | None = None,
    distribution: str = "pert",
    correlation: float = 0.5,
) -> RiskResult:
    """The Monte Carlo of costs and milestone dates (seeded: the same seed, the same figures)."""
    from budgetplan.compute.risk import SEED
    from budgetplan.compute.risk import simulate as run_simulation

    return run_simulation(
        programme, iterations, SEED if seed is None else seed, distribution, correlation
    )


def run(paths: list[Path], output: Path, progress: Any = None, lang: Lang = "fr") -> list[Outcome]:
    """Run scenario scripts and files: a workbook each and ``comparison.xlsx`` in ``output``,
    in ``lang``."""
    from budgetplan.runner import run_all

    return run_all(paths, output, progress, lang)


@dataclass(frozen=True)
class Verified:
    """One workbook recalculated by LibreOffice: formulas counted, mismatches, error ranges."""

    path: Path
    formulas: int
    mismatches: list[Any]
    errors: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.errors


def verify(workbooks: list[Path]) -> list[Verified]:
    """Recalculate each workbook in LibreOffice and compare every formula with its cached value.
    Each is first checked as every reader checks a workbook (XlsxError: not a zip, a bomb, a
    DTD, a damaged part...) so that LibreOffice never opens what budgetplan would refuse.
    Raises RuntimeError when LibreOffice is not installed."""
    from budgetplan.recalc import libreoffice
    from budgetplan.xlsx.xlsxfile import open_xlsx

    for path in workbooks:
        open_xlsx(Path(path)).close()
    if not libreoffice.available():
        raise RuntimeError(
            "LibreOffice headless with python3-uno is not installed "
            "(apt-get install libreoffice-calc-nogui python3-uno)"
        )
    results = libreoffice.recalculate(workbooks)
    out = []
    for path in workbooks:
        data = results[path]
        out.append(
            Verified(
                path,
                len(libreoffice.cached_formula_cells(path)),
                libreoffice.compare(path, data),
                list(data["errors"]),
            )
        )
    return out
