"""Diff for reviewers: budget changes keyed by ids, their cost, and git that shows them."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from decimal import Decimal

import openpyxl
import pytest

from budgetplan.api import build
from budgetplan.cli import run
from budgetplan.core.codes import names as code_names
from budgetplan.diff.compare import diff
from budgetplan.diff.textconv import textconv
from budgetplan.recalc import libreoffice
from budgetplan.xlsx import layout as L
from budgetplan.yamlio.loader import default_scenario_path
from tests.conftest import edit_scenario


def _edits(doc) -> None:  # type: ignore[no-untyped-def]
    lines = doc["cost_lines"]
    lines[0]["quantity"] = 41  # SCAN-EQ: +1 scanner at 150,000 HT = +180,000 TTC
    lines[1]["pilot"] = "ADRN"  # SCAN-INST moved to anti-drone
    removed = lines.pop(5)  # SCAN-DPIA removed: -42,000 TTC
    assert removed["id"] == "SCAN-DPIA"
    new = dict(lines[4])
    new["id"] = "SCAN-NEW1"
    new["label"] = "Étude complémentaire"
    new["unit_cost"] = 50000  # added: 50,000 HT = 60,000 TTC
    new["estimate"] = {"low": 40000, "high": 60000}
    new["need"] = "SCAN-ETUDE2"  # a need of its own (with the study's, 145k would be formal)
    lines.append(new)
    lines.insert(10, lines.pop(20))  # reordered: no change
    doc["events"][1]["first_day"] = dt.date(2024, 6, 18)  # the Olympic Games 38 days earlier


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("diff")
    old_yaml = tmp / "old.yaml"
    shutil.copy(default_scenario_path(), old_yaml)
    new_yaml = edit_scenario(tmp, "new.yaml", _edits)
    old_xlsx = build(old_yaml, output=tmp / "old.xlsx").path
    new_xlsx = build(new_yaml, output=tmp / "new.xlsx").path
    return {
        "old.yaml": old_yaml,
        "new.yaml": new_yaml,
        "old.xlsx": old_xlsx,
        "new.xlsx": new_xlsx,
        "tmp": tmp,
    }


def _check(result) -> None:  # type: ignore[no-untyped-def]
    by_id = {line.id: line for line in result.lines}
    assert {k: v.status for k, v in by_id.items()} == {
        "SCAN-EQ": "changed",
        "SCAN-INST": "moved",
        "SCAN-DPIA": "removed",
        "SCAN-NEW1": "added",
    }
    assert {k: (c.old, c.new) for k, c in by_id["SCAN-EQ"].changes.items()} == {
        "quantity": (Decimal(40), Decimal(41))
    }
    assert by_id["SCAN-INST"].changes["pilot"].new == "ADRN"
    assert by_id["SCAN-EQ"].ae_delta == 180_000_00
    assert by_id["SCAN-DPIA"].ae_delta == -42_000_00
    assert by_id["SCAN-NEW1"].ae_delta == 60_000_00
    assert result.total_ae[1] - result.total_ae[0] == (180_000 - 42_000 + 60_000) * 100
    assert result.unexplained == 0
    assert result.headroom[0] - result.headroom[1] == (180_000 - 42_000 + 60_000) * 100
    totals = {t.key: t for t in result.totals}
    assert totals["pilot ADRN"].ae_new - totals["pilot ADRN"].ae_old == 336_000_00  # SCAN-INST
    assert [(p[0], p[1]) for p in result.parameters] == [("events[OG2024]", "first_day")]
    # the Games 38 days earlier: every pilot serving them loses 38 days; OSINT (87 days, ready
    # in 51% of the schedule's draws) is now unlikely to be in time
    margins = {(r.pilot, r.event): r for r in result.readiness}
    assert margins[("SCAN", "OG2024")].old - margins[("SCAN", "OG2024")].new == 38
    assert margins[("OSINT", "OG2024")].became_late
    assert [c.code for c in result.checks] == ["READINESS"]


@pytest.mark.parametrize(
    "pair",
    [
        ("old.yaml", "new.yaml"),
        ("old.xlsx", "new.xlsx"),
        ("old.yaml", "new.xlsx"),
        ("old.xlsx", "new.yaml"),
    ],
)
def test_known_edits_give_exactly_the_expected_changes(versions, pair) -> None:
    _check(diff(versions[pair[0]], versions[pair[1]]))


def test_same_and_reordered_are_no_change(versions) -> None:
    assert diff(versions["old.yaml"], versions["old.xlsx"]).same
    assert run(["diff", str(versions["new.xlsx"]), str(versions["new.xlsx"])]) == 0


def test_threshold_hides_small_changes(versions) -> None:
    result = diff(versions["old.yaml"], versions["new.yaml"], threshold="200000")
    assert {line.id for line in result.lines} == {"SCAN-INST", "SCAN-DPIA", "SCAN-NEW1"}
    assert result.hidden == 1 and result.unexplained == 0


def test_cli_formats_and_exit_codes(versions, capsys) -> None:
    assert (
        run(["diff", str(versions["old.xlsx"]), str(versions["new.xlsx"]), "--format", "json"]) == 1
    )
    data = json.loads(capsys.readouterr().out)
    assert {"lines", "totals", "milestones", "checks"} <= set(data)
    line = next(x for x in data["lines"] if x["id"] == "SCAN-EQ")
    assert line["status"] == "changed" and line["changes"]["quantity"] == {"old": 40, "new": 41}
    assert (line["ae_old"], line["ae_new"]) == (7_200_000, 7_380_000)  # numbers, in euros
    added = next(x for x in data["lines"] if x["id"] == "SCAN-NEW1")
    assert added["line"]["label"] == "Étude complémentaire" and added["line"]["unit_cost"] == 50000
    assert data["totals"]["ae_new"] - data["totals"]["ae_old"] == 198_000
    assert all(isinstance(t["ae_new"], int | float) for t in data["totals"]["by"])
    assert (
        run(["diff", str(versions["old.xlsx"]), str(versions["new.xlsx"]), "--format", "markdown"])
        == 1
    )
    text = capsys.readouterr().out  # French by default: words, codes' names and numbers
    assert "### Lignes de coût" in text and "EN RETARD DÉSORMAIS" in text
    assert "| Statut | Ligne | AE avant | AE après | Écart | Quoi |" in text  # tables, not bullets
    assert "| ajoutée | SCAN-NEW1 | 0,00 | 60 000,00 |" in text
    assert "Étude complémentaire · SCAN · T3 · Services · 1 x 50 000,00 HT · AE 2022" in text
    assert "n'est à temps que dans" in text  # the check's message too
    old, new = str(versions["old.xlsx"]), str(versions["new.xlsx"])
    assert run(["diff", old, new, "--format", "markdown", "--lang", "en"]) == 1
    text = capsys.readouterr().out
    assert "### Cost lines" in text and "NOW LATE" in text
    assert "| Status | Line | AE old | AE new | Change | What |" in text
    assert "| added | SCAN-NEW1 | 0.00 | 60 000.00 |" in text
    assert "Étude complémentaire · SCAN · T3 · services · 1 x 50 000.00 HT · AE 2022" in text
    assert "datetime" not in text and "Decimal" not in text
    missing = versions["tmp"] / "missing.xlsx"
    assert run(["diff", str(missing), str(versions["new.xlsx"])]) == 2


@pytest.mark.slow
def test_the_report_file_takes_the_format_of_its_extension(versions, tmp_path, capsys) -> None:
    old, new = str(versions["old.yaml"]), str(versions["new.yaml"])
    assert run(["diff", old, new, "-o", str(tmp_path / "r.md")]) == 1
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("## ")
    assert run(["diff", old, new, "-o", str(tmp_path / "r.json")]) == 1
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["lines"]
    assert run(["diff", old, new, "-o", str(tmp_path / "r.xlsx")]) == 1
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames
    capsys.readouterr()
    for args, says in (
        (["-o", str(tmp_path / "r.pdf")], "prend un fichier .xlsx, .json, .md ou .txt"),
        (
            ["-o", str(tmp_path / "x.json"), "--format", "markdown"],
            "l'extension du fichier dit json",
        ),
        (["--format", "xlsx"], "demande -o"),
    ):
        assert run(["diff", old, new, *args]) == 2
        assert says in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "x.json").exists()
    before = versions["new.xlsx"].read_bytes()
    assert (
        run(
            [
                "diff",
                str(versions["old.xlsx"]),
                str(versions["new.xlsx"]),
                "-o",
                str(versions["new.xlsx"]),
            ]
        )
        == 2
    )
    assert "est une des versions comparées" in capsys.readouterr().err
    assert versions["new.xlsx"].read_bytes() == before


def test_markdown_cells_render_as_written() -> None:
    """A label with a pipe, emphasis, a link or a line break stays in its cell as text."""
    from budgetplan.diff.render import cell

    assert cell("a | b") == "a \\| b"
    assert cell("**gras** [lien](http://x) <b>") == "\\*\\*gras\\*\\* \\[lien\\](http://x) \\<b\\>"
    assert cell("ligne\nFAUSSE") == "ligne\\\\nFAUSSE"


def test_cells_diff_reports_one_inserted_row(versions) -> None:
    tmp = versions["tmp"]
    wb = openpyxl.load_workbook(versions["old.xlsx"])
    wb.save(tmp / "a.xlsx")
    ws = wb["Lignes"]
    ws.insert_rows(12)
    for c, v in enumerate(["X-1", "SCAN", "inserted", 3, "services", 1, 1000], 1):
        ws.cell(12, c, v)
    wb.save(tmp / "b.xlsx")
    from budgetplan.diff.cells import cell_diff

    result = cell_diff(tmp / "a.xlsx", tmp / "b.xlsx")
    changed = [s for s in result.sheets if s.status != "same"]
    assert len(changed) == 1 and changed[0].name == "Lignes"
    assert changed[0].inserted == [(12, 1)]
    assert changed[0].values == [] and changed[0].formulas == [] and changed[0].deleted == []


def test_textconv_is_the_same_for_a_scenario_and_its_workbook(versions) -> None:
    from budgetplan.diff.compare import load_version

    a = textconv(load_version(versions["new.yaml"]))
    b = textconv(load_version(versions["new.xlsx"]))
    assert a == b
    assert "line SCAN-EQ | SCAN | T5 | supplies | 41 x 150000.00" in a
    records = [line for line in a.splitlines() if line.startswith("line ")]
    ids = [r.split(" | ")[0].removeprefix("line ") for r in records]
    assert ids == sorted(ids)  # id-sorted, one line per cost line
    assert len(ids) == len(set(ids)) == len(load_version(versions["new.yaml"]).cost_lines)


@pytest.mark.libreoffice
def test_libreoffice_resaved_pairs(versions, lo_available) -> None:
    out = versions["tmp"] / "lo"
    out.mkdir(exist_ok=True)
    libreoffice.recalculate([versions["old.xlsx"], versions["new.xlsx"]], save_dir=out)
    assert diff(versions["old.xlsx"], out / "old.xlsx").same
    _check(diff(out / "old.xlsx", out / "new.xlsx"))


@pytest.mark.slow
def test_git_setup_and_git_diff_show_budget_changes(versions, tmp_path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "PATH": "/usr/bin:/bin",  # budgetplan's own bin folder is not on it: git still finds it
    }

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env
        ).stdout

    git("init", "-q")
    for _ in range(2):  # idempotent
        assert run(["git-setup", "--repo", str(repo)]) == 0
    assert (repo / ".gitattributes").read_text().count("*.xlsx diff=budgetplan") == 1
    shutil.copy(versions["old.xlsx"], repo / "budget.xlsx")
    git("add", ".")
    git("commit", "-qm", "old")
    shutil.copy(versions["new.xlsx"], repo / "budget.xlsx")
    out = git("diff")
    assert "-line SCAN-EQ | SCAN | T5 | supplies | 40 x" in out
    assert "+line SCAN-EQ | SCAN | T5 | supplies | 41 x" in out
    assert "-input cost_lines[SCAN-EQ].quantity: 40\n+input cost_lines[SCAN-EQ].quantity: 41" in out
    assert subprocess.run(["sh", "-c", "command -v budgetplan"], env=env).returncode != 0


def test_xlsx_diff_highlights_changed_cells_with_old_values(versions) -> None:
    out = versions["tmp"] / "diff.xlsx"
    assert (
        run(
            [
                "diff",
                str(versions["old.xlsx"]),
                str(versions["new.xlsx"]),
                "--format",
                "xlsx",
                "-o",
                str(out),
            ]
        )
        == 1
    )
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Modifications" and "Lignes" in wb.sheetnames
    ws = wb["Lignes"]
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    qty = ws.cell(rows["SCAN-EQ"], L.INPUTS.index("quantity") + 1)
    assert qty.value == 41 and qty.comment is not None and qty.comment.text == "avant : 40"
    assert qty.fill.fgColor.rgb.endswith("F8CBAD")
    moved = ws.cell(rows["SCAN-INST"], 2)
    assert moved.value == "ADRN" and moved.comment.text == "avant : SCAN"
    untouched = ws.cell(rows["SCAN-EQ"], L.INPUTS.index("unit_cost") + 1)
    assert untouched.comment is None and untouched.fill.fgColor.rgb.endswith("FFF2CC")
    # the totals that moved are highlighted on the Summary, their old value in a comment
    summary = wb["Synthèse"]
    ids = openpyxl.load_workbook(out, data_only=True)["Synthèse"]  # the cached values
    scan = next(r for r in range(1, 40) if ids.cell(r, 1).value == "SCAN")
    ae = summary.cell(scan, 3)
    assert ae.fill.fgColor.rgb.endswith("F8CBAD") and ae.comment.text.startswith("avant : ")
    supv = next(r for r in range(1, 40) if ids.cell(r, 1).value == "SUPV")
    assert summary.cell(supv, 3).comment is None  # unchanged: left as it is
    changes = [r for r in wb["Modifications"].iter_rows(values_only=True) if r[0]]
    assert ("SCAN-EQ", "modifiée", "Quantité", 40, 41) in [tuple(r[:5]) for r in changes]  # words


#: Values a column's cell takes in the test below where the generic change would not read:
#: Chorus codes of the right shape, a key of a table that lists each once, an enum's other code.
VALID_EDITS = {
    "centre_financier": "0216-CDBU-DPSI",
    "domaine_fonctionnel": "0216-03",
    "activite": "021601010101",
    "compte_pce": "6113110000",
    "transfer_to": "303",
    "vat_rate": 0.055,
}
#: Columns an edit of which alone cannot read back, by design: ids other records refer to (the
#: edit is an error naming the broken reference), a key of a table listing each key once, a CP
#: profile (flat and explicit need other columns filled).
NOT_ALONE = {
    ("Events", "id"),
    ("Pilots", "id"),
    ("Milestones", "id"),
    ("Routes", "route"),
    ("Spreads", "kind"),
    ("CostLines", "cp.profile"),
}


def _changed(col: L.Column, value, others: list):  # type: ignore[no-untyped-def]
    """Another valid value for a cell of ``col``: another name of its list for a code, another
    row's value where the column holds references, else the value moved a little."""
    key, kind = col.key, col.kind
    if col.codes is not None:  # the French workbook shows (and the reader reads) the names
        return next(n for n in code_names(col.codes, "fr") if n != value)
    if key in VALID_EDITS and VALID_EDITS[key] != value:
        return VALID_EDITS[key]
    if kind == "bool" or isinstance(value, bool):
        return not value
    if kind == "titre":
        return 3 if value != 3 else 5
    if kind in ("date", "month") and isinstance(value, dt.datetime):
        return value + dt.timedelta(days=31 if kind == "month" else 1)
    if isinstance(value, int | float) and kind == "year":
        return value + 1
    if isinstance(value, int | float):
        return value + (1 if kind in ("int", "money") else 0.001)
    different = [o for o in others if o not in (None, "") and o != value]
    if kind in ("choice", "ids") and different:
        return different[0]
    if key in ("id", "calendar", "need"):
        return f"{value}X"
    return f"{value} bis"


