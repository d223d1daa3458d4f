"""Cell-level diff of any two xlsx files: sheets by name, rows aligned, formulas in R1C1 form.

One inserted row is one change, not every cell below it; a formula whose references moved with
its row is no change; values and formulas are reported apart.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from budgetplan.core.errors import BudgetplanError
from budgetplan.xlsx.formulas import normal_spelling
from budgetplan.xlsx.reader import ReadError, corrupt_as_read_error
from budgetplan.xlsx.xlsxfile import (
    XlsxError,
    decode_formula,
    open_xlsx,
    raw_formula_cells,
    sheet_parts,
)

_STRING = re.compile(r'"(?:[^"]|"")*"')
_REF = re.compile(r"(?<![A-Za-z0-9_.])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![0-9A-Za-z_(])")


class CellDiffError(BudgetplanError):
    """CellDiff input budgetplan cannot use."""


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def fast_r1c1(formula: str, row: int, col: int) -> str:
    """A1 references made relative to (row, col), 1-based; string literals left alone."""

    def ref(m: re.Match[str]) -> str:
        c, r = _col_index(m.group(2)), int(m.group(4))
        rp = f"R{r}" if m.group(3) else (f"R[{r - row}]" if r != row else "R")
        cp = f"C{c}" if m.group(1) else (f"C[{c - col}]" if c != col else "C")
        return rp + cp

    out, last = [], 0
    text = normal_spelling(formula.removeprefix("="))
    for m in _STRING.finditer(text):
        out.append(_REF.sub(ref, text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_REF.sub(ref, text[last:]))
    return "".join(out)


Cell = tuple[str, object]  # ("f", r1c1 formula) or ("v", value)


def _sheets(path: Path) -> dict[str, list[tuple[Cell, ...]]]:
    try:
        zf = open_xlsx(path)
    except XlsxError as exc:
        raise CellDiffError([exc.finding]) from None
    try:
        with corrupt_as_read_error(path), zf:
            parts = sheet_parts(zf)
            formulas = {p.name: raw_formula_cells(zf, p.part) for p in parts}
            book = CalamineWorkbook.from_path(str(path))
            out: dict[str, list[tuple[Cell, ...]]] = {}
            for p in parts:
                values = book.get_sheet_by_name(p.name).to_python(skip_empty_area=False)
                fcells = formulas[p.name]
                rows: list[tuple[Cell, ...]] = []
                width = max((len(r) for r in values), default=0)
                max_row = max([len(values)] + [r for (_c, r) in fcells])
                by_row: dict[int, dict[int, str]] = {}
                for (c, r), raw in fcells.items():
                    by_row.setdefault(r, {})[_col_index(c)] = decode_formula(raw[0])
                for r in range(1, max_row + 1):
                    vals = values[r - 1] if r - 1 < len(values) else []
                    row_f = by_row.get(r, {})
                    cells: list[Cell] = []
                    for c in range(1, max(width, max(row_f, default=0)) + 1):
                        if c in row_f and row_f[c].removeprefix("=") in ("TRUE()", "FALSE()"):
                            cells.append(("v", row_f[c].removeprefix("=") == "TRUE()"))
                        elif c in row_f:
                            cells.append(("f", fast_r1c1(row_f[c], r, c)))
                        else:
                            v = vals[c - 1] if c - 1 < len(vals) else ""
                            cells.append(("v", v))
                    while cells and cells[-1] == ("v", ""):
                        cells.pop()
                    rows.append(tuple(cells))
                out[p.name] = rows
            return out
    except ReadError as exc:
        raise CellDiffError(exc.findings) from None


@dataclass
class SheetDiff:
    name: str
    status: str  # same | changed | added | removed
    inserted: list[tuple[int, int]] = field(default_factory=list)  # (new first row, count)
    deleted: list[tuple[int, int]] = field(default_factory=list)  # (old first row, count)
    values: list[tuple[str, object, object]] = field(default_factory=list)  # (ref, old, new)
    formulas: list[tuple[str, object, object]] = field(default_factory=list)


@dataclass
class CellDiff:
    sheets: list[SheetDiff]

    @property
    def same(self) -> bool:
        return all(s.status == "same" for s in self.sheets)


def _letters(col: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return s


def _compare_rows(sd: SheetDiff, a: tuple[Cell, ...], b: tuple[Cell, ...], row_b: int) -> None:
    for c in range(1, max(len(a), len(b)) + 1):
        x = a[c - 1] if c - 1 < len(a) else ("v", "")
        y = b[c - 1] if c - 1 < len(b) else ("v", "")
        if x != y:
            target = sd.formulas if "f" in (x[0], y[0]) else sd.values
            target.append((f"{_letters(c)}{row_b}", x[1], y[1]))


def cell_diff(old: str | Path, new: str | Path) -> CellDiff:
    a, b = _sheets(Path(old)), _sheets(Path(new))
    result = []
    for name in list(a) + [n for n in b if n not in a]:
        if name not in b:
            result.append(SheetDiff(name, "removed"))
            continue
        if name not in a:
            result.append(SheetDiff(name, "added"))
            continue
        sd = SheetDiff(name, "same")
        matcher = difflib.SequenceMatcher(None, a[name], b[name], autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            if op == "insert":
                sd.inserted.append((j1 + 1, j2 - j1))
            elif op == "delete":
                sd.deleted.append((i1 + 1, i2 - i1))
            else:
                n = min(i2 - i1, j2 - j1)
                for k in range(n):
                    _compare_rows(sd, a[name][i1 + k], b[name][j1 + k], j1 + k + 1)
                if j2 - j1 > n:
                    sd.inserted.append((j1 + n + 1, j2 - j1 - n))
                if i2 - i1 > n:
                    sd.deleted.append((i1 + n + 1, i2 - i1 - n))
        if sd.inserted or sd.deleted or sd.values or sd.formulas:
            sd.status = "changed"
        result.append(sd)
    return CellDiff(result)


def render_cells(diff: CellDiff, old: str, new: str, limit: int = 50) -> str:
    out = [f"{old} -> {new} (cells)"]
    if diff.same:
        out.append("no change")
    for sd in diff.sheets:
        if sd.status == "same":
            continue
        if sd.status in ("added", "removed"):
            out.append(f"sheet {sd.name}: {sd.status}")
            continue
        out.append(f"sheet {sd.name}:")
        for row, n in sd.inserted:
            out.append(f"  {n} row(s) inserted at row {row}")
        for row, n in sd.deleted:
            out.append(f"  {n} row(s) deleted at old row {row}")
        for kind, items in (("value", sd.values), ("formula", sd.formulas)):
            for ref, x, y in items[:limit]:
                out.append(f"  {kind} {ref}: {x!r} -> {y!r}")
            if len(items) > limit:
                out.append(f"  ... and {len(items) - limit} more {kind} changes")
    return "\n".join(out)
