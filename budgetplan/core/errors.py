"""One base class for what budgetplan refuses: an error that carries its findings (each with its
file, line, sheet and cell), so that every command reports it the same way, in one line each."""

from __future__ import annotations

from typing import Any, Self

from budgetplan.core.findings import Finding, Severity


class BudgetplanError(Exception):
    """Input budgetplan cannot use; ``findings`` say where and what to do."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("; ".join(f.one_line() for f in findings[:3]))

    @classmethod
    def of(
        cls,
        code: str,
        message: str,
        hint: str = "",
        path: tuple[str | int, ...] = (),
        file: object = "",
        line: int | None = None,
        **where: Any,
    ) -> Self:
        """The error of one finding: ``raise ReadError.of("CORRUPT", "...", "...", file=path)``.

        The arguments are the Finding's, in its order; ``where`` takes sheet and cell."""
        finding = Finding(Severity.ERROR, code, message, hint, path, str(file), line, **where)
        return cls([finding])


class SaidError(BudgetplanError):
    """An error of one sentence with no place of its own (a change that cannot apply, a script
    that defines no scenario): its message and hint are said texts, so it is reported in the
    user's language like every other finding. ``str(error)`` is its message in English."""

    code = "ERROR"

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__([Finding(Severity.ERROR, self.code, message, hint)])
        self.message, self.hint = message, hint
        self.args = (message,)
