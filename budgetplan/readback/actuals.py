"""Actuals: exports of legal commitments (AE) and payments (CP), matched to cost lines.

Expected columns (headings in English or French, any order, case and accents ignored):

| column | also accepted as | what it holds |
| --- | --- | --- |
| commitment | n° ej, numero ej, engagement, numero d'engagement, ej | commitment number (text) |
| date | date comptable, date de paiement | dd/mm/yyyy or yyyy-mm-dd |
| amount | montant, montant ttc | euros incl. VAT; `1 234,56` and `1234.56` both read |
| status | statut, etat, nature | `committed` (engage, ej) or `paid` (paye, dp, paiement) |
| line | ligne, id ligne, cost line | a cost-line id of the programme ... |
| financial_code | code financier, code chorus, activite | ... or a financial code set on a line, or the Chorus activité of exactly one line |

A row needs a line or a financial code that maps to a line; the rows that match none are listed.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from budgetplan.compute.figures import Figures
from budgetplan.core import money
from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import Finding, Severity, said, unreadable
from budgetplan.core.paths import NOT_REGULAR, special_file

HEADINGS = {
    "commitment": (
        "commitment",
        "n ej",
        "no ej",
        "numero ej",
        "engagement",
        "ej",
        "numero d'engagement",
        "numero engagement",
        "commitment number",
    ),
    "date": ("date", "date comptable", "date de paiement", "date d'engagement"),
    "amount": ("amount", "montant", "montant ttc", "amount ttc"),
    "status": ("status", "statut", "etat", "nature"),
    "line": ("line", "ligne", "id ligne", "cost line", "cost_line", "code ligne"),
    "financial_code": (
        "financial_code",
        "financial code",
        "code financier",
        "code chorus",
        "activite",
        "code",
    ),
}
STATUS = {
    "committed": "committed",
    "engage": "committed",
    "ej": "committed",
    "commitment": "committed",
    "paid": "paid",
    "paye": "paid",
    "dp": "paid",
    "paiement": "paid",
    "payment": "paid",
}
MAX_ROWS = 1_000_000
STATUS_FR = {"committed": "engagé", "paid": "payé"}
#: Amounts of an export are below a thousand billion euros (15 digits), as in every cell.
MAX_AMOUNT = Decimal(10) ** 15
#: Dates of an export are those of a budget, as everywhere in budgetplan.
FIRST_DAY, LAST_DAY = dt.date(1990, 1, 1), dt.date(2100, 12, 31)
#: Rows that match no line listed one by one; the rest are counted.
MAX_UNMATCHED_LISTED = 1_000


class ActualsError(BudgetplanError):
    """Actuals input budgetplan cannot use."""


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("°", " ").replace("_", " ").replace(".", " ").split())


def parse_amount(text: object) -> Decimal:
    """Euros from a cell, to the cent: a number, or text as :func:`money.parse_amount` reads it."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        value = Decimal(repr(text))
    else:
        try:
            value = money.parse_amount(str(text))
        except ValueError as exc:
            if "could be" in str(exc) or "scientific notation" in str(exc):
                raise
            raise ValueError(
                said(f"{_shown(text)} is not an amount", f"{_shown(text)} n'est pas un montant")
            ) from None
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise ValueError(
            said(
                f"{_shown(text)} is not an amount (at most 15 digits before the decimal mark)",
                f"{_shown(text)} n'est pas un montant (15 chiffres au plus avant la virgule)",
            )
        )
    return money.round_cent(value)


def parse_date(text: object) -> dt.date:
    if isinstance(text, str):
        return _parse_date_text(text)
    return _parse_date(text)


@functools.lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> dt.date:
    """A date written as text: an export's dates repeat, each is parsed once."""
    return _parse_date(text)


