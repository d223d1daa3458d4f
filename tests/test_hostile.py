"""Hostile files and bad input: a clear one-line error, exit 2, no traceback, bounded cost."""

from __future__ import annotations

import contextlib
import io
import json
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgetplan.api import build
from budgetplan.cli import run
from budgetplan.xlsx import layout as L
from budgetplan.yamlio.loader import MAX_ROUND_TRIP_NODES
from tests.hostile import PASSWD_MARKER, make_all

LIMIT_CPU_S = 5.0  # CPU seconds, not wall-clock: the machine is shared
LIMIT_MB = 500


def measured(*args: str) -> tuple[int, float, float, str, str]:
    """Run one command line in this process through the CLI's entry function: its exit code,
    the CPU seconds it took, 0 (memory is bounded by the child test below), stderr and stdout."""
    out, err = io.StringIO(), io.StringIO()
    before = resource.getrusage(resource.RUSAGE_SELF)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(list(args))
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return code, cpu, 0.0, err.getvalue(), out.getvalue()


PROBE = """
import contextlib, io, json, resource, sys
from budgetplan.cli import run
cpu = {}
for path in sys.argv[1:]:
    before = resource.getrusage(resource.RUSAGE_SELF)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = run(["reconcile", path])
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu[path] = [code, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"cpu": cpu, "peak_mb": peak}))
"""


def test_one_child_reads_every_hostile_file_within_cpu_and_memory_bounds(hostile) -> None:
    """The bounds a user relies on, measured on a child process: CPU time and peak memory."""
    paths = [str(hostile[name]) for name in NAMES]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *paths], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    for path, (code, cpu) in report["cpu"].items():
        assert code == 2, path
        assert cpu < LIMIT_CPU_S, (path, cpu)
    assert report["peak_mb"] < LIMIT_MB, report["peak_mb"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    base = build(output=folder / "base.xlsx").path
    return make_all(base, folder)


NAMES = [
    "empty.xlsx",
    "csv-renamed.xlsx",
    "password-protected.xlsx",
    "legacy.xls",
    "truncated.xlsx",
    "corrupted.xlsx",
    "zip-bomb.xlsx",
    "xml-entities.xlsx",
    "macros.xlsm",
    "someone-else.xlsx",
    "no-workbook-part.xlsx",
    "no-sheet-part.xlsx",
]
EXPECTED = {
    "empty.xlsx": "vide",
    "csv-renamed.xlsx": "n'est pas un classeur xlsx",
    "password-protected.xlsx": "OLE",
    "legacy.xls": "ancien .xls",
    "truncated.xlsx": "tronqué ou endommagé",
    "corrupted.xlsx": "CORRUPT",
    "zip-bomb.xlsx": "bombe de décompression",
    "xml-entities.xlsx": "attaque XML",
    "macros.xlsm": "macros",
    "someone-else.xlsx": "NOT_BUDGETPLAN",
    "no-workbook-part.xlsx": "n'a pas de xl/workbook.xml",
    "no-sheet-part.xlsx": "",
}


@pytest.mark.parametrize("name", NAMES)
def test_reconcile_refuses_each_hostile_file_in_one_line(hostile, name) -> None:
    code, took, mb, stderr, stdout = measured("reconcile", str(hostile[name]))
    assert code == 2, (code, stderr, stdout)
    assert "Traceback" not in stderr + stdout
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert str(hostile[name]) in lines[0]
    assert EXPECTED[name] in lines[0]
    assert PASSWD_MARKER not in stderr + stdout
    assert took < LIMIT_CPU_S, took


@pytest.mark.parametrize("command", ["diff", "textconv"])
@pytest.mark.parametrize(
    "name",
    [
        "truncated.xlsx",
        "zip-bomb.xlsx",
        "xml-entities.xlsx",
        "password-protected.xlsx",
        "someone-else.xlsx",
    ],
)
def test_diff_and_textconv_refuse_hostile_files(hostile, name, command) -> None:
    base = hostile["empty.xlsx"].parent / "base.xlsx"
    args = (
        [command, str(base), str(hostile[name])]
        if command == "diff"
        else [command, str(hostile[name])]
    )
    code, took, mb, stderr, stdout = measured(*args)
    assert code == 2, (stderr, stdout)
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1
    assert str(hostile[name]) in stderr and PASSWD_MARKER not in stderr + stdout
    assert took < LIMIT_CPU_S


@pytest.mark.parametrize("name", ["zip-bomb.xlsx", "corrupted.xlsx", "someone-else.xlsx"])
def test_build_never_overwrites_a_file_it_cannot_vouch_for(hostile, name) -> None:
    before = hostile[name].read_bytes()
    code, took, _mb, stderr, _ = measured("build", "-o", str(hostile[name]))
    assert code == 2 and "non écrit" in stderr and "Traceback" not in stderr
    assert hostile[name].read_bytes() == before
    assert took < LIMIT_CPU_S


@pytest.mark.parametrize("name", ["empty.xlsx", "password-protected.xlsx", "zip-bomb.xlsx"])
def test_validate_on_binary_files(hostile, name) -> None:
    code, _took, _mb, stderr, _ = measured("validate", str(hostile[name]))
    assert code == 2 and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_macros_read_only_when_asked(hostile) -> None:
    code, _took, _mb, stderr, stdout = measured(
        "reconcile", "--allow-macros", str(hostile["macros.xlsm"])
    )
    assert code == 0, stderr
    assert "0 erreur(s)" in stdout


def test_calamine_and_openpyxl_do_not_expand_entities(hostile) -> None:
    """The readers budgetplan relies on never resolve external or recursive entities."""
    from python_calamine import CalamineWorkbook

    path = hostile["xml-entities.xlsx"]
    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Lignes").to_python()
        text = repr(rows)
        assert PASSWD_MARKER not in text and "lollollol" not in text
    except Exception as exc:  # noqa: BLE001 - refusing the entity is also safe
        assert PASSWD_MARKER not in str(exc)
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True)
        text = repr([list(r) for r in wb["Lignes"].iter_rows(values_only=True, max_row=8)])
        assert PASSWD_MARKER not in text and "lollollol" not in text
    except Exception as exc:  # noqa: BLE001 - defusedxml refuses entities: safe
        assert "Entit" in type(exc).__name__ or PASSWD_MARKER not in str(exc)


