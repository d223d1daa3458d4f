"""Read a budgetplan workbook back into a programme, with the same layout the writer used.

Values come through python-calamine (fast, no formula evaluation); each input table is parsed row
by row into the model, and every cell that cannot be read becomes a finding that names its sheet
and cell. The workbook may have been saved again by Excel or LibreOffice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from python_calamine import CalamineError, CalamineWorkbook
from xlsxwriter.utility import xl_rowcol_to_cell

from budgetplan.core import model as m
from budgetplan.core.codes import is_name
from budgetplan.core.codes import name as code_name
from budgetplan.core.codes import read as read_code
from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import (
    TMPDIR_HINT as _TMPDIR_HINT,
)
from budgetplan.core.findings import (
    Finding,
    Severity,
    in_lang,
    os_error_fr,
    said,
    validation_message,
)
from budgetplan.core.labels import LANGS, Lang, label
from budgetplan.xlsx import layout as L
from budgetplan.xlsx.codec import CellError, codec
from budgetplan.xlsx.codec import blank as _blank
from budgetplan.xlsx.xlsxfile import MAX_SHEET_CELLS, XlsxError, far_cell, open_xlsx, sheet_parts


class ReadError(BudgetplanError):
    """The file is not a budgetplan workbook that this version can read."""


@dataclass
class Workbook:
    """A budgetplan workbook as read: its sheets' values, its language, and what was wrong."""

    path: Path
    lang: Lang
    layout_version: int
    about: dict[str, str]
    values: LazySheets  # layout sheet key -> rows of cell values, read on first use
    names: dict[str, str]  # layout sheet key -> sheet name found in the file
    parts: dict[str, str]  # layout sheet key -> zip member of its XML
    findings: list[Finding] = field(default_factory=list)
    #: When set, a cell that cannot be read takes the value of the same column in another row of
    #: its table: the programme is then a stand-in of the right shape, for checking formulas only
    stand_ins: bool = False
    #: When set, a cell that cannot be read takes the value its item (a cost line, a pilot, a
    #: milestone, by id) has in this programme, the one the workbook was built from: the
    #: programme read then holds every other edit, so that one bad value hides none of them
    originals: m.Programme | None = None

    def with_stand_ins(self) -> Workbook:
        """This workbook read again with stand-ins for unreadable cells, its findings apart."""
        return dataclasses.replace(self, findings=[], stand_ins=True)

    def with_originals(self, original: m.Programme) -> Workbook:
        """This workbook read again, each unreadable cell as ``original`` has it (findings
        apart: the plain reading reported them)."""
        return dataclasses.replace(self, findings=[], originals=original)

    def report(
        self,
        code: str,
        message: str,
        hint: str,
        sheet: str,
        cell: str = "",
        severity: Severity = Severity.ERROR,
    ) -> None:
        """Record a finding on this workbook, at ``sheet`` and ``cell``."""
        self.findings.append(
            Finding(severity, code, message, hint, file=str(self.path), sheet=sheet, cell=cell)
        )

    def cell(self, key: str, row: int, col: int) -> Any:
        rows = self.values.get(key, [])
        if row < len(rows) and col < len(rows[row]):
            return rows[row][col]
        return ""


#: Sheets read as soon as a workbook is opened: those that hold inputs. Calculation sheets
#: (Phasing is most of a large workbook) are read only if something looks at their values.
EAGER = ("parameters", "pilots", "milestones", "inputs", "schedules")
#: Sheets whose extent is checked (see far_cell) when first read rather than when opened.
LAZY = frozenset(L.SHEETS) - {*EAGER, "about"}


class LazySheets(dict):  # type: ignore[type-arg]
    """Sheet values by layout key, read through python-calamine on first access."""

    def __init__(self, book: CalamineWorkbook, path: Path):
        super().__init__()
        self.book, self.path = book, path
        self.names: dict[str, str] = {}
        self.parts: dict[str, str] = {}
        self.findings: list[Finding] = []

    def load(self, key: str) -> list[list[Any]] | None:
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        name = self.names.get(key)
        if name is None:
            return None
        part = self.parts.get(key)
        if key in LAZY and part is not None:
            with open_xlsx(self.path, allow_macros=True) as zf:
                far = far_cell(zf, part)
            if far is not None:
                raise _too_far(self.path, name, far)
        try:
            rows = self.book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (CalamineError, ValueError) as exc:
            self.findings.append(
                Finding(
                    Severity.ERROR,
                    "CORRUPT",
                    f"unreadable sheet ({exc})",
                    "save the workbook again",
                    file=str(self.path),
                    sheet=name,
                )
            )
            rows = []
        dict.__setitem__(self, key, rows)
        return rows

    def __contains__(self, key: object) -> bool:
        return key in self.names

    def __getitem__(self, key: str) -> list[list[Any]]:
        rows = self.load(key)
        if rows is None:
            raise KeyError(key)
        return rows

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        rows = self.load(key)
        return default if rows is None else rows