@pytest.mark.slow
def test_textconv_shows_an_edit_of_every_input_column(tmp_path) -> None:
    """Each input column of each input table, edited in turn in a workbook (in the first row
    that holds a value there): the text git diff compares changes, so that no edit of an input
    is invisible to a reviewer."""
    from budgetplan.diff.compare import DiffError, load_version

    base = build(output=tmp_path / "base.xlsx").path
    before = textconv(load_version(base))
    wb = openpyxl.load_workbook(base)
    missed, unread, edited_columns = [], [], 0
    for table in L.INPUT_TABLES:
        ws = wb[L.sheet_name(table.sheet, "fr")]
        first = L.FIRST_DATA_ROW + 1
        for col in table.columns:
            if not col.is_input or (table.name, col.key) in NOT_ALONE:
                continue
            c = table.index(col.key) + 1
            rows = [r for r in range(first, first + 60) if ws.cell(r, c).value not in (None, "")]
            if not rows and col.key not in VALID_EDITS:
                continue  # a column no row fills: typing into it is a new value, as above
            cell = ws.cell(rows[0] if rows else first, c)
            others = [ws.cell(r, c).value for r in range(first, first + 60)]
            old, cell.value = cell.value, _changed(col, cell.value, others)
            edited = tmp_path / f"{table.name}-{col.key}.xlsx"
            wb.save(edited)
            cell.value = old
            edited_columns += 1
            try:
                after = textconv(load_version(edited))
            except DiffError as exc:
                unread.append((table.name, col.key, exc.findings[0].one_line()))
                continue
            if after == before:
                missed.append((table.name, col.key))
    assert missed == []
    assert unread == [], "\n".join(map(str, unread))
    assert edited_columns > 100


