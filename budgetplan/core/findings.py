"""Problems as values: each carries a stable code, where it is, what is wrong and what to do."""

from __future__ import annotations

import errno
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


#: The system's reasons a file cannot be read or written, in French, by errno.
_OS_ERRORS_FR = {
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EISDIR: "est un dossier",
    errno.ENOTDIR: "n'est pas un dossier",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.EEXIST: "le fichier existe déjà",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EIO: "erreur d'entrée-sortie",
    errno.EBUSY: "ressource occupée",
    errno.EXDEV: "lien entre deux systèmes de fichiers impossible",
}


def os_error_fr(exc: OSError) -> str:
    """Why the system refused, in French (its own words when the reason is not listed)."""
    return _OS_ERRORS_FR.get(exc.errno or 0, exc.strerror or str(exc))


#: What to do when the temporary folder is full or not writable.
TMPDIR_HINT = said(
    "free some space there, or point TMPDIR to a folder with room",
    "y libérer de la place, ou faire pointer TMPDIR vers un dossier qui en a",
)


def os_error(exc: OSError) -> str:
    """Why the system refused, in English and French (:func:`said`)."""
    return said(exc.strerror or str(exc), os_error_fr(exc))


def unreadable(file: object, exc: OSError) -> Finding:
    """The finding for a file the system refuses to read (missing, a folder, no permission)."""
    return Finding(
        Severity.ERROR,
        "UNREADABLE",
        os_error(exc),
        said("check the path and its permissions", "vérifier le chemin et les droits d'accès"),
        file=str(file),
    )


def path_text(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_message(error: Mapping[str, Any]) -> str:
    """The message of one of pydantic's validation errors, without its "Value error, " prefix,
    in English and French (:func:`said`): a validator's own words when it raised a ValueError
    of a :func:`said` text, else pydantic's by its type of error."""
    english = str(error["msg"]).removeprefix("Value error, ")
    ctx = error.get("ctx") or {}
    raised = ctx.get("error")
    if isinstance(raised, ValueError) and raised.args and isinstance(raised.args[0], Said):
        return raised.args[0]
    french = _VALIDATION_FR.get(str(error.get("type", "")))
    if french is None:
        return english
    try:
        return said(english, french.format(**{k: _shown(v) for k, v in ctx.items()}))
    except (KeyError, IndexError, ValueError):
        return english


def _shown(value: object) -> str:
    """A value of a validation error's context as the French message shows it."""
    return str(value).replace("' or '", "' ou '")


#: pydantic's validation errors a scenario file or a workbook meets, in French, by type.
_VALIDATION_FR = {
    "missing": "champ obligatoire",
    "enum": "la valeur doit être {expected}",
    "literal_error": "la valeur doit être {expected}",
    "int_parsing": "un nombre entier est attendu",
    "int_type": "un nombre entier est attendu",
    "int_from_float": "un nombre entier est attendu (sans décimales)",
    "float_parsing": "un nombre est attendu",
    "float_type": "un nombre est attendu",
    "decimal_parsing": "un nombre est attendu",
    "decimal_type": "un nombre est attendu",
    "decimal_max_places": "au plus {decimal_places} décimales",
    "finite_number": "un nombre fini est attendu",
    "bool_parsing": "vrai ou faux est attendu (true ou false)",
    "bool_type": "vrai ou faux est attendu (true ou false)",
    "string_type": "un texte est attendu",
    "string_too_short": "ne doit pas être vide",
    "string_too_long": "au plus {max_length} caractères",
    "string_pattern_mismatch": "le texte ne suit pas la forme attendue ({pattern})",
    "date_parsing": "une date est attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "une date est attendue (AAAA-MM-JJ)",
    "date_from_datetime_inexact": "une date sans heure est attendue (AAAA-MM-JJ)",
    "date_type": "une date est attendue (AAAA-MM-JJ)",
    "greater_than": "doit être supérieur à {gt}",
    "greater_than_equal": "doit être au moins {ge}",
    "less_than": "doit être inférieur à {lt}",
    "less_than_equal": "doit être au plus {le}",
    "too_short": "doit compter au moins {min_length} élément(s)",
    "too_long": "doit compter au plus {max_length} élément(s)",
    "list_type": "une liste est attendue",
    "tuple_type": "une liste est attendue",
    "dict_type": "un ensemble de champs est attendu (clé: valeur)",
    "model_type": "un ensemble de champs est attendu (clé: valeur)",
    "model_attributes_type": "un ensemble de champs est attendu (clé: valeur)",
    "extra_forbidden": "champ inconnu",
}
