"""Number formats that no longer show a cell's number as it is: a scaling comma (what a French
LibreOffice makes of ``#,##0.00 "€"``: fifty million shown as ``50 000,00€``) or a currency other
than the euro. The file's styles are read (a few kilobytes); its sheets are searched only for
cells of such a style, so a workbook whose formats are sound costs nothing more."""

from __future__ import annotations

import re

from budgetplan.core.findings import Finding, Severity, said
from budgetplan.xlsx.number_formats import syntax
from budgetplan.xlsx.reader import Workbook
from budgetplan.xlsx.xlsxfile import open_xlsx

_NUMFMT = re.compile(rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_CELLXFS = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.S)
_XF = re.compile(rb"<xf\b([^>]*?)/?>")
_XF_NUMFMT = re.compile(rb'numFmtId="(\d+)"')
#: Built-in formats (ECMA-376 18.8.30) with a currency of the reader's locale: never the euro
#: for sure, so an amount shown with one may show another currency.
_BUILTIN_CURRENCY = {5, 6, 7, 8, 37, 38, 39, 40, 41, 42, 43, 44}
_ENTITIES = {"&quot;": '"', "&amp;": "&", "&apos;": "'", "&lt;": "<", "&gt;": ">"}


def _unescape(code: bytes) -> str:
    text = code.decode("utf-8", errors="replace")
    for entity, ch in _ENTITIES.items():
        text = text.replace(entity, ch)
    return text


def scales(code: str) -> bool:
    """Whether ``code`` divides by 1,000: a comma after the digits, not between them."""
    chars = list(syntax(code))
    for i, (ch, is_syntax) in enumerate(chars):
        if ch != "," or not is_syntax or i == 0:
            continue
        before = chars[i - 1][0] in "0#?" and chars[i - 1][1]
        after = i + 1 < len(chars) and chars[i + 1][1] and chars[i + 1][0] in "0#?"
        if before and not after:
            return True
    return False


def foreign_currency(code: str) -> bool:
    """Whether ``code`` shows a currency other than the euro."""
    for symbol in re.findall(r"\[\$([^\]-]*)", code):
        if symbol and "€" not in symbol and symbol.upper() != "EUR":
            return True
    shown = "".join(ch for ch, _is_syntax in syntax(re.sub(r"\[[^\]]*\]", "", code)))
    return any(sign in shown for sign in "$£¥₹") or "USD" in shown or "GBP" in shown


def misleading_styles(styles_xml: bytes) -> dict[int, tuple[str, str]]:
    """Cell style index -> (its format code, why it misleads: ``scale`` or ``currency``)."""
    codes = {int(i): _unescape(c) for i, c in _NUMFMT.findall(styles_xml)}
    block = _CELLXFS.search(styles_xml)
    out: dict[int, tuple[str, str]] = {}
    if block is None:
        return out
    for index, attrs in enumerate(_XF.findall(block.group(1))):
        found = _XF_NUMFMT.search(attrs)
        fmt_id = int(found.group(1)) if found else 0
        code = codes.get(fmt_id, "")
        if scales(code):
            out[index] = (code, "scale")
        elif foreign_currency(code) or fmt_id in _BUILTIN_CURRENCY:
            out[index] = (code or f"#{fmt_id}", "currency")
    return out


def _message(why: str, code: str, more: int) -> str:
    others_en = f" (and {more} other cell{'s' if more > 1 else ''} of this format)" if more else ""
    others_fr = (
        f" (et {more} autre{'s' if more > 1 else ''} cellule{'s' if more > 1 else ''} de ce format)"
        if more
        else ""
    )
    if why == "scale":
        return said(
            f"the number format {code} shows the amount divided by 1,000{others_en}",
            f"le format {code} affiche le montant divisé par 1 000{others_fr}",
        )
    return said(
        f"the number format {code} shows another currency than the euro{others_en}",
        f"le format {code} affiche une autre monnaie que l'euro{others_fr}",
    )


_HINT = said(
    "format the cells again as euros (Format > Cells > Currency, € French), or rebuild the "
    "workbook",
    "remettre le format en euros (Format > Cellules > Monétaire, € Français), ou reconstruire "
    "le classeur",
)


def format_findings(wb: Workbook) -> list[Finding]:
    """A warning at the first cell of each sheet whose number format does not show its number
    as it is, with how many more cells share it."""
    with open_xlsx(wb.path, allow_macros=True) as zf:
        try:
            styles = zf.read("xl/styles.xml")
        except KeyError:
            return []
        bad = misleading_styles(styles)
        if not bad:
            return []
        wanted = b"|".join(str(i).encode() for i in sorted(bad))
        cell = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?\bs="(' + wanted + rb')"[^>]*?>\s*<[fv]')
        findings = []
        for key, part in wb.parts.items():
            seen: dict[tuple[str, str], list[str]] = {}  # cells by format, in sheet order
            for ref, style in cell.findall(zf.read(part)):
                seen.setdefault(bad[int(style)], []).append(ref.decode())
            for (code, why), refs in seen.items():
                findings.append(
                    Finding(
                        Severity.WARNING,
                        "AMOUNT_FORMAT",
                        _message(why, code, len(refs) - 1),
                        _HINT,
                        file=str(wb.path),
                        sheet=wb.names.get(key, key),
                        cell=refs[0],
                    )
                )
    return findings
