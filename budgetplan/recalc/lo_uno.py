"""Runs under LibreOffice's Python (``/usr/bin/python3`` with python3-uno), not budgetplan's.

Usage: python3 lo_uno.py OUT.json [--locale LOCALE] [--save-dir DIR] [--edits EDITS.json]
       [--strings RANGES.json] [--sheets NAMES.json] [--profile DIR] [--dispatch URLS.json]
       FILE.xlsx [FILE.xlsx ...]

Starts a headless LibreOffice with a throw-away profile, opens each workbook, recalculates every
formula (``calculateAll``), and writes for each file every formula cell's recalculated value and
the cells whose formula ends in an error. With ``--save-dir`` it also saves each recalculated
workbook there as xlsx (a LibreOffice re-save). With ``--edits``, a JSON object mapping a file
to a list of ``[sheet, cell, how, value]`` is applied before recalculating, as a person enters
values: ``how`` is ``text`` (setString), ``number`` (setValue) or ``typed`` (setFormula: the
text as typed into the cell, parsed by LibreOffice). ``--locale fr-FR`` runs LibreOffice as a
French desktop does (the profile's ``ooSetupSystemLocale`` and ``ooLocale``: number formats, the
decimal comma, VRAI/FAUX). ``--strings`` names ranges (a JSON list of ``[sheet, range]``) whose
cells' displayed text (``getString``) is returned under ``strings``, as ``Sheet!A1``, and their
formulas as this LibreOffice's user types them (``FormulaLocal``) under ``typed``.
``--sheets`` (a JSON list of sheet names) reads back the formulas of those sheets only (the whole
workbook is recalculated all the same). ``--profile`` uses that profile (an extension installed in
it; set its locale first) rather than a throw-away one; ``--dispatch`` (a JSON list of command
URLs, ``vnd.budgetplan:verify``, or ``[URL, {"Confirm": true}]`` with the dispatch's arguments) dispatches each in the document's frame after the edits, as a menu
item does, and returns what each answered, every note of the document and the documents the
commands opened (closed then). Standard library and
uno only.
"""

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]
from lo_profile import set_locale  # type: ignore[import-not-found]  # beside this script

ERROR_RESULT = 4  # com.sun.star.sheet.FormulaResult.ERROR


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def col_name(index):
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def connect(pipe, proc):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.time() + 90
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("LibreOffice did not start") from None
            time.sleep(0.3)


def cells_of(doc, ranges):
    """Each cell of ``ranges`` (``[sheet, A1:B2]``, a sheet not in the document skipped), with
    its key ``Sheet!A1``."""
    for sheet_name, where in ranges:
        if not doc.Sheets.hasByName(sheet_name):
            continue
        rng = doc.Sheets.getByName(sheet_name).getCellRangeByName(where)
        address = rng.getRangeAddress()
        for r in range(address.StartRow, address.EndRow + 1):
            for c in range(address.StartColumn, address.EndColumn + 1):
                yield (
                    f"{sheet_name}!{col_name(c)}{r + 1}",
                    rng.getSpreadsheet().getCellByPosition(c, r),
                )


def displayed(doc, ranges):
    """The text each cell of ``ranges`` shows, keyed ``Sheet!A1`` (empty cells left out)."""
    return {key: cell.getString() for key, cell in cells_of(doc, ranges) if cell.getString()}


def typed(doc, ranges):
    """The formula of each formula cell of ``ranges`` as the user of this LibreOffice sees and
    types it (``FormulaLocal``: the locale's function names and separators), ``Sheet!A1``."""
    return {
        key: cell.getPropertyValue("FormulaLocal")
        for key, cell in cells_of(doc, ranges)
        if cell.getType().value == "FORMULA"
    }


def dump(doc, only=None):
    sheets = {}
    errors = []
    for sheet in doc.Sheets:
        if only and sheet.Name not in only:
            continue
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        last_col = cursor.RangeAddress.EndColumn
        last_row = cursor.RangeAddress.EndRow
        rng = sheet.getCellRangeByPosition(0, 0, last_col, last_row)
        data = rng.getDataArray()
        formulas = rng.getFormulaArray()
        cells = {}
        for r, (drow, frow) in enumerate(zip(data, formulas, strict=True)):
            for c, (value, formula) in enumerate(zip(drow, frow, strict=True)):
                if isinstance(formula, str) and formula.startswith("="):
                    # text that merely starts with "=" is not a formula: ask the cell
                    if sheet.getCellByPosition(c, r).getType().value != "FORMULA":
                        continue
                    cells[f"{col_name(c)}{r + 1}"] = [formula, value]
        bad = sheet.queryFormulaCells(ERROR_RESULT)
        text = bad.getRangeAddressesAsString()
        if text:
            errors.append([sheet.Name, text])
        sheets[sheet.Name] = cells
    return {"sheets": sheets, "errors": errors}


