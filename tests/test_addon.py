"""The LibreOffice extension ``budgetplan.oxt``: what ``dev.py addon`` writes, installed with
``unopkg add`` for an ordinary user into a throw-away profile (LibreOffice refuses root without
``--shared``: as root the install runs as uid 65534), then its commands dispatched in a headless
French LibreOffice on generated workbooks, as a menu item dispatches them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import budgetplan
from budgetplan.addon import component
from budgetplan.addon.commands import COMMANDS, IMPLEMENTATION, PROTOCOL
from budgetplan.addon.oxt import members, write
from budgetplan.recalc import libreoffice
from budgetplan.recalc.lo_profile import set_locale
from budgetplan.xlsx import layout as L

#: LibreOffice with the extension installed runs alone, after the other tests (dev.py test)
pytestmark = pytest.mark.serial

SUMMARY = L.sheet_name("summary", "fr")
NOBODY = 65534


def test_the_extension_holds_its_parts_well_formed_and_the_same_bytes_each_time(tmp_path) -> None:
    first, second = write(tmp_path / "a.oxt"), write(tmp_path / "b.oxt")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as zf:
        names = zf.namelist()
        manifest = ET.fromstring(zf.read("META-INF/manifest.xml"))
        for name in names:
            if name.endswith((".xml", ".xcu")):
                ET.fromstring(zf.read(name))  # well-formed
    listed = {e.get("{http://openoffice.org/2001/manifest}full-path") for e in manifest}
    assert listed == set(names) - {"META-INF/manifest.xml", "description.xml"}
    addons = members()["Addons.xcu"].decode()
    for command in COMMANDS:  # in the menu and the toolbar, titled in both languages
        assert addons.count(f"<value>{command.url}</value>") == 2
        assert command.fr in addons and command.en in addons
    assert addons.count("com.sun.star.sheet.SpreadsheetDocument") == 1 + 2 * len(COMMANDS)
    assert f"<value>{PROTOCOL}*</value>" in members()["ProtocolHandler.xcu"].decode()
    # the component answers every command of the menu, under the name it is registered with
    assert tuple(c.path for c in COMMANDS) == component.PATHS
    assert (component.PROTOCOL, component.IMPLEMENTATION) == (PROTOCOL, IMPLEMENTATION)


def test_a_note_says_the_finding_and_what_to_do_and_carries_the_mark() -> None:
    text = component.note_text("FORMULA_REPLACED", "formule remplacée", "rétablir la formule")
    assert text.startswith(component.MARK) and text.endswith("→ rétablir la formule")


def test_a_failure_is_told_in_the_officer_s_words_never_as_an_exception_class() -> None:
    """The add-on answered `budgetplan : ReadError: ...` (an exception class, English): a
    refusal now reads as the command line's one line, in French; anything else as an internal
    error worth reporting."""
    from budgetplan.xlsx.reader import ReadError

    refused = ReadError.of(
        "LAYOUT_VERSION",
        "a workbook of layout 3",
        "budgetplan upgrade FILE",
        file="x.xlsx",
    )
    text = component.failure_text(refused)
    assert text.startswith("budgetplan : x.xlsx") and "LAYOUT_VERSION" in text
    assert "ReadError" not in text
    text = component.failure_text(ValueError("boom"))
    assert "erreur interne" in text and "merci de la signaler" in text
    assert "fichier illisible" in component.failure_text(PermissionError(13, "Permission denied"))


def test_budgetplan_comes_from_the_path_the_environment_names() -> None:
    import sys

    before = list(sys.path)
    try:
        added = component.budgetplan_on_path(
            {"BUDGETPLAN_PYTHONPATH": os.pathsep.join(["/opt/bp/site", "/opt/bp/src"])}
        )
        assert sys.path[:2] == ["/opt/bp/site", "/opt/bp/src"] and len(added) == 2
    finally:
        sys.path[:] = before


@pytest.fixture(scope="module")
def installed(lo_available, default_fr, budgetplan_path) -> Iterator[Path]:
    """A French profile with the extension installed by an ordinary user (``unopkg add``), in
    a folder of its own that user can reach (pytest's is root's only), started once: the
    first start registers the extension (LibreOffice may restart itself to do so), and the
    tests dispatch to a LibreOffice where it is live (checked: ``clear`` answers)."""
    if not shutil.which("unopkg"):
        pytest.fail("unopkg (LibreOffice) is missing")
    root = Path(tempfile.mkdtemp(prefix="budgetplan-addon-"))
    try:
        profile = _install(root)
        sample = root / "sample.xlsx"
        sample.write_bytes(default_fr.read_bytes())
        sample.chmod(0o644)
        answers: list[object] = []
        for _attempt in range(3):  # a loaded machine may need a start or two
            try:
                result = libreoffice.recalculate(
                    [sample], sheets=[SUMMARY], profile=profile, dispatch=[f"{PROTOCOL}clear"]
                )
            except subprocess.CalledProcessError as exc:
                answers = [exc.stderr.decode(errors="replace")[-300:]]
                continue
            answers = result[sample]["dispatched"]
            if answers == ["budgetplan : 0 note(s)"]:
                break
        assert answers == ["budgetplan : 0 note(s)"], f"the extension is not live: {answers}"
        yield profile
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _install(root: Path) -> Path:
    oxt = write(root / "budgetplan.oxt")
    profile, home = root / "profile", root / "home"
    home.mkdir()
    set_locale(str(profile), "fr-FR")  # the Gendarmerie's desktops
    as_user: list[str] = []
    if os.geteuid() == 0:  # unopkg refuses root (without --shared, never used here)
        for path in (root, *root.rglob("*")):
            os.chown(path, NOBODY, NOBODY)
        as_user = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    in_profile = f"-env:UserInstallation={profile.as_uri()}"
    env = {**os.environ, "HOME": str(home)}
    subprocess.run(
        [*as_user, "unopkg", "add", in_profile, str(oxt)],
        check=True,
        capture_output=True,
        timeout=300,
        env=env,
    )
    listed = subprocess.run(
        [*as_user, "unopkg", "list", in_profile],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    ).stdout
    assert "org.budgetplan.addon" in listed and "is registered: yes" in listed
    return profile


@pytest.fixture(scope="module")
def budgetplan_path(monkeypatch_module) -> None:
    """LibreOffice's Python finds this budgetplan (a clone and its virtual environment)."""
    import site

    clone = str(Path(budgetplan.__file__).resolve().parent.parent)
    monkeypatch_module.setenv(
        "BUDGETPLAN_PYTHONPATH", os.pathsep.join([clone, *site.getsitepackages()])
    )


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.mark.libreoffice
def test_verify_notes_a_typed_over_total_at_its_cell_and_a_second_run_replaces_them(
    installed, budgetplan_path, default_fr, tmp_path
) -> None:
    """The officer types 1 234 over the Summary's AE allocated, then Budget > Verify, twice:
    a note on that cell (FORMULA_REPLACED) and on the headroom it feeds, in French, the same
    two notes after the second run; Clear takes them off. An untouched workbook gets none."""
    edited, untouched = tmp_path / "edited.xlsx", tmp_path / "untouched.xlsx"
    for book in (edited, untouched):
        book.write_bytes(default_fr.read_bytes())
        book.chmod(0o644)
    allocated = f"B{L.HEADER_ROW + 4 + 1}"  # the fourth key figure below the budget year
    verify, clear = f"{PROTOCOL}verify", f"{PROTOCOL}clear"
    results = libreoffice.recalculate(
        [edited, untouched],
        edits={edited: [(SUMMARY, allocated, "number", 1234.0)]},
        sheets=[SUMMARY],
        profile=installed,
        dispatch=[verify, verify],
    )
    said = results[edited]["dispatched"]
    assert said[0] == said[1] and said[0].startswith("budgetplan : 2 erreur(s)"), said
    notes = results[edited]["notes"]
    by_cell = {(sheet, cell): text for sheet, cell, text in notes}
    assert len(notes) == len(by_cell) == 2, notes  # replaced, not added again
    note = by_cell[(SUMMARY, allocated)]
    assert note.startswith(f"{component.MARK}FORMULA_REPLACED\nformule remplacée")
    assert results[untouched]["notes"] == []
    assert results[untouched]["dispatched"][0].startswith("budgetplan : 0 erreur(s)")
    cleared = libreoffice.recalculate(
        [edited],
        edits={edited: [(SUMMARY, allocated, "number", 1234.0)]},
        sheets=[SUMMARY],
        profile=installed,
        dispatch=[verify, clear],
    )[edited]
    assert cleared["notes"] == [] and cleared["dispatched"][1] == "budgetplan : 2 note(s)"


