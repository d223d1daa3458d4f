#!/usr/bin/env python3
"""Set-up and everyday tasks with nothing but Python 3.11+.

    python3 dev.py build [ARGS...]   install into .venv if needed, then `budgetplan build ARGS`
    python3 dev.py test [PYTEST ARGS...]   install with test extras if needed, lint (ruff), type-check
                                           (mypy, strict on core/ and compute/), run the tests
                                           (one worker per core: pytest-xdist, -n auto;
                                           then the add-on's LibreOffice tests alone)
    python3 dev.py test --fast [ARGS...]   the edit loop: no LibreOffice, no slow tests (~2.5 min)
    python3 dev.py bench [build|file|reconcile|diff] [ARGS...]   run a benchmark (benchmarks/README.md)
    python3 dev.py catalogue  bring the English catalogue of the default programme's texts up to
                              date (budgetplan/data/programme-2022.en.po): new texts are added
                              untranslated, for a translator to fill in
    python3 dev.py lock       write requirements.lock anew from .venv (after a dependency changed)
    python3 dev.py addon      write the LibreOffice extension dist/budgetplan.oxt (install it with
                              unopkg add dist/budgetplan.oxt; README: "budgetplan in Calc")
    python3 dev.py pictures   render the Summary and the Timeline for the README (docs/*.png;
                              needs soffice and pdftoppm)

The virtual environment lives in .venv; it is (re)installed whenever pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
#: the versions installed (pip constraints): the same workbook bytes on every machine
LOCK = ROOT / "requirements.lock"
#: The tests of LibreOffice with the add-on installed, run in a process of their own
ADDON_TESTS = "tests/test_addon.py"


def run(cmd: list[str]) -> int:
    return subprocess.call(cmd, cwd=ROOT)


def ensure(extras: str = "test,bench") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py itself may run on an older Python
        sys.exit(f"budgetplan needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    if not PY.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    stamp = VENV / ".budgetplan-installed"
    want = (
        hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()
        + extras
    )
    if stamp.exists() and stamp.read_text() == want:
        return
    print("installing budgetplan and its dependencies into .venv ...", flush=True)
    target = f".[{extras}]" if extras else "."
    code = run(
        [str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        + ["-c", str(LOCK), "-e", target]
    )
    if code:
        sys.exit(code)
    stamp.write_text(want)


CATALOGUE = """
from budgetplan.api import load_programme
from budgetplan.yamlio.catalogue import bundled, update_catalogue
added, obsolete = update_catalogue(bundled("en"), load_programme())
print(f"{bundled('en')}: {added} text(s) to translate added, {obsolete} made obsolete")
"""


def main(argv: list[str]) -> int:
    task, args = (argv[0], argv[1:]) if argv else ("help", [])
    if task == "build":
        ensure()
        return run([str(BIN / "budgetplan"), "build", *args])
    if task == "catalogue":
        ensure()
        return run([str(PY), "-c", CATALOGUE])
    if task == "test":
        ensure()
        for cmd in (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]):
            code = run([str(BIN / cmd[0]), *cmd[1:]])
            if code:
                return code
        workers = ["-n", "auto", "--dist", "loadfile"]  # one per core, a file's tests together
        if "--fast" in args:
            args = [a for a in args if a != "--fast"]
            fast = ["-m", "not libreoffice and not slow", "-p", "no:cacheprovider"]
            return run([str(PY), "-m", "pytest", *workers, *fast, *args])
        if args:  # the user's choice of tests or options: one run
            return run([str(PY), "-m", "pytest", *workers, *args])
        # first, alone and in a process of their own, the tests of LibreOffice with the add-on
        # installed: run just after other LibreOffice tests, in the same process, beside them
        # or in a process of their own, the extension was not live in their LibreOffice ("no
        # handler"), while run on their own a while later they pass
        first = run([str(PY), "-m", "pytest", "-p", "no:xdist", ADDON_TESTS])
        second = run([str(PY), "-m", "pytest", *workers, f"--ignore={ADDON_TESTS}"])
        return first or second
    if task == "bench":
        ensure()
        which = "build"
        if args and args[0] in ("build", "reconcile", "diff", "file"):
            which, args = args[0], args[1:]
        return run([str(PY), f"benchmarks/bench_{which}.py", *args])
    if task == "lock":
        ensure()
        return lock()
    if task == "addon":
        ensure()
        return run(
            [
                str(PY),
                "-c",
                "from pathlib import Path; from budgetplan.addon.oxt import write; "
                "print(write(Path('dist/budgetplan.oxt')))",
            ]
        )
    if task == "pictures":
        ensure()
        return pictures()
    print(__doc__)
    return 0 if task == "help" else 2


def lock() -> int:
    """Write requirements.lock anew from what .venv holds (after pyproject.toml changed)."""
    frozen = subprocess.run(
        [str(PY), "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    head = [line for line in LOCK.read_text().splitlines() if line.startswith("#")]
    LOCK.write_text("\n".join(head) + "\n" + frozen)
    print(f"wrote {LOCK.name} ({len(frozen.splitlines())} packages)")
    return 0


#: The README's pictures: the first page of each sheet whose printed title starts so.
PICTURES = {"summary.png": "Synthèse du programme", "timeline.png": "Calendrier et préparation"}


def pictures() -> int:
    """The default French workbook printed by LibreOffice, the first page of the Summary and of
    the Timeline's Gantt as PNG in docs/, as a reader sees them before installing anything."""
    import shutil
    import tempfile

    for tool in ("soffice", "pdftotext", "pdftoppm"):
        if not shutil.which(tool):
            sys.exit(
                f"dev.py pictures needs {tool} (apt-get install libreoffice-calc-nogui poppler-utils)"
            )
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "programme-2022.xlsx"
        if run([str(BIN / "budgetplan"), "build", "-o", str(book)]):
            return 1
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(book)],
            check=True,
            capture_output=True,
        )
        pdf = book.with_suffix(".pdf")
        pages = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split("\f")
        (ROOT / "docs").mkdir(exist_ok=True)
        for name, title in PICTURES.items():
            found = [i for i, text in enumerate(pages, 1) if text.strip().startswith(title)]
            page = found[-1] if name == "timeline.png" else found[0]  # the Gantt: its last page
            out = ROOT / "docs" / name
            subprocess.run(
                [
                    "pdftoppm",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-r",
                    "80",
                    "-png",
                    "-singlefile",
                    str(pdf),
                    str(out.with_suffix("")),
                ],
                check=True,
            )
            print(f"wrote {out.relative_to(ROOT)} (page {page})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