def _too_far(path: Path, sheet: str, cell: str) -> ReadError:
    return ReadError.of(
        "TOO_LARGE",
        f"sheet {sheet!r} holds a cell at {cell}, so far out that its rows and columns "
        f"would span over {MAX_SHEET_CELLS // 1_000_000} million cells",
        f"delete the cell {cell} (or what lies far past the tables), then save again",
        file=str(path),
    )


def _sheet_key_by_name() -> dict[str, tuple[str, Lang]]:
    return {L.sheet_name(k, lang): (k, lang) for lang in LANGS for k in L.SHEETS}


def open_workbook(
    path: str | Path, allow_macros: bool = False, upgrading: bool = False
) -> Workbook:
    """Identify a budgetplan workbook and load its values; raise ReadError otherwise.
    ``upgrading``: a workbook of an earlier layout whose inputs this reader reads
    (``layout.LAYOUTS_UPGRADABLE``) is read too, for ``budgetplan upgrade``."""
    path = Path(path)
    try:
        with corrupt_as_read_error(path):
            return _open_workbook(path, allow_macros, upgrading)
    except RecursionError:
        raise ReadError.of(
            "CORRUPT",
            "the workbook is nested too deeply",
            "save it again",
            file=str(path),
        ) from None


@contextlib.contextmanager
def corrupt_as_read_error(path: Path) -> Iterator[None]:
    """Turn what a damaged or hostile file raises deep in zip, zlib or calamine into ReadError."""
    try:
        yield
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        CalamineError,
        UnicodeDecodeError,
        KeyError,
        IndexError,
        ValueError,
        OSError,
    ) as exc:
        if isinstance(exc, ReadError):
            raise
        if isinstance(exc, OSError) and exc.filename and Path(exc.filename) != Path(path):
            # another file than the workbook: the temporary folder full, a folder not writable
            raise ReadError.of(
                "TEMPORARY_FILES",
                said(
                    f"budgetplan could not write its working files ({exc.strerror or exc}: "
                    f"{exc.filename})"[:300],
                    f"budgetplan n'a pas pu écrire ses fichiers de travail ({os_error_fr(exc)} : "
                    f"{exc.filename})"[:300],
                ),
                _TMPDIR_HINT,
                file=str(path),
            ) from None
        raise ReadError.of(
            "CORRUPT",
            said(
                f"the workbook is damaged ({type(exc).__name__}: {exc})"[:300],
                f"le classeur est endommagé ({type(exc).__name__} : {exc})"[:300],
            ),
            said(
                "send the workbook again, or save it again from Excel",
                "renvoyer le classeur, ou l'enregistrer de nouveau depuis Excel",
            ),
            file=str(path),
        ) from None


