"""Where a programme came from: a scenario file, the default programme or a scenario script."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """Where a programme came from: shown on the About sheet and used for the hash."""

    name: str  # scenario name
    path: str  # file path as given, or the package resource
    sha256: str
    #: For a workbook sent to one contributor (``budgetplan split``): who, and the pilots whose
    #: inputs are theirs to edit.
    contributor: str = ""
    owns: tuple[str, ...] = ()
    #: their signature (budgetplan.signing): who it was made for cannot be forged
    signature: str = ""
