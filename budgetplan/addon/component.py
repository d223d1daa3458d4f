"""The UNO component of ``budgetplan.oxt``: a protocol handler for ``vnd.budgetplan:`` command
URLs, run by LibreOffice's Python (on Linux the system ``python3`` with python3-uno).

It works on the document open in the frame that dispatched the command and saves nothing: a
command reads a copy of the document (``storeToURL``, which leaves the document, its location and
its modified state as they are) and writes back only what it says it writes (notes). budgetplan
itself is the one installed for that Python (``pip install budgetplan``), or the one the
environment variable ``BUDGETPLAN_PYTHONPATH`` points at (directories, separated as ``PATH``
is: a virtual environment's ``site-packages`` and a clone, say).

No modal dialog when the document is hidden (headless, automation) or when the command is
dispatched with a listener (a script waiting for the result): the result goes to the listener
and the notes; a message box only answers a person who chose the menu item in a visible window.

This file is shipped in the extension as ``budgetplan_addon.py``; it is importable outside
LibreOffice only for its pure helpers (tests), the uno modules being absent there.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from typing import Any

try:
    import uno  # type: ignore[import-not-found]
    import unohelper  # type: ignore[import-not-found]
    from com.sun.star.frame import (  # type: ignore[import-not-found]
        XDispatchProvider,
        XNotifyingDispatch,
    )
    from com.sun.star.lang import XInitialization, XServiceInfo  # type: ignore[import-not-found]

    IN_LIBREOFFICE = True
except ImportError:  # outside LibreOffice: the helpers below only
    IN_LIBREOFFICE = False

    class XDispatchProvider:  # type: ignore[no-redef]  # stand-ins of UNO's interfaces
        pass

    class XNotifyingDispatch:  # type: ignore[no-redef]
        pass

    class XInitialization:  # type: ignore[no-redef]
        pass

    class XServiceInfo:  # type: ignore[no-redef]
        pass

    class _Base:
        pass

    class unohelper:  # type: ignore[no-redef]  # noqa: N801 - the name uno gives it
        Base = _Base


PROTOCOL = "vnd.budgetplan:"
IMPLEMENTATION = "org.budgetplan.addon.Dispatcher"
#: The command paths this component answers (budgetplan.addon.commands.COMMANDS, tested equal)
PATHS = ("verify", "schedule", "carry", "compare", "clear")
#: Every note this add-on writes starts with it: a second run replaces them, nothing else
MARK = "budgetplan · "
XLSX_FILTER = "Calc MS Excel 2007 XML"


def budgetplan_on_path(environ: dict[str, str] | None = None) -> list[str]:
    """Put the directories of ``BUDGETPLAN_PYTHONPATH`` first on ``sys.path``; those added."""
    value = (environ if environ is not None else os.environ).get("BUDGETPLAN_PYTHONPATH", "")
    added = []
    for folder in reversed([p for p in value.split(os.pathsep) if p]):
        if folder not in sys.path:
            sys.path.insert(0, folder)
            added.append(folder)
    if added:  # the finders' caches may predate the folders (an import tried before)
        importlib.invalidate_caches()
    return added


def note_text(code: str, message: str, hint: str) -> str:
    """A finding as the note on its cell shows it: the mark and code, what, what to do."""
    text = f"{MARK}{code}\n{message}"
    return f"{text}\n→ {hint}" if hint else text


def _prop(name: str, value: Any) -> Any:
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _said(lang: str, fr: str, en: str) -> str:
    return fr if lang == "fr" else en


def failure_text(exc: BaseException) -> str:
    """What the officer reads when a command fails: budgetplan's own refusal in its words (a
    file that cannot be read, a workbook of another layout: each finding on one line, in
    French), or, for anything else, that it is budgetplan's fault and worth reporting, never a
    bare exception class."""
    findings = getattr(exc, "findings", None)
    if findings:
        lines = []
        for f in findings:
            one_line = getattr(f, "one_line", None)
            lines.append(one_line("fr") if callable(one_line) else str(f))
        return "budgetplan : " + "\n".join(lines)
    if isinstance(exc, OSError):
        return f"budgetplan : fichier illisible ({exc.strerror or exc})"
    return (
        f"budgetplan : erreur interne ({type(exc).__name__} : {exc}) ; merci de la signaler "
        "avec le classeur et la commande du menu"
    )


class Dispatcher(
    unohelper.Base, XDispatchProvider, XNotifyingDispatch, XInitialization, XServiceInfo
):  # type: ignore[misc]
    """The protocol handler: LibreOffice makes one per frame and asks it for each URL."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.frame: Any = None

    # XInitialization: the frame the commands act in
    def initialize(self, args: Any) -> None:
        if args:
            self.frame = args[0]

    # XServiceInfo
    def getImplementationName(self) -> str:  # noqa: N802 - UNO's names
        return IMPLEMENTATION

    def supportsService(self, name: str) -> bool:  # noqa: N802
        return name == "com.sun.star.frame.ProtocolHandler"

    def getSupportedServiceNames(self) -> tuple[str, ...]:  # noqa: N802
        return ("com.sun.star.frame.ProtocolHandler",)

    # XDispatchProvider
    def queryDispatch(self, url: Any, target: str, flags: int) -> Any:  # noqa: N802
        return self if url.Protocol == PROTOCOL and url.Path in PATHS else None

    def queryDispatches(self, requests: Any) -> tuple[Any, ...]:  # noqa: N802
        return tuple(self.queryDispatch(r.FeatureURL, r.FrameName, r.SearchFlags) for r in requests)

    # XDispatch, XNotifyingDispatch
    def addStatusListener(self, listener: Any, url: Any) -> None:  # noqa: N802
        pass

    def removeStatusListener(self, listener: Any, url: Any) -> None:  # noqa: N802
        pass

    def dispatch(self, url: Any, args: Any) -> None:
        """A menu item or a toolbar button: a person is there, the answer is a message box (and
        a question before anything is written)."""
        visible = self._visible()
        ok, text = self.run(
            url.Path,
            ask=self._ask if visible else None,
            pick=self._pick if visible else None,
        )
        if visible:
            self._message(text, ok)

    def dispatchWithNotification(self, url: Any, args: Any, listener: Any) -> None:  # noqa: N802
        """A script: the answer goes to its listener, never to a dialog."""
        from com.sun.star.frame import DispatchResultEvent  # type: ignore[import-not-found]
        from com.sun.star.frame.DispatchResultState import (  # type: ignore[import-not-found]
            FAILURE,
            SUCCESS,
        )

        try:
            given = {a.Name: a.Value for a in args or ()}
            confirmed, other = given.get("Confirm") is True, given.get("With")
            ok, text = self.run(
                url.Path,
                ask=(lambda _question: confirmed),
                pick=(lambda: other) if isinstance(other, str) else None,
            )
        except Exception as exc:  # told to the script, never lost
            ok, text = False, failure_text(exc)
        if listener is not None:
            event = DispatchResultEvent()
            event.Source, event.State, event.Result = self, SUCCESS if ok else FAILURE, text
            listener.dispatchFinished(event)

    # the commands
    def run(self, path: str, ask: Any = None, pick: Any = None) -> tuple[bool, str]:
        """Run command ``path`` on the frame's document: (done, what to tell the user).
        ``ask(question)`` says whether to go on where a command writes a file (a person's
        answer, or a script's ``Confirm`` argument); without it nothing is written. ``pick()``
        gives the workbook to compare with (a file picker, or a script's ``With`` argument)."""
        try:
            controller = self.frame.getController() if self.frame is not None else None
            doc = controller.getModel() if controller is not None else None
            if doc is None or not hasattr(doc, "Sheets"):
                return False, "budgetplan : ouvrir un classeur Calc / open a Calc workbook"
            if path == "clear":
                removed = clear_notes(doc)
                return True, f"budgetplan : {removed} note(s)"
            if path == "carry":
                return carry(doc, ask)
            if path == "schedule":
                return schedule(doc)
            if path == "compare":
                return compare(self.ctx, doc, pick, hidden=not self._visible())
            return verify(doc)
        except Exception as exc:  # every failure is told, never a hang nor a traceback
            return False, failure_text(exc)

    def _visible(self) -> bool:
        try:
            return bool(self.frame.getContainerWindow().isVisible())
        except Exception:
            return False

    def _pick(self) -> str | None:
        picker = self.ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.ui.dialogs.FilePicker", self.ctx
        )
        picker.appendFilter("Excel 2007-365 (*.xlsx)", "*.xlsx")
        if picker.execute() != 1:  # ExecutableDialogResults.OK
            return None
        files = picker.getSelectedFiles()
        return uno.fileUrlToSystemPath(files[0]) if files else None

    def _ask(self, question: str) -> bool:
        from com.sun.star.awt.MessageBoxButtons import (  # type: ignore[import-not-found]
            BUTTONS_YES_NO,
        )
        from com.sun.star.awt.MessageBoxType import QUERYBOX  # type: ignore[import-not-found]

        window = self.frame.getContainerWindow()
        box = window.getToolkit().createMessageBox(
            window, QUERYBOX, BUTTONS_YES_NO, "budgetplan", question
        )
        return bool(box.execute() == 2)  # MessageBoxResults.YES

    def _message(self, text: str, ok: bool) -> None:
        from com.sun.star.awt.MessageBoxType import (  # type: ignore[import-not-found]
            ERRORBOX,
            INFOBOX,
        )

        window = self.frame.getContainerWindow()
        toolkit = window.getToolkit()
        box = toolkit.createMessageBox(window, INFOBOX if ok else ERRORBOX, 1, "budgetplan", text)
        box.execute()