@pytest.mark.slow
def test_lock_file_and_unreconciled_edits_make_build_refuse(tmp_path) -> None:
    import openpyxl

    target = tmp_path / "w.xlsx"
    assert run(["build", "-o", str(target)]) == 0
    lock = tmp_path / ".~lock.w.xlsx#"
    lock.write_text("someone,host,…")
    code, _t, _m, stderr, _ = measured("build", "-o", str(target))
    assert code == 2 and "ouvert dans LibreOffice" in stderr
    lock.unlink()
    (tmp_path / "~$w.xlsx").write_bytes(b"x")
    code, _t, _m, stderr, _ = measured("build", "-o", str(target))
    assert code == 2 and "ouvert dans Excel" in stderr
    (tmp_path / "~$w.xlsx").unlink()
    # Excel's owner file of a long name replaces its first two characters
    long = tmp_path / "programme-2022.xlsx"
    assert run(["build", "-o", str(long)]) == 0
    (tmp_path / "~$ogramme-2022.xlsx").write_bytes(b"x")
    code, _t, _m, stderr, _ = measured("build", "-o", str(long))
    assert code == 2 and "ouvert dans Excel" in stderr
    # the reports are refused there too, and the open workbook is left as it was
    kept = long.read_bytes()
    for command in (["diff", str(target), str(target)], ["reconcile", str(target)]):
        code, _t, _m, stderr, _ = measured(*command, "-o", str(long))
        assert code == 2 and "il est ouvert (fichier de verrou ~$ogramme-2022.xlsx)" in stderr, (
            stderr
        )
    assert long.read_bytes() == kept

    wb = openpyxl.load_workbook(target)
    wb["Lignes"][f"{L.INPUTS.letter('quantity')}5"] = 41
    wb.save(target)
    edited = target.read_bytes()
    code, _t, _m, stderr, _ = measured("build", "-o", str(target))
    assert code == 2 and "saisies non rapprochées" in stderr
    assert target.read_bytes() == edited
    code, _t, _m, stderr, stdout = measured("build", "-o", str(target), "--force")
    assert code == 0, stderr
    backups = sorted(tmp_path.glob("w.*.bak.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == edited
    assert target.read_bytes() != edited


KILLED_MID_WRITE = """
import os, signal, sys, zipfile
from budgetplan.cli import run
calls = []
original = zipfile.ZipFile.writestr


def writestr(self, *args, **kwargs):
    if os.path.dirname(str(self.filename)) == os.path.dirname(sys.argv[1]):
        calls.append(1)  # the workbook's own zip (not one a check of the target makes)
    if len(calls) == 6:  # the workbook's zip is half written: die as a SIGKILL does
        self.fp.flush()
        os.kill(os.getpid(), signal.SIGKILL)
    return original(self, *args, **kwargs)


zipfile.ZipFile.writestr = writestr
zipfile.ZipFile.write = lambda self, name, arcname=None, *a, **k: writestr(
    self, arcname or name, open(name, "rb").read()
)
run(["build", "-o", sys.argv[1]])
"""


@pytest.mark.slow
def test_a_build_killed_half_way_leaves_the_previous_workbook(tmp_path) -> None:
    """SIGKILL in the middle of writing the zip: the previous workbook stays whole, and what is
    left is a hidden temporary, never a file with the workbook's name."""
    target = tmp_path / "big.xlsx"
    assert run(["build", "-o", str(target)]) == 0
    before = target.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_MID_WRITE, str(target)], capture_output=True, timeout=120
    )
    assert proc.returncode == -9, proc.stderr  # killed, not finished
    assert target.read_bytes() == before
    lock = tmp_path / ".big.xlsx.lock"  # empty, and released by the system with its process
    leftovers = [p for p in tmp_path.iterdir() if p not in (target, lock)]
    assert leftovers and all(p.name.startswith(".") and p.suffix == ".tmp" for p in leftovers)
    assert any(p.stat().st_size > 0 for p in leftovers)  # it was killed mid-write
    assert not lock.exists() or lock.stat().st_size == 0
    assert run(["build", "-o", str(target), "--force"]) == 0  # the lock does not hold it
    assert not lock.exists()


# --------------------------------------------------------------------------- properties

YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["2022-13-01", "nan", "-inf", "1e400", "=cmd|'/C calc'!A0"]),
)
KEYS = st.sampled_from(
    [
        "id",
        "title",
        "pilots",
        "cost_lines",
        "envelopes",
        "events",
        "period",
        "vat_rate",
        "reserve",
        "quantity",
        "unit_cost",
        "cp",
        "start",
        "x",
    ]
)
DOCS = st.recursive(
    YAML_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=25,
)


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(DOCS)
def test_random_scenario_documents_never_crash(tmp_path, doc) -> None:
    from ruamel.yaml import YAML

    path = tmp_path / "random.yaml"
    with path.open("w", encoding="utf-8") as fh:
        YAML().dump(doc, fh)
    assert run(["validate", str(path)]) in (0, 1, 2)


