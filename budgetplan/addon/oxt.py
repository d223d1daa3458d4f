"""Write the extension ``budgetplan.oxt``: its description, manifest, menus and toolbar (Calc
only, French and English titles), the protocol handler's registration and the component. The
same budgetplan writes the same bytes (fixed dates, fixed order)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from budgetplan.addon.commands import COMMANDS, IMPLEMENTATION, PROTOCOL
from budgetplan.core.atomic import atomic_path
from budgetplan.core.version import __version__

IDENTIFIER = "org.budgetplan.addon"
CALC = "com.sun.star.sheet.SpreadsheetDocument"
COMPONENT = "budgetplan_addon.py"
_OOR = 'xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"'


def _titles(fr: str, en: str) -> str:
    return (
        '<prop oor:name="Title" oor:type="xs:string">'
        f'<value xml:lang="fr">{escape(fr)}</value><value xml:lang="en-US">{escape(en)}</value>'
        "</prop>"
    )


def _item(name: str, url: str, fr: str, en: str) -> str:
    return (
        f'<node oor:name={quoteattr(name)} oor:op="replace">'
        f'<prop oor:name="URL" oor:type="xs:string"><value>{escape(url)}</value></prop>'
        f"{_titles(fr, en)}"
        '<prop oor:name="Target" oor:type="xs:string"><value>_self</value></prop>'
        f'<prop oor:name="Context" oor:type="xs:string"><value>{CALC}</value></prop>'
        "</node>"
    )


def addons_xcu() -> str:
    """The *Budget* menu (before Help) and toolbar, in Calc only."""
    items = "".join(_item(f"m{i:02d}", c.url, c.fr, c.en) for i, c in enumerate(COMMANDS, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<oor:component-data {_OOR} oor:name="Addons" oor:package="org.openoffice.Office">'
        '<node oor:name="AddonUI">'
        '<node oor:name="OfficeMenuBar">'
        f'<node oor:name="{IDENTIFIER}.menu" oor:op="replace">'
        f"{_titles('Budget', 'Budget')}"
        '<prop oor:name="Target" oor:type="xs:string"><value>_self</value></prop>'
        f'<prop oor:name="Context" oor:type="xs:string"><value>{CALC}</value></prop>'
        f'<node oor:name="Submenu">{items}</node>'
        "</node></node>"
        '<node oor:name="OfficeToolBar">'
        f'<node oor:name="{IDENTIFIER}.toolbar" oor:op="replace">{items}</node>'
        "</node>"
        "</node></oor:component-data>\n"
    )


def protocol_handler_xcu() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<oor:component-data {_OOR} oor:name="ProtocolHandler" '
        'oor:package="org.openoffice.Office">'
        '<node oor:name="HandlerSet">'
        f'<node oor:name="{IMPLEMENTATION}" oor:op="replace">'
        '<prop oor:name="Protocols" oor:type="oor:string-list">'
        f"<value>{PROTOCOL}*</value></prop>"
        "</node></node></oor:component-data>\n"
    )


def description_xml() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<description xmlns="http://openoffice.org/extensions/description/2006" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:d="http://openoffice.org/extensions/description/2006">'
        f'<identifier value="{IDENTIFIER}"/>'
        f'<version value="{__version__}"/>'
        "<dependencies>"
        '<d:OpenOffice.org-minimal-version value="4.0" d:name="OpenOffice.org 4.0"/>'
        "</dependencies>"
        "<display-name>"
        '<name lang="fr">budgetplan : budget du programme dans Calc</name>'
        '<name lang="en">budgetplan: the programme budget in Calc</name>'
        "</display-name>"
        "</description>\n"
    )


def manifest_xml() -> str:
    entry = '<manifest:file-entry manifest:media-type="{}" manifest:full-path="{}"/>'
    entries = (
        entry.format("application/vnd.sun.star.configuration-data", "Addons.xcu"),
        entry.format("application/vnd.sun.star.configuration-data", "ProtocolHandler.xcu"),
        entry.format("application/vnd.sun.star.uno-component;type=Python", COMPONENT),
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="http://openoffice.org/2001/manifest">'
        f"{''.join(entries)}</manifest:manifest>\n"
    )


def members() -> dict[str, bytes]:
    """The extension's files, by path in the archive."""
    component = (Path(__file__).parent / "component.py").read_bytes()
    return {
        "META-INF/manifest.xml": manifest_xml().encode(),
        "description.xml": description_xml().encode(),
        "Addons.xcu": addons_xcu().encode(),
        "ProtocolHandler.xcu": protocol_handler_xcu().encode(),
        COMPONENT: component,
    }


def write(target: Path) -> Path:
    """Write the extension to ``target`` (atomically: a reader never sees half of it)."""
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in members().items():
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return target
