"""Time `reconcile` on a synthetic workbook against python-calamine reading the same file.

python benchmarks/bench_reconcile.py [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    from python_calamine import CalamineWorkbook

    from benchmarks.generate import synthetic
    from budgetplan.loader import Source
    from budgetplan.reconcile import reconcile
    from budgetplan.workbook.writer import write_workbook

    print(f"{'lines':>8} {'calamine s':>11} {'reconcile s':>12} {'ratio':>7} {'findings':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"synthetic-{size}.xlsx"
            write_workbook(synthetic(size), Source("synthetic", "synthetic", "0" * 64), path)
            start = time.perf_counter()
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
            calamine = time.perf_counter() - start
            start = time.perf_counter()
            result = reconcile(path)
            seconds = time.perf_counter() - start
            print(
                f"{size:>8} {calamine:>11.2f} {seconds:>12.2f} {seconds / calamine:>7.1f} "
                f"{len(result.findings):>9}",
                flush=True,
            )


if __name__ == "__main__":
    main()
