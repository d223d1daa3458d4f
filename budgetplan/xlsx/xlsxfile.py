"""Open xlsx files defensively: what a file is, how big it unpacks, and its raw sheet XML."""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import Finding, Severity, os_error, said
from budgetplan.core.paths import NOT_REGULAR, special_file

#: Limits on what a workbook may unpack to (a zip bomb declares small, inflates huge).
MAX_UNPACKED_BYTES = 2_000_000_000  # a 100,000-line workbook unpacks to 1.52 GB
MAX_RATIO = 200
MAX_MEMBERS = 10_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class XlsxError(BudgetplanError):
    """A file that is not a workbook budgetplan may open (hostile, damaged, someone else's)."""

    def __init__(self, finding: Finding):
        super().__init__([finding])

    @property
    def finding(self) -> Finding:
        return self.findings[0]


_SAVE_AGAIN = said(
    "save the workbook again from Excel or LibreOffice",
    "enregistrer de nouveau le classeur depuis Excel ou LibreOffice",
)
_SAVE_AS_XLSX = said(
    "save it as .xlsx from Excel or LibreOffice",
    "l'enregistrer en .xlsx depuis Excel ou LibreOffice",
)


def _fail(path: Path, code: str, message: str, hint: str) -> XlsxError:
    return XlsxError(Finding(Severity.ERROR, code, message, hint, file=str(path)))


def _corrupt(path: Path, exc: Exception) -> XlsxError:
    return _fail(
        path,
        "CORRUPT",
        said(
            f"the workbook is truncated or corrupted ({exc})",
            f"le classeur est tronqué ou endommagé ({exc})",
        ),
        said("send the workbook again", "renvoyer le classeur"),
    )


def open_xlsx(path: Path, allow_macros: bool = False) -> zipfile.ZipFile:
    """A zip of an xlsx workbook, after checking it is one and that it unpacks within bounds.

    A macro-enabled workbook is refused unless ``allow_macros``; its macros are never run nor
    read (budgetplan reads cell values and formulas only).
    """
    if special_file(path):  # a named pipe would block the open, a device never end the read
        raise _fail(
            path,
            "NOT_A_FILE",
            NOT_REGULAR,
            said("give the path of an .xlsx file", "donner le chemin d'un fichier .xlsx"),
        )
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except IsADirectoryError:
        raise _fail(
            path,
            "NOT_A_FILE",
            said("is a folder", "est un dossier"),
            said("give the path of an .xlsx file", "donner le chemin d'un fichier .xlsx"),
        ) from None
    except OSError as exc:
        raise _fail(
            path, "UNREADABLE", os_error(exc), said("check the path", "vérifier le chemin")
        ) from None
    if not head:
        raise _fail(
            path,
            "EMPTY",
            said("the file is empty", "le fichier est vide"),
            said("send the workbook again", "renvoyer le classeur"),
        )
    if head == OLE_MAGIC:
        raise _fail(
            path,
            "OLE_FILE",
            said(
                "is a password-protected workbook or a legacy .xls (an OLE container, not xlsx)",
                "est un classeur protégé par mot de passe ou un ancien .xls (un conteneur OLE, "
                "pas un xlsx)",
            ),
            said(
                "remove the password, or save it as .xlsx from Excel or LibreOffice",
                "retirer le mot de passe, ou l'enregistrer en .xlsx depuis Excel ou LibreOffice",
            ),
        )
    if not head.startswith(b"PK"):
        raise _fail(
            path,
            "NOT_XLSX",
            said(
                "is not an xlsx workbook (not a zip file)",
                "n'est pas un classeur xlsx (pas un fichier zip)",
            ),
            _SAVE_AS_XLSX,
        )
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
        stat = path.stat()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _corrupt(path, exc) from None
    version = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, allow_macros)
    if version in _CHECKED:  # this very file was checked whole by this process already
        return zf
    try:
        _check_members(path, zf, infos, allow_macros)
    except XlsxError:
        zf.close()
        raise
    _CHECKED.add(version)
    return zf


