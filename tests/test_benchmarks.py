"""The benchmarks keep running: a tiny size of the whole-process one, each peer included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_the_whole_process_benchmark_runs_and_reports_a_ratio_per_peer() -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "bench_file.py"),
            "--sizes",
            "50",
            "--repeat",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    row = out.stdout.strip().splitlines()[-1]
    assert row.startswith("| 50 |")
    assert "x xlsxwriter" in row and "x floor" in row  # the peers ran and were compared
