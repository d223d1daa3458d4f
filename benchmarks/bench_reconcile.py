"""Time `reconcile` against python-calamine reading the same file, on a synthetic workbook as
budgetplan wrote it and, with --resaved, as LibreOffice saved it again (what a finance officer
sends back). Each figure is the best of --repeat runs: the VM's noise only ever adds time.

python benchmarks/bench_reconcile.py [--sizes 1000 10000] [--repeat 5] [--resaved]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def best(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def calamine_read(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()


def resave(path: Path, folder: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("--resaved needs LibreOffice (soffice) on the PATH")
    folder.mkdir()
    subprocess.run(
        [soffice, "--headless", "--norestore", "--convert-to", "xlsx:Calc MS Excel 2007 XML"]
        + ["--outdir", str(folder), str(path)],
        check=True,
        capture_output=True,
        timeout=1800,
    )
    return folder / path.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--resaved", action="store_true", help="also time LibreOffice re-saves")
    args = parser.parse_args()

    from benchmarks.full import write_full
    from benchmarks.generate import synthetic
    from budgetplan.readback.reconciliation import reconcile
    from budgetplan.yamlio.loader import Source

    print(
        f"{'lines':>8} {'workbook':>9} {'calamine s':>11} {'reconcile s':>12} {'ratio':>7} {'findings':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"synthetic-{size}.xlsx"
            write_full(synthetic(size), Source("synthetic", "synthetic", "0" * 64), path)
            files = [("as built", path)]
            if args.resaved:
                files.append(("re-saved", resave(path, Path(tmp) / f"lo-{size}")))
            for label, file in files:
                calamine, _ = best(args.repeat, lambda file=file: calamine_read(file))
                seconds, result = best(args.repeat, lambda file=file: reconcile(file))
                print(
                    f"{size:>8} {label:>9} {calamine:>11.2f} {seconds:>12.2f} "
                    f"{seconds / calamine:>7.1f} {len(result.findings):>9}",  # type: ignore[attr-defined]
                    flush=True,
                )


if __name__ == "__main__":
    main()
