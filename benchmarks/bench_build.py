"""Time `build` against raw xlsxwriter writing the same cells, in the same run.

    python benchmarks/bench_build.py [--sizes 1000 10000 100000] [--repeat 1]

For each size a synthetic programme is generated (benchmarks/generate.py). Each measurement runs
in a fresh subprocess so that its peak memory (max RSS) is its own:

- ``compute``: the pure computation (figures and checks) of the programme;
- ``build``: compute + write the workbook, as `budgetplan build` does (the programme already
  loaded, so YAML parsing is not counted);
- ``raw``: xlsxwriter in constant-memory mode writing exactly the cells that ``build`` wrote
  (same sheets, values, formula texts and cached values, no formats), recorded beforehand,
  through xlsxwriter's public API;
- ``values``: the same cells written as plain values (each formula replaced by its cached
  value): the floor of writing a file of that many cells with xlsxwriter at all.

build/raw is budgetplan against the raw library doing the same job; build/values is what
budgetplan costs on top of the bare minimum.
"""

from __future__ import annotations

import argparse
import html
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl.utils.cell import column_index_from_string

ROOT = Path(__file__).resolve().parent.parent
CELL = __import__("re").compile(
    r'<c r="(?P<col>[A-Z]+)\d+"(?: s="\d+")?(?: t="(?P<t>\w+)")?'
    r"(?:/>|><f>(?P<f>.*?)</f><v>(?P<v>.*?)</v></c>|><v>(?P<n>.*?)</v></c>"
    r"|><is><t[^>]*>(?P<s>.*?)</t></is></c>)"
)
sys.path.insert(0, str(ROOT))


def _child(kind: str, size: int, workdir: Path) -> dict:
    from benchmarks.generate import synthetic

    programme = synthetic(size)
    out = workdir / f"{kind}-{size}.xlsx"
    if kind == "compute":
        from budgetplan.compute.checks import run_checks
        from budgetplan.compute.figures import compute

        start = time.perf_counter()
        run_checks(compute(programme))
    elif kind == "build":
        from benchmarks.full import write_full
        from budgetplan.yamlio.loader import Source

        start = time.perf_counter()
        write_full(programme, Source("synthetic", "synthetic", "0" * 64), out)
    elif kind == "record":
        return _record(programme, out, workdir / f"cells-{size}.pickle")
    elif kind in ("raw", "values"):
        cells = pickle.loads((workdir / f"cells-{size}.pickle").read_bytes())
        import xlsxwriter

        start = time.perf_counter()
        wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
        for name, rows in cells:
            ws = wb.add_worksheet(name)
            for row, col, kind_, payload, value in rows:
                if kind_ == "f" and kind == "values":
                    if isinstance(value, bool):
                        ws.write_boolean(row, col, value)
                    elif isinstance(value, str):
                        ws.write_string(row, col, value)
                    else:
                        ws.write_number(row, col, value)
                elif kind_ == "f":
                    ws.write_formula(row, col, payload, None, value)
                elif kind_ == "n":
                    ws.write_number(row, col, payload)
                elif kind_ == "s":
                    ws.write_string(row, col, payload)
                elif kind_ == "b":
                    ws.write_boolean(row, col, payload)
                else:
                    ws.write_blank(row, col, None)
        wb.close()
    else:
        raise ValueError(kind)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = out.stat().st_size / 1e6 if out.exists() else 0.0
    return {"seconds": seconds, "peak_mb": peak, "file_mb": size_mb}


