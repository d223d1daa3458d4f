"""A worksheet's rows as its zip member inflates: a megabyte at a time, never the whole sheet.

Reconcile compares the Phasing sheet (100 MB of XML at 10,000 lines, 1.2 GB at 100,000) with the
rows the writer renders; this reader gives it the file's rows in order, in two ways: a row matched
byte for byte where it stands (a sheet nobody re-saved), or the rows below a row number (a
re-saved sheet, compared a chunk at a time). What was consumed is let go.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import IO

#: How much of the member is inflated at a time.
CHUNK = 1 << 20
_ROW = re.compile(rb'<(?:\w+:)?row r="(\d+)"')
_END = re.compile(rb"</(?:\w+:)?sheetData>")


class SheetStream:
    """The rows of one worksheet member of an open zip, from its start to ``</sheetData>``."""

    def __init__(self, zf: zipfile.ZipFile, part: str):
        self._fh: IO[bytes] | None = zf.open(part)
        self._buf = b""
        self._pos = 0  # where the next unread row begins in _buf
        self._eof = False

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def _more(self) -> bool:
        """Inflate the next chunk onto the buffer (dropping what was consumed); False at the end."""
        if self._eof or self._fh is None:
            return False
        chunk = self._fh.read(CHUNK)
        if not chunk:
            self._eof = True
            return False
        self._buf = self._buf[self._pos :] + chunk
        self._pos = 0
        return True

    def head(self, first_row: int) -> bytes:
        """Everything before the first row numbered ``first_row`` or more (the sheet's header
        rows, its columns and views), or the whole sheet when it has no such row."""
        start = 0
        while True:
            for m in _ROW.finditer(self._buf, start):
                if int(m.group(1)) >= first_row:
                    self._pos = m.start()
                    return self._buf[: m.start()]
            end = self._end(0)
            if end is not None:
                self._pos = end.start()
                return self._buf[: end.start()]
            start = max(0, len(self._buf) - 64)  # a row tag cut between two chunks: read again
            if not self._more():  # (nothing is consumed yet: the buffer keeps all it read)
                self._pos = len(self._buf)
                return self._buf

    def _end(self, pos: int | None = None) -> re.Match[bytes] | None:
        """Where the sheet's data ends in the buffer (from ``pos``, default the next unread row),
        found by a plain search first: a regular expression over each megabyte costs more."""
        pos = self._pos if pos is None else pos
        found = self._buf.find(b"sheetData>", pos)
        if found < 0:
            return None
        return _END.search(self._buf, max(pos, self._buf.rfind(b"<", pos, found)))

    def match(self, expected: bytes) -> bool:
        """Consume ``expected`` if the sheet's next bytes are these, byte for byte."""
        while len(self._buf) - self._pos < len(expected):
            if not self._buf.startswith(expected[: len(self._buf) - self._pos], self._pos):
                return False
            if not self._more():
                return False
        if self._buf.startswith(expected, self._pos):
            self._pos += len(expected)
            return True
        return False

    def at_end(self) -> bool:
        """Whether the rows are all consumed (the next bytes close the sheet's data)."""
        while len(self._buf) - self._pos < 16 and self._more():
            pass
        return _END.match(self._buf, self._pos) is not None or (
            self._eof and self._pos >= len(self._buf)
        )

    def next_row_number(self) -> int | None:
        """The number of the next unread row, None when there is none."""
        while True:
            m = _ROW.search(self._buf, self._pos)
            end = self._end()
            if m is not None and (end is None or m.start() < end.start()):
                return int(m.group(1))
            if end is not None or not self._more():
                return None

    def rows_below(self, number: int) -> bytes:
        """The unread rows numbered below ``number``, consumed."""
        out: list[bytes] = []
        while True:
            start = self._pos
            for m in _ROW.finditer(self._buf, self._pos):
                if int(m.group(1)) >= number:
                    out.append(self._buf[start : m.start()])
                    self._pos = m.start()
                    return b"".join(out)
            end = self._end()
            if end is not None:
                out.append(self._buf[start : end.start()])
                self._pos = end.start()
                return b"".join(out)
            # keep the last (maybe incomplete) row in the buffer: cut at the last row tag
            last = self._buf.rfind(b"<", start)
            cut = max(start, last)
            if self._eof or self._fh is None:
                out.append(self._buf[start:])
                self._pos = len(self._buf)
                return b"".join(out)
            out.append(self._buf[start:cut])
            self._pos = cut
            if not self._more():
                out.append(self._buf[self._pos :])
                self._pos = len(self._buf)
                return b"".join(out)


def row_chunks(zf: zipfile.ZipFile, part: str, rows: int = 2000) -> Iterator[bytes]:
    """A worksheet's XML up to the end of its data, in pieces of whole rows (``rows`` row
    numbers each): what a pass over its cells needs, never the sheet whole."""
    stream = SheetStream(zf, part)
    try:
        yield stream.head(1)
        while (number := stream.next_row_number()) is not None:
            yield stream.rows_below(number + rows)
    finally:
        stream.close()
