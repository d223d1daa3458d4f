"""Contributors: a workbook per pilot owner, their returns consolidated into the scenario file,
an edit to what a contributor does not own refused at its cell."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from budgetplan.api import build, load_programme
from budgetplan.cli import run
from budgetplan.signing import KEY_NAME
from budgetplan.steering import contributors, file_name, take_owned
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.reader import open_workbook
from budgetplan.yamlio.loader import default_scenario_path, load

FIRST = 5  # first data row of every input table
PROGRAMME = load_programme()
LINE_ROW = {line.id: FIRST + i for i, line in enumerate(PROGRAMME.cost_lines)}
QUANTITY = L.INPUTS.letter("quantity")


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    return code, out.getvalue(), err.getvalue()


def type_quantities(workbook: Path, target: Path, quantities: dict[str, int]) -> Path:
    """What a contributor does: type quantities into the Lignes sheet, save the workbook."""
    book = openpyxl.load_workbook(workbook)
    for line, quantity in quantities.items():
        book[L.sheet_name("inputs", "fr")][f"{QUANTITY}{LINE_ROW[line]}"] = quantity
    book.save(target)
    return target


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> dict[str, object]:
    """Split the programme by pilot; three contributors answer: SCAN within what it owns, ADRN
    on its own line and on a SCAN line, FRA from a workbook split from an older version."""
    folder = tmp_path_factory.mktemp("steering")
    scenario = folder / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    older = folder / "older.yaml"
    older.write_text(
        scenario.read_text(encoding="utf-8").replace("vat_rate: 0.20", "vat_rate: 0.2"),
        encoding="utf-8",
    )
    assert cli("split", str(scenario), "-o", str(folder / "outbox"))[0] == 0
    assert cli("split", str(older), "-o", str(folder / "oldbox"))[0] == 0
    inbox = folder / "inbox"
    inbox.mkdir()
    outbox = folder / "outbox"
    type_quantities(outbox / "SCAN.xlsx", inbox / "SCAN.xlsx", {"SCAN-TRAIN": 160})
    type_quantities(outbox / "ADRN.xlsx", inbox / "ADRN.xlsx", {"ADRN-TRAIN": 100, "SCAN-INST": 25})
    type_quantities(folder / "oldbox" / "FRA.xlsx", inbox / "FRA.xlsx", {"FRA-GATE": 50})
    before = scenario.read_text(encoding="utf-8")
    code, out, err = cli(
        "consolidate", str(scenario), *sorted(map(str, inbox.glob("*.xlsx"))),
        "--write-scenario", str(scenario),
    )  # fmt: skip
    return {
        "folder": folder,
        "scenario": scenario,
        "before": before,
        "code": code,
        "out": out,
        "err": err,
    }


@pytest.mark.slow
def test_split_writes_one_workbook_per_contributor_recording_whom_for(tmp_path) -> None:
    code, _out, err = cli("split", "--by", "owner", "-o", str(tmp_path))
    assert code == 0, err
    owners = contributors(PROGRAMME, "owner")
    assert owners["DPSIS / DGPN"] == ("SCAN", "DRONE")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(file_name(o) for o in owners)
    about = open_workbook(tmp_path / "DPSIS-DGPN.xlsx").about
    assert (about["contributor"], about["owns"]) == ("DPSIS / DGPN", "SCAN DRONE")
    assert about["hash"] == load(None).source.sha256  # the version it was made from
    # a contributor sends the workbook back; the steering team consolidates it (no rebuild)
    assert (
        about["rebuild"].startswith("budgetplan consolidate ") and "RETURN.xlsx" in about["rebuild"]
    )
    sheet = openpyxl.load_workbook(tmp_path / "DPSIS-DGPN.xlsx")["À propos"]
    labels = [c.value for c in sheet["B"] if c.value]
    assert "À renvoyer à l'équipe de pilotage, qui le reprend par" in labels
    assert "Pour reconstruire" not in labels


@pytest.mark.slow
def test_a_return_is_taken_for_what_its_contributor_owns(cycle) -> None:
    assert cycle["code"] == 1  # something was refused
    out = str(cycle["out"])
    assert "SCAN (" in out and "1 modification(s) reprise(s)" in out
    assert "ADRN (" in out and "1 modification(s) reprise(s), 1 refusée(s)" in out
    scan_inst = f"Lignes!{QUANTITY}{LINE_ROW['SCAN-INST']}"
    assert f"{scan_inst}: erreur[EDIT_NOT_OWNED] cost_lines[SCAN-INST] quantity" in out
    assert "FRA (" in out and "erreur[STALE_RETURN]" in out
    assert "Sans réponse : FRP, CROWD, OSINT, DATA, DRONE, SUPV, PGM" in out


@pytest.mark.slow
def test_the_scenario_file_holds_only_the_edits_taken(cycle) -> None:
    before = str(cycle["before"]).splitlines()
    after = Path(cycle["scenario"]).read_text(encoding="utf-8").splitlines()  # type: ignore[arg-type]
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ("    quantity: 150", "    quantity: 160"),
        ("    quantity: 120", "    quantity: 100"),
    ]
    programme = load(cycle["scenario"]).programme  # type: ignore[arg-type]
    quantities = {line.id: line.quantity for line in programme.cost_lines}
    assert (quantities["SCAN-TRAIN"], quantities["ADRN-TRAIN"]) == (160, 100)
    assert quantities["SCAN-INST"] == 20 and quantities["FRA-GATE"] == 60  # refused, stale


@pytest.mark.slow
def test_the_consolidated_scenario_builds_with_every_check(cycle, tmp_path) -> None:
    built = build(cycle["scenario"], output=tmp_path / "consolidated.xlsx")  # type: ignore[arg-type]
    assert built.ok, [c.spec.code for c in built.checks if not c.ok]
    assert "Contrôles après consolidation : tous respectés." in str(cycle["out"])


@pytest.mark.libreoffice
@pytest.mark.slow
def test_the_consolidated_workbook_recalculates_in_libreoffice(
    cycle, tmp_path, lo_available
) -> None:
    from budgetplan.api import verify

    built = build(cycle["scenario"], output=tmp_path / "consolidated.xlsx")  # type: ignore[arg-type]
    (checked,) = verify([built.path])
    assert checked.ok and checked.formulas > 1000, (checked.mismatches[:3], checked.errors)


def test_a_workbook_not_made_for_a_contributor_is_refused(tmp_path) -> None:
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    plain = build(scenario, output=tmp_path / "plain.xlsx").path
    code, out, _err = cli("consolidate", str(scenario), str(plain), "--format", "json")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert "NOT_A_RETURN" in report["returns"][0]["findings"][0]
    assert report["missing"] == [p.id for p in PROGRAMME.pilots]


@pytest.mark.slow
def test_an_unchanged_return_changes_nothing(tmp_path) -> None:
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    assert cli("split", str(scenario), "-o", str(tmp_path / "out"))[0] == 0
    before = scenario.read_bytes()
    code, out, err = cli(
        "consolidate", str(scenario), str(tmp_path / "out" / "PGM.xlsx"),
        "--write-scenario", str(scenario),
    )  # fmt: skip
    assert code == 0, err
    assert "aucune modification" in out and scenario.read_bytes() == before


def test_take_owned_keeps_places_and_adds_new_lines_after_their_pilot() -> None:
    base = PROGRAMME
    scan = [line for line in base.cost_lines if line.pilot == "SCAN"]
    new_line = scan[0].model_copy(update={"id": "SCAN-NEW"})
    held = base.model_copy(
        update={"cost_lines": (*base.cost_lines[1:], new_line)}  # SCAN-EQ removed, one added
    )
    merged = take_owned(base, held, ("SCAN",))
    ids = [line.id for line in merged.cost_lines]
    assert "SCAN-EQ" not in ids
    assert ids.index("SCAN-NEW") == ids.index(scan[-1].id) + 1
    assert [i for i in ids if not i.startswith("SCAN")] == [
        line.id for line in base.cost_lines if line.pilot != "SCAN"
    ]
    assert take_owned(base, held, ("ADRN",)).cost_lines == base.cost_lines


def _git(folder: Path, *args: str) -> None:
    import subprocess

    subprocess.run(
        ["git", "-c", "user.name=DPSIS", "-c", "user.email=dpsis@example.org", *args],
        cwd=folder, check=True, capture_output=True,
    )  # fmt: skip


@pytest.mark.slow
def test_a_return_from_an_older_version_is_merged_three_way(tmp_path) -> None:
    """ADRN's workbook was split from version 1; the steering team then changed ADRN-TRAIN and
    SCAN-TRAIN in version 2 (committed). ADRN's edit to ADRN-MOB is taken; its edit to
    ADRN-TRAIN, which version 2 changed too, is a conflict naming both values (version 2's kept);
    version 1 is found in the scenario file's git history."""
    pytest.importorskip("subprocess")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "programme.yaml")
    _git(tmp_path, "commit", "-q", "-m", "version 1")
    assert cli("split", str(scenario), "-o", str(tmp_path / "outbox"))[0] == 0
    v1 = scenario.read_text(encoding="utf-8")
    v2 = v1.replace("    quantity: 120", "    quantity: 110").replace(
        "    quantity: 150", "    quantity: 140"
    )
    scenario.write_text(v2, encoding="utf-8")
    _git(tmp_path, "commit", "-q", "-am", "version 2")
    returned = type_quantities(
        tmp_path / "outbox" / "ADRN.xlsx",
        tmp_path / "ADRN.xlsx",
        {"ADRN-TRAIN": 100, "ADRN-MOB": 5},
    )
    code, out, err = cli(
        "consolidate", str(scenario), str(returned), "--write-scenario", str(scenario)
    )
    assert code == 1, err
    assert "1 modification(s) reprise(s), 1 en conflit" in out
    assert "erreur[CONFLICT] cost_lines[ADRN-TRAIN] : le retour modifie quantity: 120 -> 100" in out
    assert "le scénario a modifié quantity: 120 -> 110" in out
    programme = load(scenario).programme
    quantities = {line.id: line.quantity for line in programme.cost_lines}
    assert (quantities["ADRN-MOB"], quantities["ADRN-TRAIN"], quantities["SCAN-TRAIN"]) == (
        5,
        110,
        140,
    )
    # without its version (no git history, no --base), the same return is refused whole
    (tmp_path / ".git").rename(tmp_path / "git-moved")
    scenario.write_text(v2, encoding="utf-8")
    code, out, _err = cli("consolidate", str(scenario), str(returned))
    assert code == 1 and "erreur[STALE_RETURN]" in out
    older = tmp_path / "v1.yaml"
    older.write_text(v1, encoding="utf-8")
    code, out, _err = cli("consolidate", str(scenario), str(returned), "--base", str(older))
    assert "1 modification(s) reprise(s), 1 en conflit" in out


