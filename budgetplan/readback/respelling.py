"""How a file spells the rows budgetplan wrote, learnt from rows found alike.

Reconcile renders the Phasing rows the workbook should hold and matches each, byte for byte, where
it stands in the file. Two kinds of file spell the same rows otherwise:

- a workbook LibreOffice saved again: its own attributes on each ``<row>``, ``aca="false"`` on
  each formula, ``t="n"`` on numbers, a boolean result as a number, its own style numbers, a
  quote in a formula as ``&quot;``, ``TRUE`` as ``TRUE()``, sheet names without quotes;
- a workbook budgetplan wrote with other formats (a contributor's, from ``split``): its own style
  numbers.

Such a sheet is compared cell by cell (a Python object per cell) until a first chunk of rows is
found alike; from those rows reconcile learns how the file spells the writer's row template
(:meth:`ResavedRows.learn`), checks that the learnt spelling gives back those very bytes, and
then renders each next expected row as the file should hold it and matches it in place.

Sound by construction: the learnt row is the writer's formulas and cached values with only their
spelling changed (the cell's attributes as the file has them in that column, and for
LibreOffice quotes escaped, sheet names unquoted, TRUE as TRUE()), and a row is taken as alike
only when the file holds exactly those bytes. A row that differs in anything, spelling included,
is compared cell by cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from budgetplan.xlsx.formulas import unquoted_sheets
from budgetplan.xlsx.workbook.sheet import RowTemplate, escape

_ROW = re.compile(rb'<row r="\d+"([^>]*)>(.*?)</row>', re.S)
_CELL = re.compile(rb'<c r="([A-Z]{1,3})\d+"([^>]*)>')
_BOOLEAN = re.compile(r"\b(TRUE|FALSE)\b(?!\()")


def _escaped(text: str) -> str:
    """XML character data as LibreOffice escapes it (quotes too)."""
    return escape(text).replace('"', "&quot;")


@dataclass(frozen=True)
class _Spelling:
    """How a file writes a formula cell's content."""

    formula_tag: str  # what opens a formula
    escape: Callable[[str], str]  # text as XML character data
    libreoffice: bool  # sheet names unquoted, TRUE as TRUE()

    def formula(self, text: str, sheet_names: Sequence[str]) -> str:
        if self.libreoffice:
            text = _BOOLEAN.sub(r"\1()", unquoted_sheets(text.encode(), sheet_names).decode())
        return self.escape(text)


#: LibreOffice's spelling, and budgetplan's own (another workbook's formats: its style numbers)
SPELLINGS = (_Spelling('<f aca="false">', _escaped, True), _Spelling("<f>", escape, False))


@dataclass(frozen=True)
class ResavedRows:
    """The rows of one row template as the file spells them."""

    #: heads[i]: the text before value i, cut where the row number goes (the first one opens
    #: the row)
    heads: tuple[tuple[str, ...], ...]
    kinds: tuple[str, ...]
    tail: str
    escape: Callable[[str], str]  # a text value as the file writes it

    def render_row(self, row: int, values: list[object]) -> bytes:
        """The ``<row>`` of 0-based ``row`` holding ``values`` as the file spells it."""
        number = str(row + 1)
        out = []
        for head, kind, value in zip(self.heads, self.kinds, values, strict=True):
            out.append(number.join(head))
            if kind == "str":
                out.append(self.escape(str(value)))
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
        from ``have_xml``, the file's same rows found alike cell by cell; None when it spells
        them in none of :data:`SPELLINGS`, or the learnt spelling does not give back its bytes
        (Excel's shared formulas, for one)."""
        first = _ROW.match(have_xml.lstrip())
        if not rows or first is None:
            return None
        cells = _CELL.findall(first.group(2))
        if [letters.decode() for letters, _ in cells] != [c for c, _ in template.formulas]:
            return None
        spelling = next((s for s in SPELLINGS if s.formula_tag.encode() in first.group(2)), None)
        if spelling is None:
            return None
        heads = []
        before = '<row r="{r}"' + first.group(1).decode() + ">"
        for (letters, formula), (_, attrs) in zip(template.formulas, cells, strict=True):
            body = spelling.formula(formula, sheet_names)
            head = (
                f'{before}<c r="{letters}{{r}}"{attrs.decode()}>{spelling.formula_tag}{body}</f><v>'
            )
            heads.append(tuple(head.split("{r}")))
            before = "</v></c>"
        learnt = cls(tuple(heads), tuple(template.kinds), before + "</row>", spelling.escape)
        rendered = b"".join(learnt.render_row(row, values) for row, values in rows)
        return learnt if rendered == have_xml.strip() else None