class _Unprotected:
    """A sheet's protection lifted while notes are put on it or taken off (LibreOffice refuses
    both on a protected sheet), then set again as it was: LibreOffice keeps its options (rows
    that may be inserted...) across unprotect and protect. A sheet the officer protected with a
    password stays as it is (``ok`` False)."""

    def __init__(self, sheet: Any) -> None:
        self.sheet, self.was, self.ok = sheet, bool(sheet.isProtected()), True

    def __enter__(self) -> _Unprotected:
        if self.was:
            try:
                self.sheet.unprotect("")
            except Exception:
                self.ok = False
        return self

    def __exit__(self, *exc: object) -> None:
        if self.was and self.ok:
            self.sheet.protect("")


def clear_notes(doc: Any) -> int:
    """Remove the notes this add-on wrote (those starting with MARK); how many."""
    removed = 0
    for sheet in doc.Sheets:
        notes = sheet.getAnnotations()
        mine = [
            i for i in range(notes.getCount()) if notes.getByIndex(i).getString().startswith(MARK)
        ]
        if not mine:
            continue
        with _Unprotected(sheet) as unprotected:
            if not unprotected.ok:
                continue
            for i in reversed(mine):
                notes.removeByIndex(i)
                removed += 1
    return removed


def _copy(doc: Any, folder: str) -> tuple[str, str]:
    """The document stored to an xlsx in ``folder`` (the document itself untouched): the
    copy's path and the document's own path ("" when it was never saved)."""
    own = uno.fileUrlToSystemPath(doc.getURL()) if doc.getURL() else ""
    name = os.path.basename(own)
    copy = os.path.join(folder, name if name.lower().endswith(".xlsx") else "classeur.xlsx")
    doc.storeToURL(uno.systemPathToFileUrl(copy), (_prop("FilterName", XLSX_FILTER),))
    return copy, own