@pytest.mark.slow
def test_consolidate_lists_the_changes_that_need_an_approval(tmp_path) -> None:
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    assert cli("split", str(scenario), "-o", str(tmp_path / "out"))[0] == 0
    returned = type_quantities(
        tmp_path / "out" / "SCAN.xlsx", tmp_path / "SCAN.xlsx", {"SCAN-EQ": 44}
    )
    policy = tmp_path / "policy.yaml"
    policy.write_text("rules:\n  - id: ae-5pc\n    pilot_ae_moves: {share: 0.05, amount: 500000}\n")
    code, out, err = cli("consolidate", str(scenario), str(returned), "--policy", str(policy))
    assert code == 1, err
    assert "1 modification(s) reprise(s)" in out
    from decimal import Decimal

    from tests.test_policy import scan_ae_change

    change = scan_ae_change(
        PROGRAMME.model_copy(
            update={
                "cost_lines": tuple(
                    line.model_copy(update={"quantity": Decimal(44)})
                    if line.id == "SCAN-EQ"
                    else line
                    for line in PROGRAMME.cost_lines
                )
            }
        )
    )
    assert f"erreur[NEEDS_APPROVAL] ae-5pc : SCAN : {change}" in out


@pytest.mark.slow
def test_a_contributors_workbook_leaves_only_their_inputs_editable(tmp_path) -> None:
    """In ADRN's workbook its lines, milestones and pilot row are inputs (unlocked, yellow) and
    the spare rows too; other pilots' rows and the Parameters are locked, greyed context."""
    assert cli("split", "-o", str(tmp_path))[0] == 0
    book = openpyxl.load_workbook(tmp_path / "ADRN.xlsx")
    lines = book[L.sheet_name("inputs", "fr")]
    locked = {line: lines[f"{QUANTITY}{row}"].protection.locked for line, row in LINE_ROW.items()}
    assert {line for line, is_locked in locked.items() if not is_locked} == {
        line.id for line in PROGRAMME.cost_lines if line.pilot == "ADRN"
    }
    spare = FIRST + len(PROGRAMME.cost_lines)
    assert not lines[f"{QUANTITY}{spare}"].protection.locked  # a line they add
    pilots = book[L.sheet_name("pilots", "fr")]
    names = {
        pilots[f"A{r}"].value: pilots[f"B{r}"].protection.locked for r in range(FIRST, FIRST + 10)
    }
    assert names["ADRN"] is False and names["SCAN"] is True
    envelopes = book[L.sheet_name("parameters", "fr")]
    first_envelope = f"{L.ENVELOPES.letter('ae')}{FIRST}"
    assert envelopes[first_envelope].protection.locked
    about = book[L.sheet_name("about", "fr")]
    legend = next(c for row in about.iter_rows() for c in row if c.value == "Saisie (modifiable)")
    assert not legend.protection.locked and legend.fill.fgColor.rgb.endswith("FFF2CC")
    labels = [about.cell(r, 2).value or "" for r in range(1, about.max_row + 1)]
    assert about.column_dimensions["B"].width >= max(map(len, labels))  # no label cut
    plain = openpyxl.load_workbook(build(output=tmp_path / "plain.xlsx").path)
    assert not plain[L.sheet_name("parameters", "fr")][first_envelope].protection.locked