@pytest.mark.parametrize("command", ["build", "reconcile", "diff", "run"])
def test_an_output_that_cannot_be_written_is_one_line(hostile, tmp_path, capsys, command) -> None:
    """An output path whose folder cannot exist (it sits under a file): one line naming the path
    the user gave, exit 2, and nothing left behind."""
    base = hostile["empty.xlsx"].parent / "base.xlsx"
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "out.xlsx"
    args = {
        "build": ["build", "-o", str(out)],
        "reconcile": ["reconcile", str(base), "-o", str(out)],
        "diff": ["diff", str(base), str(base), "--format", "xlsx", "-o", str(out)],
        "run": ["run", "scenarios/baseline.py", "-o", str(blocker / "folder")],
    }[command]
    assert run(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(str(blocker)), err
    assert "internal error" not in err[0] and "Traceback" not in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_random_byte_mutations_of_a_workbook_never_crash(hostile, tmp_path, capsys, data) -> None:
    base = (hostile["empty.xlsx"].parent / "base.xlsx").read_bytes()
    mutated = bytearray(base)
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(mutated) - 1))
        mutated[i] = data.draw(st.integers(0, 255))
    path = tmp_path / "mutated.xlsx"
    path.write_bytes(bytes(mutated))
    assert run(["reconcile", str(path), "--format", "json"]) in (0, 1, 2)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "internal error" not in captured.err, captured.err


def _patched_zip(base: Path, target: Path, *, flags: int = 0, method: int | None = None) -> Path:
    """``base`` with its first member marked encrypted (``flags``) or packed by ``method``, in
    both its local header and the central directory, the rest byte for byte."""
    data = bytearray(base.read_bytes())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    for at, flag_at, method_at in ((local, 6, 8), (central, 8, 10)):
        data[at + flag_at] |= flags
        if method is not None:
            data[at + method_at : at + method_at + 2] = method.to_bytes(2, "little")
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize(
    ("kind", "expected"),
    [({"flags": 1}, "chiffré dans le zip"), ({"method": 9}, "méthode zip 9")],
    ids=["encrypted-entry", "deflate64-entry"],
)
def test_an_encrypted_or_deflate64_entry_is_one_clear_line(hostile, tmp_path, kind, expected):
    path = _patched_zip(hostile["empty.xlsx"].parent / "base.xlsx", tmp_path / "odd.xlsx", **kind)
    for command in (["reconcile", str(path)], ["textconv", str(path)]):
        code, _cpu, _mb, stderr, stdout = measured(*command)
        assert code == 2, (command, stderr, stdout)
        assert "internal error" not in stderr and "Traceback" not in stderr
        assert len(stderr.strip().splitlines()) == 1 and str(path) in stderr
        assert expected in stderr


def test_backups_never_replace_one_another(tmp_path) -> None:
    """Two backups of one workbook in the same second (two --force builds) are two files, each
    the bytes it saved; none is left half-written."""
    import datetime as dt

    from budgetplan.xlsx.safety import backup

    target = tmp_path / "w.xlsx"
    same = dt.datetime(2026, 12, 4, 16, 0, 0)
    target.write_bytes(b"first edits")
    one = backup(target, same)
    target.write_bytes(b"second edits")
    two = backup(target, same)
    assert one != two and one.read_bytes() == b"first edits" and two.read_bytes() == b"second edits"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "w.20261204-160000-2.bak.xlsx",
        "w.20261204-160000.bak.xlsx",
        "w.xlsx",
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["risk", "--seed=-1", "-n", "10"],
        ["diff", "X", "X", "--threshold", "nan"],
        ["risk", "-n", "5000000"],
    ],
    ids=["negative seed", "nan threshold", "more draws than the memory allows"],
)
def test_out_of_range_options_are_refused_in_one_line(args, tmp_path) -> None:
    scenario = str(Path("budgetplan/data/programme-2022.yaml").resolve())
    args = [scenario if a == "X" else a for a in args]
    code, cpu, _m, stderr, _ = measured(*args)
    assert code == 2 and "Traceback" not in stderr and "internal error" not in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1 and cpu < LIMIT_CPU_S


def test_a_huge_number_typed_as_text_is_a_finding_not_a_hang(tmp_path) -> None:
    """`1e999999999` typed in a count would make a billion-digit integer: refused at its cell
    (no amount or count is read in scientific notation), in well under the CPU bound, by
    reconcile, diff and textconv alike."""
    import openpyxl

    built = tmp_path / "w.xlsx"
    assert run(["build", "-o", str(built)]) == 0
    wb = openpyxl.load_workbook(built)
    cell = f"{L.INPUTS.letter('quantity')}5"
    wb["Lignes"][cell] = "1e999999999"
    wb["Lignes"][f"{L.INPUTS.letter('titre')}6"] = "1e999999999"
    wb.save(built)
    code, cpu, _m, _e, stdout = measured("reconcile", str(built))
    assert code == 1 and cpu < LIMIT_CPU_S
    assert f"Lignes!{cell}" in stdout and "nombre attendu, texte trouvé '1e999999999'" in stdout
    for command in (["diff", str(built), str(built)], ["textconv", str(built)]):
        code, cpu, _m, stderr, _o = measured(*command)
        assert code == 2 and cpu < LIMIT_CPU_S and "nombre attendu" in stderr, stderr


def test_a_cell_far_past_the_tables_is_refused_not_a_crash(tmp_path) -> None:
    """One cell at XFD1048576 would make the reader hold 17 billion cells (the process used to
    abort): refused in one line naming the sheet and the cell, by every command that reads."""
    import openpyxl

    built = tmp_path / "w.xlsx"
    assert run(["build", "-o", str(built)]) == 0
    wb = openpyxl.load_workbook(built)
    wb["Lignes"]["XFD1048576"] = 1
    wb.save(built)
    for command in (
        ["reconcile", str(built)],
        ["diff", str(built), str(built)],
        ["textconv", str(built)],
    ):
        code, cpu, _m, stderr, _o = measured(*command)
        assert code == 2 and cpu < LIMIT_CPU_S, stderr
        assert "sheet 'Lignes' holds a cell at XFD1048576" in stderr and "Traceback" not in stderr


