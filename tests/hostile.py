"""Hostile and broken files, made by the tests themselves (nothing binary is committed)."""

from __future__ import annotations

import zipfile
from pathlib import Path

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PASSWD_MARKER = "root:x:0"


def _rewrite(src: Path, dst: Path, change) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)
    return dst


def _entity_doc(xml: bytes) -> bytes:
    """Put a DOCTYPE with an external entity and a billion-laughs entity in front of a part."""
    laughs = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    doctype = (
        '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">' + "".join(laughs) + "]>"
    ).encode()
    head, sep, rest = xml.partition(b"?>")
    body = rest.replace(b"<t>", b"<t>&xxe;&lol9;", 1)
    return head + sep + doctype + body


def make_all(base: Path, folder: Path) -> dict[str, Path]:
    """Every broken or hostile file of issue 6, from the real workbook ``base``."""
    files: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        path = folder / name
        path.write_bytes(data)
        files[name] = path

    real = base.read_bytes()
    put("empty.xlsx", b"")
    put("csv-renamed.xlsx", b"id;label;amount\nL1;Scanners;150000\n")
    put("password-protected.xlsx", OLE_MAGIC + b"\x00" * 1024)
    put("legacy.xls", OLE_MAGIC + b"\x01" * 2048)
    put("truncated.xlsx", real[: len(real) // 2])
    corrupted = bytearray(real)
    for i in range(2000, 6000):
        corrupted[i] ^= 0x5A
    put("corrupted.xlsx", bytes(corrupted))

    bomb = folder / "zip-bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros, about 300 KB packed
                fh.write(chunk)
    files["zip-bomb.xlsx"] = bomb

    def entities(name: str, data: bytes) -> bytes:
        return _entity_doc(data) if name.endswith("sheet6.xml") else data

    files["xml-entities.xlsx"] = _rewrite(base, folder / "xml-entities.xlsx", entities)

    def macros(name: str, data: bytes) -> bytes:
        return data

    xlsm = _rewrite(base, folder / "macros.xlsm", macros)
    with zipfile.ZipFile(xlsm, "a") as zf:
        zf.writestr("xl/vbaProject.bin", OLE_MAGIC + b'Sub AutoOpen()\nShell "calc"\nEnd Sub')
    files["macros.xlsm"] = xlsm

    import openpyxl

    other = openpyxl.Workbook()
    other.active.append(["not", "a", "budget"])
    other.save(folder / "someone-else.xlsx")
    files["someone-else.xlsx"] = folder / "someone-else.xlsx"

    files["no-workbook-part.xlsx"] = _rewrite(
        base,
        folder / "no-workbook-part.xlsx",
        lambda name, data: None if name == "xl/workbook.xml" else data,
    )
    files["no-sheet-part.xlsx"] = _rewrite(
        base,
        folder / "no-sheet-part.xlsx",
        lambda name, data: None if name == "xl/worksheets/sheet6.xml" else data,
    )
    return files