def carry(doc: Any, ask: Any) -> tuple[bool, str]:
    """Carry the document's edits into the scenario file it was built from (found as reconcile
    finds it, beside the document's own file), the same minimal, comment-keeping write as
    ``reconcile --write-scenario``, a dated copy of the scenario kept beside it; only once
    ``ask`` agreed to what will be written."""
    budgetplan_on_path()
    from pathlib import Path

    from budgetplan.core.findings import in_lang
    from budgetplan.readback.carry import NotCarried, write_back
    from budgetplan.readback.reconciliation import reconcile

    if not doc.getURL():
        return False, "budgetplan : enregistrer d'abord le classeur / save the workbook first"
    with tempfile.TemporaryDirectory(prefix="budgetplan-addon-") as tmp:
        copy, own = _copy(doc, tmp)
        result = reconcile(copy, find_scenario=True, known_as=own)
    lang, origin = result.lang, result.origin
    if origin is not None and origin.unchanged:
        return True, _said(
            lang, "budgetplan : aucune saisie à reporter", "budgetplan: no edit to carry"
        )
    if origin is None or origin.path is None or not origin.own_file:
        where = "" if origin is None else " ; ".join(map(str, origin.tried))
        return False, _said(
            lang,
            "budgetplan : le fichier de scénario de ce classeur n'a pas été trouvé à côté de lui "
            f"({where or 'rien à chercher'}) : budgetplan reconcile --write-scenario NOUVEAU.yaml",
            "budgetplan: this workbook's scenario file was not found beside it "
            f"({where or 'nothing to look for'}): budgetplan reconcile --write-scenario NEW.yaml",
        )
    if result.errors:
        return False, _said(
            lang,
            f"budgetplan : {len(result.errors)} erreur(s) à corriger d'abord (Budget > Vérifier)",
            f"budgetplan: {len(result.errors)} error(s) to fix first (Budget > Verify)",
        )
    edits = [in_lang(f.message, lang) for f in result.findings if f.code.startswith("EDIT_")]
    scenario = Path(origin.path)
    question = _said(
        lang,
        f"Reporter dans {scenario} :\n" + "\n".join(edits),
        f"Carry into {scenario}:\n" + "\n".join(edits),
    )
    if ask is None or not ask(question):
        return True, _said(
            lang, "budgetplan : rien d'écrit. ", "budgetplan: nothing written. "
        ) + question
    try:
        kept = write_back(result, scenario, scenario, keep_scenario=True)
    except NotCarried as exc:
        return False, "budgetplan : " + in_lang(exc.message, lang)
    return True, _said(
        lang,
        f"budgetplan : écrit {scenario} ({len(result.edits)} saisie(s) ; copie gardée : {kept})",
        f"budgetplan: wrote {scenario} ({len(result.edits)} edit(s); copy kept: {kept})",
    )


