"""How LibreOffice spells the rows budgetplan wrote, learnt from rows found alike.

LibreOffice rewrites every row of a sheet it saves: its own attributes on each ``<row>``,
``aca="false"`` on each formula, ``t="n"`` on numbers, a boolean result as a number, its own
style numbers, a quote in a formula as ``&quot;``, ``TRUE`` as ``TRUE()``, sheet names without
quotes. Reconcile compares a re-saved Phasing sheet cell by cell (a Python object per cell) until
a first chunk of rows is found alike; from those rows it learns how the re-save spells the
writer's row template (:meth:`ResavedRows.learn`), checks that the learnt spelling gives back
those very bytes, and then renders each next expected row as the file should hold it and matches
it in place, byte for byte, as it does a sheet nobody re-saved.

Sound by construction: the learnt row is the writer's formulas and cached values with only their
spelling changed (the cell's attributes as the file has them in that column, quotes escaped,
sheet names unquoted, TRUE as TRUE()), and a row is taken as alike only when the file holds
exactly those bytes. A row that differs in anything, spelling included, is compared cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from budgetplan.xlsx.formulas import unquoted_sheets
from budgetplan.xlsx.workbook.sheet import RowTemplate

_FORMULA = '<f aca="false">'
_ROW = re.compile(rb'<row r="\d+"([^>]*)>(.*?)</row>', re.S)
_CELL = re.compile(rb'<c r="([A-Z]{1,3})\d+"([^>]*)>')
_BOOLEAN = re.compile(r"\b(TRUE|FALSE)\b(?!\()")


def _escaped(text: str) -> str:
    """XML character data as LibreOffice escapes it (quotes too)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _formula(text: str, sheet_names: Sequence[str]) -> str:
    """A formula of the writer's as LibreOffice spells it: sheet names unquoted, TRUE()."""
    text = unquoted_sheets(text.encode(), sheet_names).decode()
    return _BOOLEAN.sub(r"\1()", text)


@dataclass(frozen=True)
class ResavedRows:
    """The rows of one row template as the re-saved file spells them."""

    #: heads[i]: the text before value i, cut where the row number goes (the first one opens
    #: the row)
    heads: tuple[tuple[str, ...], ...]
    kinds: tuple[str, ...]
    tail: str

    def render_row(self, row: int, values: list[object]) -> bytes:
        """The ``<row>`` of 0-based ``row`` holding ``values`` as the re-saved file spells it."""
        number = str(row + 1)
        out = []
        for head, kind, value in zip(self.heads, self.kinds, values, strict=True):
            out.append(number.join(head))
            if kind == "str":
                out.append(_escaped(str(value)))
            elif kind == "bool":
                out.append("1" if value else "0")
            else:
                out.append(str(value).removesuffix(".0"))
        out.append(self.tail)
        return "".join(out).encode()

    @classmethod
    def learn(
        cls,
        template: RowTemplate,
        rows: Sequence[tuple[int, list[object]]],
        have_xml: bytes,
        sheet_names: Sequence[str],
    ) -> ResavedRows | None:
        """How the file spells ``template``'s ``rows`` (0-based row and cached values), learnt
        from ``have_xml``, the file's same rows found alike cell by cell; None when the file's
        spelling is not LibreOffice's, or the learnt spelling does not give back its bytes."""
        first = _ROW.match(have_xml.lstrip())
        if not rows or first is None or _FORMULA.encode() not in first.group(2):
            return None
        cells = _CELL.findall(first.group(2))
        if [letters.decode() for letters, _ in cells] != [c for c, _ in template.formulas]:
            return None
        heads = []
        before = '<row r="{r}"' + first.group(1).decode() + ">"
        for (letters, formula), (_, attrs) in zip(template.formulas, cells, strict=True):
            body = _escaped(_formula(formula, sheet_names))
            head = f'{before}<c r="{letters}{{r}}"{attrs.decode()}>{_FORMULA}{body}</f><v>'
            heads.append(tuple(head.split("{r}")))
            before = "</v></c>"
        learnt = cls(tuple(heads), tuple(template.kinds), before + "</row>")
        rendered = b"".join(learnt.render_row(row, values) for row, values in rows)
        return learnt if rendered == have_xml.strip() else None