#: Files (path, size, modification time) whose every part this process has read and checked:
#: a command opens a workbook several times, and checks it whole once.
_CHECKED: set[tuple[str, int, int, bool]] = set()


def _check_members(
    path: Path, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], allow_macros: bool
) -> None:
    """Refuse (XlsxError) a zip bomb, a workbook without its main parts, XML with a DTD, or
    macros unless allowed."""
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > MAX_MEMBERS or total > MAX_UNPACKED_BYTES or total / packed > MAX_RATIO:
        raise _fail(
            path,
            "TOO_LARGE",
            said(
                f"unpacks to {total:,} bytes ({total / packed:.0f} times its size): refused as "
                "a possible zip bomb",
                f"se décompresse en {total:,} octets ({total / packed:.0f} fois sa taille) : "
                "refusé comme possible bombe de décompression".replace(",", " "),
            ),
            said(
                f"budgetplan reads workbooks up to {MAX_UNPACKED_BYTES:,} unpacked bytes",
                f"budgetplan lit les classeurs jusqu'à {MAX_UNPACKED_BYTES:,} octets "
                "décompressés".replace(",", " "),
            ),
        )
    names = set(zf.namelist())
    for part in ("[Content_Types].xml", "xl/workbook.xml"):
        if part not in names:
            raise _fail(
                path,
                "MISSING_PART",
                said(f"the workbook has no {part}", f"le classeur n'a pas de {part}"),
                _SAVE_AGAIN,
            )
    for info in infos:
        if info.flag_bits & 0x1:  # the zip's own encryption: no spreadsheet writes it
            raise _fail(
                path,
                "ENCRYPTED",
                said(
                    f"{info.filename} is encrypted inside the zip, which no spreadsheet does",
                    f"{info.filename} est chiffré dans le zip, ce que ne fait aucun tableur",
                ),
                said(
                    "send the workbook again, or save it again from Excel or LibreOffice",
                    "renvoyer le classeur, ou l'enregistrer de nouveau depuis Excel ou LibreOffice",
                ),
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail(
                path,
                "COMPRESSION",
                said(
                    f"{info.filename} is packed with a method spreadsheets do not use "
                    f"(zip method {info.compress_type})",
                    f"{info.filename} est compressé par une méthode que les tableurs "
                    f"n'emploient pas (méthode zip {info.compress_type})",
                ),
                _SAVE_AGAIN,
            )
    for info in infos:
        _check_part(path, zf, info)
    if "xl/vbaProject.bin" in names and not allow_macros:
        raise _fail(
            path,
            "MACROS",
            said(
                "holds macros (xlsm); budgetplan does not read them",
                "contient des macros (xlsm) ; budgetplan ne les lit pas",
            ),
            said("save it as a plain .xlsx workbook", "l'enregistrer en simple classeur .xlsx"),
        )


#: What no xlsx part needs and an XML parser may expand: a DTD, entities.
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_UTF16 = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


#: An XML document's prolog: whitespace, the declaration, processing instructions, comments
#: (a DTD can only be declared there, before the root element).
_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_ROOT = re.compile(rb"<[A-Za-z_]")


def _after_root(chunk: bytes) -> bool:
    """Whether the first ``chunk`` of an XML part has a plain prolog (no DTD) followed by the
    start of its root element: what follows can declare no DTD an XML parser would take."""
    prolog = _PROLOG.match(chunk)
    end = prolog.end() if prolog else 0
    return end < len(chunk) - 1 and _ROOT.match(chunk, end) is not None


def _declares_dtd(chunk: bytes, tail: bytes) -> bool:
    """Whether ``chunk`` (after ``tail``, the end of the chunk before) declares a DTD or an
    entity: plain searches for the words first, since a regex over each megabyte, or a copy of
    it joined to the tail, costs more ("<" is everywhere)."""
    edge = tail + chunk[:16]
    if not any(word in chunk or word in edge for word in (b"DOCTYPE", b"ENTITY")):
        return False
    return _DTD.search(tail + chunk) is not None


def _check_part(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Read a part whole, in chunks: its checksum is verified (a damaged part is found even by
    a command that never parses it), and an XML part is refused when it declares a DTD or
    entities, or is written in UTF-16 (which hides them from a byte search and no spreadsheet
    writes). A DTD is searched for through the whole part unless its first chunk shows the root
    element's start after a plain prolog (an XML parser takes a DTD only before it). Costs
    about 0.2 s of CPU per 100 MB unpacked."""
    xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    tail = b""
    try:
        with zf.open(info) as fh:
            first, searched = True, True
            while chunk := fh.read(1 << 20):
                if first and xml and chunk.startswith(_UTF16):
                    raise _fail(
                        path,
                        "XML_ENCODING",
                        said(
                            f"{info.filename} is written in UTF-16, which spreadsheets do not "
                            "write and budgetplan does not read",
                            f"{info.filename} est écrit en UTF-16, ce que les tableurs n'écrivent "
                            "pas et que budgetplan ne lit pas",
                        ),
                        _SAVE_AGAIN,
                    )
                markup = xml or chunk.lstrip()[:1] == b"<"
                if searched and markup and _declares_dtd(chunk, tail):
                    raise _fail(
                        path,
                        "XML_DTD",
                        said(
                            f"{info.filename} declares a DTD or entities, which xlsx never "
                            "needs: refused as a possible XML attack (entity expansion, external "
                            "entities)",
                            f"{info.filename} déclare une DTD ou des entités, dont un xlsx n'a "
                            "jamais besoin : refusé comme possible attaque XML (expansion "
                            "d'entités, entités externes)",
                        ),
                        _SAVE_AGAIN,
                    )
                if first and markup and _after_root(chunk):
                    searched = False  # the rest is the root element's content
                first = False
                tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError) as exc:
        raise _corrupt(path, exc) from None


_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*?/?>")


@dataclass(frozen=True)
class SheetPart:
    name: str
    part: str  # zip member of the sheet's XML


def sheet_parts(zf: zipfile.ZipFile) -> list[SheetPart]:
    """Sheets in workbook order with their XML part, read without an XML parser (no DTDs)."""
    rels = {}
    for m in _REL.finditer(zf.read("xl/_rels/workbook.xml.rels")):
        attrs = dict(_ATTR.findall(m.group(0)))
        rels[attrs.get(b"Id", b"").decode()] = attrs.get(b"Target", b"").decode()
    out = []
    for m in _SHEET.finditer(zf.read("xl/workbook.xml")):
        attrs = {k.split(b":")[-1] if k != b"r:id" else k: v for k, v in _ATTR.findall(m.group(0))}
        rid = next((v.decode() for k, v in _ATTR.findall(m.group(0)) if k.endswith(b":id")), "")
        target = rels.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        out.append(SheetPart(html.unescape(attrs.get(b"name", b"").decode("utf-8")), part))
    return out


#: Cells a sheet's rows and columns may span (rows × columns of its furthest cell): a reader
#: holds them all. 100,000 cost lines take 20 million on the Phasing sheet.
MAX_SHEET_CELLS = 50_000_000
_CELL_COL = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')


def _column(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col


def far_cell(zf: zipfile.ZipFile, part: str) -> str | None:
    """The far corner (``XFD1048576``) of a sheet whose cells span more rows × columns than a
    reader can hold (MAX_SHEET_CELLS), None when it is of a readable size. The XML is read as
    it inflates, a megabyte at a time, with no parser (about 1 s of CPU for 100 MB)."""
    max_row = max_col = 0
    tail = b""
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            rows = _CELL_ROW.findall(data)
            if rows:
                max_row = max(max_row, max(map(int, rows)))
                cols = set(_CELL_COL.findall(data))
                max_col = max(max_col, max(map(_column, cols)))
            tail = data[-32:]  # a reference cut between two chunks is read whole next time
    if max_row * max_col <= MAX_SHEET_CELLS:
        return None
    letters = ""
    n = max_col
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"{letters}{max_row}"


# A formula is the first child of its cell (<c><f>..</f><v>..</v></c>, ECMA-376 18.3.1.4).
_FCELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"([^>]*)>\s*<f([^>]*?)(?:/>|>([^<]*)</f>)\s*(?:<v>([^<]*)</v>)?'
)
_T = re.compile(rb't="(\w+)"')


def _cached(cell_attrs: bytes, raw: bytes | None) -> object:
    if raw is None:
        return None
    kind = cell_type(cell_attrs)
    text = html.unescape(raw.decode("utf-8"))
    if kind == b"b":
        return text == "1"
    if kind in (b"str", b"s", b"inlineStr"):
        return text
    if kind == b"e":
        return ("error", text)
    try:
        return float(text)
    except ValueError:
        return text


#: A formula cell as stored: (formula text, value text or None, cell attributes, shared master).
RawCell = tuple[bytes, bytes | None, bytes, tuple[str, int] | None]


def raw_formula_cells(zf: zipfile.ZipFile, part: str) -> dict[tuple[str, int], RawCell]:
    """Every formula cell of a sheet, found by scanning its XML (fast; entities not expanded),
    as byte strings for fast comparisons. Excel's shared formulas (a formula filled down, stored
    once with followers pointing at it) come with the master's text and position."""
    return raw_formula_cells_of(scan_formula_cells(zf.read(part)))


#: One formula cell as scanned: (column, row, cell attributes, formula attributes, formula text,
#: cached value), all bytes, in the order of the sheet.
ScannedCell = tuple[bytes, bytes, bytes, bytes, bytes, bytes]


def scan_formula_cells(data: bytes) -> list[ScannedCell]:
    return _FCELL.findall(data)  # type: ignore[no-any-return]


def raw_formula_cells_of(
    scanned: list[ScannedCell], masters: dict[bytes, tuple[str, int, bytes]] | None = None
) -> dict[tuple[str, int], RawCell]:
    """The cells of :func:`scan_formula_cells` by position, shared formulas resolved; ``masters``
    carries the shared formulas' masters from one part of a sheet to the next."""
    out: dict[tuple[str, int], RawCell] = {}
    masters = {} if masters is None else masters
    for col_b, row_b, cattrs, fattrs, text, value in scanned:
        key = (col_b.decode(), int(row_b))
        if b'"shared"' in fattrs:
            si = dict(_ATTR.findall(fattrs)).get(b"si", b"")
            if text:
                masters[si] = (key[0], key[1], text)
                out[key] = (text, value, cattrs, None)
            elif si in masters:
                mcol, mrow, mtext = masters[si]
                out[key] = (mtext, value, cattrs, (mcol, mrow))
            continue
        if text:
            out[key] = (text, value, cattrs, None)
    return out


def cell_type(attrs: bytes) -> bytes:
    """The type (``t=``) among a cell's attributes: b"n" (number) when there is none."""
    t = _T.search(attrs)
    return t.group(1) if t else b"n"


def decode_formula(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return html.unescape(text) if "&" in text else text


def raw_value(cell: RawCell) -> object:
    """The cached value of a raw cell (None when the file stores none)."""
    # findall gives b"" for an absent <v>; a present but empty <v></v> is rare and means ""
    return _cached(cell[2], cell[1]) if cell[1] != b"" else None


_SI = re.compile(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>", re.S)
_T_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]*)</(?:\w+:)?t>")


def shared_strings(path: Path) -> list[str]:
    """The texts of the shared-strings part of the workbook at ``path`` (none when it has none),
    read only when a typed text must be shown."""
    with open_xlsx(path, allow_macros=True) as zf:
        try:
            data = zf.read("xl/sharedStrings.xml")
        except KeyError:
            return []
    return [
        html.unescape(b"".join(_T_TEXT.findall(m.group(1))).decode("utf-8", "replace"))
        for m in _SI.finditer(data)
    ]