def _row_of(ref: str) -> int:
    """The 0-based row of an A1 reference (``$E$12`` -> 11)."""
    return int("".join(ch for ch in ref if ch.isdigit())) - 1


def schedule(doc: Any) -> tuple[bool, str]:
    """The forward pass, each milestone's float and critical path, each event's probability of
    being ready (Timeline) and the Risk sheet's figures computed by budgetplan from the
    document's inputs as they are, written into their value cells (a milestone typed with a duration gets its date as a build gives it, and its row is
    current again); the inputs themselves untouched."""
    budgetplan_on_path()
    from budgetplan.compute.figures import compute
    from budgetplan.compute.risk import sheet_simulation
    from budgetplan.compute.risk_result import SHEET_FIGURES, SHEET_FIRST_ROW
    from budgetplan.core.findings import Severity
    from budgetplan.xlsx import layout as L
    from budgetplan.xlsx.reader import ReadError, open_workbook, read_programme
    from budgetplan.xlsx.workbook.inputs import milestone_values

    with tempfile.TemporaryDirectory(prefix="budgetplan-addon-") as tmp:
        copy, _own = _copy(doc, tmp)
        try:
            wb = open_workbook(copy)
            programme, places = read_programme(wb)
        except ReadError as exc:
            return False, "budgetplan : " + " ; ".join(f.one_line("fr") for f in exc.findings)
        lang = wb.lang
        errors = [f for f in wb.findings if f.severity is Severity.ERROR]
        if programme is None or errors:
            return False, _said(
                lang,
                f"budgetplan : {len(errors)} saisie(s) à corriger d'abord (Budget > Vérifier)",
                f"budgetplan: {len(errors)} input(s) to fix first (Budget > Verify)",
            )
        names = dict(wb.names)
    fig = compute(programme)
    simulation = sheet_simulation(fig)
    critical = {mid for path in fig.paths for mid in path.critical}
    T = L.MILESTONES
    sheet = doc.Sheets.getByName(names["milestones"])
    dated = 0
    with _Unprotected(sheet) as unprotected:
        if not unprotected.ok:
            return False, "budgetplan : feuille protégée par un mot de passe / password-protected"
        for pi, pilot in enumerate(programme.pilots):
            for mi, m in enumerate(pilot.milestones):
                _sheet, ref = places.find(("pilots", pi, "milestones", mi, "date"))
                row = _row_of(ref)
                cell = lambda key, r=row: sheet.getCellByPosition(T.index(key), r)  # noqa: E731
                values = milestone_values(fig, m, critical)  # as a build writes them
                if values.computed is None:
                    cell("calc.computed").setString("")
                else:
                    cell("calc.computed").setValue(values.computed)
                    dated += 1
                if values.float_days is None:
                    cell("calc.float").setString("")
                else:
                    cell("calc.float").setValue(values.float_days)
                cell("calc.critical").setValue(1 if values.critical else 0)
                cell("calc.built").setString(values.signature)
    _readiness(doc, names, programme, places, fig)
    if "risk" in names:
        risk = doc.Sheets.getByName(names["risk"])
        with _Unprotected(risk) as unprotected:
            if unprotected.ok:
                for i, figure in enumerate(SHEET_FIGURES):
                    value = float(getattr(simulation, figure))
                    risk.getCellByPosition(1, SHEET_FIRST_ROW + i).setValue(value)
    chance = f"{simulation.probability_over_envelope * 100:.1f}"
    return True, _said(
        lang,
        f"budgetplan : {dated} jalon(s) daté(s) par le calendrier, risque recalculé "
        f"({chance.replace('.', ',')} % de dépasser l'enveloppe)",
        f"budgetplan: {dated} milestone(s) dated by the forward pass, risk recomputed ({chance}% "
        "of exceeding the envelope)",
    )


