"""The one gate every text of a programme passes (scenario YAML, cells read back, translations):
what a cell cannot hold, or would hold in a way another engine reads differently, never reaches
a workbook.

- Line breaks of every spelling (``\\r\\n``, ``\\r``, Word's manual line break ``\\v``, a form
  feed, U+2028, U+2029) become ``\\n``, the one line break Excel and LibreOffice both write and
  read back in a cell that wraps; a tab becomes a space (LibreOffice gives a tab back as another
  character).
- Any other control character (C0, DEL, C1), a non-character (U+FFFE, U+FFFF) or a lone
  surrogate cannot be written in XML at all, and a bidirectional override (U+202A-U+202E,
  U+2066-U+2069) makes a text display as another: each is refused, named by its code point and
  its place in the text.
"""

from __future__ import annotations

import re
import unicodedata

from budgetplan.core.findings import said

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\u2028\u2029\x85]")
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refused(ch: str) -> bool:
    if ch == "\n":
        return False
    if ch in _BIDI or ch in "\ufffe\uffff":
        return True
    return unicodedata.category(ch) in ("Cc", "Cs")


def clean_text(value: str) -> str:
    """``value`` with its line breaks made one and its tabs spaces; refused (ValueError with a
    said text) when it holds a character no cell may hold."""
    text = _LINE_BREAKS.sub("\n", value).replace("\t", " ")
    if not text.strip():
        return ""  # spaces alone say nothing: an empty optional text
    for at, ch in enumerate(text, 1):
        if _refused(ch):
            raise ValueError(
                said(
                    f"character U+{ord(ch):04X} at position {at} cannot be written in a "
                    "workbook (a control or direction character): delete it or retype the text",
                    f"le caractère U+{ord(ch):04X} en position {at} ne peut pas être écrit dans "
                    "un classeur (caractère de contrôle ou de direction) : le supprimer ou "
                    "retaper le texte",
                )
            )
    return text


def clean_required_text(value: str) -> str:
    """:func:`clean_text` of a text that must say something: spaces alone are refused (a label
    of one space built a workbook that reconcile then read as empty)."""
    text = clean_text(value)
    if not text.strip():
        raise ValueError(
            said(
                "holds only spaces: write the text, or remove the item",
                "ne contient que des espaces : écrire le texte, ou retirer l'élément",
            )
        )
    return text
