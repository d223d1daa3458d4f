"""How LibreOffice spells the rows budgetplan wrote, learnt from rows found alike.

LibreOffice rewrites every row of a sheet it saves: its own attributes on each ``<row>``,
``aca="false"`` on each formula, ``t="n"`` on numbers, a boolean result as a number, its own
style numbers, a quote in text as ``&quot;``, ``TRUE`` as ``TRUE()``. Reconcile compares a re-saved Phasing sheet a chunk
of rows at a time, list against list, a Python object per cell. Once a chunk has been found alike
that way, the differences are learnt (:meth:`Respelling.learn`) and checked on that very chunk;
the next chunks are then respelled with a few byte replaces and compared with the expected rows
in one comparison in C. A chunk the respelling does not make equal is compared as before, cell by
cell where it differs: the respelling can only make the comparison faster, never say "alike" of
rows that differ.

It rewrites the file's side only, and only its markup: every pattern it replaces holds a quote,
and LibreOffice writes a quote in text as ``&quot;``, which is unescaped last. It is learnt only
from a file whose formulas carry LibreOffice's ``aca`` attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from budgetplan.xlsx.formulas import normal_spelling_xml
from budgetplan.xlsx.xlsxfile import ScannedCell

_ROW_ATTRS = re.compile(rb'<row r="\d+"([^>]*)>')
_FORMULA = b'<f aca="false">'


@dataclass(frozen=True)
class Respelling:
    #: what the re-save adds to every ``<row>`` tag
    row_attrs: bytes
    #: a cell's attributes as the file has them (``t="n"`` taken out) -> as the writer wrote them
    cells: tuple[tuple[bytes, bytes], ...]

    def respell(self, xml: bytes, sheet_names: Iterable[str]) -> bytes:
        """The file's rows ``xml`` as the writer spells them (sheet names unquoted)."""
        if self.row_attrs:
            xml = xml.replace(self.row_attrs, b"")
        xml = xml.replace(_FORMULA, b"<f>").replace(b' t="n"', b"")
        for i, (theirs, _ours) in enumerate(self.cells):  # through a mark: no replace chains
            xml = xml.replace(theirs + b">", b"\x00%d\x00" % i)
        for i, (_theirs, ours) in enumerate(self.cells):
            xml = xml.replace(b"\x00%d\x00" % i, ours + b">")
        return normal_spelling_xml(xml, sheet_names)  # &quot; (last), TRUE(), sheet names

    @classmethod
    def learn(
        cls,
        want: list[ScannedCell],
        have: list[ScannedCell],
        want_xml: bytes,
        have_xml: bytes,
        sheet_names: Iterable[str],
    ) -> Respelling | Literal[False]:
        """The respelling that makes ``have_xml`` (rows of the file) the bytes of ``want_xml``
        (the same rows as the writer renders them, sheet names unquoted), learnt from their
        cells found alike (``want``, ``have``); False when there is none to be had."""
        if _FORMULA not in have_xml or len(want) != len(have):
            return False  # not LibreOffice's spelling
        row = _ROW_ATTRS.search(have_xml)
        pairs: dict[bytes, bytes] = {}
        kept: set[bytes] = set()
        for w, h in zip(want, have, strict=True):
            theirs = h[2].replace(b' t="n"', b"")
            if theirs == w[2]:
                kept.add(theirs)
            elif pairs.setdefault(theirs, w[2]) != w[2]:
                return False  # one of its styles for two of the writer's
        if kept & pairs.keys():
            return False  # a style kept in some cells and changed in others
        names = list(sheet_names)
        found = cls(row.group(1) if row else b"", tuple(sorted(pairs.items())))
        return found if found.respell(have_xml, names) == want_xml else False