def _readiness(doc: Any, names: dict, programme: Any, places: Any, fig: Any) -> None:
    """Each event served gets the probability of being ready that the schedule's draws give
    (the Timeline's readiness table, one row per row of the Pilots' events served), as a
    build writes it."""
    from budgetplan.xlsx import layout as L

    if "timeline" not in names:
        return
    timeline = doc.Sheets.getByName(names["timeline"])
    first = L.readiness_header_row(len(programme.pilots)) + 1
    column = L.READINESS.index("probability")
    with _Unprotected(timeline) as unprotected:
        if not unprotected.ok:
            return
        j = 0
        for pi, pilot in enumerate(programme.pilots):
            for si in range(len(pilot.serves)):
                _sheet, ref = places.find(("pilots", pi, "serves", si, "event"))
                cell = timeline.getCellByPosition(column, first + _row_of(ref) - L.FIRST_DATA_ROW)
                probability = fig.readiness[j].probability
                if probability is None:
                    cell.setString("")
                else:
                    cell.setValue(float(probability))
                j += 1


def compare(ctx: Any, doc: Any, pick: Any, hidden: bool) -> tuple[bool, str]:
    """Compare another workbook (or scenario file) with the open document: what changed and
    what it costs, as ``budgetplan diff --format xlsx`` writes it, opened as a new document
    (a file of its own in a temporary folder, for the officer to save where they want)."""
    budgetplan_on_path()
    from pathlib import Path

    from budgetplan.diff.compare import DiffError, diff, load_version
    from budgetplan.diff.workbook import write_diff_workbook

    english = doc.Sheets.hasByName("Summary")
    lang = "en" if english else "fr"
    other = pick() if pick is not None else None
    if not other:
        return False, _said(
            lang,
            "budgetplan : choisir le classeur à comparer",
            "budgetplan: choose the workbook to compare with",
        )
    folder = Path(tempfile.mkdtemp(prefix="budgetplan-comparaison-"))
    with tempfile.TemporaryDirectory(prefix="budgetplan-addon-") as tmp:
        copy, own = _copy(doc, tmp)
        name = os.path.basename(own) or "classeur.xlsx"
        try:
            result = diff(other, copy)
            programme = load_version(copy)
        except DiffError as exc:
            return False, "budgetplan : " + " ; ".join(f.one_line(lang) for f in exc.findings)
        target = folder / f"comparaison-{Path(name).stem}.xlsx"
        write_diff_workbook(result, programme, target, lang, str(other), own or name)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(str(target)), "_blank", 0, (_prop("Hidden", hidden),)
    )
    changed = len(result.lines)
    return True, _said(
        lang,
        f"budgetplan : comparaison avec {other} ouverte ({changed} ligne(s) de coût changée(s)) : "
        f"{target}",
        f"budgetplan: comparison with {other} opened ({changed} cost line(s) changed): {target}",
    )


