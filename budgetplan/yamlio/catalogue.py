"""Translation catalogues of a programme's texts: gettext PO files, the translators' format.

A scenario's texts are written in French; its workbook in another language shows them through a
catalogue keyed by the French text (``msgid``) with the translation as ``msgstr``:

- the default programme's catalogue ships with budgetplan (``data/programme-2022.en.po``) and
  applies to every scenario, since scenarios start from that programme;
- a scenario file ``my.yaml`` (or script ``my.py``) may have its own ``my.en.po`` beside it, whose
  entries come first.

A text with no entry (new, or edited since it was translated) stays as written; fuzzy and empty
entries are not used, as gettext does.
"""

from __future__ import annotations

import re
import stat
from importlib import resources
from pathlib import Path

from budgetplan.core.findings import said
from budgetplan.core.labels import Lang
from budgetplan.core.model import Programme
from budgetplan.core.retext import retext, reverse
from budgetplan.core.text_gate import clean_text
from budgetplan.yamlio.loader import LoadError, read_scenario_bytes

#: Longest translation: the workbook's reader holds texts to the model's 500 characters.
MAX_TEXT = 500
DEFAULT_STEM = "programme-2022"


def bundled(lang: Lang) -> Path:
    return Path(str(resources.files("budgetplan") / "data" / f"{DEFAULT_STEM}.{lang}.po"))


def sidecar(source_path: str, lang: Lang) -> Path | None:
    """The catalogue beside a scenario file (``my.yaml`` -> ``my.en.po``), when it exists."""
    if not source_path or source_path.startswith("budgetplan:"):
        return None
    path = Path(source_path).with_suffix(f".{lang}.po")
    try:
        return path if stat.S_ISREG(path.stat().st_mode) else None
    except OSError:
        return None


def read_catalogue(path: Path) -> dict[str, str]:
    """The translated entries of a PO file; a file polib cannot read, or a translation too long
    for the workbook, is a LoadError naming the file and the line."""
    import polib

    data = read_scenario_bytes(path)
    try:
        entries = polib.pofile(data.decode("utf-8"), encoding="utf-8", wrapwidth=0)
    except (OSError, ValueError) as exc:
        line = re.search(r"\(line (\d+)\)", str(exc))
        raise LoadError.of(
            "CATALOGUE",
            "not a readable PO catalogue (each entry is a msgid line and a msgstr line)",
            "fix the line named, or open the file in a PO editor (Poedit) and save it again",
            file=str(path),
            line=int(line.group(1)) if line else None,
        ) from None
    found: dict[str, str] = {}
    owner: dict[str, tuple[str, int]] = {}  # a translation -> the text it translates, its line
    for entry in entries.translated_entries():
        if len(entry.msgstr) > MAX_TEXT:
            raise LoadError.of(
                "CATALOGUE",
                f"translation of {len(entry.msgstr)} characters, over the {MAX_TEXT} a "
                "workbook cell holds",
                "shorten the translation",
                file=str(path),
                line=max(entry.linenum or 1, 1),  # the entry's msgid line
            )
        try:
            text = clean_text(entry.msgstr)
        except ValueError as exc:
            raise LoadError.of(
                "CATALOGUE",
                str(exc.args[0]),
                said("fix the translation", "corriger la traduction"),
                file=str(path),
                line=max(entry.linenum or 1, 1),
            ) from None
        if text in owner and owner[text][0] != entry.msgid:
            first, first_line = owner[text]
            raise LoadError.of(
                "CATALOGUE",
                said(
                    f"translation {text!r} is already that of {first!r} (line {first_line}): "
                    "read back, it could not tell the two texts apart",
                    f"la traduction {text!r} est déjà celle de {first!r} (ligne {first_line}) : "
                    "relue, elle ne permettrait plus de distinguer les deux textes",
                ),
                said("make the two translations differ", "rendre les deux traductions distinctes"),
                file=str(path),
                line=max(entry.linenum or 1, 1),
            )
        owner[text] = (entry.msgid, max(entry.linenum or 1, 1))
        found[entry.msgid] = text
    return found


def catalogue(source_path: str, lang: Lang) -> dict[str, str]:
    """French text -> its translation in ``lang`` for a programme read from ``source_path``: the
    default programme's entries, then those of the scenario's own catalogue."""
    if lang == "fr":
        return {}
    entries: dict[str, str] = {}
    shipped = bundled(lang)
    if shipped.exists():
        entries.update(read_catalogue(shipped))
    own = sidecar(source_path, lang)
    if own is not None:
        entries.update(read_catalogue(own))
    return entries


def translated(programme: Programme, source_path: str, lang: Lang) -> Programme:
    """The programme with its texts for people in ``lang`` (as its workbook shows them)."""
    return retext(programme, catalogue(source_path, lang))


def untranslated(programme: Programme, source_path: str, lang: Lang) -> Programme:
    """A programme read from a workbook in ``lang`` with its texts put back in French where they
    are a catalogue's translations; a text edited in the workbook stays as typed."""
    return retext(programme, reverse(catalogue(source_path, lang)))


def update_catalogue(path: Path, programme: Programme) -> tuple[int, int]:
    """Bring a PO catalogue up to date with a programme, as gettext's ``msgmerge`` does: every
    text of the programme has an entry (new ones untranslated, for a translator to fill in),
    each entry's places are the programme's, and entries no text uses are marked obsolete.
    Returns (entries added, entries made obsolete)."""
    import polib

    from budgetplan.core.atomic import atomic_path
    from budgetplan.core.retext import texts

    po = polib.pofile(str(path), wrapwidth=0) if path.exists() else polib.POFile(wrapwidth=0)
    places: dict[str, list[str]] = {}
    for where, text in texts(programme):
        places.setdefault(text, []).append(where)
    known = {entry.msgid: entry for entry in po if not entry.obsolete}
    added = obsolete = 0
    for text, where in places.items():
        entry = known.get(text)
        if entry is None:
            entry = polib.POEntry(msgid=text, msgstr="")
            po.append(entry)
            added += 1
        entry.occurrences = [(w, "") for w in where[:3]]
    for msgid, entry in known.items():
        if msgid and msgid not in places:
            entry.obsolete = True
            obsolete += 1
    with atomic_path(path) as tmp:
        po.save(str(tmp))
    return added, obsolete
