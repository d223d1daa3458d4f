"""A scenario file's earlier versions, from its git history: how a workbook or a return made
from an older version finds the version it was made from."""

from __future__ import annotations

from pathlib import Path

#: Commits of a scenario file's history searched for the version a return was made from.
MAX_VERSIONS = 200


def git_versions(path: Path) -> list[bytes]:
    """The file's contents in the last MAX_VERSIONS commits that changed it (none outside a git
    repository, or without git)."""
    import subprocess

    folder = path.resolve().parent
    try:
        log = subprocess.run(
            ["git", "log", f"-{MAX_VERSIONS}", "--format=%H", "--", path.name],
            cwd=folder, capture_output=True, timeout=30, check=True,
        )  # fmt: skip
        out = []
        for commit in log.stdout.decode().split():
            shown = subprocess.run(
                ["git", "show", f"{commit}:./{path.name}"],
                cwd=folder, capture_output=True, timeout=30,
            )  # fmt: skip
            if shown.returncode == 0:
                out.append(shown.stdout)
        return out
    except (OSError, subprocess.SubprocessError):
        return []
