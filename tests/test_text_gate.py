"""One gate for every text that enters: line breaks of every spelling made one, tabs spaces,
control and direction characters refused at their place; a workbook is never written with a
character XML cannot hold."""

from __future__ import annotations

import re
import zipfile
from xml.dom import minidom

import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgetplan.api import build, reconcile
from budgetplan.core.findings import in_lang
from budgetplan.core.text_gate import clean_text
from tests.conftest import edit_scenario
from tests.test_steering import cli

#: What XML 1.0 allows in a document (its Char production).
_XML_CHAR = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Scanners\vmillimétriques", "Scanners\nmillimétriques"),  # Word's manual line break
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\u2028b\u2029c", "a\nb\nc"),
        ("a\tb", "a b"),
        ("Lot 1 – équipements", "Lot 1 – équipements"),
    ],
)
def test_line_breaks_and_tabs_are_made_one(typed, kept) -> None:
    assert clean_text(typed) == kept


@pytest.mark.parametrize("bad", ["\x01", "\x00", "\x7f", "\x9b", "\u202e", "\u2066", "\ufffe"])
def test_control_and_direction_characters_are_refused_by_code_point(bad) -> None:
    with pytest.raises(ValueError) as caught:
        clean_text(f"Nom{bad}pilote")
    message = caught.value.args[0]
    assert f"U+{ord(bad):04X} en position 4" in in_lang(message, "fr")
    assert f"U+{ord(bad):04X} at position 4" in in_lang(message, "en")


@given(st.text())
def test_what_passes_the_gate_is_xml_and_passes_again(text) -> None:
    try:
        cleaned = clean_text(text)
    except ValueError:
        return
    assert _XML_CHAR.fullmatch(cleaned)
    assert "\r" not in cleaned and "\t" not in cleaned
    assert clean_text(cleaned) == cleaned


def _rename_scan(name: str):  # type: ignore[no-untyped-def]
    def change(doc) -> None:  # type: ignore[no-untyped-def]
        next(p for p in doc["pilots"] if p["id"] == "SCAN")["name"] = name

    return change


@pytest.mark.slow
def test_a_manual_line_break_in_a_name_builds_a_sound_workbook(tmp_path) -> None:
    """A vertical tab pasted from Word into a pilot's name used to leave the Summary and the
    Timeline as malformed XML; it is a line break every engine reads back."""
    scenario = edit_scenario(tmp_path, "vt.yaml", _rename_scan("Scanners\vmillimétriques"))
    book = build(scenario, output=tmp_path / "vt.xlsx").path
    with zipfile.ZipFile(book) as zf:
        for part in zf.namelist():
            if part.endswith(".xml"):
                minidom.parseString(zf.read(part))  # raises on malformed XML
    back = reconcile(book)
    assert back.errors == []
    assert back.programme is not None
    assert back.programme.pilot("SCAN").name == "Scanners\nmillimétriques"


def test_a_control_character_in_a_scenario_is_refused_at_its_line(tmp_path) -> None:
    scenario = edit_scenario(tmp_path, "soh.yaml", _rename_scan("Scanners\x01 millimétriques"))
    out = tmp_path / "soh.xlsx"
    code, _out, err = cli("build", str(scenario), "-o", str(out))
    assert code == 2 and not out.exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert re.match(
        r".*soh\.yaml:\d+ pilots\[\d+\]\.name: erreur\[SCHEMA\] le caractère U\+0001", lines[0]
    )
    assert "Traceback" not in err


def _catalogue(tmp_path, entries: str):  # type: ignore[no-untyped-def]
    scenario = edit_scenario(tmp_path, "p.yaml", lambda doc: None)
    (tmp_path / "p.en.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n' + entries,
        encoding="utf-8",
    )
    return scenario


def test_a_translation_holding_a_non_character_is_refused_at_its_line(tmp_path) -> None:
    scenario = _catalogue(tmp_path, 'msgid "Synthèse"\nmsgstr "Sum\ufffemary"\n')
    code, _out, err = cli("build", str(scenario), "--lang", "en", "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "p.en.po:5" in err and "U+FFFE" in err, err
    assert not (tmp_path / "x.xlsx").exists()


def test_two_texts_translated_alike_are_refused_at_the_second(tmp_path) -> None:
    """Read back, one English text for two French ones could not say which French to keep:
    --write-scenario would write the English over both."""
    scenario = _catalogue(
        tmp_path,
        'msgid "Fournitures"\nmsgstr "Supplies"\n\nmsgid "Matériels"\nmsgstr "Supplies"\n',
    )
    code, _out, err = cli("build", str(scenario), "--lang", "en", "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "p.en.po:8" in err and "Fournitures" in err, err


def test_a_label_of_spaces_is_refused_at_its_line(tmp_path) -> None:
    """A label of one space built a workbook that reconcile then read as empty, and that could
    not be rebuilt over."""
    scenario = edit_scenario(tmp_path, "blank.yaml", _rename_scan(" "))
    code, _out, err = cli("build", str(scenario), "-o", str(tmp_path / "blank.xlsx"))
    assert code == 2 and "pilots[0].name" in err and "ne contient que des espaces" in err, err
    assert clean_text("   ") == ""  # an optional text of spaces says nothing: empty


def test_a_legal_250_byte_workbook_name_is_written_and_rebuilt(tmp_path) -> None:
    """Its lock and temporary files beside it (.NAME.lock) would be over the 255 bytes a file
    name may have: they take a digest of the name instead."""
    target = tmp_path / ("b" * 245 + ".xlsx")
    assert cli("build", "-o", str(target))[0] == 0
    assert cli("build", "-o", str(target))[0] == 0  # over itself: read, replaced
    assert target.is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