def _open_workbook(path: Path, allow_macros: bool, upgrading: bool = False) -> Workbook:
    """Long: each refusal (not a zip, not ours, layout version, sheets renamed or missing) is a finding at its place."""
    try:
        zf = open_xlsx(path, allow_macros)
    except XlsxError as exc:
        raise ReadError([exc.finding]) from None
    with zf:
        try:
            parts = sheet_parts(zf)
            known = _sheet_key_by_name()
            # the sheets read now (inputs, About, any not named as the layout names them); the
            # calculated ones (Phasing: 1.2 GB of XML at 100,000 lines) when first read, if ever
            now = [p for p in parts if known.get(p.name, ("",))[0] not in LAZY]
            far = next(((p.name, c) for p in now if (c := far_cell(zf, p.part))), None)
        except (KeyError, zipfile.BadZipFile, OSError, zlib.error) as exc:
            raise ReadError.of(
                "CORRUPT",
                f"unreadable sheet list ({exc})",
                "save the workbook again",
                file=str(path),
            ) from None
    if far is not None:
        raise _too_far(path, *far)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise ReadError.of(
            "CORRUPT",
            f"unreadable workbook ({exc})",
            "save the workbook again",
            file=str(path),
        ) from None
    found = [(i, p.name, known.get(p.name)) for i, p in enumerate(parts)]
    langs = {k[1] for _, _, k in found if k}
    about_key = next((p.name for p in parts if known.get(p.name, ("",))[0] == "about"), None)
    if about_key is None:
        if not langs:
            raise ReadError.of(
                "NOT_BUDGETPLAN",
                "is not a budgetplan workbook (no sheet of its layout)",
                "give a workbook written by `budgetplan build`",
                file=str(path),
            )
        raise ReadError.of(
            "SHEET_MISSING",
            "the About sheet is missing or renamed, so the layout version is unknown",
            "rebuild the workbook or restore the About sheet",
            file=str(path),
        )
    about = _read_about(book, about_key)
    lang: Lang = "en" if about.get("lang") == "en" else "fr"
    written = str(about.get("layout", "")).strip()
    if written != L.LAYOUT and not (upgrading and written in L.LAYOUTS_UPGRADABLE):
        raise ReadError([_other_layout(path, about_key, written)])
    version = L.LAYOUT_VERSION

    wb = Workbook(path, lang, version, about, LazySheets(book, path), {}, {})
    wb.values.names = wb.names
    wb.values.parts = wb.parts
    wb.values.findings = wb.findings
    by_name = {p.name: (i, p) for i, p in enumerate(parts)}
    for index, key in enumerate(L.SHEETS):
        expected = L.sheet_name(key, lang)
        if expected in by_name:
            part = by_name[expected][1]
        elif index < len(parts) and parts[index].name not in known:
            part = parts[index]
            wb.report(
                "SHEET_RENAMED",
                said(
                    f"sheet '{expected}' was renamed '{part.name}'",
                    f"la feuille '{expected}' a été renommée '{part.name}'",
                ),
                said(
                    f"rename it back to '{expected}': formulas and the reader depend on it",
                    f"lui rendre son nom '{expected}' : les formules et la relecture en dépendent",
                ),
                part.name,
            )
        else:
            wb.report(
                "SHEET_MISSING",
                said(f"sheet '{expected}' is missing", f"la feuille '{expected}' manque"),
                said(
                    "restore it or rebuild the workbook", "la rétablir ou reconstruire le classeur"
                ),
                expected,
            )
            continue
        wb.names[key] = part.name
        wb.parts[key] = part.part
        if key in EAGER:
            wb.values.load(key)
    return wb


def _other_layout(path: Path, about_key: str, written: str) -> Finding:
    """The refusal of a workbook of another layout, naming it and the way forward."""
    known = L.LAYOUTS.get(written)
    if known is None:
        head = written.split(".")[0]
        newer = head.isdigit() and int(head) > L.LAYOUT_VERSION
        known = said(
            "a newer budgetplan's" if newer else "a layout this budgetplan does not know",
            "celle d'un budgetplan plus récent" if newer else "une mise en page inconnue",
        )
    hint = said(
        "carry its edits into its scenario with the budgetplan that wrote it (reconcile "
        "--write-scenario), then rebuild it from that scenario with this one (budgetplan "
        "build SCENARIO)",
        "reporter ses saisies dans son scénario avec le budgetplan qui l'a écrit (reconcile "
        "--write-scenario), puis le reconstruire depuis ce scénario avec celui-ci "
        "(budgetplan build SCÉNARIO)",
    )
    if written in L.LAYOUTS_UPGRADABLE:
        hint = said(
            f"bring it to this layout, its inputs and edits kept: budgetplan upgrade {path}",
            f"le passer à cette mise en page, saisies gardées : budgetplan upgrade {path}",
        )
    return Finding(
        Severity.ERROR,
        "LAYOUT_VERSION",
        said(
            f"was written with layout {written or '?'} ({in_lang(known, 'en')}); this budgetplan "
            f"reads layout {L.LAYOUT}",
            f"a été écrit avec la mise en page {written or '?'} ({in_lang(known, 'fr')}) ; ce "
            f"budgetplan lit la mise en page {L.LAYOUT}",
        ),
        hint,
        file=str(path),
        sheet=about_key,
    )


def _read_about(book: CalamineWorkbook, name: str) -> dict[str, str]:
    rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    out = {}
    key_col, value_col = L.ABOUT_COLS["key"], L.ABOUT_COLS["value"]
    for row in rows[L.FIRST_DATA_ROW :]:
        if len(row) <= value_col:
            continue
        key, value = row[key_col], row[value_col]
        if isinstance(key, str) and key in L.ABOUT_KEYS:
            out[key] = str(int(value)) if isinstance(value, float) else str(value)
    return out


# --------------------------------------------------------------------------- tables


