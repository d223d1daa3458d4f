"""Each sheet's rows go from their temporary file straight into the zip: the same bytes as
xlsxwriter's own copy through a second file, and nothing left behind, even when the store fails."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from benchmarks.generate import synthetic
from budgetplan.core.source import Source
from budgetplan.xlsx.workbook import splice
from budgetplan.xlsx.workbook.writer import write_workbook


def _write(path: Path) -> None:
    write_workbook(synthetic(300), Source("synthetic", "synthetic", "0" * 64), path)


def test_spliced_rows_give_the_bytes_xlsxwriter_writes(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR read again
    _write(tmp_path / "spliced.xlsx")
    assert os.listdir(tmp_path / "tmp") == []  # no rows file, no sheet file left
    monkeypatch.setattr(splice, "splicing", contextlib.nullcontext)  # xlsxwriter's own copy
    _write(tmp_path / "copied.xlsx")
    spliced = (tmp_path / "spliced.xlsx").read_bytes()
    assert spliced == (tmp_path / "copied.xlsx").read_bytes()
    assert spliced.count(b"budgetplan-rows") == 0


def test_a_store_that_fails_leaves_no_rows_file_and_no_workbook(tmp_path, monkeypatch) -> None:
    import tempfile

    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)

    def broken(self, filename, arcname, rows_file):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(splice.SplicingZipFile, "_write_spliced", broken)
    with pytest.raises(Exception, match="No space left on device"):  # xlsxwriter's FileCreateError
        _write(tmp_path / "out.xlsx")
    assert os.listdir(tmp_path / "tmp") == []
    assert not (tmp_path / "out.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["tmp"]
