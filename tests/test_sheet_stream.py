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


def test_a_resaved_spelling_is_learnt_only_where_it_gives_back_the_file() -> None:
    """How a file spells the writer's rows is learnt from rows found alike: LibreOffice's row and
    cell attributes, aca, quotes as &quot;, unquoted sheet names, TRUE(); or the writer's own
    spelling with other style numbers. The learnt rows render any values as the file would hold
    them; nothing is learnt from another spelling (LibreOffice's formulas without aca) or when
    the learnt spelling does not give back the file's very bytes."""
    from budgetplan.readback.respelling import ResavedRows
    from budgetplan.xlsx.workbook.sheet import RowTemplate

    template = RowTemplate(
        [
            (0, "='Lignes'!$A{r}&\"\"", None, "str"),
            (1, "=ROUND(X{r}*2,2)", None, "num"),
            (2, "=IF('Lignes'!$C{r}<>\"\",TRUE,FALSE)", None, "bool"),
        ]
    )

    def lo_row(r: int, text: bytes, number: bytes, flag: bytes) -> bytes:
        return (
            b'<row r="%d" ht="15" customHeight="false"><c r="A%d" s="9" t="str"><f aca="false">'
            b"Lignes!$A%d&amp;&quot;&quot;</f><v>%s</v></c>"
            b'<c r="B%d" s="3" t="n"><f aca="false">ROUND(X%d*2,2)</f><v>%s</v></c>'
            b'<c r="C%d" s="5" t="n"><f aca="false">IF(Lignes!$C%d&lt;&gt;&quot;&quot;,TRUE(),'
            b"FALSE())</f><v>%s</v></c></row>" % (r, r, r, text, r, r, number, r, r, flag)
        )

    rows = [(8, ["a", 1.5, True]), (9, ["b&c", 2.0, False])]
    have = lo_row(9, b"a", b"1.5", b"1") + lo_row(10, b"b&amp;c", b"2", b"0")
    learnt = ResavedRows.learn(template, rows, have, ["Lignes"])
    assert learnt is not None
    assert learnt.render_row(41, ['say "x"', 0.25, True]) == lo_row(
        42, b"say &quot;x&quot;", b"0.25", b"1"
    )
    # LibreOffice's formulas without its aca attribute: nothing learnt
    assert ResavedRows.learn(template, rows, have.replace(b' aca="false"', b""), ["Lignes"]) is None
    # a spelling the learnt one does not give back (a number as 2.0): nothing learnt
    other = lo_row(9, b"a", b"1.5", b"1") + lo_row(10, b"b&amp;c", b"2.0", b"0")
    assert ResavedRows.learn(template, rows, other, ["Lignes"]) is None
    # budgetplan's own spelling with other style numbers (a contributor's workbook): learnt
    ours = "".join(template.render_row(r, v) for r, v in rows).replace(' t="b"', ' s="7" t="b"')
    own = ResavedRows.learn(template, rows, ours.encode(), ["Lignes"])
    assert own is not None
    assert (
        own.render_row(41, ['say "x"', 0.25, True])
        == template.render_row(41, ['say "x"', 0.25, True])
        .replace(' t="b"', ' s="7" t="b"')
        .encode()
    )
    # another column in the file's row: nothing learnt
    moved = have.replace(b'<c r="B9"', b'<c r="D9"')
    assert ResavedRows.learn(template, rows, moved, ["Lignes"]) is None