def verify(doc: Any) -> tuple[bool, str]:
    """Reconcile a copy of the document; each finding with a cell becomes a note on it, in the
    workbook's language, the previous run's notes replaced. Nothing else in it changes."""
    budgetplan_on_path()
    try:
        from budgetplan.core.findings import in_lang
        from budgetplan.readback.reconciliation import reconcile
        from budgetplan.xlsx.reader import ReadError
    except ImportError as exc:
        return False, (
            f"budgetplan n'est pas installé pour le Python de LibreOffice ({exc}) : pip install "
            "budgetplan, ou BUDGETPLAN_PYTHONPATH / budgetplan is not installed for "
            "LibreOffice's Python"
        )
    with tempfile.TemporaryDirectory(prefix="budgetplan-addon-") as tmp:
        copy, own = _copy(doc, tmp)
        name = os.path.basename(own)
        try:
            result = reconcile(copy)
        except ReadError as exc:
            lines = [f.one_line("fr") for f in exc.findings]
            return False, "budgetplan : " + " ; ".join(lines).replace(copy, name or "classeur")
    lang = result.lang
    clear_notes(doc)
    names = set(doc.Sheets.getElementNames())
    by_sheet: dict[str, list[Any]] = {}
    for finding in result.findings:
        if finding.sheet in names and finding.cell:
            by_sheet.setdefault(finding.sheet, []).append(finding)
    placed = 0
    for sheet_name, found in by_sheet.items():
        sheet = doc.Sheets.getByName(sheet_name)
        with _Unprotected(sheet) as unprotected:
            if not unprotected.ok:
                continue
            for finding in found:
                cell = sheet.getCellRangeByName(finding.cell.split(":")[0])
                message, hint = in_lang(finding.message, lang), in_lang(finding.hint, lang)
                sheet.getAnnotations().insertNew(
                    cell.getCellAddress(), note_text(finding.code, message, hint)
                )
                placed += 1
    elsewhere = len(result.findings) - placed
    errors = len(result.errors)
    return errors == 0, _said(
        lang,
        f"budgetplan : {errors} erreur(s), {len(result.findings)} constat(s), {placed} note(s) "
        f"posée(s) sur leur cellule, {elsewhere} sans cellule (Navigateur > Commentaires pour "
        "les parcourir)",
        f"budgetplan: {errors} error(s), {len(result.findings)} finding(s), {placed} note(s) put "
        f"on their cells, {elsewhere} without a cell (Navigator > Comments to go through them)",
    )


if IN_LIBREOFFICE:
    g_ImplementationHelper = unohelper.ImplementationHelper()
    g_ImplementationHelper.addImplementation(
        Dispatcher, IMPLEMENTATION, ("com.sun.star.frame.ProtocolHandler",)
    )