def options(rest):
    """The options before the files, each at most once, in any order: (locale, save_dir, edits,
    ranges, only, profile, dispatch, files)."""
    found = {}
    while rest[:1] and rest[0].startswith("--"):
        found[rest[0]], rest = rest[1], rest[2:]

    def loaded(flag, default):
        if flag not in found:
            return default
        with open(found[flag], encoding="utf-8") as fh:
            return json.load(fh)

    only = loaded("--sheets", None)
    return (
        found.get("--locale"),
        found.get("--save-dir"),
        loaded("--edits", {}),
        loaded("--strings", []),
        set(only) if only is not None else None,
        found.get("--profile"),
        loaded("--dispatch", []),
        rest,
    )


def notes(doc):
    """Every note (annotation) of the document: [sheet, cell, text]."""
    out = []
    for sheet in doc.Sheets:
        annotations = sheet.getAnnotations()
        for i in range(annotations.getCount()):
            note = annotations.getByIndex(i)
            where = note.getPosition()
            out.append([sheet.Name, f"{col_name(where.Column)}{where.Row + 1}", note.getString()])
    return out


def components(desktop):
    """The documents open in LibreOffice."""
    found, listed = [], desktop.getComponents().createEnumeration()
    while listed.hasMoreElements():
        found.append(listed.nextElement())
    return found


def parsed(ctx, text):
    """A command URL as UNO's URL struct."""
    url = uno.createUnoStruct("com.sun.star.util.URL")
    url.Complete = text
    transformer = ctx.ServiceManager.createInstanceWithContext(
        "com.sun.star.util.URLTransformer", ctx
    )
    return transformer.parseStrict(url)[1]


def dispatch(ctx, doc, urls):
    """Dispatch each command URL in the document's frame, as a menu item does; what each said."""
    helper = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    frame = doc.getCurrentController().getFrame()
    said = []
    for item in urls:  # a URL, or [URL, {argument: value}] (``Confirm``: what a person answers)
        url, args = (item, {}) if isinstance(item, str) else item
        arguments = tuple(prop(name, value) for name, value in args.items())
        result = helper.executeDispatch(frame, url, "", 0, arguments)
        if result is None and frame.queryDispatch(parsed(ctx, url), "", 0) is None:
            result = "no handler for " + url  # the extension is not live in this LibreOffice
        said.append(str(getattr(result, "Result", result)))
    return said


def main(argv):
    out = argv[1]
    locale, save_dir, edits, ranges, only, given_profile, urls, rest = options(argv[2:])
    profile = given_profile or tempfile.mkdtemp(prefix="budgetplan-lo-")
    if locale and not given_profile:
        set_locale(profile, locale)
    pipe = f"budgetplan{os.getpid()}"
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    proc = subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    result = {}
    try:
        ctx = connect(pipe, proc)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for path in rest:
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            if doc is None:
                result[path] = {"load_error": True}
                continue
            try:
                for sheet_name, ref, how, value in edits.get(path, []):
                    cell = doc.Sheets.getByName(sheet_name).getCellRangeByName(ref)
                    if how == "text":
                        cell.setString(value)
                    elif how == "number":
                        cell.setValue(value)
                    else:
                        cell.setFormula(value)
                said = dispatch(ctx, doc, urls) if urls else None
                doc.calculateAll()
                result[path] = dump(doc, only)
                if said is not None:
                    result[path]["dispatched"] = said
                    result[path]["notes"] = notes(doc)
                    others = [c for c in components(desktop) if c.getURL() != url]
                    result[path]["documents"] = [c.getURL() for c in others]
                    for other in others:  # those the commands opened
                        other.close(True)
                if ranges:
                    result[path]["strings"] = displayed(doc, ranges)
                    result[path]["typed"] = typed(doc, ranges)
                if save_dir:
                    target = os.path.join(save_dir, os.path.basename(path))
                    doc.storeToURL(
                        uno.systemPathToFileUrl(os.path.abspath(target)),
                        (prop("FilterName", "Calc MS Excel 2007 XML"),),
                    )
            finally:
                doc.close(True)
        with contextlib.suppress(Exception):
            desktop.terminate()
    finally:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        if not given_profile:  # a profile given (an extension installed in it) is the caller's
            shutil.rmtree(profile, ignore_errors=True)
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main(sys.argv)
