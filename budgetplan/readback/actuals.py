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

import csv
import datetime as dt
import io
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from budgetplan.compute.figures import Figures
from budgetplan.core import money
from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import Finding, Severity, unreadable

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
            if "could be" in str(exc):
                raise
            raise ValueError(f"{text!r} is not an amount") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    return money.round_cent(value)


def parse_date(text: object) -> dt.date:
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    s = str(text).strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"{text!r} is not a date (dd/mm/yyyy)")


@dataclass(frozen=True)
class Actual:
    row: int  # 1-based row in the file (header is row 1)
    commitment: str
    date: dt.date
    amount: Decimal
    status: str  # committed | paid
    line: str  # matched cost-line id, or "" when none
    key: str  # what the file gave (line id or financial code)


def read_rows(path: Path) -> list[list[object]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from python_calamine import CalamineWorkbook

        from budgetplan.xlsx.xlsxfile import XlsxError, open_xlsx

        try:
            open_xlsx(path).close()
        except XlsxError as exc:
            raise ActualsError([exc.finding]) from None
        from budgetplan.xlsx.reader import ReadError, corrupt_as_read_error

        try:
            with corrupt_as_read_error(path):
                return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        except ReadError as exc:
            raise ActualsError(exc.findings) from None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # Excel's French CSV export
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


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


def load_actuals(path: str | Path, figures: Figures) -> tuple[list[Actual], list[Finding]]:
    """Read an export and match each row to a cost line (by id, else by financial code)."""
    path = Path(path)
    try:
        rows = read_rows(path)
    except OSError as exc:
        raise ActualsError([unreadable(str(path), exc)]) from None
    if not rows:
        raise ActualsError.of(
            "EMPTY",
            "the actuals file is empty",
            "export the commitments and payments again",
            file=str(path),
        )
    if len(rows) > MAX_ROWS:
        raise ActualsError.of(
            "TOO_LARGE",
            f"more than {MAX_ROWS:,} rows",
            "split the export",
            file=str(path),
        )
    header = [_norm(h) for h in rows[0]]
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
                    f"missing column(s): {', '.join(need)}",
                    "name the columns commitment, date, amount, status, line or financial_code "
                    "(or their French headings)",
                    file=str(path),
                    line=1,
                )
            ]
        )
    ids = {lf.id for lf in figures.lines}
    by_code = _codes(figures)
    actuals: list[Actual] = []
    findings: list[Finding] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue

        def get(key: str, row: list[object] = row) -> object:
            i = columns.get(key)
            return row[i] if i is not None and i < len(row) else ""

        try:
            amount = parse_amount(get("amount"))
            date = parse_date(get("date"))
            status = STATUS.get(_norm(str(get("status"))))
            if status is None:
                raise ValueError(f"status {get('status')!r} is neither committed nor paid")
        except ValueError as exc:
            findings.append(
                Finding(
                    Severity.ERROR,
                    "ACTUALS_BAD_ROW",
                    str(exc),
                    "correct this row of the export",
                    file=str(path),
                    line=n,
                )
            )
            continue
        line_key = str(get("line")).strip()
        code = str(get("financial_code")).strip()
        line = line_key if line_key in ids else by_code.get(code, "")
        actuals.append(
            Actual(n, str(get("commitment")).strip(), date, amount, status, line, line_key or code)
        )
    return actuals, findings


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


def budget_against_actual(figures: Figures, actuals: list[Actual]) -> ActualsReport:
    as_of = max((a.date for a in actuals), default=None)
    months = figures.months
    upto = sum(1 for m in months if m <= as_of.replace(day=1)) if as_of is not None else 0
    lines: dict[str, LineActuals] = {}
    for lf in figures.lines:
        planned = sum(lf.monthly[:upto])
        lines[lf.id] = LineActuals(
            lf.id, lf.line.pilot, Decimal(lf.ttc) / 100, Decimal(planned) / 100
        )
    paid_by_month: dict[dt.date, Decimal] = defaultdict(Decimal)
    unmatched = []
    for a in actuals:
        if not a.line:
            unmatched.append(a)
            continue
        if a.status == "committed":
            lines[a.line].committed += a.amount
        else:
            lines[a.line].paid += a.amount
            paid_by_month[a.date.replace(day=1)] += a.amount
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
    for a in unmatched:
        report.findings.append(
            Finding(
                Severity.WARNING,
                "ACTUAL_UNMATCHED",
                f"commitment {a.commitment} ({a.amount} EUR, {a.status}) matches no cost line "
                f"('{a.key}')",
                "give its cost-line id or a financial code set on a line",
                extra={"row": a.row},
            )
        )
    for la in lines.values():
        if la.committed > la.ae:
            report.findings.append(
                Finding(
                    Severity.WARNING,
                    "OVERCOMMITTED",
                    f"line {la.line}: {la.committed} EUR committed against {la.ae} EUR of AE",
                    "raise the line's budget or cut the commitment",
                    path=("line", la.line),
                )
            )
        if la.paid > max(la.committed, Decimal(0)) and la.paid > 0:
            report.findings.append(
                Finding(
                    Severity.ERROR,
                    "PAID_OVER_COMMITTED",
                    f"line {la.line}: {la.paid} EUR paid against {la.committed} EUR committed",
                    "a payment needs its legal commitment (AE) first",
                    path=("line", la.line),
                )
            )
    return report
