"""Each sheet's rows go from their temporary file straight into the zip: the same bytes as
xlsxwriter's own copy through a second file, and nothing left behind, even when the store fails."""

from __future__ import annotations

import contextlib
import errno
import io
import os
from pathlib import Path

from benchmarks.generate import synthetic
from budgetplan.core.source import Source
from budgetplan.xlsx.workbook import splice
from budgetplan.xlsx.workbook.writer import write_workbook


def _write(path: Path) -> None:
    write_workbook(synthetic(300), Source("synthetic", "synthetic", "0" * 64), path)


def test_spliced_rows_give_the_bytes_xlsxwriter_writes(tmp_path, monkeypatch) -> None:
    import tempfile
    import zipfile

    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR read again
    spliced_sheets: list[str] = []
    register = splice.register

    def spy(sheet_file: str, rows_file: str) -> None:
        spliced_sheets.append(sheet_file)
        register(sheet_file, rows_file)

    monkeypatch.setattr(splice, "register", spy)
    _write(tmp_path / "spliced.xlsx")
    spliced_count = len(spliced_sheets)
    assert spliced_count >= 10  # every sheet with rows went through the splice
    assert os.listdir(tmp_path / "tmp") == []  # no rows file, no sheet file left
    monkeypatch.setattr(splice, "splicing", contextlib.nullcontext)  # xlsxwriter's own copy
    _write(tmp_path / "copied.xlsx")
    assert len(spliced_sheets) == spliced_count  # this one copied as xlsxwriter does
    spliced = (tmp_path / "spliced.xlsx").read_bytes()
    assert spliced == (tmp_path / "copied.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "spliced.xlsx") as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(splice.MARKER.encode() in zf.read(n) for n in sheets)


def _cli_in(tmp_path: Path, monkeypatch, args: list[str]) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    import tempfile

    from budgetplan.cli import run

    (tmp_path / "tmp").mkdir(exist_ok=True)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = run(args)
    return code, err.getvalue()


def test_a_full_disk_under_the_workbook_names_it_and_leaves_nothing(tmp_path, monkeypatch) -> None:
    """The zip cannot be written (its disk full as xlsxwriter stores it): one line naming the
    workbook, exit 2, no traceback; no workbook, no temporary file left behind."""

    def full(self, filename, arcname, rows_file):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(splice.SplicingZipFile, "_write_spliced", full)
    out = tmp_path / "out.xlsx"
    code, err = _cli_in(tmp_path, monkeypatch, ["build", "-o", str(out)])
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"{out} : plus de place sur le disque") and "Traceback" not in err
    assert os.listdir(tmp_path / "tmp") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]


def test_a_full_temporary_folder_is_named_as_such(tmp_path, monkeypatch) -> None:
    """xlsxwriter's working files cannot be written (TMPDIR full): one line saying so, naming
    the folder and TMPDIR, not the workbook's path as if it were the workbook that failed."""
    import tempfile

    import xlsxwriter.worksheet

    real = xlsxwriter.worksheet.tempfile.mkstemp
    calls: list[int] = []

    def full(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) > 3:  # a few sheets in: the folder is full
            folder = kwargs.get("dir") or tempfile.gettempdir()
            raise OSError(errno.ENOSPC, "No space left on device", os.path.join(folder, "tmpx"))
        return real(*args, **kwargs)

    monkeypatch.setattr(xlsxwriter.worksheet.tempfile, "mkstemp", full)
    out = tmp_path / "out.xlsx"
    code, err = _cli_in(tmp_path, monkeypatch, ["build", "-o", str(out)])
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert "erreur[TEMPORARY_FILES]" in err and str(tmp_path / "tmp") in err and "TMPDIR" in err
    assert os.listdir(tmp_path / "tmp") == []
    assert not out.exists()
