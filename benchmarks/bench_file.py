"""Whole process, from the user's file: `budgetplan build FILE.yaml` beside its peers.

    python benchmarks/bench_file.py [--sizes 1000 10000] [--repeat 3]

For each size a synthetic scenario file is written (benchmarks/generate.py) and the cells of its
workbook recorded once (benchmarks/bench_build.py's recording). Then, each in a fresh process
timed from its start to its exit (interpreter, imports and reading its input included), peak
memory from the kernel's accounting of that process:

- ``budgetplan``: `python -m budgetplan build FILE.yaml -o OUT.xlsx`;
- ``pyexcelerate``: pyexcelerate writing the same cells (formulas as formulas, values as values;
  it stores no cached values) from the recorded cells;
- ``xlsxwriter``: raw xlsxwriter in constant-memory mode writing the same cells as plain values
  (each formula's cached value), from the recorded cells;
- ``floor``: the same cells as plain values written straight as sheet XML into a zip (deflate
  level 1) by hand: what writing a file of that many cells costs at the least in Python.

The peers read a pickle of the cells (their input file); budgetplan reads YAML, validates,
computes, checks, simulates the risk and writes styles, formulas and cached values. A peer not
installed (``pip install pyexcelerate``) is left out of the run.
"""

from __future__ import annotations

import argparse
import contextlib
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_rowcol_to_cell

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


#: Runs a command in a child of its own and prints its wall seconds, peak memory (KB) and exit
#: code: started from this small interpreter, not from the benchmark, whose pages (the recorded
#: cells) a forked child would count in its peak memory until it ran the command.
_SPAWN = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_pid, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MB of one process, from its start to its exit, writing a new file
    (as every peer does: a build over an existing workbook also checks what it replaces)."""
    Path(cmd[cmd.index("-o") + 1] if "-o" in cmd else cmd[-1]).unlink(missing_ok=True)
    run = subprocess.run(
        [sys.executable, "-c", _SPAWN, *cmd], cwd=ROOT, capture_output=True, check=True
    )
    seconds, peak_kb, code = run.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {run.stderr.decode()[-400:]}")
    return float(seconds), int(peak_kb) / 1024


def write_peer(kind: str, cells_file: Path, out: Path) -> None:
    """Write the recorded cells as ``kind`` does (run in its own process)."""
    cells = pickle.loads(cells_file.read_bytes())
    if kind == "pyexcelerate":
        from pyexcelerate import Workbook

        wb = Workbook()
        for name, rows in cells:
            grid: dict[int, dict[int, object]] = {}
            for row, col, what, payload, _value in rows:
                if what != "x":
                    grid.setdefault(row, {})[col] = "=" + payload if what == "f" else payload
            width = 1 + max((c for r in grid.values() for c in r), default=0)
            data = [[grid.get(r, {}).get(c) for c in range(width)] for r in range(max(grid) + 1)]
            wb.new_sheet(name[:31], data=data)
        wb.save(str(out))
    elif kind == "xlsxwriter":
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
        for name, rows in cells:
            ws = wb.add_worksheet(name)
            for row, col, what, payload, value in rows:
                plain = value if what == "f" else payload
                if what == "x" or plain is None:
                    continue
                ws.write(row, col, plain)
        wb.close()
    elif kind == "floor":
        _floor(cells, out)
    else:
        raise ValueError(kind)


def _floor(cells: list, out: Path) -> None:
    """The cells as sheet XML written by hand, zipped with the few parts a reader needs."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        sheets = []
        for i, (_name, rows) in enumerate(cells, start=1):
            parts, current, row_cells = [], None, []
            for row, col, what, payload, value in rows:
                plain = value if what == "f" else payload
                if what == "x" or plain is None:
                    continue
                if row != current and row_cells:
                    parts.append(f'<row r="{current + 1}">{"".join(row_cells)}</row>')
                    row_cells = []
                current = row
                ref = xl_rowcol_to_cell(row, col)
                if isinstance(plain, bool):
                    row_cells.append(f'<c r="{ref}" t="b"><v>{int(plain)}</v></c>')
                elif isinstance(plain, str):
                    row_cells.append(
                        f'<c r="{ref}" t="inlineStr"><is><t>{escape(plain)}</t></is></c>'
                    )
                else:
                    row_cells.append(f'<c r="{ref}"><v>{plain}</v></c>')
            if row_cells:
                parts.append(f'<row r="{current + 1}">{"".join(row_cells)}</row>')
            z.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f"<worksheet {ns}><sheetData>{''.join(parts)}</sheetData></worksheet>",
            )
            sheets.append(i)
        z.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} xmlns:r="{rel}"><sheets>'
            + "".join(f'<sheet name="S{i}" sheetId="{i}" r:id="rId{i}"/>' for i in sheets)
            + "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in sheets
            )
            + "</Relationships>",
        )


def _peers() -> list[str]:
    peers = []
    try:
        import pyexcelerate  # noqa: F401

        peers.append("pyexcelerate")
    except ImportError:
        print("(pyexcelerate not installed: left out)", file=sys.stderr)
    return [*peers, "xlsxwriter", "floor"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best kept)")
    parser.add_argument("--peer", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        write_peer(args.peer[0], Path(args.peer[1]), Path(args.peer[2]))
        return
    from benchmarks import bench_build
    from benchmarks.generate import main as generate

    peers = _peers()
    print("| lines | file MB | budgetplan build | " + " | ".join(peers) + " | ratios |")
    print("|" + "---:|" * (4 + len(peers)))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for size in args.sizes:
            scenario = work / f"synthetic-{size}.yaml"
            sys.argv = ["generate", str(size), "-o", str(scenario)]
            with contextlib.redirect_stdout(sys.stderr):
                generate()
            bench_build.run("record", size, work)  # the cells, recorded once
            cells = work / f"cells-{size}.pickle"
            runs = {
                "budgetplan": [
                    sys.executable, "-m", "budgetplan", "build", str(scenario),
                    "-o", str(work / "bp.xlsx"),
                ],
                **{
                    p: [sys.executable, __file__, "--peer", p, str(cells), str(work / f"{p}.xlsx")]
                    for p in peers
                },
            }  # fmt: skip
            best = {
                k: min((_timed(cmd) for _ in range(args.repeat)), key=lambda r: r[0])
                for k, cmd in runs.items()
            }
            bp = best["budgetplan"][0]
            cols = [f"{s:.2f} s, {mb:.0f} MB" for s, mb in (best[k] for k in runs)]
            ratios = ", ".join(f"{bp / best[p][0]:.2f}x {p}" for p in peers)
            mb = scenario.stat().st_size / 1e6
            print(f"| {size:,} | {mb:.1f} | " + " | ".join(cols) + f" | {ratios} |", flush=True)


if __name__ == "__main__":
    main()
