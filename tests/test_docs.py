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