def test_no_label_can_forge_a_record_in_textconv() -> None:
    """A label holding a line break, a carriage return or a bidi override stays on its line,
    escaped: what a reviewer reads in git diff is what the workbook holds."""
    from budgetplan.yamlio.loader import load

    programme = load().programme
    first = programme.cost_lines[0]
    forged = first.model_copy(
        update={
            "label": "Scanners\nline FAKE | SCAN | T5 | 0 x 0\r\u202eevil",
            "rationale": "a\\nb",
        }
    )
    text = textconv(
        programme.model_copy(update={"cost_lines": (forged, *programme.cost_lines[1:])})
    )
    assert not any(line.startswith("line FAKE") for line in text.splitlines())
    assert "Scanners\\nline FAKE | SCAN | T5 | 0 x 0\\u000d\\u202eevil" in text
    assert f"input cost_lines[{first.id}].rationale: a\\\\nb" in text  # a typed backslash too


SHIFT_LAWS = """name: shift-laws
description: two laws four months later
base: {base}
changes:
  - shift: {{milestone: SCAN-LAW, months: 4}}
  - shift: {{milestone: ADRN-LAW, months: 4}}
"""


@pytest.mark.slow
def test_a_shift_is_shown_with_every_date_and_float_it_moves(tmp_path, capsys) -> None:
    """Shifting two computed laws by four months moves their forward-pass dates: the diff
    says their new durations and both dates, old and new, with the float each loses, in every
    format (it listed no milestone, as only typed dates were compared)."""
    base = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), base)
    change = tmp_path / "shift.yaml"
    change.write_text(SHIFT_LAWS.format(base=base.name), encoding="utf-8")
    result = diff(base, change)
    moves = {m.id: m for m in result.milestones}
    assert (moves["ADRN-LAW"].old, moves["ADRN-LAW"].new) == (
        dt.date(2022, 6, 30),
        dt.date(2022, 10, 30),
    )
    assert (moves["SCAN-LAW"].old, moves["SCAN-LAW"].new) == (
        dt.date(2022, 12, 4),
        dt.date(2023, 4, 4),
    )
    assert "SCAN-OPS" not in moves  # fixed on its date: it does not move
    assert moves["SCAN-LAW"].new_float < moves["SCAN-LAW"].old_float
    durations = {(i, f): (c.old, c.new) for i, f, c in result.parameters if f == "duration"}
    assert durations[("milestones[SCAN-LAW]", "duration")] == (100, 221)
    assert ("milestones[ADRN-LAW]", "duration") in durations

    assert run(["diff", str(base), str(change)]) == 1
    text = capsys.readouterr().out
    assert "SCAN-LAW (SCAN): 04/12/2022 -> 04/04/2023; marge" in text
    assert "ADRN-LAW (ADRN): 30/06/2022 -> 30/10/2022" in text
    assert "Probable (j) du jalon SCAN-LAW : 100 -> 221" in text  # the path in words
    assert run(["diff", str(base), str(change), "--format", "json"]) == 1
    moved = {m["id"]: m for m in json.loads(capsys.readouterr().out)["milestones"]}
    assert (moved["SCAN-LAW"]["old"], moved["SCAN-LAW"]["new"]) == ("2022-12-04", "2023-04-04")
    assert run(["diff", str(base), str(change), "--format", "markdown"]) == 1
    assert "| SCAN-LAW | SCAN | 04/12/2022 | 04/04/2023 |" in capsys.readouterr().out
    report = tmp_path / "diff.xlsx"
    assert run(["diff", str(base), str(change), "-o", str(report)]) == 1
    capsys.readouterr()
    cells = [
        [c for c in row if c is not None]
        for ws in openpyxl.load_workbook(report).worksheets
        for row in ws.iter_rows(values_only=True)
    ]
    assert any(row[:2] == ["SCAN-LAW", "SCAN"] for row in cells if len(row) >= 4), cells