def _parse_date(text: object) -> dt.date:
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return _in_range(text)
    s = str(text).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return _in_range(dt.datetime.strptime(s, fmt).date())
        except ValueError as exc:
            if "out of range" in str(exc):
                raise
    raise ValueError(
        said(
            f"{_shown(text)} is not a date (dd/mm/yyyy)",
            f"{_shown(text)} n'est pas une date (jj/mm/aaaa)",
        )
    )


def _in_range(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            said(
                f"date {day.isoformat()} is out of range (1990-2100)",
                f"la date {day:%d/%m}/{day.year:04d} est hors de la plage admise (1990-2100)",
            )
        )
    return day


@dataclass(frozen=True)
class Actual:
    row: int  # 1-based row in the file (header is row 1)
    commitment: str
    date: dt.date
    amount: Decimal
    status: str  # committed | paid
    line: str  # matched cost-line id, or "" when none
    key: str  # what the file gave (line id or financial code)


def read_rows(path: Path) -> Iterator[list[object]]:
    """The rows of an export, one at a time: a CSV is never held whole (its text, or its rows),
    so that the row limit is met before the memory is."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _xlsx_rows(path)
    else:
        yield from _csv_rows(path)


def _xlsx_rows(path: Path) -> Iterator[list[object]]:
    from python_calamine import CalamineWorkbook

    from budgetplan.xlsx.reader import ReadError, corrupt_as_read_error
    from budgetplan.xlsx.xlsxfile import XlsxError, open_xlsx

    try:
        open_xlsx(path).close()
    except XlsxError as exc:
        raise ActualsError([exc.finding]) from None
    try:
        with corrupt_as_read_error(path):
            yield from CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()
    except ReadError as exc:
        raise ActualsError(exc.findings) from None


def too_many_rows(path: Path, line: int | None = None) -> ActualsError:
    return ActualsError.of(
        "TOO_LARGE",
        said(f"more than {MAX_ROWS:,} rows", f"plus de {MAX_ROWS:,} lignes".replace(",", " ")),
        said("split the export", "découper l'export"),
        file=str(path),
        line=line,
    )


def survey(path: Path) -> str:
    """The encoding of a CSV export, from one pass over its bytes that also counts its lines:
    UTF-8 (with or without its mark) when the whole file reads as such, else Windows-1252, as
    Excel's French CSV export writes it. An export of more lines than the row limit is refused
    here, before a row is parsed (about 0.2 s per 100 MB)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, lines = True, 0
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            lines += chunk.count(b"\n")
            if lines > MAX_ROWS + 1:
                raise too_many_rows(path)
    return "utf-8-sig" if utf8 else "cp1252"


def _decoded(raw: Iterable[bytes], encoding: str, path: Path) -> Iterator[str]:
    """The lines of a file as text, each decoded on its own so that a bad byte is named at its
    line (a UTF-8 mark is dropped from the first)."""
    for number, line in enumerate(raw, start=1):
        try:
            yield line.decode(encoding if number == 1 else encoding.removesuffix("-sig"))
        except UnicodeDecodeError as exc:
            name = "UTF-8" if encoding.startswith("utf") else "Windows-1252"
            raise ActualsError.of(
                "ENCODING",
                said(
                    f"byte 0x{exc.object[exc.start]:02x} is not {name} text",
                    f"l'octet 0x{exc.object[exc.start]:02x} n'est pas du texte {name}",
                ),
                said(
                    "export the file again as UTF-8 (or Windows-1252, as Excel's CSV)",
                    "exporter de nouveau le fichier en UTF-8 (ou Windows-1252, le CSV d'Excel)",
                ),
                file=str(path),
                line=number,
            ) from None


def _csv_rows(path: Path) -> Iterator[list[object]]:
    encoding = survey(path)
    with path.open("rb") as raw:
        sample = raw.read(4096).decode(encoding, errors="replace")
        raw.seek(0)
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
        except csv.Error:
            delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(_decoded(raw, encoding, path), delimiter=delimiter)
        try:
            yield from reader
        except csv.Error as exc:
            limit = csv.field_size_limit()
            raise ActualsError.of(
                "ACTUALS_BAD_ROW",
                said(
                    f"not a CSV row this reader can take ({exc})",
                    f"ligne CSV illisible ({exc})",
                ),
                said(
                    f"fields hold at most {limit:,} characters; export the file again",
                    f"un champ compte au plus {limit} caractères ; exporter de nouveau le fichier",
                ),
                file=str(path),
                line=reader.line_num,
            ) from None