def test_pipes_and_devices_are_not_scenarios(tmp_path) -> None:
    """A FIFO named x.yaml would block the read forever, /dev/zero never end it: refused in one
    line, as a file, as a change file's base, and left out of a scenario folder."""
    import os

    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    change = tmp_path / "c.yaml"
    change.write_text("name: c\nbase: x.yaml\nchanges:\n  - drop_line: {line: X}\n")
    for path in (fifo, Path("/dev/zero"), change):
        code, cpu, mem, stderr, _o = measured("validate", str(path))
        assert code == 2 and "n'est pas un fichier ordinaire" in stderr and cpu < LIMIT_CPU_S, (
            stderr
        )
    from budgetplan.scenarios.sources import collect

    assert fifo not in collect([tmp_path]) and change in collect([tmp_path])


def test_pipes_and_devices_are_not_workbooks_returns_nor_actuals(tmp_path, default_fr) -> None:
    """reconcile of a named pipe blocked forever in its open, --actuals /dev/zero spun: each
    door that reads a workbook or an export now refuses them in one line, exit 2. Run in a
    child, so that a regression fails here instead of hanging the suite."""
    import os
    import sys

    fifo = tmp_path / "x.xlsx"
    os.mkfifo(fifo)
    commands = [
        ["reconcile", str(fifo)],
        ["upgrade", str(fifo), "-o", str(tmp_path / "u.xlsx")],
        ["diff", str(fifo), str(default_fr)],
        ["verify", str(fifo)],
        ["reconcile", str(default_fr), "--actuals", "/dev/zero"],
        ["reconcile", str(default_fr), "--actuals", str(fifo)],
    ]
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "budgetplan", *command],
            capture_output=True,
            text=True,
            timeout=120,  # a guard against a hang, not a measure
            env={**os.environ, "LANG": "fr_FR.UTF-8"},
        )
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1, (command, done.stderr)
        assert "n'est pas un fichier ordinaire" in lines[0] and "Traceback" not in done.stderr


def test_write_scenario_keeps_the_file_it_replaces(tmp_path) -> None:
    """--write-scenario over an existing file without --scenario replaces it whole: what it held
    (comments included) is kept beside it first."""
    built = tmp_path / "w.xlsx"
    assert run(["build", "-o", str(built)]) == 0
    target = tmp_path / "mine.yaml"
    target.write_text("# my notes\n" + Path("budgetplan/data/programme-2022.yaml").read_text())
    before = target.read_bytes()
    code, _c, _m, stderr, _o = measured("reconcile", str(built), "--write-scenario", str(target))
    assert code == 0, stderr
    (kept,) = tmp_path.glob("mine.*.bak.yaml")
    assert (
        kept.read_bytes() == before and f"mine.yaml précédent conservé sous {kept.name}" in stderr
    )


def test_sigterm_leaves_no_temporary_and_the_next_write_removes_old_ones(tmp_path) -> None:
    """A writer stopped by SIGTERM removes its temporary file and leaves the file it was
    replacing whole; temporaries a killed writer left (SIGKILL) are removed by the next write
    once an hour old, a fresh one (a writer at work) is left alone."""
    import os
    import signal

    target = tmp_path / "w.xlsx"
    target.write_bytes(b"the previous workbook")
    # the child says when its temporary file is written, then waits on its input: no clock
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path\n"
            "from budgetplan.cli import exit_on_sigterm\n"
            "from budgetplan.core.atomic import atomic_path\n"
            "exit_on_sigterm()\n"
            "with atomic_path(Path(sys.argv[1])) as tmp:\n"
            "    tmp.write_bytes(b'half a workbook')\n"
            "    print('writing', flush=True)\n"
            "    sys.stdin.read()\n",
            str(target),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "writing"
    assert len(list(tmp_path.glob(".w.xlsx.*.tmp"))) == 1  # half a workbook, under its tmp name
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=60) == 143
    assert list(tmp_path.glob(".w.xlsx.*.tmp")) == []
    assert target.read_bytes() == b"the previous workbook"

    old, fresh = tmp_path / ".w.xlsx.abcd1234.tmp", tmp_path / ".w.xlsx.efgh5678.tmp"
    old.write_bytes(b"left by a killed build")
    fresh.write_bytes(b"another writer at work")
    os.utime(old, (946684800, 946684800))  # written on 1 January 2000: a leftover
    target.unlink()
    assert run(["build", "-o", str(target)]) == 0
    assert not old.exists() and fresh.exists()


VALIDATE_PROBE = PROBE.replace('run(["reconcile", path])', 'run(["validate", path])')


def _yaml_shapes(folder: Path) -> dict[str, tuple[Path, str]]:
    """Scenario files shaped to exhaust a YAML reader, each with the words its refusal says."""
    shapes = {
        "deep-flow": ("a: " + "[" * 10_000 + "]" * 10_000 + "\n", "imbriqué sur plus de 32"),
        "deep-block": (
            "".join("  " * i + f"k{i}:\n" for i in range(2_000)) + "  " * 2_000 + "v: 1\n",
            "imbriqué sur plus de 32",
        ),
        "comments": ("# a comment\n" * 1_000_000 + "id: X\n", "erreur[SCHEMA]"),
        "items": ("id: X\nlist:\n" + "- 1\n" * 1_000_000, "erreur[SCHEMA]"),
        "aliases-and-many-nodes": (
            "x: &a 1\ny: *a\nlist:\n" + "- 1\n" * 300_000,
            f"lit au plus {MAX_ROUND_TRIP_NODES:,} nœuds".replace(",", " "),
        ),
        "syntax-error-far-down": (
            "x: &a 1\ny: *a\nlist:\n" + "- 1\n" * 300_000 + "b: [\n",
            ":300005: erreur[YAML] YAML mal formé",
        ),
    }
    out = {}
    for name, (text, words) in shapes.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        out[name] = (path, words)
    return out


