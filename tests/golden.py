"""Reference-file comparison (as XlsxWriter's tests do it): two workbooks compared part by part,
and inside a sheet cell by cell, so a failure names the part and the cell that differ."""

from __future__ import annotations

import io
import re
import zipfile

_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>.*?</c>)', re.S)


def _first_cell_difference(want: bytes, got: bytes) -> str | None:
    cells_want = {m.group(1): m.group(0) for m in _CELL.finditer(want)}
    cells_got = {m.group(1): m.group(0) for m in _CELL.finditer(got)}
    order = [m.group(1) for m in _CELL.finditer(want)]
    order += [ref for ref in cells_got if ref not in cells_want]
    for ref in order:
        a, b = cells_want.get(ref), cells_got.get(ref)
        if a != b:
            shown_a = a.decode(errors="replace") if a else "(no cell)"
            shown_b = b.decode(errors="replace") if b else "(no cell)"
            return f"cell {ref.decode()}: expected {shown_a}, got {shown_b}"
    return None


def _first_byte_difference(want: bytes, got: bytes) -> str:
    at = next(
        (i for i, (a, b) in enumerate(zip(want, got, strict=False)) if a != b),
        min(len(want), len(got)),
    )
    lo = max(0, at - 60)
    return (
        f"at byte {at}: expected ...{want[lo : at + 60].decode(errors='replace')}..., "
        f"got ...{got[lo : at + 60].decode(errors='replace')}..."
    )


def difference(want: bytes, got: bytes) -> str | None:
    """None when the two workbooks are the same bytes, else where they first differ: the part,
    then the cell of a sheet (or the byte and its context in another part)."""
    if want == got:
        return None
    with zipfile.ZipFile(io.BytesIO(want)) as za, zipfile.ZipFile(io.BytesIO(got)) as zb:
        names_a, names_b = za.namelist(), zb.namelist()
        if names_a != names_b:
            return f"parts differ: expected {names_a}, got {names_b}"
        for name in names_a:
            a, b = za.read(name), zb.read(name)
            if a == b:
                continue
            where = _first_cell_difference(a, b) if name.startswith("xl/worksheets/") else None
            return f"part {name}, {where or _first_byte_difference(a, b)}"
        infos_a = [(i.filename, i.date_time, i.compress_type) for i in za.infolist()]
        infos_b = [(i.filename, i.date_time, i.compress_type) for i in zb.infolist()]
        if infos_a != infos_b:
            return f"zip entries differ: expected {infos_a}, got {infos_b}"
    return "the parts are alike; the zip container's bytes differ (compression)"