def _codes(figures: Figures) -> dict[str, str]:
    """The line each code names: its financial code, or its Chorus activité when no other line
    shares it."""
    by_code = {lf.line.financial_code: lf.id for lf in figures.lines if lf.line.financial_code}
    activities: dict[str, list[str]] = {}
    for lf in figures.lines:
        if lf.line.activite:
            activities.setdefault(lf.line.activite, []).append(lf.id)
    for activite, owners in activities.items():
        if len(owners) == 1:
            by_code.setdefault(activite, owners[0])
    return by_code


def load_actuals(path: str | Path, figures: Figures) -> tuple[Iterator[Actual], list[Finding]]:
    """Read an export and match each row to a cost line (by id, else by financial code).

    The header is read at once (a file that cannot be an export is refused here); the rows come
    one at a time as the caller takes them, and a row that cannot be read is added to the
    findings returned, so that a million-row export is never held as rows or text."""
    path = Path(path)
    if special_file(path):  # a named pipe would block the open, /dev/zero never end
        raise ActualsError.of(
            "NOT_A_FILE",
            NOT_REGULAR,
            said(
                "give the path of a CSV or .xlsx export",
                "donner le chemin d'un export CSV ou .xlsx",
            ),
            file=str(path),
        )
    try:
        rows = read_rows(path)
        header_row = next(rows, None)
    except OSError as exc:
        raise ActualsError([unreadable(str(path), exc)]) from None
    if header_row is None:
        raise ActualsError.of(
            "EMPTY",
            said("the actuals file is empty", "le fichier d'exécution est vide"),
            said(
                "export the commitments and payments again",
                "exporter de nouveau les engagements et les paiements",
            ),
            file=str(path),
        )
    columns = _columns(header_row, path)
    findings: list[Finding] = []
    return _actuals(rows, columns, figures, path, findings), findings


def _columns(header_row: list[object], path: Path) -> dict[str, int]:
    header = [_norm(str(h)) for h in header_row]
    columns: dict[str, int] = {}
    for key, names in HEADINGS.items():
        for i, h in enumerate(header):
            if h in {_norm(n) for n in names} and key not in columns:
                columns[key] = i
    missing = [k for k in ("commitment", "date", "amount", "status") if k not in columns]
    if missing or ("line" not in columns and "financial_code" not in columns):
        need = missing + ([] if "line" in columns or "financial_code" in columns else ["line"])
        raise ActualsError(
            [
                Finding(
                    Severity.ERROR,
                    "ACTUALS_COLUMNS",
                    said(
                        f"missing column(s): {', '.join(need)}",
                        f"colonne(s) manquante(s) : {', '.join(need)}",
                    ),
                    said(
                        "name the columns commitment, date, amount, status, line or "
                        "financial_code (or their French headings)",
                        "nommer les colonnes n° EJ, date, montant, statut, ligne ou code "
                        "financier (ou leurs intitulés anglais)",
                    ),
                    file=str(path),
                    line=1,
                )
            ]
        )
    return columns


def _actuals(
    rows: Iterator[list[object]],
    columns: dict[str, int],
    figures: Figures,
    path: Path,
    findings: list[Finding],
) -> Iterator[Actual]:
    ids = {lf.id: lf.id for lf in figures.lines}  # each row's id is the programme's string
    by_code = _codes(figures)
    try:
        for n, row in enumerate(rows, start=2):
            if n > MAX_ROWS + 1:  # an xlsx export (a CSV is counted before it is read)
                raise too_many_rows(path, n)
            actual = _actual(n, row, columns, ids, by_code, path, findings)
            if actual is not None:
                yield actual
    except OSError as exc:
        raise ActualsError([unreadable(str(path), exc)]) from None