def _record(programme, out: Path, target: Path) -> dict:  # type: ignore[no-untyped-def]
    """Build once with every cell write recorded (not timed)."""
    from benchmarks.full import write_full
    from budgetplan.xlsx.workbook import sheet
    from budgetplan.yamlio.loader import Source

    log: dict[str, list] = {}
    base = sheet.FastWorksheet

    class Recording(base):  # type: ignore[misc, valid-type]
        def _rec(self, *item):  # type: ignore[no-untyped-def]
            log.setdefault(self.name, []).append(item)

        def _write_formula(self, row, col, formula, cell_format=None, value=0):  # type: ignore[no-untyped-def]
            self._rec(row, col, "f", formula, value)
            return super()._write_formula(row, col, formula, cell_format, value)

        def _write_number(self, row, col, number, cell_format=None):  # type: ignore[no-untyped-def]
            self._rec(row, col, "n", number, None)
            return super()._write_number(row, col, number, cell_format)

        def _write_string(self, row, col, string, cell_format=None):  # type: ignore[no-untyped-def]
            self._rec(row, col, "s", string, None)
            return super()._write_string(row, col, string, cell_format)

        def _write_boolean(self, row, col, boolean, cell_format=None):  # type: ignore[no-untyped-def]
            self._rec(row, col, "b", boolean, None)
            return super()._write_boolean(row, col, boolean, cell_format)

        def _write_blank(self, row, col, blank, cell_format=None):  # type: ignore[no-untyped-def]
            self._rec(row, col, "x", None, None)
            return super()._write_blank(row, col, blank, cell_format)

        def write_row_xml(self, row, first_col, last_col, cells_xml, height=None):  # type: ignore[no-untyped-def]
            for m in CELL.finditer(cells_xml):
                col = column_index_from_string(m["col"]) - 1
                kind = m["t"] or ""
                if m["f"] is not None:
                    value: object = html.unescape(m["v"])
                    if kind == "b":
                        value = value == "1"
                    elif kind != "str":
                        value = float(value)  # type: ignore[arg-type]
                    self._rec(row, col, "f", html.unescape(m["f"]), value)
                elif m["s"] is not None:
                    self._rec(row, col, "s", html.unescape(m["s"]), None)
                elif m["n"] is not None:
                    if kind == "b":
                        self._rec(row, col, "b", m["n"] == "1", None)
                    else:
                        self._rec(row, col, "n", float(m["n"]), None)
                else:
                    self._rec(row, col, "x", None, None)
            return super().write_row_xml(row, first_col, last_col, cells_xml, height)

    sheet.FastWorksheet = Recording  # type: ignore[misc]
    from budgetplan.xlsx.workbook import context

    context.FastWorksheet = Recording  # type: ignore[attr-defined]
    write_full(programme, Source("synthetic", "synthetic", "0" * 64), out)
    # replay each sheet's cells once, in row order (constant-memory mode needs it)
    cells = [
        (name, sorted(dict(((r, c), (r, c, *rest)) for r, c, *rest in rows).values()))
        for name, rows in log.items()
    ]
    target.write_bytes(pickle.dumps(cells))
    return {"cells": sum(len(rows) for _, rows in cells)}


def run(kind: str, size: int, workdir: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(size), str(workdir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement (best kept)")
    parser.add_argument(
        "--raw-max",
        type=int,
        default=10000,
        help="largest size for the raw baseline (about 8 s per 1,000 lines)",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, size, workdir = args.child
        print(json.dumps(_child(kind, int(size), Path(workdir))))
        return
    print(
        f"{'lines':>8} {'cells':>9} {'compute s':>10} {'build s':>8} {'raw s':>7} "
        f"{'values s':>8} {'build/raw':>9} {'build/values':>12} {'build MB':>8} {'file MB':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="budgetplan-bench-") as tmp:
        workdir = Path(tmp)
        for size in args.sizes:
            cells = run("record", size, workdir)["cells"]
            best: dict[str, dict] = {}
            for _ in range(args.repeat):
                kinds = ["compute", "build", "values"] + (["raw"] if size <= args.raw_max else [])
                for kind in kinds:
                    result = run(kind, size, workdir)
                    if kind not in best or result["seconds"] < best[kind]["seconds"]:
                        best[kind] = result
            b, c, v = best["build"], best["compute"], best["values"]
            r = best.get("raw", {"seconds": float("nan")})
            print(
                f"{size:>8} {cells:>9} {c['seconds']:>10.2f} {b['seconds']:>8.2f} "
                f"{r['seconds']:>7.2f} {v['seconds']:>8.2f} {b['seconds'] / r['seconds']:>9.2f} "
                f"{b['seconds'] / v['seconds']:>12.2f} {b['peak_mb']:>8.0f} {b['file_mb']:>8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