def _forty_one_scanners() -> tuple[str, str, str, float]:
    """The officer's edit: SCAN-EQ's quantity 40 -> 41 on the Inputs sheet of the default."""
    from budgetplan.api import load_programme

    index = next(i for i, c in enumerate(load_programme().cost_lines) if c.id == "SCAN-EQ")
    cell = L.INPUTS.cell("quantity", index).replace("$", "")
    return L.sheet_name("inputs", "fr"), cell, "number", 41.0


@pytest.mark.libreoffice
def test_carry_shows_the_edits_then_writes_them_into_the_scenario_once_confirmed(
    installed, budgetplan_path, tmp_path
) -> None:
    """The officer changes SCAN-EQ's quantity 40 -> 41 in the open workbook, then Budget >
    Carry: first what will be written (nothing written without a yes), then, confirmed, the one
    line of the scenario file beside the workbook changed, a dated copy of it kept, the
    workbook's file untouched (the document is not saved)."""
    from budgetplan.api import build
    from budgetplan.yamlio.loader import default_scenario_path

    scenario = tmp_path / "programme.yaml"
    scenario.write_bytes(default_scenario_path().read_bytes())
    book = build(scenario, output=tmp_path / "programme.xlsx").path
    before_book, before_text = book.read_bytes(), scenario.read_text(encoding="utf-8")
    carry = f"{PROTOCOL}carry"
    result = libreoffice.recalculate(
        [book],
        edits={book: [_forty_one_scanners()]},
        sheets=[SUMMARY],
        profile=installed,
        dispatch=[carry, (carry, {"Confirm": True})],
    )[book]
    shown, written = result["dispatched"]
    assert shown.startswith("budgetplan : rien d'écrit. Reporter dans") and "40 -> 41" in shown
    assert written.startswith(f"budgetplan : écrit {scenario} (1 saisie(s)"), written
    after = scenario.read_text(encoding="utf-8").splitlines()
    changed = [(a, b) for a, b in zip(before_text.splitlines(), after, strict=True) if a != b]
    assert changed == [("    quantity: 40", "    quantity: 41")], changed
    assert [p.name for p in tmp_path.glob("programme.*.bak.yaml")]
    assert book.read_bytes() == before_book