@pytest.mark.slow
def test_the_consolidation_workbook_lists_every_finding_at_its_cell(cycle, tmp_path) -> None:
    folder = Path(cycle["folder"])  # type: ignore[arg-type]
    scenario = tmp_path / "programme.yaml"
    scenario.write_text(str(cycle["before"]), encoding="utf-8")
    shutil.copy(folder / KEY_NAME, tmp_path)  # the split's key goes with the scenario's folder
    report = tmp_path / "consolidation.xlsx"
    returns = sorted(map(str, (folder / "inbox").glob("*.xlsx")))
    code, _out, err = cli("consolidate", str(scenario), *returns, "-o", str(report))
    assert code == 1 and report.is_file(), err
    rows = [
        [c for c in row if c is not None]
        for row in openpyxl.load_workbook(report).worksheets[0].iter_rows(values_only=True)
    ]
    refused = [r for r in rows if "EDIT_NOT_OWNED" in r]
    assert refused and refused[0][:2] == ["ADRN", returns[0]]
    assert f"{QUANTITY}{LINE_ROW['SCAN-INST']}" in refused[0]
    assert any("STALE_RETURN" in r for r in rows)
    assert any(r and str(r[0]).startswith("Sans réponse : FRP") for r in rows)


@pytest.mark.libreoffice
def test_a_contributors_workbook_recalculates_in_libreoffice(tmp_path, lo_available) -> None:
    """The workbook sent to a contributor is a whole workbook: every formula recalculated by
    LibreOffice equals its cached value, the master check included."""
    from budgetplan.api import verify

    assert cli("split", "--by", "owner", "-o", str(tmp_path))[0] == 0
    (checked,) = verify([tmp_path / "DPSIS-DGPN.xlsx"])
    assert checked.ok and checked.formulas > 1000, (checked.mismatches[:3], checked.errors)


