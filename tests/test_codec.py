"""The layout is the codec: every kind of cell encodes and decodes through one codec, and a
programme written to a workbook and read back is the same programme."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgetplan.core import model as m
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.codec import CODECS, EXCEL_EPOCH, CellError, codec, serial
from budgetplan.xlsx.reader import open_workbook, read_programme
from budgetplan.xlsx.workbook.writer import write_workbook
from budgetplan.yamlio.loader import Source, load

DEFAULT = load(None).programme
SOURCE = Source("roundtrip", "roundtrip.yaml", "0" * 64)


def test_every_kind_of_the_layout_has_a_codec() -> None:
    kinds = {c.kind for t in L.INPUT_TABLES for c in t.columns} | {k for _, _, k, _ in L.PARAMETERS}
    assert kinds - {"code"} <= set(CODECS)
    coded = [c for t in L.INPUT_TABLES for c in t.columns if c.kind == "code"]
    assert coded and all(c.codes is not None for c in coded)  # a code column names its list


@pytest.mark.parametrize(
    ("kind", "value", "cell"),
    [
        ("money", Decimal("1234.50"), 1234.5),
        ("money", Decimal("1000.00"), 1000),
        ("rate", Decimal("0.055"), 0.055),
        ("int", 2022, 2022),
        ("titre", m.Titre.OPERATING, 3),
        ("bool", False, False),
        ("date", dt.date(2023, 9, 8), 45177),
        ("month", dt.date(2022, 3, 1), 44621),
        ("ids", ("A", "B-2"), "A;B-2"),
        ("choice", m.Route.FORMAL, "formal"),
        ("text", "Jeux olympiques", "Jeux olympiques"),
        ("text", None, None),
    ],
)
def test_encode_then_decode_gives_the_value_back(kind, value, cell) -> None:
    encoded = codec(kind).encode(value)
    assert encoded == cell and type(encoded) is type(cell)
    read = float(cell) if type(cell) is int else cell  # calamine reads every number as a float
    back = codec(kind).decode(read)
    plain = value.value if isinstance(value, m.Titre | m.Route) else value
    assert back == (plain if value is not None else "")
    assert codec(kind).fast_decode(read) == back


def test_decoders_read_what_people_type() -> None:
    # an amount typed as text: SUM and SUMIFS leave it out, so budgetplan must not count it
    for kind, text, number in (("money", "1 234,56 €", "1234.56"), ("int", "2 022", "2022")):
        with pytest.raises(
            CellError,
            match=f"is text, which the workbook's own totals leave out: type the number {number}",
        ):
            codec(kind).decode(text)
    assert codec("titre").decode("3") == 3  # the titre drop-down lists its numbers as text
    assert codec("bool").decode("vrai") is True and codec("bool").decode(" FAUX ") is False
    assert codec("bool").decode(1.0) is True and codec("bool").decode(0.0) is False
    assert codec("bool").decode("oui") is True and codec("bool").decode("Non") is False
    assert codec("bool").decode("1") is True
    assert codec("date").decode("08/09/2023") == dt.date(2023, 9, 8)
    assert codec("date").decode(float(serial(dt.date(2024, 7, 26)))) == dt.date(2024, 7, 26)
    assert EXCEL_EPOCH + dt.timedelta(days=serial(dt.date(2022, 1, 1))) == dt.date(2022, 1, 1)
    bad_values = (("money", "beaucoup"), ("int", 2.5), ("bool", "peut-être"), ("bool", 2.0))
    for kind, bad in (*bad_values, ("date", "x")):
        with pytest.raises(CellError):
            codec(kind).decode(bad)


# --------------------------------------------------------------------------- property round trip

# Text as people type it, outside what a spreadsheet cannot hold (control characters) and
# without surrounding blanks (a cell holding only spaces is read as empty).
TEXT = (
    st.text(
        alphabet=st.characters(
            min_codepoint=32, max_codepoint=0x2FFF, exclude_categories=("Cs", "Cc", "Zl", "Zp")
        ),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
CENTS = st.integers(min_value=0, max_value=10**10).map(lambda c: Decimal(c) / 100)
DAYS = st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2025, 12, 31))


@st.composite
def programmes(draw: st.DrawFn) -> m.Programme:
    """The default programme with random values in every kind of input cell."""
    p = DEFAULT
    lines = list(p.cost_lines)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        unit = draw(CENTS)
        quantity = Decimal(draw(st.integers(0, 500)))
        ht = unit * quantity
        lines[i] = line.model_copy(
            update={
                "label": draw(TEXT),
                "unit_cost": unit,
                "quantity": quantity,
                "vat_rate": draw(
                    st.one_of(
                        st.none(), st.sampled_from([Decimal("0.055"), Decimal("0.2"), Decimal(0)])
                    )
                ),
                "innovative": draw(st.booleans()),
                "rationale": draw(st.one_of(st.just(""), TEXT)),
                "financial_code": draw(st.one_of(st.just(""), TEXT)),
                "estimate": m.Estimate(low=ht, high=ht + draw(CENTS)),
            }
        )
    pilots = list(p.pilots)
    j = draw(st.integers(0, len(pilots) - 1))
    pilot = pilots[j]
    milestones = list(pilot.milestones)
    if milestones:
        k = draw(st.integers(0, len(milestones) - 1))
        fixed = draw(st.booleans())  # a fixed date, or a three-point duration
        likely = draw(st.integers(0, 400))
        milestones[k] = milestones[k].model_copy(
            update={
                "date": draw(DAYS) if fixed else None,
                "duration": None
                if fixed
                else m.Duration(
                    likely=likely,
                    low=draw(st.none() | st.integers(0, likely)),
                    high=draw(st.none() | st.integers(likely, 800)),
                ),
                "label": draw(TEXT),
                "rationale": draw(TEXT),
            }
        )
    pilots[j] = pilot.model_copy(
        update={
            "name": draw(TEXT),
            "legal_basis": draw(TEXT),
            "human_in_loop": draw(st.booleans()),
            "trl": draw(st.integers(1, 9)),
            "milestones": tuple(milestones),
        }
    )
    data = p.model_dump()
    data.update(
        cost_lines=[x.model_dump() for x in lines],
        pilots=[x.model_dump() for x in pilots],
        title=draw(TEXT),
        vat_rate=draw(st.sampled_from(["0.2", "0.1", "0.055"])),
    )
    return m.Programme.model_validate(data)  # validated like any programme


@pytest.mark.slow
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(programme=programmes(), lang=st.sampled_from(["fr", "en"]))
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
def test_a_programme_written_and_read_back_is_the_same_programme(programme, lang) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "p.xlsx"
        write_workbook(programme, SOURCE, target, lang)  # no Risk sheet: values only
        wb = open_workbook(target)
        back, _ = read_programme(wb)
    risk_sheet = L.sheet_name("risk", lang)  # left out above: values only, nothing to read
    assert [f.one_line() for f in wb.findings if f.sheet != risk_sheet] == []
    assert back is not None
    assert _differences(back.model_dump(), programme.model_dump()) == []


def _differences(a: object, b: object, path: str = "") -> list[str]:
    """Where two dumped programmes differ, as readable paths (a failing example is 46 kB)."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(set(a) | set(b), key=str)
        return [d for k in keys for d in _differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: read back {a!r}, written {b!r}"]