@pytest.mark.libreoffice
def test_compare_opens_what_changed_and_what_it_costs_as_a_new_document(
    installed, budgetplan_path, default_fr, tmp_path
) -> None:
    """SCAN-EQ's quantity 40 -> 41 in the open workbook, then Budget > Compare with the
    workbook as built: a new document opens, the diff workbook, which names SCAN-EQ's change."""
    import openpyxl

    book = tmp_path / "edited.xlsx"
    book.write_bytes(default_fr.read_bytes())
    compare = f"{PROTOCOL}compare"
    result = libreoffice.recalculate(
        [book],
        edits={book: [_forty_one_scanners()]},
        sheets=[SUMMARY],
        profile=installed,
        dispatch=[compare, (compare, {"With": str(default_fr)})],
    )[book]
    refused, opened = result["dispatched"]
    assert refused == "budgetplan : choisir le classeur à comparer"
    assert opened.startswith(f"budgetplan : comparaison avec {default_fr} ouverte (1 ligne(s)")
    (document,) = result["documents"]
    assert document.endswith("/comparaison-edited.xlsx")
    diff_file = Path(opened.rsplit(" : ", 1)[1])
    try:
        texts = [
            str(v)
            for ws in openpyxl.load_workbook(diff_file, read_only=True).worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        ]
        assert "SCAN-EQ" in texts
    finally:
        shutil.rmtree(diff_file.parent, ignore_errors=True)


