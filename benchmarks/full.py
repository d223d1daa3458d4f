"""A workbook as ``budgetplan build`` writes it (Risk sheet included), from a programme in memory."""

from __future__ import annotations

from pathlib import Path

from budgetplan.compute import compute
from budgetplan.model import Programme
from budgetplan.risk import sheet_simulation
from budgetplan.source import Source
from budgetplan.workbook.writer import write_workbook


def write_full(programme: Programme, source: Source, target: Path) -> None:
    fig = compute(programme)
    write_workbook(programme, source, target, figures=fig, risk=sheet_simulation(fig))
