"""Problems as values: each carries a stable code, where it is, what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    message: str
    hint: str = ""
    path: tuple[str | int, ...] = ()  # field path in the programme, e.g. ("cost_lines", 3, "route")
    file: str = ""
    line: int | None = None  # 1-based line in ``file``
    sheet: str = ""
    cell: str = ""
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file + (f":{self.line}" if self.line else ""))
        if self.sheet:
            parts.append(f"{self.sheet}!{self.cell}" if self.cell else self.sheet)
        if self.path:
            parts.append(path_text(self.path))
        return " ".join(parts)

    def one_line(self) -> str:
        text = f"{self.where}: {self.severity}[{self.code}] {self.message}"
        return text + (f" ({self.hint})" if self.hint else "")


def unreadable(file: object, exc: OSError) -> Finding:
    """The finding for a file the system refuses to read (missing, a folder, no permission)."""
    return Finding(
        Severity.ERROR,
        "UNREADABLE",
        exc.strerror or str(exc),
        "check the path and its permissions",
        file=str(file),
    )


def path_text(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_message(error: Mapping[str, Any]) -> str:
    """The message of one of pydantic's validation errors, without its "Value error, " prefix."""
    return str(error["msg"]).removeprefix("Value error, ")
