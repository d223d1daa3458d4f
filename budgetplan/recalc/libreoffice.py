"""Recalculate workbooks in LibreOffice headless and compare with the values budgetplan cached.

LibreOffice does not recalculate xlsx files on load by default; the helper script
(:mod:`budgetplan.recalc.lo_uno`, run by LibreOffice's own Python) calls ``calculateAll`` on each file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree as SafeET

UNO_PYTHON = "/usr/bin/python3"
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def available() -> bool:
    if not shutil.which("soffice") or not Path(UNO_PYTHON).exists():
        return False
    probe = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, check=False)
    return probe.returncode == 0


def _office_env() -> dict[str, str]:
    """The environment LibreOffice and its Python run in: the caller's, without what belongs to
    the caller's Python (a pyenv or virtual environment on PATH, PYTHON* and PYENV* settings),
    which LibreOffice's own Python must not pick up; BUDGETPLAN_PYTHONPATH is kept."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "PYENV", "_PYENV", "VIRTUAL_ENV"))
    }
    env["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    return env


def recalculate(
    paths: list[Path],
    save_dir: Path | None = None,
    timeout: int = 600,
    edits: dict[Path, list[tuple[str, str, str, object]]] | None = None,
    locale: str | None = None,
    strings: list[tuple[str, str]] | None = None,
    sheets: list[str] | None = None,
    profile: Path | None = None,
    dispatch: list[str | tuple[str, dict[str, object]]] | None = None,
) -> dict:
    """Recalculate ``paths`` in LibreOffice; return per file its formula cells and errors.

    ``edits`` enters values first, as a person would (see ``lo_uno.py``): per file, a list of
    (sheet, cell, how, value) with ``how`` one of text, number, typed. ``locale`` (``fr-FR``)
    runs LibreOffice in that locale; ``strings`` lists (sheet, range) whose displayed text is
    returned under ``strings`` (and their formulas as that locale's user types them under
    ``typed``); ``sheets`` names the only sheets whose formulas are read back
    (every sheet is recalculated). ``profile``: a LibreOffice profile of the caller's (one an
    extension was installed into) rather than a throw-away one; ``dispatch``: command URLs
    (or ``(URL, arguments)``) dispatched in each document's frame after the edits, as a menu item
    does: what each answered is returned under ``dispatched`` and every note of the document
    under ``notes``."""
    script = Path(__file__).with_name("lo_uno.py")
    with tempfile.TemporaryDirectory(prefix="budgetplan-recalc-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [UNO_PYTHON, str(script), str(out)]
        if locale:
            cmd += ["--locale", locale]
        if save_dir:
            cmd += ["--save-dir", str(save_dir)]
        if edits:
            edits_file = Path(tmp) / "edits.json"
            edits_file.write_text(
                json.dumps({str(k): [list(e) for e in v] for k, v in edits.items()}),
                encoding="utf-8",
            )
            cmd += ["--edits", str(edits_file)]
        if strings:
            ranges_file = Path(tmp) / "ranges.json"
            ranges_file.write_text(json.dumps([list(r) for r in strings]), encoding="utf-8")
            cmd += ["--strings", str(ranges_file)]
        if profile:
            cmd += ["--profile", str(profile)]
        if dispatch:
            urls_file = Path(tmp) / "dispatch.json"
            urls_file.write_text(json.dumps(list(dispatch)), encoding="utf-8")
            cmd += ["--dispatch", str(urls_file)]
        if sheets:
            sheets_file = Path(tmp) / "sheets.json"
            sheets_file.write_text(json.dumps(list(sheets)), encoding="utf-8")
            cmd += ["--sheets", str(sheets_file)]
        cmd += [str(p) for p in paths]
        subprocess.run(cmd, check=True, timeout=timeout, capture_output=True, env=_office_env())
        data = json.loads(out.read_text(encoding="utf-8"))
    return {Path(k): v for k, v in data.items()}


@dataclass(frozen=True)
class CachedCell:
    sheet: str
    ref: str
    formula: str
    value: object  # float, bool, str, or ("error", code)


def cached_formula_cells(path: Path) -> list[CachedCell]:
    """Every formula cell of an xlsx with the value stored in the file, read from the XML."""
    out: list[CachedCell] = []
    with zipfile.ZipFile(path) as zf:
        wb = SafeET.fromstring(zf.read("xl/workbook.xml"))
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        for sheet in wb.iter(f"{NS}sheet"):
            target = targets[sheet.get(f"{REL_NS}id")].lstrip("/")
            part = target if target.startswith("xl/") else f"xl/{target}"
            with zf.open(part) as fh:
                for _event, el in SafeET.iterparse(fh, events=("end",)):
                    if el.tag != f"{NS}c":
                        continue
                    f = el.find(f"{NS}f")
                    if f is not None and f.text:
                        v = el.find(f"{NS}v")
                        text = v.text if v is not None else None
                        kind = el.get("t")
                        value: object
                        if kind == "b":
                            value = text == "1"
                        elif kind == "str":
                            value = text or ""
                        elif kind == "e":
                            value = ("error", text)
                        else:
                            value = float(text) if text not in (None, "") else ""
                        out.append(
                            CachedCell(sheet.get("name") or "", el.get("r") or "", f.text, value)
                        )
                    el.clear()
    return out


@dataclass(frozen=True)
class Mismatch:
    sheet: str
    ref: str
    formula: str
    cached: object
    recalculated: object

    def __str__(self) -> str:
        return (
            f"{self.sheet}!{self.ref} ={self.formula}: cached {self.cached!r}, "
            f"LibreOffice {self.recalculated!r}"
        )


def compare(path: Path, recalculated: dict, tolerance: float = 0.005) -> list[Mismatch]:
    """Formula cells whose cached value differs from LibreOffice's (numbers within ``tolerance``)."""
    mismatches = []
    sheets = recalculated["sheets"]
    for cell in cached_formula_cells(path):
        got = sheets.get(cell.sheet, {}).get(cell.ref)
        lo_value = got[1] if got else None
        cached = cell.value
        if isinstance(cached, bool):
            ok = isinstance(lo_value, int | float) and bool(lo_value) == cached
        elif isinstance(cached, float):
            ok = isinstance(lo_value, int | float) and abs(lo_value - cached) <= tolerance
        else:
            ok = lo_value == cached
        if not ok:
            mismatches.append(Mismatch(cell.sheet, cell.ref, cell.formula, cached, lo_value))
    return mismatches
