"""Cell formats: inputs look like inputs (FAST: yellow, unlocked), calculations are locked."""

from __future__ import annotations

from typing import Literal

from xlsxwriter.workbook import Format, Workbook

from budgetplan.xlsx import number_formats as nf
from budgetplan.xlsx.layout import Kind

#: ``own``: an input of the contributor a split workbook was made for (any input elsewhere);
#: ``input`` in a split workbook: someone else's, shown as locked context.
Role = Literal["input", "own", "calc", "total", "link", "changed"]

NUM_FORMATS: dict[str, str] = {
    "money": nf.MONEY,
    "rate": nf.RATE,
    "int": nf.INT,
    "year": nf.YEAR,
    "date": nf.DATE,
    "month": nf.MONTH,
}
BOOL_FORMATS = nf.BOOLEAN
INPUT_FILL = "#FFF2CC"
INPUT_FONT = "#1F3FBF"
HEADER_FILL = "#1F4E78"


CONTEXT_FILL = "#EDEDED"
#: What each role adds to a cell's format.
ROLE_PROPS: dict[str, dict[str, object]] = {
    "changed": {
        "bg_color": "#F8CBAD",
        "font_color": "#9C0006",
        "bold": True,
        "locked": False,
        "border": 2,
        "border_color": "#C00000",
    },
    "input": {
        "bg_color": INPUT_FILL,
        "font_color": INPUT_FONT,
        "locked": False,
        "border": 1,
        "border_color": "#BFBFBF",
    },
    # an input of another contributor, in a split workbook: seen, not editable
    "context": {
        "bg_color": CONTEXT_FILL,
        "font_color": "#404040",
        "border": 1,
        "border_color": "#BFBFBF",
    },
    "total": {"bold": True, "top": 1},
    "link": {"font_color": "#375623"},
}


class Styles:
    """Creates each format once (xlsxwriter formats are workbook-wide objects)."""

    def __init__(self, workbook: Workbook, lang: str = "fr", split: bool = False):
        self._wb = workbook
        self.split = split  # a contributor's workbook: only their inputs are editable
        self.bool_format = BOOL_FORMATS.get(lang, BOOL_FORMATS["en"])
        self._cache: dict[tuple[str, str], Format] = {}
        self.title = workbook.add_format({"bold": True, "font_size": 14, "font_color": HEADER_FILL})
        self.subtitle = workbook.add_format({"italic": True, "font_color": "#595959"})
        self.header = workbook.add_format(
            {
                "bold": True,
                "font_color": "#FFFFFF",
                "bg_color": HEADER_FILL,
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        )
        self.label = workbook.add_format({"bold": True})
        self.small = workbook.add_format({"font_color": "#808080", "font_size": 8, "valign": "top"})
        self.check_ok = workbook.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.check_bad = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.gantt_bar = workbook.add_format({"bg_color": "#9BC2E6"})
        self.gantt_ops = workbook.add_format({"bg_color": "#2E75B6", "font_color": "#FFFFFF"})
        self.gantt_event = workbook.add_format({"bg_color": "#F8CBAD"})
        self.gantt_both = workbook.add_format({"bg_color": "#ED7D31"})  # a bar in an event
        self.text_calc = self.cell("text", "calc")

    def cell(self, kind: Kind | str, role: Role) -> Format:
        if role == "own":
            role = "input"  # theirs: an input as any
        elif role == "input" and self.split:
            role = "context"  # type: ignore[assignment]  # someone else's: locked, greyed
        key = (kind, role)
        if key not in self._cache:
            props: dict[str, object] = {"valign": "top"}  # beside a wrapped text, at its top
            code = NUM_FORMATS.get(kind)
            if kind == "titre":
                code = "0"
            if kind == "bool":
                code = self.bool_format
            if kind == "date" and role != "input":
                # a computed date of 0 means none: shown empty, not 00/01/1900; a text (a date a
                # formula cannot compute, "à recalculer") shown as it is
                code = f"{code};;;@"
            if code:
                props["num_format"] = code
            if kind in ("text", "ids", "note"):
                props["num_format"] = "@" if role in ("input", "context") else "General"
            if kind == "note":
                props.update({"text_wrap": True, "valign": "top"})
            props.update(ROLE_PROPS.get(role, {}))
            self._cache[key] = self._wb.add_format(props)
        return self._cache[key]