def test_consolidate_takes_a_programme_file_not_a_change_file(tmp_path) -> None:
    change = tmp_path / "change.yaml"
    change.write_text(
        "name: c\nbase: default\nchanges:\n  - scale_cost: {pilot: SCAN, factor: 1.1}\n"
    )
    returned = tmp_path / "r.xlsx"
    returned.write_bytes(b"")
    code, _out, err = cli("consolidate", str(change), str(returned))
    assert (
        code == 2 and "prend un fichier de programme" in err and len(err.strip().splitlines()) == 1
    )


def _about_edited(workbook: Path, target: Path, **values: str) -> Path:
    """What a contributor can do to the unprotected About sheet: change what it says."""
    book = openpyxl.load_workbook(workbook)
    about = book[L.sheet_name("about", "fr")]
    for row in about.iter_rows():
        key = row[0].value
        if key in values:
            row[2].value = values[key]
    book.save(target)
    return target


@pytest.mark.slow
def test_a_return_cannot_lie_about_its_owner(cycle, tmp_path) -> None:
    """ADRN's contributor extends what they own to SCAN, or passes their workbook off as
    SCAN's: the signature no longer matches, the return is refused whole, naming the file,
    and nothing of it reaches the scenario; the contributors it claimed are still awaited."""
    folder = Path(cycle["folder"])  # type: ignore[arg-type]
    scenario = folder / "programme.yaml"
    text_before = scenario.read_text(encoding="utf-8")
    adrn = folder / "outbox" / "ADRN.xlsx"
    typed = type_quantities(adrn, tmp_path / "typed.xlsx", {"SCAN-INST": 25})
    extended = _about_edited(typed, tmp_path / "extended.xlsx", owns="ADRN SCAN")
    posing = _about_edited(typed, tmp_path / "posing.xlsx", contributor="SCAN", owns="SCAN")
    for forged in (extended, posing):
        code, out, err = cli(
            "consolidate", str(scenario), str(forged), "--write-scenario", str(scenario)
        )
        assert code == 1, (out, err)
        assert f"{forged}: erreur[FORGED_RETURN]" in out, out
        assert "Sans réponse : SCAN, ADRN" in out
        assert scenario.read_text(encoding="utf-8") == text_before


@pytest.mark.slow
def test_without_the_key_no_return_is_believed(cycle, tmp_path) -> None:
    folder = Path(cycle["folder"])  # type: ignore[arg-type]
    scenario = tmp_path / "programme.yaml"
    scenario.write_text(str(cycle["before"]), encoding="utf-8")  # a folder with no key
    code, out, _err = cli("consolidate", str(scenario), str(folder / "inbox" / "SCAN.xlsx"))
    assert code == 1 and "erreur[NO_SPLIT_KEY]" in out and ".budgetplan.split-key" in out


def test_owners_whose_names_make_one_file_name_get_distinct_files(tmp_path) -> None:
    """`DPSIS / DGPN` and `DPSIS/DGPN`, `Préfecture` and `prefecture`: one file each."""
    from budgetplan.steering import file_names

    names = ["DPSIS / DGPN", "DPSIS/DGPN", "Préfecture", "prefecture", "DGSI"]
    got = file_names(names)
    assert len(set(n.lower() for n in got.values())) == len(names)
    assert got["DPSIS / DGPN"] == "DPSIS-DGPN.xlsx" and got["DPSIS/DGPN"] == "DPSIS-DGPN-2.xlsx"
    assert got["prefecture"] == "prefecture-2.xlsx"