@pytest.mark.slow
def test_yaml_shaped_to_exhaust_a_reader_is_refused_within_bounds(tmp_path) -> None:
    """Depth, node count and comment volume are bounded in the reading pass itself: each file is
    refused in one line at its place, in bounded CPU time and memory."""
    shapes = _yaml_shapes(tmp_path)
    for name, (path, words) in shapes.items():
        code, cpu, _m, stderr, _o = measured("validate", str(path))
        assert code == 2 and words in stderr, (name, stderr[:300])
        assert "Traceback" not in stderr
        if name.startswith("deep") or name.startswith("syntax"):
            assert len(stderr.strip().splitlines()) == 1, (name, stderr)
        assert cpu < LIMIT_CPU_S, (name, cpu)
    probe = subprocess.run(
        [sys.executable, "-c", VALIDATE_PROBE, *(str(p) for p, _w in shapes.values())],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(probe.stdout)
    assert report["peak_mb"] < LIMIT_MB, report
    assert all(code == 2 for code, _cpu in report["cpu"].values()), report


@pytest.mark.parametrize(
    ("base", "words"),
    [
        ("/dev/zero", "n'est pas un fichier de scénario (.yaml)"),
        ("/etc/passwd", "n'est pas un fichier de scénario (.yaml)"),
        ("../elsewhere/programme.yaml", "est hors du dossier de ce fichier de changements"),
        ("link.yaml", "est hors du dossier de ce fichier de changements"),  # a link leading out
    ],
)
def test_a_base_is_kept_to_the_change_files_folder(tmp_path, monkeypatch, base, words) -> None:
    """A change file received from someone cannot make budgetplan read (and echo in its errors)
    any file of the machine: its base is a .yaml beside it or below, or under a folder the user
    names in BUDGETPLAN_BASE_ROOTS."""
    import shutil

    from budgetplan.yamlio.loader import default_scenario_path

    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    shutil.copy(default_scenario_path(), elsewhere / "programme.yaml")
    (here / "link.yaml").symlink_to(elsewhere / "programme.yaml")
    change = here / "c.yaml"
    change.write_text(f"name: c\nbase: {base}\nchanges:\n  - drop_line: {{line: SCAN-EQ}}\n")
    code, cpu, _m, stderr, _o = measured("validate", str(change))
    assert code == 2 and "c.yaml:2 base: erreur[BASE_OUTSIDE] la base" in stderr, stderr
    assert words in stderr and "root:x" not in stderr and cpu < LIMIT_CPU_S
    if base.endswith("programme.yaml") or base == "link.yaml":
        monkeypatch.setenv("BUDGETPLAN_BASE_ROOTS", str(elsewhere))
        code, _cpu, _m, stderr, _o = measured("validate", str(change))
        assert code == 0, stderr


ACTUALS_PROBE = PROBE.replace(
    'run(["reconcile", path])', 'run(["reconcile", sys.argv[1], "--actuals", path])'
).replace("for path in sys.argv[1:]:", "for path in sys.argv[2:]:")


def _actuals_exports(folder: Path) -> dict[str, tuple[Path, str]]:
    """Exports shaped to exhaust or fool the actuals reader, with what its refusal says."""
    head = "commitment;date;amount;status;line\n"
    row = "EJ-{};15/03/2022;1000,00;committed;SCAN-EQ\n"
    out: dict[str, tuple[Path, str]] = {}
    big = folder / "two-million-rows.csv"
    with big.open("w", encoding="utf-8") as fh:
        fh.write(head)
        for start in range(0, 2_000_000, 100_000):
            fh.write("".join(row.format(i) for i in range(start, start + 100_000)))
    out["two-million-rows"] = (big, "erreur[TOO_LARGE] plus de 1 000 000 lignes")
    cases = {
        "field-too-long": (head + "EJ-1;15/03/2022;" + "1" * 200_000 + ";paid;SCAN-EQ\n").encode(),
        "amount-1e26": (head + "EJ-1;15/03/2022;1e26;committed;SCAN-EQ\n").encode(),
        "year-1": (head + "EJ-1;01/01/0001;5;committed;SCAN-EQ\n").encode(),
        "year-9999": (head + "EJ-1;31/12/9999;5;committed;SCAN-EQ\n").encode(),
        "bad-byte": (head + "EJ-1;15/03/2022;5;paid;SCAN-EQ\n" * 5_000).encode()
        + b"EJ-\x81;15/03/2022;5;paid;SCAN-EQ\n",
    }
    said = {
        "field-too-long": ".csv:2: erreur[ACTUALS_BAD_ROW] ligne CSV",
        "amount-1e26": ".csv:2  ACTUALS_BAD_ROW",
        "year-1": "la date 01/01/0001 est hors de la plage",
        "year-9999": "la date 31/12/9999 est hors de la plage",
        "bad-byte": ".csv:5002: erreur[ENCODING] l'octet 0x81",
    }
    for name, data in cases.items():
        path = folder / f"{name}.csv"
        path.write_bytes(data)
        out[name] = (path, said[name])
    return out


@pytest.mark.slow
def test_actuals_are_streamed_within_their_bounds(tmp_path) -> None:
    """A two-million-row export is refused after one pass over its bytes (never held as text or
    rows), and each malformed export is a finding or one line naming the file and the row, in
    bounded CPU time and memory; the workbook is never blamed."""
    from budgetplan.api import build

    workbook = build(output=tmp_path / "w.xlsx").path
    exports = _actuals_exports(tmp_path)
    for name, (path, words) in exports.items():
        code, cpu, _m, stderr, stdout = measured("reconcile", str(workbook), "--actuals", str(path))
        assert code in (1, 2) and words in stderr + stdout, (name, stderr[:300], stdout[-600:])
        assert "Traceback" not in stderr and "workbook" not in stderr.lower(), (name, stderr)
        assert cpu < LIMIT_CPU_S, (name, cpu)
    probe = subprocess.run(
        [sys.executable, "-c", ACTUALS_PROBE, str(workbook)]
        + [str(p) for p, _w in exports.values()],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(probe.stdout)
    assert report["peak_mb"] < LIMIT_MB, report


def _sheet_part(workbook: Path, key: str) -> str:
    """The zip member of the sheet ``key`` of layout (French workbook)."""
    from budgetplan.xlsx import layout as L
    from budgetplan.xlsx.xlsxfile import sheet_parts

    with zipfile.ZipFile(workbook) as zf:
        return next(p.part for p in sheet_parts(zf) if p.name == L.sheet_name(key, "fr"))


def _flip_bytes_of(workbook: Path, part: str, target: Path) -> Path:
    """``workbook`` with bytes flipped in the middle of one member's packed data, the zip's
    structure left whole (as a bad disk or a bad transfer does)."""
    data = bytearray(workbook.read_bytes())
    with zipfile.ZipFile(workbook) as zf:
        info = zf.getinfo(part)
    name_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    middle = start + info.compress_size // 2
    for i in range(middle, middle + 8):
        data[i] ^= 0xA5
    target.write_bytes(bytes(data))
    return target


def _parts_bypassing_a_prolog_check(workbook: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    from tests.hostile import _rewrite

    sheet = _sheet_part(workbook, "inputs")

    def late_doctype(name: str, data: bytes) -> bytes:
        if name != sheet:
            return data
        head, sep, rest = data.partition(b"?>")
        return head + sep + b" " * 4096 + b'<!DOCTYPE x [<!ENTITY e "e">]>' + rest

    def utf16(name: str, data: bytes) -> bytes:
        return data.decode("utf-8").encode("utf-16") if name == sheet else data

    out = {
        "doctype-after-4kb": (
            _rewrite(workbook, folder / "late-doctype.xlsx", late_doctype),
            "déclare une DTD ou des entités",
        ),
        "utf16-sheet": (_rewrite(workbook, folder / "utf16.xlsx", utf16), "écrit en UTF-16"),
        "phasing-bytes-flipped": (
            _flip_bytes_of(workbook, _sheet_part(workbook, "phasing"), folder / "flipped.xlsx"),
            "tronqué ou endommagé (Bad CRC-32",
        ),
    }
    upper = _rewrite(workbook, folder / "upper.xlsx", lambda n, d: d)
    with zipfile.ZipFile(upper, "a") as zf:
        zf.writestr("xl/custom.XML", b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a/>')
    out["dtd-in-a-part-named-.XML"] = (upper, "déclare une DTD ou des entités")
    return out


def test_every_part_is_checked_whole_by_every_reader(hostile, tmp_path) -> None:
    """A DTD after the first 2 KB, in a part named .XML or hidden by UTF-16, and bytes flipped in
    a part diff and textconv never parse (Phasing): each is refused in one line by reconcile,
    diff, textconv and verify (before LibreOffice sees the file), never reported as a clean or
    unchanged workbook."""
    base = hostile["empty.xlsx"].parent / "base.xlsx"
    for name, (path, words) in _parts_bypassing_a_prolog_check(base, tmp_path).items():
        for command in (
            ["reconcile", str(path)],
            ["textconv", str(path)],
            ["diff", str(base), str(path)],
            ["verify", str(path)],
        ):
            code, cpu, _mb, stderr, stdout = measured(*command)
            assert code == 2, (name, command, stderr, stdout[:300])
            assert words in stderr and str(path) in stderr, (name, command, stderr)
            assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
            assert cpu < LIMIT_CPU_S


HOLD_LOCK = """
import sys
from pathlib import Path
from budgetplan.core.lock import writing
with writing(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.mark.slow
def test_a_second_writer_of_one_file_is_refused_while_the_first_holds_it(tmp_path) -> None:
    """While one command writes a workbook (its lock held by another process), a build, a
    reconcile -o and a diff -o to the same file are refused in one line and the file is left
    as it was; once the first is done (or killed), the next write goes through."""
    from budgetplan.api import build

    target = build(output=tmp_path / "w.xlsx").path
    before = target.read_bytes()
    shutil.copy(target, tmp_path / "other.xlsx")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        for command in (
            ["build", "-o", str(target), "--force"],
            ["reconcile", str(tmp_path / "other.xlsx"), "-o", str(target)],
            ["diff", str(tmp_path / "other.xlsx"), str(tmp_path / "other.xlsx")]
            + ["--format", "xlsx", "-o", str(target)],
        ):
            code, _cpu, _mb, stderr, _out = measured(*command)
            assert code == 2 and "une autre commande budgetplan écrit ce fichier" in stderr, (
                command,
                stderr,
            )
            assert len(stderr.strip().splitlines()) == 1
            assert target.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    code, _cpu, _mb, stderr, _out = measured("build", "-o", str(target), "--force")
    assert code == 0, stderr
    assert not (tmp_path / ".w.xlsx.lock").exists()  # no lock file left behind


@pytest.mark.slow
def test_a_report_someone_typed_into_is_kept_before_it_is_replaced(tmp_path) -> None:
    """The comparison (run -o) and the reconciliation workbook (reconcile -o) are replaced as
    they are when untouched (same bytes, no backup), and kept as a backup first once someone
    has typed into them: the backup holds what they typed."""
    import openpyxl

    from budgetplan.api import build

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "cut.yaml").write_text(
        "name: cut\nbase: default\nchanges:\n  - scale_cost: {pilot: SCAN, factor: 0.9}\n"
    )
    out = tmp_path / "out"
    workbook = build(output=tmp_path / "w.xlsx").path
    reports = {
        "comparison": (("run", str(folder), "-o", str(out)), out / "comparison.xlsx"),
        "reconciliation": (
            ("reconcile", str(workbook), "-o", str(tmp_path / "rec.xlsx")),
            tmp_path / "rec.xlsx",
        ),
    }
    for name, (command, report) in reports.items():
        code, _cpu, _mb, stderr, _o = measured(*command)
        assert code == 0 and report.is_file(), (name, stderr)
        first = report.read_bytes()
        code, _cpu, _mb, stderr, stdout = measured(*command)
        assert report.read_bytes() == first, name  # deterministic, stamp included
        assert not list(report.parent.glob("*.bak.xlsx")), name  # untouched: no backup
        book = openpyxl.load_workbook(report)
        book.worksheets[0]["A1"] = "Notes du contrôleur budgétaire"
        book.save(report)
        edited = report.read_bytes()
        code, _cpu, _mb, stderr, stdout = measured(*command)
        assert code == 0, (name, stderr)
        backups = list(report.parent.glob(f"{report.stem}.*.bak.xlsx"))
        assert len(backups) == 1 and backups[0].read_bytes() == edited, name
        assert "conservé sous" in stderr + stdout, (name, stderr, stdout)
        assert report.read_bytes() == first, name


EDIT_OPS = (
    "edit-workbook",
    "edit-run-workbook",
    "note-in-workbook",
    "note-in-reconciliation",
    "note-in-comparison",
)
COMMAND_OPS = (
    "build",
    "build-force",
    "reconcile-o",
    "reconcile-o-onto-its-input",
    "diff-o",
    "diff-o-onto-its-input",
    "run-o",
)


def _command(op: str, folder: Path) -> list[str]:
    scenario, workbook = folder / "s.yaml", folder / "w.xlsx"
    return {
        "build": ["build", str(scenario), "-o", str(workbook)],
        "build-force": ["build", str(scenario), "-o", str(workbook), "--force"],
        "reconcile-o": ["reconcile", str(workbook), "-o", str(folder / "rec.xlsx")],
        "reconcile-o-onto-its-input": ["reconcile", str(workbook), "-o", str(workbook)],
        "diff-o": ["diff", str(scenario), str(workbook), "--format", "xlsx"]
        + ["-o", str(folder / "d.xlsx")],
        "diff-o-onto-its-input": ["diff", str(scenario), str(workbook), "--format", "xlsx"]
        + ["-o", str(workbook)],
        "run-o": ["run", str(scenario), "-o", str(folder / "out")],
    }[op]


def _edit(op: str, folder: Path, n: int) -> tuple[Path, bytes, bytes] | None:
    """Type into a file of the folder as a user would: the file, the bytes it held before and
    after (None: no such file yet)."""
    import openpyxl

    from budgetplan.xlsx import layout as L

    target = {
        "edit-workbook": folder / "w.xlsx",
        "edit-run-workbook": folder / "out" / "s.xlsx",
        "note-in-workbook": folder / "w.xlsx",
        "note-in-reconciliation": folder / "rec.xlsx",
        "note-in-comparison": folder / "out" / "comparison.xlsx",
    }[op]
    if not target.is_file():
        return None
    book = openpyxl.load_workbook(target)
    if op.startswith("edit"):  # an input: a cost line's quantity
        book[L.sheet_name("inputs", "fr")][f"{L.INPUTS.letter('quantity')}5"] = (
            41 + n
        )  # never its value (40)
    elif op == "note-in-workbook":  # beside the Summary's tables, where nothing reads it
        book.worksheets[0]["J3"] = f"note {n} du contrôleur budgétaire"
    else:
        book.worksheets[0]["A1"] = f"note {n} du contrôleur budgétaire"
    before = target.read_bytes()
    book.save(target)
    return target, before, target.read_bytes()


@pytest.mark.slow
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(st.sampled_from(EDIT_OPS + COMMAND_OPS), min_size=4, max_size=10))
def test_no_sequence_of_commands_loses_an_edit(tmp_path_factory, ops) -> None:
    """Random sequences of build, build --force, reconcile -o, diff -o and run on one folder,
    between edits a finance officer types: every file that held edits is still somewhere, byte
    for byte (the file itself or a backup), and no command ends in an internal error."""
    from budgetplan.yamlio.loader import default_scenario_path

    folder = tmp_path_factory.mktemp("seq")
    shutil.copy(default_scenario_path(), folder / "s.yaml")
    assert measured("build", str(folder / "s.yaml"), "-o", str(folder / "w.xlsx"))[0] == 0
    kept: list[tuple[Path, bytes]] = []  # what users typed, each as the file held it
    for n, op in enumerate(ops):
        if op in EDIT_OPS:
            edited = _edit(op, folder, n)
            if edited is not None:  # typing over one's own edits replaces them: the user's doing
                target, before, after = edited
                kept = [(p, data) for p, data in kept if (p, data) != (target, before)]
                kept.append((target, after))
        else:
            code, _cpu, _mb, stderr, _out = measured(*_command(op, folder))
            assert "internal error" not in stderr and "Traceback" not in stderr, (op, stderr)
            assert code in (0, 1, 2, 3), (op, code, stderr)
        present = {p.read_bytes() for p in folder.rglob("*.xlsx") if p.is_file()}
        lost = [what for what, data in kept if data not in present]
        assert not lost, (ops[: n + 1], lost)


@pytest.mark.slow
def test_what_is_typed_where_nothing_reads_it_is_found_and_kept(tmp_path) -> None:
    """A note typed beside the Summary's tables or beside the Lines table, and a total typed
    over its formula: reconcile names each cell, a build refuses to replace the workbook, and
    --force keeps it first."""
    import openpyxl

    from budgetplan.api import build
    from budgetplan.readback.reconciliation import reconcile

    target = build(output=tmp_path / "w.xlsx").path
    book = openpyxl.load_workbook(target)
    book.worksheets[0]["J3"] = "à revoir avec la DB"
    book.worksheets[0]["B6"] = 12
    book["Lignes"]["AF7"] = "devis à demander"  # beside an input table
    book.save(target)
    typed = target.read_bytes()
    found = {(f.code, f.sheet, f.cell) for f in reconcile(target).findings}
    assert {
        ("CELL_OUTSIDE", "Synthèse", "J3"),
        ("FORMULA_REPLACED", "Synthèse", "B6"),
        ("CELL_OUTSIDE", "Lignes", "AF7"),
    } <= found
    code, _cpu, _mb, stderr, _o = measured("build", "-o", str(target))
    assert code == 2 and "Synthèse!J3" in stderr and "Synthèse!B6" in stderr, stderr
    assert target.read_bytes() == typed
    code, _cpu, _mb, stderr, _o = measured("build", "-o", str(target), "--force")
    assert code == 0, stderr
    (backup,) = tmp_path.glob("w.*.bak.xlsx")
    assert backup.read_bytes() == typed


def test_a_formula_no_spreadsheet_could_parse_is_a_finding_at_its_cell(hostile, tmp_path) -> None:
    """A total's formula replaced by `="abc` (an unterminated string, which openpyxl's tokenizer
    refuses): reconcile reports it at its cell (exit 1), textconv and diff read on."""
    import re

    from tests.hostile import _rewrite

    base = hostile["empty.xlsx"].parent / "base.xlsx"
    summary = _sheet_part(base, "summary")

    def broken(name: str, data: bytes) -> bytes:
        if name != summary:
            return data
        return re.sub(rb'(<c r="B6"[^>]*><f>)[^<]*(</f>)', rb'\1="abc\2', data, count=1)

    path = _rewrite(base, tmp_path / "abc.xlsx", broken)
    code, _cpu, _mb, stderr, stdout = measured("reconcile", str(path))
    assert code == 1 and "Synthèse!B6" in stdout and "FORMULA_CHANGED" in stdout, (stderr, stdout)
    for command in (["textconv", str(path)], ["diff", str(base), str(path)]):
        code, _cpu, _mb, stderr, _out = measured(*command)
        assert code == 0 and "Traceback" not in stderr and "internal error" not in stderr


def test_a_full_temporary_folder_is_not_blamed_on_the_workbook(tmp_path, monkeypatch) -> None:
    """Reconcile writes the workbook it expects into the temporary folder: when that folder is
    full, the one line says so and names the folder, not "the workbook is damaged"."""
    import errno

    from budgetplan.api import build
    from budgetplan.xlsx.workbook import writer

    target = build(output=tmp_path / "w.xlsx").path
    real = writer.write_workbook

    def full_disk(programme, source, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path).name == "expected.xlsx":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(programme, source, path, *args, **kwargs)

    monkeypatch.setattr(writer, "write_workbook", full_disk)
    code, _cpu, _mb, stderr, _o = measured("reconcile", str(target))
    assert code == 2 and "erreur[TEMPORARY_FILES]" in stderr and "TMPDIR" in stderr, stderr
    assert "damaged" not in stderr and len(stderr.strip().splitlines()) == 1


def test_the_largest_programme_budgetplan_builds_is_one_it_can_read_back(tmp_path) -> None:
    """The package limits are sized for what budgetplan writes: a 100,000-line workbook (about
    15,200 bytes unpacked a line, measured at 2,000 and scaled) unpacks within the limit, with a
    tenth to spare. (At 1.5 GB, a 100,000-line workbook of 1.52 GB was refused as a bomb.)"""
    from benchmarks.generate import synthetic
    from budgetplan.core.source import Source
    from budgetplan.publish import publish
    from budgetplan.xlsx.xlsxfile import MAX_UNPACKED_BYTES

    target = tmp_path / "w.xlsx"
    publish(synthetic(2_000), Source("synthetic", "synthetic", ""), target)
    with zipfile.ZipFile(target) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    assert unpacked / 2_000 * 100_000 * 1.1 < MAX_UNPACKED_BYTES, unpacked


@pytest.mark.parametrize(
    "prolog",
    [
        b"<!--" + b"x" * (1 << 20) + b"-->",  # a comment over a megabyte: the DTD in the next one
        b" " * ((1 << 20) + 5),  # as much whitespace
        b"<!-- <a> -->",  # a comment that looks like the root element
    ],
    ids=["long-comment", "long-whitespace", "root-like-comment"],
)
def test_a_dtd_behind_any_prolog_is_refused(default_fr, tmp_path, prolog) -> None:
    """A DTD is looked for through a part until its root element starts: a prolog that fills
    the first megabyte read, or a comment that looks like an element, does not hide one."""
    from budgetplan.xlsx.xlsxfile import XlsxError, open_xlsx
    from tests.hostile import _rewrite

    sheet = _sheet_part(default_fr, "inputs")

    def hide(name: str, data: bytes) -> bytes:
        if name != sheet:
            return data
        head, sep, rest = data.partition(b"?>")
        return head + sep + prolog + b'<!DOCTYPE x [<!ENTITY e "e">]>' + rest

    path = _rewrite(default_fr, tmp_path / "hidden.xlsx", hide)
    with pytest.raises(XlsxError) as info:
        open_xlsx(path).close()
    assert "declares a DTD or entities" in str(info.value)
