"""Problems as values: each carries a stable code, where it is, what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Said(str):
    """A text for people: the string itself in English, ``fr`` in French. It compares, hashes and
    prints as its English, so that code and tests that read messages need not know."""

    fr: str

    def __new__(cls, en: str, fr: str) -> Said:
        text = super().__new__(cls, en)
        text.fr = fr
        return text

    def __reduce__(self):  # type: ignore[no-untyped-def]  # pickled with its French
        return (Said, (str(self), self.fr))


def said(en: str, fr: str) -> str:
    """``en`` and ``fr``: one text, which ``in_lang`` gives in either language."""
    return Said(en, fr)


def in_lang(text: str, lang: str) -> str:
    """``text`` in ``lang``: a :class:`Said`'s French, or the text as it is (a code, a name, or
    a message with no French yet, shown in English)."""
    return text.fr if lang == "fr" and isinstance(text, Said) else str(text)


#: Severities by their names in each language (reports).
SEVERITY_NAMES = {
    "fr": {"error": "erreur", "warning": "avertissement", "info": "information"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}


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

    def one_line(self, lang: str = "en") -> str:
        severity = SEVERITY_NAMES.get(lang, SEVERITY_NAMES["en"])[self.severity.value]
        text = f"{self.where}: {severity}[{self.code}] {in_lang(self.message, lang)}"
        return text + (f" ({in_lang(self.hint, lang)})" if self.hint else "")


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
