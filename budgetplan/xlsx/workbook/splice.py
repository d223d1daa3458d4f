"""A worksheet's rows copied once, from their temporary file into the zip.

In constant-memory mode xlsxwriter writes a sheet's rows to a temporary file, then, when the
workbook closes, copies them into a second temporary file that holds the whole sheet XML, then
compresses that one into the zip: the rows of a 100,000-line Phasing sheet (1.2 GB) are written
three times and read twice. Here the sheet's file gets a marker where its rows go
(:meth:`FastWorksheet._write_optimized_sheet_data`), and the zip, when it takes that file,
streams the part before the marker, the rows file, and the part after it, into the same zip
entry: the same bytes, compressed the same way, one copy fewer.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from typing import Any

import xlsxwriter.workbook

#: The marker written in a sheet's XML where its rows go (never in XML text: a NUL character).
MARKER = "\x00budgetplan-rows\x00"

#: Sheet XML file -> the temporary file of its rows, registered as the sheets are assembled.
_SPLICES: dict[str, str] = {}
_LOCK = threading.Lock()


def register(sheet_file: str, rows_file: str) -> None:
    with _LOCK:
        _SPLICES[sheet_file] = rows_file


class SplicingZipFile(zipfile.ZipFile):
    """A ZipFile whose ``write`` of a registered sheet file splices its rows file in."""

    def write(  # type: ignore[override]
        self,
        filename: Any,
        arcname: Any = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        with _LOCK:
            rows_file = _SPLICES.pop(os.fspath(filename), None)
        if rows_file is None:
            return super().write(filename, arcname, compress_type, compresslevel)
        try:
            self._write_spliced(filename, arcname, rows_file)
        finally:
            os.remove(rows_file)

    def _write_spliced(self, filename: Any, arcname: Any, rows_file: str) -> None:
        # as ZipFile.write makes the entry (name, time, mode, compression), for the whole size
        zinfo = zipfile.ZipInfo.from_file(
            filename, arcname, strict_timestamps=self._strict_timestamps
        )
        zinfo.compress_type = self.compression
        zinfo._compresslevel = self.compresslevel  # type: ignore[attr-defined]
        with open(filename, "rb") as fh:
            head, found, tail = fh.read().partition(MARKER.encode())
        if not found:
            raise RuntimeError(f"{filename}: the rows marker is missing")
        zinfo.file_size = len(head) + os.path.getsize(rows_file) + len(tail)
        with open(rows_file, "rb") as rows, self.open(zinfo, "w") as dest:
            dest.write(head)
            shutil.copyfileobj(rows, dest, 1 << 20)
            dest.write(tail)


def active() -> bool:
    """Whether the workbook being stored splices (see :func:`splicing`)."""
    return xlsxwriter.workbook.ZipFile is SplicingZipFile


@contextlib.contextmanager
def splicing() -> Iterator[None]:
    """While a workbook is stored: its zip splices rows in, and no rows file is left behind."""
    original = xlsxwriter.workbook.ZipFile
    xlsxwriter.workbook.ZipFile = SplicingZipFile  # type: ignore[misc]
    try:
        yield
    finally:
        xlsxwriter.workbook.ZipFile = original  # type: ignore[misc]
        with _LOCK:
            left = list(_SPLICES.items())
            _SPLICES.clear()
        for _sheet_file, rows_file in left:  # the store failed before zipping them
            with contextlib.suppress(OSError):
                os.remove(rows_file)