def _actual(
    n: int,
    row: list[object],
    columns: dict[str, int],
    ids: dict[str, str],
    by_code: dict[str, str],
    path: Path,
    findings: list[Finding],
) -> Actual | None:
    if not any(str(c).strip() for c in row):
        return None

    def get(key: str) -> object:
        i = columns.get(key)
        return row[i] if i is not None and i < len(row) else ""

    try:
        amount = parse_amount(get("amount"))
        date = parse_date(get("date"))
        status = STATUS.get(_norm(str(get("status"))))
        if status is None:
            raise ValueError(
                said(
                    f"status {get('status')!r} is neither committed nor paid",
                    f"le statut {get('status')!r} n'est ni engagé ni payé",
                )
            )
    except ValueError as exc:
        findings.append(
            Finding(
                Severity.ERROR,
                "ACTUALS_BAD_ROW",
                exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc),
                said("correct this row of the export", "corriger cette ligne de l'export"),
                file=str(path),
                line=n,
            )
        )
        return None
    line_key = str(get("line")).strip()
    code = str(get("financial_code")).strip()
    line = ids.get(line_key) or by_code.get(code, "")
    commitment = str(get("commitment")).strip()
    return Actual(n, commitment, date, amount, status, line, line_key or code)


#: Columns of budget against actual, as the text, Markdown and workbook reports show them.
REPORT_COLUMNS = (
    "AE (budget)",
    "committed",
    "AE used",
    "CP planned to date",
    "paid",
    "CP variance",
    "forecast at completion",
)


@dataclass
class LineActuals:
    line: str
    pilot: str
    ae: Decimal  # budget (AE = amount incl. VAT)
    cp_to_date: Decimal  # CP planned up to the month of the latest actual
    committed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)

    @property
    def ae_rate(self) -> Decimal | None:
        return (self.committed / self.ae).quantize(Decimal("0.0001")) if self.ae else None

    @property
    def cp_variance(self) -> Decimal:
        """Paid less planned to date: negative is a delay in payments."""
        return self.paid - self.cp_to_date

    @property
    def forecast(self) -> Decimal:
        """Forecast at completion: the budget, or the firm commitments if they exceed it."""
        return max(self.ae, self.committed)


@dataclass
class ActualsReport:
    as_of: dt.date | None
    lines: list[LineActuals]
    by_pilot: dict[str, LineActuals]
    by_month: dict[dt.date, tuple[Decimal, Decimal]]  # month -> (CP planned, paid)
    unmatched: list[Actual]
    findings: list[Finding] = field(default_factory=list)


def budget_against_actual(figures: Figures, actuals: Iterable[Actual]) -> ActualsReport:
    """Budget against actual, line by line, pilot by pilot and month by month, in one pass over
    the actuals (they may be a stream): only the rows matching no line are kept, the first
    :data:`MAX_UNMATCHED_LISTED` of them."""
    lines: dict[str, LineActuals] = {
        lf.id: LineActuals(lf.id, lf.line.pilot, Decimal(lf.ttc) / 100, Decimal(0))
        for lf in figures.lines
    }
    paid_by_month: dict[dt.date, Decimal] = defaultdict(Decimal)
    unmatched: list[Actual] = []
    as_of: dt.date | None = None
    unlisted = 0
    for a in actuals:
        as_of = a.date if as_of is None or a.date > as_of else as_of
        if not a.line:
            if len(unmatched) < MAX_UNMATCHED_LISTED:
                unmatched.append(a)
            else:
                unlisted += 1
            continue
        if a.status == "committed":
            lines[a.line].committed += a.amount
        else:
            lines[a.line].paid += a.amount
            paid_by_month[a.date.replace(day=1)] += a.amount
    months = figures.months
    upto = sum(1 for m in months if m <= as_of.replace(day=1)) if as_of is not None else 0
    for lf in figures.lines:
        lines[lf.id].cp_to_date = Decimal(sum(lf.monthly[:upto])) / 100
    by_pilot: dict[str, LineActuals] = {}
    for la in lines.values():
        p = by_pilot.setdefault(la.pilot, LineActuals(la.pilot, la.pilot, Decimal(0), Decimal(0)))
        p.ae += la.ae
        p.cp_to_date += la.cp_to_date
        p.committed += la.committed
        p.paid += la.paid
    by_month = {
        m: (Decimal(figures.cp_by_month[k]) / 100, paid_by_month.get(m, Decimal(0)))
        for k, m in enumerate(months)
    }
    report = ActualsReport(as_of, list(lines.values()), by_pilot, by_month, unmatched)
    report.findings = _report_findings(report, unlisted)
    return report


