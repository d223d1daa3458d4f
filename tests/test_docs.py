"""The README and the command line agree: every command and flag the README shows exists."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from budgetplan.cli import run

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _shell_blocks(text: str) -> str:
    """The lines of the README's shell code blocks (```sh, ```bash or plain ```)."""
    out, fence = [], None
    for line in text.splitlines():
        if line.startswith("```"):
            fence = None if fence is not None else line[3:].strip()
        elif fence in ("sh", "bash", "") and out and line.strip().startswith("[-"):
            out[-1] = out[-1].split("#")[0] + " " + line.strip()  # a usage line continued
        elif fence in ("sh", "bash", ""):
            out.append(line)
    return "\n".join(out)


CODE = _shell_blocks(README)
INLINE = "\n".join(re.findall(r"`(budgetplan [^`\n]+)`", README))
# `budgetplan CMD ...` in the README's shell blocks and inline code (comments left out)
USES = re.findall(r"budgetplan ([a-z][a-z-]+)([^\n#|]*)", CODE + "\n" + INLINE)


def _help(*command: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = run([*command, "--help"])
    assert code == 0, command
    return out.getvalue()


def test_the_readme_shows_the_commands_people_use() -> None:
    shown = {cmd for cmd, _ in USES}
    assert {"build", "validate", "reconcile", "diff", "run", "risk", "verify"} <= shown
    assert {"split", "consolidate"} <= shown


@pytest.mark.parametrize("command", sorted({cmd for cmd, _ in USES}))
def test_every_command_the_readme_shows_exists_with_its_flags(command) -> None:
    help_text = _help(command)
    flags = {
        flag
        for cmd, rest in USES
        if cmd == command
        for flag in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", rest)
    }
    missing = [f for f in flags if f not in help_text]
    assert not missing, f"README shows `budgetplan {command} {' '.join(missing)}`, not in --help"


def _python_blocks(text: str) -> list[str]:
    blocks, current, fence = [], [], None
    for line in text.splitlines():
        if line.startswith("```"):
            if fence == "python":
                blocks.append("\n".join(current))
            fence, current = (None, []) if fence is not None else (line[3:].strip(), [])
        elif fence is not None:
            current.append(line)
    return blocks


@pytest.mark.libreoffice
def test_the_readme_library_example_runs(tmp_path, monkeypatch, lo_available) -> None:
    """The README's library session, run as written, in a folder holding the files it names."""
    from budgetplan.yamlio.loader import default_scenario_path

    example = next(b for b in _python_blocks(README) if "budgetplan.reconcile(" in b)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my-scenario.yaml").write_bytes(default_scenario_path().read_bytes())
    assert run(["build", "-o", "returned.xlsx"]) == 0
    assert run(["build", "-o", "old.xlsx"]) == 0
    (tmp_path / "ej.csv").write_text(
        "N° EJ;Date;Montant TTC;Statut;Ligne\nEJ1;15/12/2022;1 200,00;engagé;SCAN-EQ\n",
        encoding="utf-8",
    )
    (tmp_path / "scenarios").mkdir()
    namespace: dict[str, object] = {}
    exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert namespace["built"].ok and namespace["result"].ok  # type: ignore[attr-defined]
    assert all(v.ok for v in namespace["checked"])  # type: ignore[attr-defined]


def test_every_dependency_is_locked() -> None:
    """requirements.lock pins every dependency pyproject.toml declares (extras included): a
    dependency left unpinned could change the workbooks' bytes on another machine."""
    import tomllib

    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra

    def norm(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    pinned = {
        norm(line.split("==")[0])
        for line in (root / "requirements.lock").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    names = {norm(re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0]) for spec in wanted}
    assert names - pinned == set(), f"not pinned in requirements.lock: {names - pinned}"


def test_the_readme_counts_the_checks_there_are() -> None:
    """Each time the README gives the number of checks, it is the number CHECKS holds."""
    from budgetplan.compute.checks import CHECKS

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    said = re.findall(r"\b(\d+) checks (?:of|each)\b", text)
    assert said, "the README no longer says how many checks there are"
    assert set(said) == {str(len(CHECKS))}, said
    codes = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", text))
    assert {"TYPED_NUMBERS", "FIGURES_SOUND"} <= codes
