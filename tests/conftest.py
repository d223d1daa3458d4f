from __future__ import annotations

import os
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from budgetplan.api import build
from budgetplan.recalc import libreoffice
from budgetplan.yamlio.loader import default_scenario_path, load

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# The command line speaks the user's locale (LC_ALL, LC_MESSAGES, LANG) unless told --lang: the
# tests, and the commands they start, run as a French desktop does whatever this machine's is.
for _variable in ("LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "fr_FR.UTF-8"


def edit_scenario(tmp: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    """Copy the default programme, apply ``change`` to its YAML document, save as ``name``."""
    yaml = YAML()
    doc = yaml.load(default_scenario_path().read_text(encoding="utf-8"))
    change(doc)
    path = tmp / name
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(doc, fh)
    return path


@pytest.fixture(scope="session")
def default_loaded():
    return load(None)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("workbooks")


@pytest.fixture(scope="session")
def default_fr(workdir) -> Path:
    return build(output=workdir / "default-fr.xlsx").path


@pytest.fixture(scope="session")
def default_en(workdir) -> Path:
    return build(output=workdir / "default-en.xlsx", lang="en").path


def _over_envelope(doc) -> None:  # type: ignore[no-untyped-def]
    """The 2023 envelope opens EUR 1M of CP against EUR 35M of 2023 payments."""
    doc["envelopes"][1]["cp"] = 1000000


def _edge_cases(doc) -> None:  # type: ignore[no-untyped-def]
    """A scenario that exercises every formula branch: odd cents, late pilot, bad route..."""
    lines = doc["cost_lines"]
    lines[0]["unit_cost"] = 149999.99  # odd cents spread over 3 months
    lines[0]["quantity"] = 7
    lines[2]["cp"]["end"] = "2024-11"
    lines[3]["route"] = "direct"  # 120k with a direct route: ROUTE fails
    lines[4]["vat_rate"] = 0.055
    lines[4]["unit_cost"] = 95000.37
    lines[5]["cp"]["start"] = "2021-12"  # CP before AE and outside the period
    ops = next(m for m in doc["pilots"][0]["milestones"] if m["id"] == "SCAN-OPS")
    ops.pop("duration", None)  # fixed on a date instead
    ops["date"] = "2024-06-30"  # SCAN late for the Olympic Games (and its go/no-go before it)
    doc["pilots"][2]["human_in_loop"] = False  # FRA automates without a human
    doc["pilots"][3]["supervising_body"] = ""  # FRP intrusive without supervision
    by_id = {line["id"]: line for line in lines}
    by_id["SCAN-DPIA"]["route"] = "direct"  # 35k alone, but its need AIPD totals 73k: ROUTE
    # the AUDITS need totals 141k: above the 2022 formal threshold (140k), below 2024's (143k)
    by_id["OSINT-AUDIT"].update(unit_cost=51000, route="adapted")  # launched 01/01/2023: ROUTE
    by_id["OSINT-AUDIT"]["estimate"] = {"low": 40000, "high": 80000}
    by_id["FRA-CYBER"].update(route="adapted", tender="FRA-EVAL")  # launched 01/08/2024: allowed
    by_id["ADRN-SYS"]["domaine_fonctionnel"] = "0176-01"  # police's programme: IMPUTATION


@pytest.fixture(scope="session")
def over_envelope(workdir) -> Path:
    path = edit_scenario(workdir, "over-envelope.yaml", _over_envelope)
    return build(path, output=workdir / "over-envelope.xlsx").path


@pytest.fixture(scope="session")
def edge_cases(workdir) -> Path:
    path = edit_scenario(workdir, "edge-cases.yaml", _edge_cases)
    return build(path, output=workdir / "edge-cases.xlsx", lang="en").path


@pytest.fixture(scope="session")
def lo_available() -> bool:
    ok = libreoffice.available()
    if not ok:
        if IN_CI:
            pytest.fail("LibreOffice headless (python3-uno) is required in CI")
        pytest.skip("LibreOffice headless with python3-uno is not installed")
    return ok


@pytest.fixture(scope="session")
def recalculated(lo_available, default_fr, default_en, over_envelope, edge_cases):
    """One LibreOffice run recalculating every workbook the tests check."""
    paths = [default_fr, default_en, over_envelope, edge_cases]
    return libreoffice.recalculate(paths)
