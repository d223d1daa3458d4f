"""Number formats: locale-proof as written, and reconcile warns at the cell whose format no
longer shows its amount (a scaling comma, another currency)."""

from __future__ import annotations

import re
import zipfile

import pytest

from budgetplan.api import reconcile
from budgetplan.readback.formats import foreign_currency, misleading_styles, scales
from budgetplan.xlsx import number_formats as nf


@pytest.mark.parametrize(
    ("code", "scaled"),
    [
        ("#,##0.00,\\€", True),
        ("#,##0.00,\\€;\\-#,##0.00,\\€", True),
        ("#,##0,", True),
        ("0.0,,", True),
        (nf.MONEY, False),
        (nf.MONEY_WHOLE, False),
        ("#,##0", False),
        ('#,##0.00" €,"', False),
        ('#,##0.00\\,"€"', False),
        ("[$€-40C]#,##0.00", False),
    ],
)
def test_a_scaling_comma_is_told_from_a_thousands_separator(code, scaled) -> None:
    assert scales(code) is scaled


@pytest.mark.parametrize(
    ("code", "foreign"),
    [
        ('"$"#,##0.00', True),
        ("[$$-409]#,##0.00", True),
        ("#,##0.00 [$USD]", True),
        ("#,##0.00\\ £", True),
        ("[$€-40C]#,##0.00", False),
        (nf.MONEY, False),
        ("0.00%", False),
    ],
)
def test_a_currency_other_than_the_euro_is_found(code, foreign) -> None:
    assert foreign_currency(code) is foreign


def test_every_format_the_writer_uses_quotes_its_spaces(default_fr, default_en) -> None:
    """No format in a built workbook has a bare space (what a French LibreOffice turns into a
    scaling comma), and none scales or shows another currency."""
    for path in (default_fr, default_en):
        with zipfile.ZipFile(path) as zf:
            styles = zf.read("xl/styles.xml")
        codes = re.findall(rb'formatCode="([^"]*)"', styles)
        assert codes
        for raw in codes:
            code = raw.decode().replace("&quot;", '"').replace("&apos;", "'")
            assert not nf.spaces_outside_quotes(code), code
        assert misleading_styles(styles) == {}


def _as_a_french_libreoffice_saves_it(src, dst) -> None:
    """The workbook with its money format respelt as LibreOffice 7 in fr-FR saves the older
    ``#,##0.00 "€"``: a scaling comma and an escaped euro."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/styles.xml":
                data = data.replace(b"&quot; \xe2\x82\xac&quot;", b",\\\xe2\x82\xac")
            zout.writestr(info, data)


def test_reconcile_warns_where_an_amount_is_shown_a_thousand_times_too_small(
    tmp_path, default_fr
) -> None:
    broken = tmp_path / "resaved.xlsx"
    _as_a_french_libreoffice_saves_it(default_fr, broken)
    back = reconcile(broken)
    found = [f for f in back.findings if f.code == "AMOUNT_FORMAT"]
    assert found, [f.one_line("fr") for f in back.findings]
    summary = next(f for f in found if f.sheet == "Synthèse")
    assert summary.cell == "B5"  # the envelope, the first amount of the Summary
    line = summary.one_line("fr")
    assert "divisé par 1 000" in line and "Synthèse!B5" in line, line
    assert back.errors == []  # a warning: the figures themselves are right


def test_reconcile_of_sound_formats_says_nothing_of_them(default_fr) -> None:
    assert [f for f in reconcile(default_fr).findings if f.code == "AMOUNT_FORMAT"] == []
