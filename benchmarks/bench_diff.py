"""Time `diff` against python-calamine reading both files, a pandas keyed comparison, and daff.

    python benchmarks/bench_diff.py [--sizes 1000 10000] [--loaded 100000]

Two synthetic workbooks differ by a handful of edits (a quantity, a moved line, a removed and an
added line). Reported: python-calamine reading every sheet of both files; `diff` on the two files;
pandas reading both cost-line sheets with calamine and comparing them keyed by id; daff (if
installed: pip install daff) comparing the same two tables; and `diff` of two programmes already
loaded (the --loaded size).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _edited(programme):  # type: ignore[no-untyped-def]
    lines = list(programme.cost_lines)
    lines[0] = lines[0].model_copy(update={"quantity": lines[0].quantity + 1})
    lines[1] = lines[1].model_copy(update={"pilot": "ADRN" if lines[1].pilot != "ADRN" else "SCAN"})
    del lines[5]
    lines.append(lines[3].model_copy(update={"id": "ADDED-1", "unit_cost": Decimal(1000)}))
    return programme.model_copy(update={"cost_lines": tuple(lines)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--loaded", type=int, default=100000)
    args = parser.parse_args()
    import pandas as pd
    from python_calamine import CalamineWorkbook

    from benchmarks.full import write_full
    from benchmarks.generate import synthetic
    from budgetplan.diff.compare import diff
    from budgetplan.yamlio.loader import Source

    try:
        import daff  # type: ignore[import-untyped]
    except ImportError:
        daff = None
    print(
        f"{'lines':>8} {'calamine s':>11} {'diff s':>8} {'ratio':>6} {'pandas s':>9} {'daff s':>8}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            old = synthetic(size)
            new = _edited(old)
            a, b = Path(tmp) / f"a{size}.xlsx", Path(tmp) / f"b{size}.xlsx"
            write_full(old, Source("a", "a", "0" * 64), a)
            write_full(new, Source("b", "b", "0" * 64), b)
            start = time.perf_counter()
            for path in (a, b):
                book = CalamineWorkbook.from_path(str(path))
                for name in book.sheet_names:
                    book.get_sheet_by_name(name).to_python()
            calamine = time.perf_counter() - start
            start = time.perf_counter()
            diff(a, b)
            seconds = time.perf_counter() - start
            start = time.perf_counter()
            ta = pd.read_excel(a, sheet_name="Lignes", header=3, engine="calamine")
            tb = pd.read_excel(b, sheet_name="Lignes", header=3, engine="calamine")
            ka, kb = ta.set_index("Code"), tb.set_index("Code")
            common = ka.index.intersection(kb.index)
            _changed = (ka.loc[common] != kb.loc[common][ka.columns]).any(axis=1).sum()
            _added, _removed = kb.index.difference(ka.index), ka.index.difference(kb.index)
            pandas_s = time.perf_counter() - start
            daff_s = float("nan")
            if daff is not None:
                ra = [list(ta.columns)] + ta.astype(str).values.tolist()
                rb = [list(tb.columns)] + tb.astype(str).values.tolist()
                start = time.perf_counter()
                alignment = daff.Coopy.compareTables(
                    daff.PythonTableView(ra), daff.PythonTableView(rb)
                ).align()
                out = daff.PythonTableView([])
                daff.TableDiff(alignment, daff.CompareFlags()).hilite(out)
                daff_s = time.perf_counter() - start + pandas_s  # daff needs the tables read
            print(
                f"{size:>8} {calamine:>11.2f} {seconds:>8.2f} {seconds / calamine:>6.1f} "
                f"{pandas_s:>9.2f} {daff_s:>8.2f}",
                flush=True,
            )
        from budgetplan.diff.compare import compare, prepare

        old = synthetic(args.loaded)
        va, vb = prepare(old), prepare(_edited(old))  # loading: read and compute each version
        start = time.perf_counter()
        compare(va, vb)
        print(
            f"diff of two {args.loaded:,}-line programmes already loaded: "
            f"{time.perf_counter() - start:.2f} s"
        )


if __name__ == "__main__":
    main()
