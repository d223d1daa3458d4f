"""The Phasing sheet read as it inflates: whatever the size of the chunks the zip gives, the rows
come out whole, in order, each once, and the comparison of a re-saved sheet never holds it whole."""

from __future__ import annotations

import io
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from budgetplan.readback import sheet_stream
from budgetplan.readback.sheet_stream import SheetStream


def _sheet(numbers: list[int], prefix: str = "") -> bytes:
    rows = "".join(
        f'<{prefix}row r="{n}" ht="15"><{prefix}c r="A{n}"><{prefix}f>X{n}</{prefix}f>'
        f"<{prefix}v>{n * 7}</{prefix}v></{prefix}c></{prefix}row>"
        for n in numbers
    )
    return (
        f'<?xml version="1.0"?><{prefix}worksheet><{prefix}sheetData>{rows}'
        f"</{prefix}sheetData><{prefix}mergeCells/></{prefix}worksheet>"
    ).encode()


def _zip(xml: bytes) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sheet.xml", xml)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def _row(xml: bytes, n: int) -> bytes:
    start = xml.index(b'row r="%d"' % n) - 1
    while xml[start : start + 1] != b"<":
        start -= 1
    return xml[start : xml.index(b"row>", start) + 4]


@settings(max_examples=150, deadline=None)
@given(
    numbers=st.lists(st.integers(1, 3000), min_size=0, max_size=60, unique=True).map(sorted),
    chunk=st.integers(1, 200),
    first=st.integers(1, 40),
    step=st.integers(1, 700),
    prefix=st.sampled_from(["", "x:", "spreadsheetml:"]),
)
def test_rows_come_whole_in_order_and_once(numbers, chunk, first, step, prefix):
    """head + the rows below each bound, in turn, give back the sheet's data exactly."""
    xml = _sheet(numbers, prefix)
    original = sheet_stream.CHUNK
    sheet_stream.CHUNK = chunk
    try:
        stream = SheetStream(_zip(xml), "sheet.xml")
        pieces = [stream.head(first)]
        bound = first
        while (n := stream.next_row_number()) is not None:
            bound = max(bound, n) + step
            piece = stream.rows_below(bound)
            numbers_in = [int(x) for x in _numbers(piece)]
            assert all(k < bound for k in numbers_in)
            pieces.append(piece)
        assert stream.at_end()
        stream.close()
    finally:
        sheet_stream.CHUNK = original
    data_end = xml.index(f"</{prefix}sheetData>".encode())
    assert b"".join(pieces) == xml[:data_end]
    head_rows = [int(x) for x in _numbers(pieces[0])]
    assert all(k < first for k in head_rows)


def _numbers(piece: bytes) -> list[bytes]:
    import re

    return re.findall(rb'row r="(\d+)"', piece)


@settings(max_examples=100, deadline=None)
@given(
    numbers=st.lists(st.integers(2, 400), min_size=1, max_size=40, unique=True).map(sorted),
    chunk=st.integers(1, 97),
    flip=st.integers(0, 39),
)
def test_rows_matched_in_place_byte_for_byte(numbers, chunk, flip):
    """Each row is consumed when its bytes are the next ones; a row that differs is not, and
    the stream stays where it was."""
    xml = _sheet(numbers)
    original = sheet_stream.CHUNK
    sheet_stream.CHUNK = chunk
    try:
        stream = SheetStream(_zip(xml), "sheet.xml")
        stream.head(numbers[0])
        flip %= len(numbers)
        for i, n in enumerate(numbers):
            row = _row(xml, n)
            if i == flip:
                assert not stream.match(row.replace(b"<v>", b"<v>9"))
                assert stream.next_row_number() == n
            assert stream.match(row)
        assert stream.at_end()
        assert stream.next_row_number() is None
    finally:
        sheet_stream.CHUNK = original


def test_a_sheet_without_data_rows_is_all_head() -> None:
    xml = _sheet([1, 2, 3])
    stream = SheetStream(_zip(xml), "sheet.xml")
    head = stream.head(5)
    assert head == xml[: xml.index(b"</sheetData>")]
    assert stream.at_end()
    assert stream.rows_below(10**9) == b""


def test_a_respelling_is_learnt_only_where_it_is_unambiguous() -> None:
    """LibreOffice's spelling of rows is learnt only when each of its styles stands for one of
    the writer's and the learnt rules give back the very bytes; else the rows are compared cell
    by cell as before."""
    from budgetplan.readback.respelling import Respelling
    from budgetplan.xlsx.xlsxfile import scan_formula_cells

    ours = b'<row r="9"><c r="A9" s="3"><f>X9</f><v>1</v></c><c r="B9" s="4" t="b"><f>Y9</f><v>1</v></c></row>'
    lo = (
        b'<row r="9" ht="15" customHeight="false"><c r="A9" s="5" t="n"><f aca="false">X9</f>'
        b'<v>1</v></c><c r="B9" s="4" t="n"><f aca="false">Y9</f><v>1</v></c></row>'
    )
    learnt = Respelling.learn(scan_formula_cells(ours), scan_formula_cells(lo), ours, lo, [])
    assert learnt and learnt.respell(lo, []) == ours
    # its style 5 for two of the writer's (3 and 4): nothing learnt
    two = lo.replace(b's="4" t="n"', b's="5" t="n"')
    assert not Respelling.learn(scan_formula_cells(ours), scan_formula_cells(two), ours, two, [])
    # Excel's spelling (no aca attribute): nothing learnt
    excel = lo.replace(b' aca="false"', b"")
    assert not Respelling.learn(
        scan_formula_cells(ours), scan_formula_cells(excel), ours, excel, []
    )