class CellRefs(Mapping[str, str]):
    """A1 references of a table row's input cells by field key, made on demand."""

    __slots__ = ("_cols", "_row")

    def __init__(self, cols: dict[str, int], row0: int):
        self._cols, self._row = cols, row0

    def __getitem__(self, key: str) -> str:
        return xl_rowcol_to_cell(self._row, self._cols[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._cols)

    def __len__(self) -> int:
        return len(self._cols)


@dataclass
class Row:
    """One item of an input table: its values by field, and where it sits."""

    index: int  # 0-based position in the table
    excel_row: int  # 1-based row in the sheet
    data: dict[str, Any]
    cells: Mapping[str, str]  # field key -> A1 reference


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if "." not in key:
            if value is not None:
                out[key] = value
            continue
        *parents, last = key.split(".")
        target = out
        for part in parents:
            target = target.setdefault(part, {})
        if value is not None:
            target[last] = value
    return {k: v for k, v in out.items() if v != {}}  # a nested model left blank: none


def table_rows(wb: Workbook, table: L.Table) -> list[Row]:
    """Rows of an input table from its first data row to the last non-blank one."""
    if table.sheet not in wb.values:
        return []
    rows = wb.values[table.sheet]
    inputs = [(table.first_col + i, c) for i, c in enumerate(table.columns) if c.is_input]
    converters = [(j, c.key, codec(c.kind, c.codes, wb.lang).fast_decode) for j, c in inputs]
    out: list[Row] = []
    sheet = wb.names[table.sheet]
    cols = {c.key: j for j, c in inputs}
    coded = {c.key: c.codes for _, c in inputs if c.codes is not None}
    heads = {c.key: label(c.label, "fr") for _, c in inputs}
    stop = label(table.until, wb.lang) if table.until else None
    for r in range(L.FIRST_DATA_ROW, len(rows)):
        raw = rows[r]
        width = len(raw)
        if stop is not None and width and raw[0] == stop:
            break  # the calculations laid out below the table
        values = [raw[j] if j < width else "" for j, _ in inputs]
        if all(_blank(v) for v in values):
            continue
        data: dict[str, Any] = {}
        cells = CellRefs(cols, r)
        for value, (_j, key, convert_cell) in zip(values, converters, strict=True):
            try:
                data[key] = convert_cell(value)
                if key in coded and data[key] is not None and not wb.stand_ins:
                    _named(wb, coded[key], value, sheet, cells[key])
            except CellError as exc:
                kept = _original(wb, table, data.get("id"), key)
                if kept is not _INVALID:
                    data[key] = kept  # as it was: this bad cell is no edit
                    continue
                if not wb.stand_ins and wb.originals is None:  # reported once, by the plain reading
                    wb.report(
                        "BAD_VALUE",
                        _about(key, heads[key], exc),
                        said(
                            "type a value of the right kind in this input cell",
                            "saisir une valeur du bon type dans cette cellule",
                        ),
                        sheet,
                        cells[key],
                    )
                data[key] = _INVALID
        out.append(Row(len(out), r + 1, data, cells))
    if wb.stand_ins and not _stand_in(out):
        wb.report(
            "NO_STAND_IN",
            said("a whole column is unreadable", "une colonne entière est illisible"),
            "",
            sheet,
        )
    return out


#: "The new ... typed in row n", in French, by what was typed.
_NEW_FR = {"milestone": "le jalon saisi", "evaluation": "l'évaluation saisie"}


def _about(key: str, head_fr: str, exc: CellError) -> str:
    """A cell's error, after the column it is in (its key in English, its header in French)."""
    text = exc.args[0] if exc.args else str(exc)
    return said(f"{key}: {text}", f"{head_fr} : {in_lang(text, 'fr')}")


def _named(wb: Workbook, codes: type[StrEnum], value: Any, sheet: str, ref: str) -> None:
    """A code read from its code or its other language's name is read, but the workbook's
    formulas compare names in its language: say which name to choose (the LISTS check fails)."""
    if not is_name(codes, str(value), wb.lang):
        wanted = code_name(read_code(codes, str(value)) or "", codes, wb.lang)
        wb.report(
            "NOT_IN_LIST",
            said(
                f"'{value}' is not in the drop-down list: the formulas read '{wanted}'",
                f"'{value}' n'est pas dans la liste déroulante : les formules lisent '{wanted}'",
            ),
            said(
                f"choose '{wanted}' from the cell's list",
                f"choisir '{wanted}' dans la liste de la cellule",
            ),
            sheet,
            ref,
            Severity.WARNING,
        )


def _stand_in(rows: list[Row]) -> bool:
    """Replace each unreadable value by the same column's value in the first row that has one;
    False when a column has no readable value at all."""
    donors: dict[str, Any] = {}
    for row in rows:
        for key, value in row.data.items():
            if value is not _INVALID and key not in donors:
                donors[key] = value
    whole = True
    for row in rows:
        for key, value in row.data.items():
            if value is _INVALID:
                if key not in donors:
                    whole = False
                    continue
                row.data[key] = donors[key]
    return whole


_INVALID = object()

#: The tables whose rows are items of the programme found by id, and where those items are.
_BY_ID = {"CostLines": "cost_lines", "Pilots": "pilots", "Milestones": "milestones"}


def _original(wb: Workbook, table: L.Table, ident: Any, key: str) -> Any:
    """The value of ``key`` for the item ``ident`` in ``wb.originals``, or _INVALID."""
    where = _BY_ID.get(table.name)
    if wb.originals is None or where is None or not isinstance(ident, str):
        return _INVALID
    programme = wb.originals
    if where == "milestones":
        items = [ms for p in programme.pilots for ms in p.milestones]
    else:
        items = list(getattr(programme, where))
    item = next((x for x in items if x.id.upper() == ident.upper()), None)
    if item is None:
        return _INVALID
    value = L.field_value(item, key)
    return _INVALID if value is None and key != "id" else value


def validate_row(
    wb: Workbook, table: L.Table, row: Row, model: type[BaseModel], extra: dict[str, Any]
) -> BaseModel | None:
    """The model of one row, or None with each error as a finding on its cell."""
    if any(v is _INVALID for v in row.data.values()):
        return None
    payload = {**_nest(row.data), **extra}
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        sheet = wb.names[table.sheet]
        for error in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function"))
            ref = row.cells.get(loc) or next(
                (c for k, c in row.cells.items() if loc.startswith(k) or k.startswith(loc)),
                row.cells.get("id", ""),
            )
            wb.report(
                "BAD_VALUE",
                said(
                    f"{loc or 'row'}: {validation_message(error)}",
                    f"{loc or 'ligne'} : {in_lang(validation_message(error), 'fr')}",
                ),
                said("correct this input cell", "corriger cette cellule"),
                sheet,
                ref,
            )
        return None


# --------------------------------------------------------------------------- the programme


@dataclass
class Locator:
    """Where each part of the programme sits in the workbook, for findings (resolved lazily)."""

    wb: Workbook
    places: dict[tuple[Any, ...], tuple[str, str]] = field(default_factory=dict)
    rows: dict[tuple[Any, ...], tuple[L.Table, Row]] = field(default_factory=dict)

    def add(self, path: tuple[Any, ...], sheet_key: str, ref: str) -> None:
        self.places[path] = (sheet_key, ref)

    def _sheet(self, key: str) -> str:
        return self.wb.names.get(key) or L.sheet_name(key, self.wb.lang)

    def find(self, path: tuple[Any, ...]) -> tuple[str, str]:
        for n in range(len(path), 0, -1):
            prefix = path[:n]
            if prefix in self.places:
                key, ref = self.places[prefix]
                return self._sheet(key), ref
            if prefix in self.rows:
                table, row = self.rows[prefix]
                return self._sheet(table.sheet), _row_ref(row, path[n:])
        return ("", "")


def _row_ref(row: Row, rest: tuple[Any, ...]) -> str:
    """The cell of ``rest`` (a field, or a group such as cp) in a row, else its id cell."""
    keys = list(row.cells)
    if rest:
        parts = [str(p) for p in rest]
        for candidate in (".".join(parts[:2]), parts[0]):
            if candidate in row.cells:
                return row.cells[candidate]
        group = [k for k in keys if k.startswith(parts[0] + ".")]
        if group:
            preferred = [k for k in group if k.split(".")[1] in ("start", "low")]
            return row.cells[(preferred or group)[0]]
    return row.cells["id"] if "id" in row.cells else (row.cells[keys[0]] if keys else "")


def _row_places(loc: Locator, prefix: tuple[Any, ...], table: L.Table, row: Row) -> None:
    loc.rows[prefix] = (table, row)


def _children(wb: Workbook, table: L.Table, model: type[BaseModel]) -> dict[str, list[Any]]:
    """The valid rows of a child table of pilots (milestones, events served), grouped by the
    parent id in its ``parent_key`` column, each with its row."""
    out: dict[str, list[Any]] = {}
    rows = table_rows(wb, table)
    taken = {r.data.get("id") for r in rows if isinstance(r.data.get("id"), str)}
    for row in rows:
        parent_id = row.data.get(table.parent_key)
        data = {k: v for k, v in row.data.items() if k != table.parent_key}
        if "id" in data and not data["id"] and isinstance(parent_id, str):
            data["id"] = new_line_id(parent_id, taken)  # a milestone typed in an empty row
            taken.add(data["id"])
            what = "milestone" if table is L.MILESTONES else "evaluation"
            wb.report(
                f"{what.upper()}_ADDED",
                said(
                    f"new {what} in row {row.excel_row} gets id {data['id']}",
                    f"{_NEW_FR[what]} ligne {row.excel_row} reçoit le code {data['id']}",
                ),
                said(
                    f"keep this id: it identifies the {what} from now on",
                    "garder ce code : il l'identifie désormais",
                ),
                wb.names[table.sheet],
                row.cells["id"],
                severity=Severity.INFO,
            )
        durations = [k for k in data if k.startswith("duration.") and data[k] is not None]
        if table is L.MILESTONES and data.get("date") is not None and durations:
            for key in durations:  # a date typed over a computed milestone fixes it there
                data[key] = None
            wb.report(
                "MILESTONE_FIXED",
                said(
                    f"milestone {data.get('id')} is fixed on the date typed in row "
                    f"{row.excel_row}: its duration no longer applies",
                    f"le jalon {data.get('id')} est fixé à la date saisie ligne {row.excel_row} : "
                    "sa durée ne s'applique plus",
                ),
                said(
                    "clear the date to compute it from its prerequisites again",
                    "effacer la date pour la calculer de nouveau à partir de ses prérequis",
                ),
                wb.names[table.sheet],
                row.cells["date"],
                severity=Severity.INFO,
            )
        item = validate_row(wb, table, Row(row.index, row.excel_row, data, row.cells), model, {})
        if item is not None and isinstance(parent_id, str):
            out.setdefault(parent_id, []).append((row, item))
    return out


def new_line_id(pilot: str, taken: set[str]) -> str:
    k = 1
    while f"{pilot}-NEW{k}" in taken:
        k += 1
    return f"{pilot}-NEW{k}"


def _items_of(
    wb: Workbook, loc: Locator, table: L.Table, model: type[BaseModel], field: str
) -> list[Any]:
    """The valid items of a table that stands alone (envelopes, events), each located."""
    items = []
    for row in table_rows(wb, table):
        _row_places(loc, (field, row.index), table, row)
        item = validate_row(wb, table, row, model, {})
        if item is not None:
            items.append(item)
    return items


def _set_dotted(target: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value


def _read_parameters(wb: Workbook, loc: Locator) -> dict[str, Any]:
    """The programme's scalar fields from the Parameters sheet, found by their key column."""
    P = L.PARAM_COLS
    params = wb.values.get("parameters", [])
    known = {k for k, *_ in L.PARAMETERS}
    keys_found = {}
    for r in range(L.FIRST_DATA_ROW, len(params)):
        row = params[r]
        key = row[P["key"]] if len(row) > P["key"] else None
        if isinstance(key, str) and key in known:
            keys_found[key] = r

    def cell(r: int, col: str) -> Any:
        row = params[r]
        return row[P[col]] if len(row) > P[col] else ""

    scalars: dict[str, Any] = {}
    for key, _lbl, kind, _name in L.PARAMETERS:
        r = keys_found.get(key)
        ref = xl_rowcol_to_cell(r if r is not None else L.parameter_row(key), P["value"])
        loc.add(tuple(key.split(".")), "parameters", ref)
        if r is None and key in L.LAYOUTS_UPGRADABLE.get(wb.about.get("layout", ""), ()):
            continue  # a parameter its layout did not have: it takes its default
        if r is None:
            wb.report(
                "ROW_MISSING",
                said(f"parameter row '{key}' is missing", f"la ligne du paramètre '{key}' manque"),
                said("restore the row", "rétablir la ligne"),
                wb.names.get("parameters", ""),
                ref,
            )
            continue
        try:
            value = codec(kind).decode(cell(r, "value"))
        except CellError as exc:
            wb.report(
                "BAD_VALUE",
                _about(key, key, exc),
                said("type a value of the right kind", "saisir une valeur du bon type"),
                wb.names["parameters"],
                ref,
            )
            continue
        if value is not None:
            _set_dotted(scalars, key, value)
    _read_sources(params, keys_found, scalars)
    return scalars


def _read_sources(
    params: list[list[Any]], keys_found: dict[str, int], scalars: dict[str, Any]
) -> None:
    """The provenance and rationale of the parameters' parent objects (the reserve, the risk
    accepted), which stand beside their first scalar."""
    P = L.PARAM_COLS

    def cell(r: int, col: str) -> Any:
        row = params[r]
        return row[P[col]] if len(row) > P[col] else ""

    for parent, first_key in (
        ("reserve", "reserve.titre2_rate"),
        ("risk_acceptance", "risk_acceptance.overrun_probability"),
    ):  # the provenance and rationale of a parent object stand beside its first scalar
        r2 = keys_found.get(first_key)
        if r2 is None or len(params[r2]) <= P["rationale"]:
            continue
        found = scalars.setdefault(parent, {})
        for col in ("provenance", "rationale"):
            if cell(r2, col):
                found[col] = cell(r2, col)
        if isinstance(found.get("provenance"), str):  # shown by its name: read as its code
            code = read_code(m.Provenance, found["provenance"])
            found["provenance"] = code.value if code else found["provenance"]


def _read_pilots(wb: Workbook, loc: Locator) -> list[Any]:
    """The pilots, each with the milestones and events served that name it."""
    children = {t.via: _children(wb, t, model) for t, model in _PILOT_CHILDREN}
    pilots = []
    for row in table_rows(wb, L.PILOTS):
        pi = len(pilots)
        pilot_id = row.data.get("id")
        mine = {
            via: (rows.pop(pilot_id, []) if isinstance(pilot_id, str) else [])
            for via, rows in children.items()
        }
        extra = {via: [item for _, item in held] for via, held in mine.items()}
        pilot = validate_row(wb, L.PILOTS, row, m.Pilot, extra)
        if pilot is None:
            continue
        _row_places(loc, ("pilots", pi), L.PILOTS, row)
        for table, _model in _PILOT_CHILDREN:
            held = mine[table.via]
            for k, (child_row, _) in enumerate(held):
                _row_places(loc, ("pilots", pi, table.via, k), table, child_row)
            if held and table is L.MILESTONES:
                loc.add(("pilots", pi, table.via), table.sheet, held[0][0].cells["id"])
        pilots.append(pilot)
    for table, _model in _PILOT_CHILDREN:
        for pilot_id, rows in children[table.via].items():
            for row, _ in rows:
                wb.report(
                    "UNKNOWN_REFERENCE",
                    said(
                        f"pilot '{pilot_id}' does not exist", f"le pilote '{pilot_id}' n'existe pas"
                    ),
                    said("choose a pilot from the list", "choisir un pilote dans la liste"),
                    wb.names[table.sheet],
                    row.cells[table.parent_key],
                )
    return pilots


_PILOT_CHILDREN: tuple[tuple[L.Table, type[BaseModel]], ...] = (
    (L.MILESTONES, m.Milestone),
    (L.SERVES, m.ServedEvent),
    (L.EVALUATIONS, m.Evaluation),
)


def _read_schedules(wb: Workbook) -> dict[str, dict[dt.date, Decimal]]:
    """Explicit CP amounts by line id and month (amounts of one month added up)."""
    T = L.SCHEDULES
    month_key, amount_key = (c.key for c in T.columns if c.key != T.parent_key)
    schedules: dict[str, dict[dt.date, Decimal]] = {}
    for row in table_rows(wb, T):
        line_id, month, amount = (row.data.get(k) for k in (T.parent_key, month_key, amount_key))
        if not (
            isinstance(line_id, str) and isinstance(month, dt.date) and isinstance(amount, Decimal)
        ):
            if not any(v is _INVALID for v in row.data.values()):
                wb.report(
                    "INCOMPLETE_ROW",
                    said(
                        "a schedule row needs line, month and amount",
                        "une échéance demande une ligne, un mois et un montant",
                    ),
                    said("fill the row or delete it", "compléter la ligne ou la supprimer"),
                    wb.names[T.sheet],
                    row.cells[T.parent_key],
                )
            continue
        per_line = schedules.setdefault(line_id, {})
        key = month.replace(day=1)
        per_line[key] = per_line.get(key, Decimal(0)) + amount
    return schedules


def _read_lines(wb: Workbook, loc: Locator) -> list[Any]:
    """The cost lines, with their explicit schedules; a row added without an id gets one."""
    schedules = _read_schedules(wb)
    lines = []
    rows = table_rows(wb, L.INPUTS)
    taken = {r.data.get("id") for r in rows if isinstance(r.data.get("id"), str)}
    for row in rows:
        data = dict(row.data)
        if not data.get("id") and isinstance(data.get("pilot"), str):
            data["id"] = new_line_id(data["pilot"], taken)  # a row the officer added
            taken.add(data["id"])
            wb.report(
                "LINE_ADDED",
                said(
                    f"new line in row {row.excel_row} gets id {data['id']}",
                    f"la ligne saisie ligne {row.excel_row} reçoit le code {data['id']}",
                ),
                said(
                    "keep this id: it identifies the line from now on",
                    "garder ce code : il identifie désormais la ligne",
                ),
                wb.names["inputs"],
                row.cells["id"],
                severity=Severity.INFO,
            )
        if data.get("cp.profile") == m.Profile.EXPLICIT.value:
            data[L.SCHEDULES.via] = schedules.get(data.get("id"), {})
        line = validate_row(
            wb, L.INPUTS, Row(row.index, row.excel_row, data, row.cells), m.CostLine, {}
        )
        row.data = data = {}  # the line's values live on in its model: 100,000 rows not held twice
        if line is not None:
            _row_places(loc, ("cost_lines", len(lines)), L.INPUTS, row)
            lines.append(line)
    return lines


#: The input tables, each checked by its header row before it is read.
INPUT_TABLES: tuple[L.Table, ...] = tuple(
    t for t in vars(L).values() if isinstance(t, L.Table) and any(c.is_input for c in t.columns)
)


def moved_headers(wb: Workbook) -> int:
    """Report, for each input table whose header row is not the layout's (a column inserted,
    deleted or moved), the first header out of place; how many tables were reported. Columns
    are read by their place: reading a shifted table would take every value for another."""
    reported = 0
    for table in INPUT_TABLES:
        if table.sheet not in wb.values:
            continue
        rows = wb.values[table.sheet]
        header = rows[L.HEADER_ROW] if len(rows) > L.HEADER_ROW else []
        for i, col in enumerate(table.columns):
            j = table.first_col + i
            found = header[j] if j < len(header) else ""
            wanted = label(col.label, wb.lang)
            if not col.is_input or str(found).strip() == wanted:
                continue
            shown = str(found).strip()
            shown_en, shown_fr = (shown, shown) if shown else ("(empty)", "(vide)")
            wb.report(
                "HEADER_MOVED",
                said(
                    f"column '{wanted}' is expected here, '{shown_en}' stands here instead: a "
                    "column was inserted, deleted or moved, so no value of this table is read",
                    f"la colonne « {wanted} » est attendue ici, « {shown_fr} » s'y trouve : une "
                    "colonne a été insérée, supprimée ou déplacée, aucune valeur de ce tableau "
                    "n'est lue",
                ),
                said(
                    "undo the insertion (or put the column back); add notes right of the tables",
                    "annuler l'insertion (ou remettre la colonne en place) ; écrire les notes à "
                    "droite des tableaux",
                ),
                wb.names[table.sheet],
                xl_rowcol_to_cell(L.HEADER_ROW, j),
            )
            reported += 1
            break
    return reported


def read_programme(wb: Workbook) -> tuple[m.Programme | None, Locator]:
    """The programme the workbook's input cells describe (None if they do not make one, or if
    a table's columns are not where the layout has them)."""
    loc = Locator(wb)
    if moved_headers(wb):
        return None, loc
    before = len(wb.findings)
    scalars = _read_parameters(wb, loc)
    envelopes = _items_of(wb, loc, L.ENVELOPES, m.Envelope, "envelopes")
    events = _items_of(wb, loc, L.EVENTS, m.Event, "events")
    thresholds = _items_of(wb, loc, L.THRESHOLDS, m.Thresholds, "thresholds")
    procedures = _items_of(wb, loc, L.ROUTES, m.Procedure, "procedures")
    closures = _items_of(wb, loc, L.CLOSURES, m.Closure, "closures")
    spreads = _items_of(wb, loc, L.SPREADS, m.Spread, "spreads")
    pilots = _read_pilots(wb, loc)
    lines = _read_lines(wb, loc)
    if any(f.severity is Severity.ERROR for f in wb.findings[before:]):
        return None, loc
    try:
        programme = m.Programme.model_validate(
            {
                **scalars,
                "envelopes": envelopes,
                "events": events,
                "thresholds": thresholds,
                "procedures": procedures,
                "closures": closures,
                "spreads": spreads,
                "pilots": pilots,
                "cost_lines": lines,
            }
        )
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path = tuple(error["loc"])
            sheet, ref = loc.find(path)
            wb.report(
                "BAD_VALUE",
                said(
                    f"{'.'.join(map(str, path))}: {validation_message(error)}",
                    f"{'.'.join(map(str, path))} : {in_lang(validation_message(error), 'fr')}",
                ),
                said("correct this input", "corriger cette saisie"),
                sheet,
                ref,
            )
        return None, loc
    return programme, loc
