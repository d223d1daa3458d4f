"""A workbook as ``budgetplan build`` writes it (Risk sheet included), from a programme in memory."""

from __future__ import annotations

from pathlib import Path

from budgetplan.compute.figures import compute
from budgetplan.compute.risk import sheet_simulation
from budgetplan.core.model import Programme
from budgetplan.core.source import Source
from budgetplan.xlsx.workbook.writer import write_workbook


def write_full(programme: Programme, source: Source, target: Path) -> None:
    fig = compute(programme)
    write_workbook(programme, source, target, figures=fig, risk=sheet_simulation(fig))
