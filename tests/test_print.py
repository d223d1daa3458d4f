"""On paper: the default French workbook and the report workbooks rendered to PDF by
LibreOffice, measured page by page. Every page A4 landscape, no sheet over its page budget, text
no smaller than a reader takes (the median height of a page's words), no ``###``, no blank page."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from html import unescape
from pathlib import Path

import pytest

from budgetplan.api import build
from budgetplan.core.labels import label
from tests.conftest import IN_CI

pytestmark = pytest.mark.libreoffice

#: Pages each sheet of the default French workbook may take (its printed title, a budget).
BUDGET = {
    "summary": 4,  # tables, their continuation (two pages tall), the charts
    "checks": 2,
    "credits": 1,
    "parameters": 7,  # tables side by side, two on a page where they fit
    "pilots": 4,  # the pilots two pages wide, the events served beside them two tall
    "milestones": 4,
    "evaluation": 4,
    "inputs": 6,  # three pages wide, two tall: 56 lines and the spare rows
    "schedules": 1,
    "phasing": 4,
    "timeline": 2,
    "risk": 3,
    "about": 1,
}
#: Median word height (points) below which a page is too small to read: a 10-point font
#: printed at about half its size.
SMALLEST = 7.5
A4_LANDSCAPE = (841.9, 595.3)


def _pdf(xlsx: Path, out: Path) -> Path:
    """The PDF a French desktop's LibreOffice prints (a profile of its own, in fr-FR: no HOME
    needed, no clash, the officers' locale)."""
    from budgetplan.recalc.lo_profile import set_locale

    set_locale(str(out / "lo-profile"), "fr-FR")
    profile = (out / "lo-profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(xlsx),
        ],
        capture_output=True,
        timeout=300,
        check=True,
    )
    return out / f"{xlsx.stem}.pdf"


def _pages(pdf: Path) -> list[dict[str, object]]:
    """Each page's size, first line (the sheet's printed title), text and word heights."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S):
        words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page[3])
        heights = sorted(float(b) - float(a) for a, b, _w in words)
        pages.append(
            {
                "size": (float(page[1]), float(page[2])),
                "words": [unescape(w) for _a, _b, w in words],  # pdftotext writes &apos;
                "median": heights[len(heights) // 2] if heights else 0.0,
            }
        )
    return pages


@pytest.fixture(scope="module")
def printed(tmp_path_factory, lo_available) -> list[dict[str, object]]:
    if not shutil.which("pdftotext"):
        if IN_CI:
            pytest.fail("pdftotext (poppler-utils) is required in CI")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = tmp_path_factory.mktemp("print")
    return _pages(_pdf(build(output=out / "programme.xlsx").path, out))


def test_every_page_is_a4_landscape_readable_and_whole(printed) -> None:
    for i, page in enumerate(printed, 1):
        w, h = page["size"]  # type: ignore[misc]
        assert (round(w, 1), round(h, 1)) == A4_LANDSCAPE, f"page {i}"
        assert page["words"], f"page {i} is blank"
        assert page["median"] >= SMALLEST, f"page {i}: text {page['median']:.1f} pt high"
        assert not any("###" in w for w in page["words"]), f"page {i} shows ###"  # type: ignore[union-attr]


def test_each_sheet_prints_within_its_page_budget(printed) -> None:
    """Pages are told apart by the printed title each sheet's header carries (first words)."""
    titles = {label(f"title.{key}", "fr"): key for key in BUDGET}
    count: dict[str, int] = defaultdict(int)
    for page in printed:
        text = " ".join(page["words"])  # type: ignore[arg-type]
        key = next(
            (k for t, k in sorted(titles.items(), key=lambda x: -len(x[0])) if text.startswith(t)),
            None,
        )
        assert key is not None, f"a page starts with {text[:60]!r}"
        count[key] += 1
    assert set(count) == set(BUDGET)  # every sheet prints
    over = {k: (n, BUDGET[k]) for k, n in count.items() if n > BUDGET[k]}
    assert over == {}, f"pages over budget (pages, budget): {over}"


def test_the_workbook_prints_on_43_pages_at_most(printed) -> None:
    """61 pages before: the Phasing's 36 monthly columns (30 pages of monthly cells) and its
    spare rows are no longer printed, nor the drop-down lists of the Parameters (47); the
    Summary's pilot names and labels are whole (one page more); 48 with the risk parameter.
    43 since each sheet is cut across at the columns budgetplan chooses, at the largest scale
    that takes the fewest page widths (no orphan column such as the Summary's reste à payer or
    the Pilots' last column on a page of its own), small tables share a page, and the margins
    are narrower (0.4 inch at the sides)."""
    assert len(printed) <= 43


def test_the_summary_shows_every_pilot_name_and_label_whole(printed) -> None:
    """Eight of ten pilot names and a key figure's label were cut by the next column."""
    from budgetplan.yamlio.loader import load

    programme = load(None).programme
    title = label("title.summary", "fr")

    def split(text: str) -> list[str]:  # words, an apostrophe (typographic or not) between two
        return re.sub(r"['’]", " ", text).split()

    words = {
        w
        for page in printed
        if " ".join(page["words"]).startswith(title)  # type: ignore[arg-type]
        for word in page["words"]  # type: ignore[union-attr]
        for w in split(word)
    }
    texts = [p.name for p in programme.pilots] + [label("sum.allocated", "fr")]
    for text in texts:
        missing = [w for w in split(text) if w not in words]
        assert not missing, (text, missing)
    # the Timeline's Gantt too (its names were cut at 34 characters)
    timeline = label("title.timeline", "fr")
    words = {
        w
        for page in printed
        if " ".join(page["words"]).startswith(timeline)  # type: ignore[arg-type]
        for word in page["words"]  # type: ignore[union-attr]
        for w in split(word)
    }
    for pilot in programme.pilots:
        missing = [w for w in split(pilot.name) if w not in words]
        assert not missing, (pilot.name, missing)


def test_every_continuation_page_of_an_input_table_shows_its_ids(printed) -> None:
    """A cost line or a milestone continued on the next page width still shows its id."""
    from budgetplan.yamlio.loader import load

    programme = load(None).programme
    ids = {line.id for line in programme.cost_lines}
    ids |= {m.id for p in programme.pilots for m in p.milestones}
    titles = (label("title.inputs", "fr"), label("title.milestones", "fr"))
    pages = [p for p in printed if " ".join(p["words"]).startswith(titles)]  # type: ignore[arg-type]
    assert len(pages) >= 4
    for page in pages:
        assert ids & set(page["words"]), " ".join(page["words"][:12])  # type: ignore[index]
