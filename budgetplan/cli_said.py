"""The command line's usage errors in French: Click words them in English only.

Each of Click's messages a user meets (a missing argument, an unknown option or command, a value
of the wrong kind) is matched by its English wording and said again in French; a message not
listed here keeps its English words, inside a French frame.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_KIND = {"argument": "l'argument", "option": "l'option", "parameter": "le paramètre"}


def _value(text: str) -> str:
    """What is wrong with a value, in French (the English kept when it is not listed)."""
    for pattern, say in _VALUE_RULES:
        m = pattern.search(text)
        if m:
            return say(m)
    return text


_VALUE_RULES: list[_Rule] = [
    (
        re.compile(r"(?:Value error, )?'(.*)' is not one of (.+?)\.?$"),
        lambda m: f"'{m.group(1)}' n'est pas l'une des valeurs {m.group(2)}",
    ),
    (re.compile(r"valid integer"), lambda m: "un nombre entier est attendu"),
    (re.compile(r"valid (?:number|decimal)"), lambda m: "un nombre est attendu"),
    (re.compile(r"greater than or equal to (\S+)"), lambda m: f"au moins {m.group(1)}"),
    (re.compile(r"greater than (\S+)"), lambda m: f"plus de {m.group(1)}"),
    (re.compile(r"less than or equal to (\S+)"), lambda m: f"au plus {m.group(1)}"),
    (
        re.compile(r"(?:File|Path|Directory) '(.*)' does not exist"),
        lambda m: f"'{m.group(1)}' n'existe pas",
    ),
    (
        re.compile(r"(?:File|Path) '(.*)' is a directory"),
        lambda m: f"'{m.group(1)}' est un dossier",
    ),
    (
        re.compile(r"(?:Directory|Path) '(.*)' is a file"),
        lambda m: f"'{m.group(1)}' est un fichier",
    ),
    (
        re.compile(r"(?:File|Path|Directory) '(.*)' is not readable"),
        lambda m: f"'{m.group(1)}' ne peut pas être lu",
    ),
]

_RULES: list[_Rule] = [
    (
        re.compile(r"^Missing (argument|option|parameter) (.+?)\.?$"),
        lambda m: f"il manque {_KIND[m.group(1)]} {m.group(2)}",
    ),
    (
        re.compile(
            r"^No such option: (\S+)(?: \(Possible options: (.+)\)|\s+Did you mean (.+)\?)?$"
        ),
        lambda m: (
            f"option inconnue : {m.group(1)}"
            + (
                f" (options proches : {m.group(2) or m.group(3)})"
                if m.group(2) or m.group(3)
                else ""
            )
        ),
    ),
    (re.compile(r"^No such command '(.+)'\.?$"), lambda m: f"commande inconnue : '{m.group(1)}'"),
    (
        re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((.+)\)$"),
        lambda m: f"argument(s) en trop : ({m.group(1)})",
    ),
    (
        re.compile(r"^Option '(.+)' requires an argument\.?$"),
        lambda m: f"l'option '{m.group(1)}' demande une valeur",
    ),
    (
        re.compile(r"^Invalid value for (.+?): (.+)$", re.S),
        lambda m: f"valeur invalide pour {m.group(1)} : {_value(m.group(2))}",
    ),
]


def usage_fr(message: str) -> str:
    """Click's usage error ``message`` (its English) in French."""
    text = message.strip()
    for pattern, say in _RULES:
        m = pattern.match(text)
        if m:
            return say(m)
    return text
