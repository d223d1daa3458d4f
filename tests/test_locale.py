"""The workbook as a French (and an English) LibreOffice desktop shows it, before and after a
save: what each cell displays, amounts, dates, percentages and booleans (UNO ``getString``)."""

from __future__ import annotations

import shutil

import pytest

from budgetplan.api import build, reconcile
from budgetplan.core.labels import label
from budgetplan.recalc import libreoffice
from budgetplan.yamlio.loader import default_scenario_path

pytestmark = pytest.mark.libreoffice

#: What a reader must see, by locale: the default programme's envelope, its first year, the
#: master check, a percentage, and the format of a date.
EXPECTED = {
    "fr": {
        "fr-FR": {"envelope": "50 000 000,00 €", "true": "VRAI", "percent": ","},
    },
    "en": {
        "en-US": {"envelope": "50,000,000.00 €", "true": "TRUE", "percent": "."},
    },
}


def _ranges(lang: str) -> list[tuple[str, str]]:
    return [
        (label("sheet.summary", lang), "A1:L80"),
        (label("sheet.credits", lang), "A1:J45"),
        (label("sheet.checks", lang), "A1:E60"),
        (label("sheet.milestones", lang), "A1:N20"),
        (label("sheet.inputs", lang), "A1:Z12"),
        (label("sheet.risk", lang), "A1:D70"),
    ]


def _plain(text: str) -> str:
    """Thin and non-breaking spaces (French thousands) read as spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.mark.parametrize(("lang", "locale"), [("fr", "fr-FR"), ("en", "en-US")])
def test_a_save_in_libreoffice_keeps_what_every_cell_shows(
    tmp_path, lo_available, lang, locale
) -> None:
    """Saved and reopened by a LibreOffice in the officer's locale, every cell shows what it
    showed: no format turned into a scaling one (50 000,00€ for fifty million)."""
    book = build(output=tmp_path / f"book-{lang}.xlsx", lang=lang).path
    saved = tmp_path / "saved"
    saved.mkdir()
    ranges = _ranges(lang)
    only = [label("sheet.checks", lang)]
    first = libreoffice.recalculate(
        [book], save_dir=saved, locale=locale, strings=ranges, sheets=only
    )[book]
    again_path = saved / book.name
    again = libreoffice.recalculate([again_path], locale=locale, strings=ranges, sheets=only)[
        again_path
    ]
    shown, reshown = first["strings"], again["strings"]
    want = EXPECTED[lang][locale]
    summary = label("sheet.summary", lang)
    assert _plain(shown[f"{summary}!B5"]) == want["envelope"]
    assert _plain(reshown[f"{summary}!B5"]) == want["envelope"]
    assert shown[f"{summary}!B11"] == want["true"]
    risk = label("sheet.risk", lang)
    assert want["percent"] in shown[f"{risk}!B10"] and shown[f"{risk}!B10"].endswith("%")
    dates = [
        v
        for k, v in shown.items()
        if k.startswith(label("sheet.milestones", lang)) and len(v) == 10 and v[2] == "/"
    ]
    assert dates, "no date shown on the milestones sheet"
    changed = {k: (v, reshown.get(k)) for k, v in shown.items() if reshown.get(k) != v}
    assert not changed, f"shown differently after a save in {locale}: {list(changed.items())[:5]}"
    assert len(shown) > 500


def test_reconcile_finds_nothing_in_an_untouched_french_resave(tmp_path, lo_available) -> None:
    """An officer opens the workbook in a French LibreOffice and saves it: reconcile reports no
    error and no edit."""
    book = build(output=tmp_path / "sent.xlsx").path
    saved = tmp_path / "saved"
    saved.mkdir()
    libreoffice.recalculate([book], save_dir=saved, locale="fr-FR", sheets=["Contrôles"])
    scenario = tmp_path / "programme.yaml"
    shutil.copy(default_scenario_path(), scenario)
    back = reconcile(saved / "sent.xlsx", scenario=scenario)
    assert [f.one_line() for f in back.errors] == []
    assert [f.one_line("fr") for f in back.findings if f.code == "AMOUNT_FORMAT"] == []
    assert back.edits == []