def _report_findings(report: ActualsReport, unlisted: int) -> list[Finding]:
    """What budget against actual finds: rows that match no line, lines committed over their
    budget, payments over their commitments."""
    findings: list[Finding] = []
    if unlisted:
        findings.append(
            Finding(
                Severity.WARNING,
                "ACTUAL_UNMATCHED",
                said(
                    f"{unlisted:,} more rows match no cost line (the first "
                    f"{MAX_UNMATCHED_LISTED:,} are listed)",
                    f"{unlisted} lignes de plus ne correspondent à aucune ligne de coût (les "
                    f"{MAX_UNMATCHED_LISTED} premières sont listées)",
                ),
                said(
                    "give each row its cost-line id or a financial code set on a line",
                    "donner à chaque ligne l'id de sa ligne de coût ou un code financier",
                ),
            )
        )
    for a in report.unmatched:
        findings.append(
            Finding(
                Severity.WARNING,
                "ACTUAL_UNMATCHED",
                said(
                    f"commitment {a.commitment} ({_eur(a.amount, 'en')}, {a.status}) matches no "
                    f"cost line ('{a.key}')",
                    f"l'engagement {a.commitment} ({_eur(a.amount, 'fr')}, "
                    f"{STATUS_FR[a.status]}) ne correspond à aucune ligne de coût ('{a.key}')",
                ),
                said(
                    "give its cost-line id or a financial code set on a line",
                    "donner l'id de sa ligne de coût ou un code financier porté par une ligne",
                ),
                extra={"row": a.row},
            )
        )
    for la in report.lines:
        if la.committed > la.ae:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "OVERCOMMITTED",
                    said(
                        f"line {la.line}: {_eur(la.committed, 'en')} committed against "
                        f"{_eur(la.ae, 'en')} of AE",
                        f"ligne {la.line} : {_eur(la.committed, 'fr')} engagés pour "
                        f"{_eur(la.ae, 'fr')} d'AE",
                    ),
                    said(
                        "raise the line's budget or cut the commitment",
                        "relever le budget de la ligne ou réduire l'engagement",
                    ),
                    path=("line", la.line),
                )
            )
        if la.paid > max(la.committed, Decimal(0)) and la.paid > 0:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "PAID_OVER_COMMITTED",
                    said(
                        f"line {la.line}: {_eur(la.paid, 'en')} paid against "
                        f"{_eur(la.committed, 'en')} committed",
                        f"ligne {la.line} : {_eur(la.paid, 'fr')} payés pour "
                        f"{_eur(la.committed, 'fr')} engagés",
                    ),
                    said(
                        "a payment needs its legal commitment (AE) first",
                        "un paiement suppose d'abord son engagement juridique (AE)",
                    ),
                    path=("line", la.line),
                )
            )
    return findings


def _eur(amount: Decimal, lang: str) -> str:
    return money.eur(money.to_cents(amount), lang)


def _shown(value: object) -> str:
    """A cell's value as a message quotes it: at most 40 characters."""
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")
