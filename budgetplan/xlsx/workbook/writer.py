"""Assemble the workbook: one module per sheet, cached values from the computation core."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.workbook import Workbook

from budgetplan.compute.checks import CheckResult, run_checks
from budgetplan.compute.figures import Figures, compute
from budgetplan.core.atomic import atomic_path
from budgetplan.core.bulk import collector_paused
from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import TMPDIR_HINT, os_error_fr, said
from budgetplan.core.labels import Lang
from budgetplan.core.model import Programme
from budgetplan.core.source import Source
from budgetplan.core.version import __version__
from budgetplan.xlsx.layout import SHEETS
from budgetplan.xlsx.workbook import (
    about,
    checks_sheet,
    credits,
    evaluation,
    inputs,
    parameters,
    phasing,
    risk_sheet,
    splice,
    summary,
    timeline,
)
from budgetplan.xlsx.workbook.context import Context, RowPlan, RowSink
from budgetplan.xlsx.workbook.styles import Styles

if TYPE_CHECKING:
    from budgetplan.compute.risk import RiskResult

#: Fixed document date, so that the same scenario always gives the same bytes.
FIXED_CREATED = dt.datetime(2022, 1, 1, 0, 0, 0)


def _new_workbook(tmp: Path, programme: Programme, source: Source, tmpdir: str) -> Workbook:
    """An empty xlsx in constant-memory mode, where text is never a formula, link or number;
    xlsxwriter's temporary files in ``tmpdir``."""
    wb = Workbook(
        str(tmp),
        {
            "tmpdir": tmpdir,
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_properties(
        {
            "title": programme.title,
            "subject": programme.id,
            "author": "budgetplan",
            "company": programme.steering_body,
            "comments": f"budgetplan {__version__}; source sha256 {source.sha256}",
            "created": FIXED_CREATED,
        }
    )
    wb.set_calc_mode("auto")
    return wb


@contextlib.contextmanager
def _working_folder(target: Path) -> Iterator[str]:
    """A folder of the build's own for xlsxwriter's temporary files (rows, sheets), removed
    whatever happens (xlsxwriter leaves them when its store fails). A file there that cannot be
    written (the temporary folder full) is said as such, not as the workbook's own path."""
    folder = tempfile.gettempdir()
    try:
        with tempfile.TemporaryDirectory(prefix="budgetplan-xlsx-") as folder:
            yield folder
    except (OSError, FileCreateError) as exc:
        cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
        if not isinstance(cause, OSError):
            raise
        if not _in_working_folder(cause, folder, target):
            raise cause from None  # the workbook's own file: said at its path (atomic_path)
        raise BudgetplanError.of(
            "TEMPORARY_FILES",
            said(
                f"budgetplan could not write its working files in {Path(folder).parent} "
                f"({cause.strerror or cause})"[:300],
                f"budgetplan n'a pas pu écrire ses fichiers de travail dans "
                f"{Path(folder).parent} ({os_error_fr(cause)})"[:300],
            ),
            TMPDIR_HINT,
            file=str(target),
        ) from None


def _in_working_folder(exc: OSError, folder: str, target: Path) -> bool:
    """Whether ``exc`` happened to a working file rather than to the workbook: it names one, or,
    a full disk naming no file, the working folder's disk is another than the workbook's and
    the fuller of the two."""
    if exc.filename:
        return str(exc.filename).startswith(str(Path(folder).parent))
    if exc.errno != errno.ENOSPC:
        return False
    try:
        here, there = Path(folder).parent, target.parent
        if os.stat(here).st_dev == os.stat(there).st_dev:
            return False
        return shutil.disk_usage(here).free <= shutil.disk_usage(there).free
    except OSError:
        return False


@collector_paused()
def write_workbook(
    programme: Programme,
    source: Source,
    target: Path,
    lang: Lang = "fr",
    figures: Figures | None = None,
    highlights: dict[tuple[str, str], dict[str, object]] | None = None,
    before: Callable[[Context], None] | None = None,
    risk: RiskResult | None = None,
    phasing_rows: RowSink | None = None,
    checks: list[CheckResult] | None = None,
    rows: RowPlan | None = None,
) -> Figures:
    """Write ``programme`` to ``target`` (atomically) and return the figures it holds.

    ``figures`` and ``checks``, when the caller has them, are not computed again. ``highlights``
    marks changed input cells (with their old value as a comment) and ``before`` writes extra
    sheets ahead of the layout's: both serve the diff workbook. ``phasing_rows`` serves
    reconcile: see :attr:`Context.phasing_rows`. ``risk`` is the simulation the Risk sheet shows
    (``risk.sheet_simulation``); without it the workbook has no Risk sheet. ``rows``: the
    empty rows and where the items sit (default: as a build lays them out).
    """
    fig = figures or compute(programme)
    results = checks if checks is not None else run_checks(fig)
    with atomic_path(Path(target)) as tmp, _working_folder(Path(target)) as tmpdir:
        wb = _new_workbook(tmp, programme, source, tmpdir)
        ctx = Context(
            wb,
            Styles(wb, lang, split=bool(source.owns)),
            fig,
            lang,
            source,
            __version__,
            highlights=dict(highlights or {}),
            phasing_rows=phasing_rows,
            rows=rows or RowPlan(),
        )
        ctx.checks_ok = all(r.ok for r in results)
        if before is not None:
            before(ctx)
        writers = {
            "summary": lambda: summary.write(ctx),
            "checks": lambda: checks_sheet.write(ctx, results),
            "credits": lambda: credits.write(ctx),
            "parameters": lambda: parameters.write(ctx),
            "pilots": lambda: inputs.write_pilots(ctx),
            "milestones": lambda: inputs.write_milestones(ctx),
            "evaluation": lambda: evaluation.write(ctx),
            "inputs": lambda: inputs.write_lines(ctx),
            "schedules": lambda: inputs.write_schedules(ctx),
            "phasing": lambda: phasing.write(ctx),
            "timeline": lambda: timeline.write(ctx),
            "risk": lambda: risk_sheet.write(ctx, risk),  # type: ignore[arg-type]
            "about": lambda: about.write(ctx),
        }
        for key in SHEETS:
            if key == "risk" and risk is None:
                continue  # values only (no formula): reconcile's expected workbook skips it
            writers[key]()
        ctx.define_counts()
        (ctx.sheets.get("changes") or ctx.sheets["summary"]).activate()
        with splice.splicing():  # each sheet's rows copied once, into the zip
            wb.close()
    return fig