@pytest.mark.slow
def test_diff_reports_never_replace_a_file_they_did_not_write(tmp_path, capsys) -> None:
    """`diff -o` over someone's notes or an officer's workbook keeps it as a backup first; the
    same report written again replaces its own output with no backup."""
    base = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), base)
    change = tmp_path / "shift.yaml"
    change.write_text(SHIFT_LAWS.format(base=base.name), encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("mes notes\n", encoding="utf-8")
    officer = tmp_path / "officer.xlsx"
    officer.write_bytes(build(base, output=tmp_path / "built.xlsx").path.read_bytes())
    for target in (notes, officer):
        before = target.read_bytes()
        for _ in range(2):
            assert run(["diff", str(base), str(change), "-o", str(target)]) == 1
        kept = sorted(tmp_path.glob(f"{target.stem}.*.bak{target.suffix}"))
        assert len(kept) == 1 and kept[0].read_bytes() == before, kept  # once, whole
        assert "conservé sous" in capsys.readouterr().err


def test_the_diff_workbook_shows_a_changed_amount_in_euros_and_a_quantity_as_a_number(
    tmp_path,
) -> None:
    base = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), base)
    change = tmp_path / "dearer.yaml"
    change.write_text(
        f"name: dearer\ndescription: d\nbase: {base.name}\nchanges:\n"
        "  - scale_cost: {line: SCAN-EQ, factor: 1.1}\n",
        encoding="utf-8",
    )
    report = tmp_path / "d.xlsx"
    assert run(["diff", str(base), str(change), "-o", str(report)]) == 1
    ws = openpyxl.load_workbook(report).worksheets[0]
    cells = {row[2].value: (row[3], row[4]) for row in ws.iter_rows(min_row=1) if len(row) > 4}
    old, new = cells["Coût unitaire HT"]
    assert (old.value, new.value) == (150000, 165000)
    assert "€" in old.number_format and "€" in new.number_format  # euros, not a bare 150000