@pytest.mark.libreoffice
def test_schedule_dates_a_milestone_typed_with_a_duration_and_makes_its_row_current(
    installed, budgetplan_path, tmp_path
) -> None:
    """A milestone typed into the first empty row of the Milestones sheet as 30 days after
    SCAN-DELIV, then Budget > Recompute the schedule: its date is SCAN-DELIV's + 30 as a
    build computes it, written as a value (no float: it leads to no event), and the row is
    current (its inputs are those its dates were computed from); verify then finds no error."""
    import datetime as dt

    from budgetplan.api import build
    from budgetplan.xlsx.codec import serial

    built = build(output=tmp_path / "sent.xlsx")
    programme = built.figures.programme
    n = sum(len(p.milestones) for p in programme.pilots)
    row = L.FIRST_DATA_ROW + n + 1  # 1-based: the first empty milestone row
    sheet, T = L.sheet_name("milestones", "fr"), L.MILESTONES
    edits = [
        (sheet, f"{T.letter('pilot')}{row}", "text", "SCAN"),
        (sheet, f"{T.letter('kind')}{row}", "text", "Évaluation"),
        (sheet, f"{T.letter('label')}{row}", "text", "Retour d'expérience des opérateurs"),
        (sheet, f"{T.letter('duration.likely')}{row}", "number", 30),
        (sheet, f"{T.letter('depends_on')}{row}", "text", "SCAN-DELIV"),
        (sheet, f"{T.letter('provenance')}{row}", "text", "Hypothèse"),
        (sheet, f"{T.letter('rationale')}{row}", "text", "Un mois après la livraison"),
    ]
    cells = [f"{T.letter(k)}{row}" for k in ("calc.computed", "calc.float", "calc.built")]
    # the first event served's probability of being ready, made stale: schedule writes it again
    timeline = L.sheet_name("timeline", "fr")
    odds = f"{L.READINESS.letter('probability')}{L.readiness_header_row(len(programme.pilots)) + 2}"
    edits.append((timeline, odds, "number", 0.5))
    result = libreoffice.recalculate(
        [built.path],
        edits={built.path: edits},
        sheets=[sheet],
        strings=[(sheet, c) for c in cells] + [(timeline, odds)],
        profile=installed,
        dispatch=[f"{PROTOCOL}schedule", f"{PROTOCOL}verify"],
    )[built.path]
    said = result["dispatched"]
    assert re.match(r"budgetplan : \d+ jalon\(s\) daté\(s\)", said[0]), said
    expected = built.figures.dates["SCAN-DELIV"] + dt.timedelta(days=30)
    formulas = result["sheets"][sheet]
    assert formulas[f"{T.letter('calc.date')}{row}"][1] == serial(expected)
    assert f"{T.letter('calc.computed')}{row}" not in formulas  # a value now, as built
    shown = result["strings"]
    assert shown[f"{sheet}!{cells[0]}"] == f"{expected:%d/%m/%Y}"
    assert f"{sheet}!{cells[1]}" not in shown  # no float: it leads to no event
    assert shown[f"{sheet}!{cells[2]}"] == "|30|SCAN-DELIV||"  # what it was computed from
    assert formulas[f"{T.letter('calc.current')}{row}"][1] in (True, 1)
    probability = built.figures.readiness[0].probability
    assert probability is not None and probability != 0.5
    assert shown[f"{timeline}!{odds}"].replace(" ", "") == f"{probability * 100:.2f}%".replace(
        ".", ","
    )
    assert said[1].startswith("budgetplan : 0 erreur(s)"), (said[1], result["notes"])
