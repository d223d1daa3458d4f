"""The command line, a thin layer over :mod:`budgetplan.api`.

Exit codes: 0 ok, 1 a rule is broken, 2 bad input.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from budgetplan.cli_help import french
from budgetplan.cli_said import usage_fr
from budgetplan.core.errors import BudgetplanError
from budgetplan.core.findings import Finding, in_lang, os_error_fr, said
from budgetplan.core.labels import Lang, label, user_lang
from budgetplan.core.version import __version__


def _plain_arguments() -> None:
    """Arguments as a command line's help writes them: ``SCENARIO`` required, ``[SCENARIO]``
    optional, ``PATHS...`` repeated, with no ``{...}`` or ``<path>`` around them (the Typer
    releases this project allows print those). Guarded: where Typer has no such methods, its
    own rendering stays; tests/test_cli.py reads every command's help."""
    argument = getattr(getattr(typer, "core", None), "TyperArgument", None)
    if argument is None or not hasattr(argument, "_usage_display_name"):
        return

    def usage(self) -> str:  # type: ignore[no-untyped-def]
        name = self.metavar or self.name.upper()
        name = name if self.required else f"[{name}]"
        return f"{name}..." if self.nargs != 1 else name

    def no_type(self, ctx) -> None:  # type: ignore[no-untyped-def]
        return None

    argument._usage_display_name = usage
    argument.display_type_rich = no_type


_plain_arguments()

app = typer.Typer(
    name="budgetplan",
    help="Build, check and reconcile Excel workbooks for a public programme budget.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class LangOpt(StrEnum):
    fr = "fr"
    en = "en"


#: The language of this command line's messages: French, unless it says ``--lang en``
#: (set by :func:`run` before the command is parsed, so that a usage error is said in it too).
_said_in: Lang = "fr"


def _lang_of(args: list[str]) -> Lang:
    """The language a command line asks for: its last ``--lang``, else the user's locale
    (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: English when it is an English one), else French."""
    lang: Lang = user_lang()
    for i, arg in enumerate(args):
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else None
        if arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        if value is not None:
            lang = "en" if value.strip().lower() == "en" else "fr"
    return lang


def _err(line: str) -> None:
    """``line`` on the standard error, in the command line's language (a :func:`said` text)."""
    typer.echo(in_lang(line, _said_in), err=True)


def _fail(findings: list[Finding], code: int = 2) -> NoReturn:
    for finding in findings:
        _err(finding.one_line(_said_in))
    raise typer.Exit(code)


def _an_xlsx(output: Path | None, what: str) -> None:
    """Refuse (exit 2) an ``output`` that is not an .xlsx file; ``what``: the workbook it is."""
    if output is not None and output.suffix.lower() != ".xlsx":
        _err(
            said(
                f"{output}: {what} must be an .xlsx file",
                f"{output} : {in_lang(what, 'fr')} doit être un fichier .xlsx",
            )
        )
        raise typer.Exit(2)


def _bad_threshold(threshold: str | None) -> NoReturn:
    _err(
        said(
            f"--threshold {threshold!r}: write an amount (1000) or a share (5%)",
            f"--threshold {threshold!r} : écrire un montant (1000) ou une part (5%)",
        )
    )
    raise typer.Exit(2)


def _not_written(exc: Exception) -> NoReturn:
    """A workbook a build would not replace (OverwriteRefused), in one line; exit 2."""
    target, message, hint = exc.target, exc.message, exc.hint  # type: ignore[attr-defined]
    _err(
        said(
            f"{target}: not written: {message} ({hint})",
            f"{target} : non écrit : {in_lang(message, 'fr')} ({in_lang(hint, 'fr')})",
        )
    )
    raise typer.Exit(2)


def _load(scenario: Path | None):  # type: ignore[no-untyped-def]  # -> Loaded
    """A programme file, a change file or a scenario script; one line per problem, exit 2."""
    from budgetplan.scenarios.sources import RunError, load_source
    from budgetplan.yamlio.loader import LoadError

    try:
        return load_source(scenario)
    except LoadError as exc:
        _fail(exc.findings)
    except RunError as exc:
        _err(exc.message)
        raise typer.Exit(2) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"budgetplan {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """budgetplan: programme budgets as workbooks a finance officer can trust."""


#: --force of the commands that write a workbook over one holding edits
Force = Annotated[
    bool,
    typer.Option("--force", help="Replace a workbook holding unreconciled edits (backed up)."),
]


@app.command()
def build(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            metavar="SCENARIO",
            help="Programme file, change file or scenario script (default: the 2022 programme).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", metavar="OUT.xlsx", help="Workbook to write."),
    ] = None,
    lang: Annotated[
        LangOpt,
        typer.Option(
            "--lang", metavar="fr|en", help="Language of the workbook (and of the messages)."
        ),
    ] = LangOpt.fr,
    force: Force = False,
) -> None:
    """Build the workbook of a scenario (written atomically, never over unreconciled edits).

    \b
    Example:
      budgetplan build scenarios/cut-40m-by-priority.yaml -o cut.xlsx
    """
    from budgetplan.api import OverwriteRefused, default_output
    from budgetplan.api import build as build_workbook
    from budgetplan.yamlio.loader import LoadError

    loaded = _load(scenario)
    target = output or default_output(loaded, lang.value)
    if target.suffix.lower() != ".xlsx":
        _err(
            said(
                f"{target}: the output must be an .xlsx file (use -o NAME.xlsx)",
                f"{target} : le classeur à écrire doit être un fichier .xlsx (-o NOM.xlsx)",
            )
        )
        raise typer.Exit(2)
    try:
        built = build_workbook(loaded=loaded, output=target, lang=lang.value, force=force)
    except OverwriteRefused as exc:
        _not_written(exc)
    except LoadError as exc:  # the scenario's translation catalogue
        _fail(exc.findings)
    said_in: Lang = lang.value
    lines = len(built.figures.lines)
    _report_built(
        built,
        lambda status: label("bld.wrote", said_in).format(
            path=built.path, lines=lines, status=status
        ),
        said_in,
    )


def _report_built(built, wrote, said_in: Lang) -> None:  # type: ignore[no-untyped-def]
    """What a written workbook tells the user: the backup kept, ``wrote(status)`` (the checks'
    status said), and the first findings of each failing check."""
    failed = [c for c in built.checks if not c.ok]
    status = (
        label("bld.all_pass", said_in)
        if not failed
        else label("bld.failing", said_in).format(n=len(failed))
    )
    if built.backup:
        typer.echo(label("bld.kept", said_in).format(path=built.backup))
    typer.echo(wrote(status))
    for check in failed:
        for finding in check.findings[:5]:
            _err(f"{label('rec.warning', said_in)}: {finding.one_line(said_in)}")


@app.command()
def upgrade(
    workbook: Annotated[
        Path,
        typer.Argument(metavar="OLD.xlsx", help="Workbook written by an earlier budgetplan."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="OUT.xlsx",
            help="Workbook to write (default: beside it, named for the layout).",
        ),
    ] = None,
    force: Force = False,
) -> None:
    """Bring a workbook of an earlier layout to this one, its inputs and edits kept.

    \b
    Example:
      budgetplan upgrade programme-2022.xlsx -o programme-2022-v3.xlsx
    """
    from budgetplan.api import OverwriteRefused
    from budgetplan.api import upgrade as run
    from budgetplan.xlsx.reader import ReadError

    _an_xlsx(output, said("the upgraded workbook", "le classeur mis à jour"))
    _not_an_input(output, "-o", workbook)
    try:
        done = run(workbook, output, force)
    except OverwriteRefused as exc:
        _not_written(exc)
    except ReadError as exc:
        _fail(exc.findings)
    from budgetplan.xlsx import layout as L

    def wrote(status: str) -> str:
        return in_lang(
            said(
                f"wrote {done.built.path}: {workbook} (layout {done.layout}) in layout "
                f"{L.LAYOUT}, its inputs and edits kept ({status})",
                f"écrit {done.built.path} : {workbook} (mise en page {done.layout}) dans la mise "
                f"en page {L.LAYOUT}, saisies gardées ({status})",
            ),
            _said_in,
        )

    _report_built(done.built, wrote, _said_in)


@app.command()
def validate(
    scenario: Annotated[
        Path,
        typer.Argument(
            metavar="SCENARIO", help="Programme file, change file or scenario script to check."
        ),
    ],
    lang: Annotated[
        LangOpt, typer.Option("--lang", metavar="fr|en", help="Language of the report.")
    ] = LangOpt.fr,
) -> None:
    """Report every error of a scenario file at once (exit 1 rule broken, 2 unreadable).

    \b
    Example:
      budgetplan validate my-scenario.yaml
    """
    from budgetplan.compute.checks import run_checks
    from budgetplan.compute.figures import compute
    from budgetplan.yamlio.loader import node_line

    loaded = _load(scenario)
    results = run_checks(compute(loaded.programme))
    problems = [f for r in results for f in r.findings]
    for f in problems:
        # a programme file's findings point at its lines; a change file's or a script's name
        # the programme's items (the file holds no line of them)
        line = node_line(loaded.document, f.path) if loaded.document is not None else None
        where = f"{scenario}:{line or 1}" if loaded.document is not None else f"{scenario}"
        said_in: Lang = lang.value
        severity = label(f"rec.{f.severity.value}", said_in)
        typer.echo(
            f"{where}: {severity}[{f.code}] {in_lang(f.message, said_in)} "
            f"({in_lang(f.hint, said_in)})"
        )
    if problems:
        failing = sum(not r.ok for r in results)
        _err(
            f"{scenario}: "
            + label("val.problems", lang.value).format(n=len(problems), k=failing, m=len(results))
        )
        raise typer.Exit(1)
    n_lines = len(loaded.programme.cost_lines)
    typer.echo(
        f"{scenario}: " + label("val.ok", lang.value).format(lines=n_lines, checks=len(results))
    )


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command()
def reconcile(
    workbook: Annotated[
        Path, typer.Argument(metavar="WORKBOOK.xlsx", help="Workbook to read back.")
    ],
    scenario: Annotated[
        Path | None,
        typer.Option(
            "--scenario", metavar="SCENARIO.yaml", help="Original scenario file: list the edits."
        ),
    ] = None,
    actuals: Annotated[
        Path | None,
        typer.Option(
            "--actuals",
            metavar="EXPORT.csv",
            help="CSV or xlsx export of commitments and payments.",
        ),
    ] = None,
    fmt: Annotated[
        Format, typer.Option("--format", metavar="text|json|markdown", help="Output format.")
    ] = Format.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", metavar="REPORT.xlsx", help="Write a reconciliation workbook."
        ),
    ] = None,
    allow_macros: Annotated[
        bool, typer.Option("--allow-macros", help="Read an .xlsm's values (macros never run).")
    ] = False,
    write_scenario: Annotated[
        Path | None,
        typer.Option(
            "--write-scenario",
            metavar="OUT.yaml",
            help="Write the programme as the workbook holds it; with --scenario, the edits "
            "are carried into that file's text (comments and layout kept).",
        ),
    ] = None,
    lang: Annotated[
        LangOpt | None,
        typer.Option(
            "--lang", metavar="fr|en", help="Language of the report (default: the workbook's)."
        ),
    ] = None,
) -> None:
    """Check an edited workbook: integrity, budget rules, schedule, principles, edits.

    Exit 0 when there is no error, 1 when there are errors, 2 when the input cannot be read.

    \b
    Example:
      budgetplan reconcile returned.xlsx --scenario my.yaml --write-scenario my.yaml
    """
    from budgetplan.readback.actuals import ActualsError
    from budgetplan.readback.reconciliation import reconcile as run
    from budgetplan.xlsx.reader import ReadError
    from budgetplan.yamlio.loader import LoadError

    _an_xlsx(output, said("the reconciliation workbook", "le classeur du rapprochement"))
    _not_an_input(output, "-o", workbook, scenario, actuals)
    _not_an_input(write_scenario, "--write-scenario", workbook, actuals)
    try:
        result = run(workbook, scenario, actuals, allow_macros, find_scenario=scenario is None)
    except (ReadError, LoadError, ActualsError) as exc:
        _fail(exc.findings)
    said_in: Lang = lang.value if lang else ("en" if result.lang == "en" else "fr")
    title = label("rep.reconciliation", said_in).format(path=workbook)
    if result.origin is not None and fmt is Format.text:
        typer.echo(in_lang(_origin_line(result.origin), said_in))
    _print_reconciliation(result, fmt, title, said_in)
    if output is not None:
        _write_report_workbook(result, output, said_in)
    if write_scenario is not None:
        own = result.origin.path if result.origin and result.origin.own_file else None
        _write_scenario(result, scenario or own, write_scenario)
    raise typer.Exit(0 if result.ok else 1)


def _origin_line(origin) -> str:  # type: ignore[no-untyped-def]
    """Where the scenario the workbook was built from was found, or where it was looked for."""
    if origin.unchanged:
        return said(
            "no input edited since it was built (the inputs' fingerprint is the one written)",
            "aucune saisie modifiée depuis sa construction (l'empreinte des saisies est celle "
            "écrite)",
        )
    if origin.path is not None:
        return said(
            f"edits listed against the scenario it was built from: {in_lang(origin.where, 'en')}",
            f"saisies listées par rapport au scénario dont il a été construit : "
            f"{in_lang(origin.where, 'fr')}",
        )
    looked_en = "; ".join(in_lang(t, "en") for t in origin.tried) or "nowhere: no source named"
    looked_fr = "; ".join(in_lang(t, "fr") for t in origin.tried) or "nulle part : aucune source"
    return said(
        f"edits not listed: the scenario it was built from was not found (looked in {looked_en}); "
        "give it with --scenario",
        f"saisies non listées : le scénario dont il a été construit est introuvable (cherché : "
        f"{looked_fr}) ; le donner avec --scenario",
    )


def _write_report_workbook(result, output: Path, lang: Lang) -> None:  # type: ignore[no-untyped-def]
    from budgetplan.readback.workbook import write_reconciliation

    kept = write_reconciliation(result, output, lang)
    if kept is not None:
        _err(label("bld.kept", lang).format(path=kept))
    _err(label("bld.wrote_file", lang).format(path=output))


def _write_scenario(result, scenario: Path | None, target: Path) -> None:  # type: ignore[no-untyped-def]
    """The programme the workbook holds, carried into ``scenario``'s text (comments and layout
    kept) or written whole."""
    from budgetplan.readback.carry import NotCarried, write_back

    try:
        kept = write_back(result, scenario, target)
    except NotCarried as exc:
        _err(exc.message)
        raise typer.Exit(1) from None
    if kept is not None:
        _err(
            said(
                f"kept the previous {target.name} as {kept.name}",
                f"{target.name} précédent conservé sous {kept.name}",
            )
        )
    _err(said(f"wrote {target}", f"écrit {target}"))


def _print_reconciliation(result, fmt: Format, title: str, lang: Lang) -> None:  # type: ignore[no-untyped-def]
    from budgetplan.readback import render

    if fmt is Format.json:
        extra = {"actuals": render.actuals_dict(result.actuals)} if result.actuals else {}
        typer.echo(render.to_json(result.findings, lang, ok=result.ok, **extra))
    elif fmt is Format.markdown:
        typer.echo(render.to_markdown(result.findings, title, lang))
        if result.actuals:
            typer.echo("\n" + render.actuals_text(result.actuals, markdown=True, lang=lang))
    else:
        typer.echo(render.to_text(result.findings, title, lang))
        if result.actuals:
            typer.echo(render.actuals_text(result.actuals, lang=lang))


def _not_an_input(output: Path | None, option: str, *inputs: Path | None) -> None:
    """Refuse (exit 2) an output that is one of the command's own inputs, or open in Excel or
    LibreOffice: writing it would replace what the user gave, or what they are editing."""
    if output is None:
        return
    if any(p is not None and output.resolve() == p.resolve() for p in inputs):
        _err(
            said(
                f"{output}: {option} names one of this command's inputs: write to another file",
                f"{output} : {option} désigne une des entrées de la commande : écrire dans un "
                "autre fichier",
            )
        )
        raise typer.Exit(2)
    from budgetplan.xlsx.safety import lock_files

    locks = lock_files(output)
    if locks:
        _err(
            said(
                f"{output}: not written: it is open (lock file {locks[0].name}); close it first",
                f"{output} : non écrit : il est ouvert (fichier de verrou {locks[0].name}) ; le "
                "fermer d'abord",
            )
        )
        raise typer.Exit(2)


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    xlsx = "xlsx"


@app.command("diff")
def diff_cmd(
    old: Annotated[
        Path, typer.Argument(metavar="OLD", help="Old version: workbook or scenario file.")
    ],
    new: Annotated[
        Path, typer.Argument(metavar="NEW", help="New version: workbook or scenario file.")
    ],
    fmt: Annotated[
        DiffFormat | None,
        typer.Option(
            "--format",
            metavar="text|json|markdown|xlsx",
            help="Output format (default: text, or what -o's extension says).",
        ),
    ] = None,
    threshold: Annotated[
        str | None,
        typer.Option(
            "--threshold",
            metavar="1000|5%",
            help="Hide changes under an amount or a share.",
        ),
    ] = None,
    cells: Annotated[
        bool, typer.Option("--cells", help="Cell-level diff of any two xlsx files.")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Write the report there: .xlsx, .json, .md or .txt (the format follows).",
        ),
    ] = None,
    lang: Annotated[
        LangOpt,
        typer.Option(
            "--lang", metavar="fr|en", help="Language of the report (and of the -o workbook)."
        ),
    ] = LangOpt.fr,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            metavar="POLICY.yaml",
            help="List the changes that need an approval; exit 1 when one is not approved.",
        ),
    ] = None,
) -> None:
    """What changed between two budget versions and what it costs. Exit 0 same, 1 different,
    2 trouble; with --policy, 0 when every change a rule trips is approved, 1 when one is not.

    \b
    Example:
      budgetplan diff old.xlsx new.xlsx --format markdown --threshold 1000
    """
    if cells:
        _cell_diff(old, new)
    from budgetplan.diff.compare import DiffError, diff

    fmt = _report_format(fmt, output, old, new)
    try:
        result = diff(old, new, threshold)
    except DiffError as exc:
        _fail(exc.findings)
    except ArithmeticError:
        _bad_threshold(threshold)
    _diff_report(result, fmt, output, (old, new), lang.value)
    if policy is not None:
        from budgetplan.diff.compare import load_version

        approved = _policy_report(policy, load_version(old), load_version(new), new, lang.value)
        raise typer.Exit(0 if approved else 1)
    raise typer.Exit(0 if result.same else 1)


def _cell_diff(old: Path, new: Path) -> NoReturn:
    from budgetplan.diff.cells import CellDiffError, cell_diff, render_cells

    try:
        result = cell_diff(old, new)
    except CellDiffError as exc:
        _fail(exc.findings)
    typer.echo(render_cells(result, str(old), str(new)))
    raise typer.Exit(0 if result.same else 1)


def _policy_report(policy: Path, old, new, approvals: Path | None, lang: Lang) -> bool:  # type: ignore[no-untyped-def]
    """The changes from ``old`` to ``new`` a rule of ``policy`` trips, each approved or not (the
    approvals recorded in the scenario file ``approvals``); whether all are approved."""
    from budgetplan.policy import load_approvals, load_policy, trips
    from budgetplan.yamlio.loader import LoadError

    try:
        found = trips(load_policy(policy), old, new, load_approvals(approvals))
    except LoadError as exc:
        _fail(exc.findings)
    open_ = [t for t in found if t.approval is None]
    typer.echo("")
    typer.echo(label("pol.head", lang).format(policy=policy.name, n=len(found), open=len(open_)))
    for trip in found:
        typer.echo(f"  {trip.finding(str(approvals or '')).one_line(lang)}")
    return not open_


def _diff_report(
    result, fmt: DiffFormat, output: Path | None, versions: tuple[Path, Path], lang: Lang
) -> None:  # type: ignore[no-untyped-def]
    """The diff as ``fmt`` asks: a workbook, JSON, Markdown or text, to ``output`` or the terminal."""
    from budgetplan.diff import render as diff_render

    old, new = versions
    if fmt is DiffFormat.xlsx:
        from budgetplan.diff.compare import load_version
        from budgetplan.diff.workbook import write_diff_workbook

        assert output is not None  # _report_format asks for it
        kept = write_diff_workbook(result, load_version(new), output, lang, str(old), str(new))
        if kept is not None:
            _err(label("bld.kept", lang).format(path=kept))
        typer.echo(label("bld.wrote_file", lang).format(path=output))
    elif fmt is DiffFormat.json:
        _report(diff_render.to_json(result), output, lang)
    else:
        as_text = diff_render.to_markdown if fmt is DiffFormat.markdown else diff_render.to_text
        _report(as_text(result, str(old), str(new), lang), output, lang)


def _report(text: str, output: Path | None, lang: Lang) -> None:
    """A report on the terminal, or written whole to ``output`` (never half a file); a file
    there that holds anything else (another report, someone's notes) is kept as a backup."""
    if output is None:
        typer.echo(text)
        return
    from budgetplan.core.atomic import atomic_path
    from budgetplan.core.lock import writing
    from budgetplan.xlsx.safety import backup

    data = (text + "\n").encode("utf-8")
    with writing(output):
        try:
            same = output.read_bytes() == data
        except FileNotFoundError:
            same = True
        if not same:
            _err(label("bld.kept_file", lang).format(path=backup(output)))
        with atomic_path(output) as tmp:
            tmp.write_bytes(data)
    typer.echo(label("bld.wrote_file", lang).format(path=output))


#: The format a report file's extension asks for.
_FORMAT_OF_SUFFIX = {
    ".xlsx": "xlsx",
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}


def _report_format(fmt: DiffFormat | None, output: Path | None, *inputs: Path) -> DiffFormat:
    """The format of ``diff``'s report: as asked, else what ``-o``'s extension says, else text.
    Refused: an extension that names no format, a format the extension contradicts, xlsx with
    nowhere to write it, and ``-o`` naming one of the command's own inputs."""
    if output is None:
        if fmt is DiffFormat.xlsx:
            _err(
                said(
                    "--format xlsx needs -o DIFF.xlsx (the workbook to write)",
                    "--format xlsx demande -o DIFF.xlsx (le classeur à écrire)",
                )
            )
            raise typer.Exit(2)
        return fmt or DiffFormat.text
    implied = _FORMAT_OF_SUFFIX.get(output.suffix.lower())
    if implied is None:
        _err(
            said(
                f"{output}: -o takes a .xlsx, .json, .md or .txt file (the report's format)",
                f"{output} : -o prend un fichier .xlsx, .json, .md ou .txt (le format du rapport)",
            )
        )
        raise typer.Exit(2)
    if fmt is not None and fmt.value != implied:
        _err(
            said(
                f"{output}: --format {fmt.value} but the file's extension says {implied}",
                f"{output} : --format {fmt.value}, mais l'extension du fichier dit {implied}",
            )
        )
        raise typer.Exit(2)
    if any(output.resolve() == p.resolve() for p in inputs):
        _err(
            said(
                f"{output}: is one of the versions compared: write the report to another file",
                f"{output} : est une des versions comparées : écrire le rapport dans un autre "
                "fichier",
            )
        )
        raise typer.Exit(2)
    _not_an_input(output, "-o")  # nor a file open in Excel or LibreOffice
    return DiffFormat(implied)


@app.command()
def textconv(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Workbook or scenario file.")],
) -> None:
    """Print a stable, id-sorted text view of a budget version (git's textconv driver).

    \b
    Example:
      budgetplan textconv workbooks/programme-2022.xlsx | less
    """
    from budgetplan.diff.compare import DiffError, load_version
    from budgetplan.diff.textconv import textconv as render

    try:
        programme = load_version(file)
    except DiffError as exc:
        _fail(exc.findings)
    typer.echo(render(programme), nl=False)


@app.command("git-setup")
def git_setup(
    repo: Annotated[Path, typer.Option("--repo", metavar="DIR", help="Repository folder.")] = Path(
        "."
    ),
) -> None:
    """Make `git diff` show workbooks and scenarios in budget terms (idempotent).

    \b
    Example:
      .venv/bin/budgetplan git-setup && git log -p workbooks/programme-2022.xlsx
    """
    import subprocess

    attributes = repo / ".gitattributes"
    lines = attributes.read_text(encoding="utf-8").splitlines() if attributes.exists() else []
    wanted = ["*.xlsx diff=budgetplan"]
    added = [w for w in wanted if w not in lines]
    if added:
        attributes.write_text("\n".join([*lines, *added]) + "\n", encoding="utf-8")
    import shlex

    # the interpreter that runs this budgetplan, by its absolute path: git finds it however
    # budgetplan was installed (a virtual environment off PATH, pipx, a system package)
    command = f"{shlex.quote(sys.executable)} -m budgetplan textconv"
    for key, value in (
        ("diff.budgetplan.textconv", command),
        ("diff.budgetplan.cachetextconv", "true"),
    ):
        done = subprocess.run(
            ["git", "-C", str(repo), "config", key, value],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            _err(
                said(
                    f"{repo}: git config failed: {done.stderr.strip()} (is it a git repository?)",
                    f"{repo} : git config a échoué : {done.stderr.strip()} (est-ce un dépôt git ?)",
                )
            )
            raise typer.Exit(2)
    typer.echo(
        f"{attributes}: {'added ' + ', '.join(added) if added else 'already set'}; "
        f"git config diff.budgetplan.textconv = {command}"
    )


class ByOpt(StrEnum):
    pilot = "pilot"
    owner = "owner"


@app.command()
def split(
    scenario: Annotated[
        Path | None,
        typer.Argument(metavar="SCENARIO", help="Programme file (default: the 2022 programme)."),
    ] = None,
    by: Annotated[
        ByOpt, typer.Option("--by", metavar="pilot|owner", help="One workbook per pilot or owner.")
    ] = ByOpt.pilot,
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="OUTBOX/", help="Folder of the workbooks.")
    ] = Path("outbox"),
    lang: Annotated[
        LangOpt, typer.Option("--lang", metavar="fr|en", help="Language of the workbooks.")
    ] = LangOpt.fr,
    force: Annotated[
        bool, typer.Option("--force", help="Replace workbooks holding edits (backed up).")
    ] = False,
) -> None:
    """A workbook per contributor (pilot or owner), each recording the programme version and
    the pilots it was made for; `consolidate` carries their returns back.

    \b
    Example:
      budgetplan split programme.yaml --by owner -o outbox/
    """
    from budgetplan.api import OverwriteRefused
    from budgetplan.steering import split as run_split

    loaded = _load(scenario)
    try:
        built = run_split(loaded, output, by.value, lang.value, force)
    except OverwriteRefused as exc:
        _not_written(exc)
    for b in built:
        typer.echo(label("bld.wrote_file", lang.value).format(path=b.path))


@app.command()
def consolidate(
    scenario: Annotated[
        Path,
        typer.Argument(
            metavar="SCENARIO", help="The programme file the workbooks were split from."
        ),
    ],
    returns: Annotated[
        list[Path], typer.Argument(metavar="RETURN.xlsx...", help="The contributors' returns.")
    ],
    by: Annotated[
        ByOpt, typer.Option("--by", metavar="pilot|owner", help="How the programme was split.")
    ] = ByOpt.pilot,
    fmt: Annotated[
        Format, typer.Option("--format", metavar="text|json|markdown", help="Output format.")
    ] = Format.text,
    write_scenario: Annotated[
        Path | None,
        typer.Option(
            "--write-scenario",
            metavar="OUT.yaml",
            help="Carry the edits taken into SCENARIO's text (comments and layout kept), "
            "written to OUT.yaml (SCENARIO itself to update it).",
        ),
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option(
            "--policy",
            metavar="POLICY.yaml",
            help="List the consolidated changes that need an approval (exit 1 if one is not).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", metavar="REPORT.xlsx", help="Write a consolidation workbook."
        ),
    ] = None,
    base: Annotated[
        list[Path] | None,
        typer.Option(
            "--base",
            metavar="OLD.yaml",
            help="An earlier version of SCENARIO a return may have been split from (versions "
            "in SCENARIO's git history are found without it).",
        ),
    ] = None,
    lang: Annotated[
        LangOpt, typer.Option("--lang", metavar="fr|en", help="Language of the report.")
    ] = LangOpt.fr,
) -> None:
    """Read the contributors' returns as reconcile does and take, from each, the edits to what
    its contributor owns, merged three-way against the version it was split from (the scenario,
    a --base file, or a version in the scenario's git history); refused: edits to anything else
    (at their cell), changes the scenario made meanwhile to the same item (a conflict), returns
    whose version is not found. Exit 0 all taken, 1 something refused, 2 unreadable input.

    \b
    Example:
      budgetplan consolidate programme.yaml inbox/*.xlsx --write-scenario programme.yaml
    """
    from budgetplan.steering import consolidate as run_consolidate

    _not_an_input(write_scenario, "--write-scenario", *returns)
    _not_an_input(output, "-o", scenario, *returns)
    _a_programme_file(scenario)
    _an_xlsx(output, said("the consolidation workbook", "le classeur de la consolidation"))
    loaded = _load(scenario)
    result = run_consolidate(loaded, returns, by.value, tuple(base or ()))
    _consolidation_out(result, scenario, fmt, output, write_scenario, lang.value)
    approved = policy is None or _policy_report(
        policy, loaded.programme, result.programme, scenario, lang.value
    )
    raise typer.Exit(0 if result.ok and approved else 1)


def _a_programme_file(scenario: Path) -> None:
    """Consolidation writes the programme back into its file: a change file or a script, which
    hold changes, not the programme, are refused in one line."""
    from budgetplan.scenarios.scenario_file import is_change_file

    try:
        changes = scenario.suffix.lower() == ".py" or is_change_file(scenario.read_bytes())
    except OSError:
        return  # _load says what is wrong with the path
    if changes:
        _err(
            said(
                f"{scenario}: consolidate takes a programme file (the one split was run on), not "
                "a change file or a script: write the programme out first (budgetplan reconcile "
                "WORKBOOK.xlsx --write-scenario programme.yaml), then split and consolidate that",
                f"{scenario} : consolidate prend un fichier de programme (celui dont le split est "
                "parti), pas un fichier de changements ni un script : écrire d'abord le programme "
                "(budgetplan reconcile CLASSEUR.xlsx --write-scenario programme.yaml), puis "
                "refaire split et consolidate à partir de lui",
            )
        )
        raise typer.Exit(2)


def _consolidation_out(  # type: ignore[no-untyped-def]
    result, scenario: Path, fmt: Format, output: Path | None, write: Path | None, lang: Lang
) -> None:
    """The consolidation's report on the terminal, its workbook, and the scenario it writes."""
    from budgetplan.steering import consolidation_dict, consolidation_text, write_consolidation

    if fmt is Format.json:
        typer.echo(json.dumps(consolidation_dict(result, lang), indent=2, ensure_ascii=False))
    else:
        typer.echo(consolidation_text(result, lang, markdown=fmt is Format.markdown))
    if output is not None:
        kept = write_consolidation(result, output, lang)
        if kept is not None:
            _err(label("bld.kept", lang).format(path=kept))
        _err(label("bld.wrote_file", lang).format(path=output))
    if write is not None and any(r.taken for r in result.returns):
        from budgetplan.yamlio.scenario_writer import apply_to_scenario

        apply_to_scenario(scenario, result.programme, write)
        _err(label("bld.wrote_file", lang).format(path=write))


@app.command("run")
def run_cmd(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(metavar="PATHS", help="Scenario scripts (.py), files (.yaml) and folders."),
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", metavar="DIR", help="Folder for workbooks.")
    ] = Path("workbooks"),
    lang: Annotated[
        LangOpt, typer.Option("--lang", metavar="fr|en", help="Language of the workbooks.")
    ] = LangOpt.fr,
) -> None:
    """Run scenarios: a workbook each and a comparison workbook, the default programme as the
    reference. Exit 0 every scenario built and passing its checks, 1 one could not be built,
    3 every one built but some fail checks.

    \b
    Example:
      budgetplan run scenarios/ -o workbooks/
    """
    from rich.progress import Progress

    from budgetplan.api import run
    from budgetplan.scenarios.sources import collect

    targets = paths or [Path("scenarios")]
    for path in targets:
        if not path.exists():
            _err(
                said(f"{path}: no such file or folder", f"{path} : fichier ou dossier introuvable")
            )
            raise typer.Exit(2)
    todo = collect(targets)
    if not todo:
        where = ", ".join(map(str, targets))
        _err(
            said(
                f"no scenario (.py or .yaml) in {where}",
                f"aucun scénario (.py ou .yaml) dans {where}",
            )
        )
        raise typer.Exit(2)
    output.mkdir(parents=True, exist_ok=True)
    with Progress(transient=True) as progress:
        task = progress.add_task("scenarios", total=len(todo))
        outcomes = run(targets, output, lambda o: progress.advance(task), lang.value)
    failed = checks_failing = 0
    t = lambda key: label(f"run.{key}", lang.value)  # noqa: E731
    for o in outcomes:
        if o.kept is not None:
            typer.echo(label("bld.kept", lang.value).format(path=o.kept))
        elif o.error:
            failed += 1
            _err(f"{t('failed')} {o.error}")
        elif o.checks_failed:
            checks_failing += 1
            typer.echo(
                f"{t('checks')} {o.path} -> {o.workbook}: {t('checks_fail')} "
                f"{', '.join(o.checks_failed)}"
            )
        else:
            typer.echo(f"{t('ok')} {o.path} -> {o.workbook}")
    comparison = output / "comparison.xlsx"
    if any(o.workbook for o in outcomes) and not any(o.path == comparison for o in outcomes):
        typer.echo(label("bld.wrote_file", lang.value).format(path=comparison))
    raise typer.Exit(1 if failed else 3 if checks_failing else 0)


class Distribution(StrEnum):
    pert = "pert"
    triangular = "triangular"


class RiskFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def risk(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            metavar="SCENARIO",
            help="Programme file, change file or scenario script (default: the 2022 programme).",
        ),
    ] = None,
    iterations: Annotated[
        int,
        typer.Option(
            "--iterations", "-n", min=1, max=5_000_000, metavar="N", help="Draws of the model."
        ),
    ] = 10_000,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            min=0,
            max=2**63 - 1,
            metavar="S",
            help="Seed (0 or more): the same gives the same figures.",
        ),
    ] = 2022,
    distribution: Annotated[
        Distribution,
        typer.Option(
            "--distribution", metavar="pert|triangular", help="Law of each cost line's draws."
        ),
    ] = Distribution.pert,
    correlation: Annotated[
        float,
        typer.Option(
            "--correlation", min=0.0, max=1.0, metavar="R", help="Between lines of a pilot."
        ),
    ] = 0.5,
    fmt: Annotated[
        RiskFormat, typer.Option("--format", metavar="text|json", help="Output format.")
    ] = RiskFormat.text,
    lang: Annotated[
        LangOpt, typer.Option("--lang", metavar="fr|en", help="Language of the report.")
    ] = LangOpt.fr,
) -> None:
    """Cost and schedule risk by Monte Carlo: P50/P80/P90, overrun and readiness odds.

    \b
    Example:
      budgetplan risk scenarios/scanners_overrun_and_late.py --iterations 100000
    """
    from budgetplan.api import simulate
    from budgetplan.compute.risk import RiskTooLarge

    programme = _load(scenario).programme
    try:
        result = simulate(programme, iterations, seed, distribution.value, correlation)
    except RiskTooLarge as exc:
        _err(
            f"--iterations {iterations}: {in_lang(exc.message, _said_in)} ({in_lang(exc.hint, _said_in)})"
        )
        raise typer.Exit(2) from None
    if fmt is RiskFormat.json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return
    said_in: Lang = lang.value
    n = f"{iterations:,}".replace(",", " ")
    typer.echo(
        label("rk.head", said_in).format(
            n=n, seed=seed, law=distribution.value, r=_number(correlation, said_in)
        )
    )
    _print_risk(result, said_in)


def _number(value: float, lang: Lang) -> str:
    """A plain number, with the decimal comma in French."""
    return str(value).replace(".", ",") if lang == "fr" else str(value)


def _print_risk(result, lang: Lang) -> None:  # type: ignore[no-untyped-def]
    """The simulation's figures on the terminal, one block after another, in ``lang``."""

    def eur(v: float) -> str:
        return f"{v:,.0f}".replace(",", " ")

    def pct(p: float, digits: int = 0) -> str:
        text = f"{p * 100:.{digits}f}"
        return f"{text.replace('.', ',')} %" if lang == "fr" else f"{text}%"

    def t(key: str, **fields: object) -> str:
        return label(f"rk.{key}", lang).format(**fields)

    typer.echo(
        t("cost", plan=eur(result.planned))
        + f"  P50 {eur(result.p50)}  P80 {eur(result.p80)}  P90 {eur(result.p90)}"
    )
    typer.echo(t("over", net=eur(result.envelope_net), p=pct(result.probability_over_envelope, 1)))
    typer.echo(
        t("contingency", p80=eur(result.contingency_p80), planned=eur(result.contingency_planned))
    )
    typer.echo(f"{t('pilot'):<8} {'P50':>12} {'P80':>12} {'P90':>12}")
    for pid, q in result.pilots.items():
        typer.echo(f"{pid:<8} {eur(q['p50']):>12} {eur(q['p80']):>12} {eur(q['p90']):>12}")
    typer.echo(t("ready"))
    for pid, events in result.readiness.items():
        typer.echo(f"  {pid:<8} " + "  ".join(f"{e} {pct(p)}" for e, p in events.items()))
    if result.cost_drivers:
        typer.echo(t("cost_drivers"))
        for line, share in result.cost_drivers:
            typer.echo(f"  {line:<14} {eur(share):>12}")
    if result.readiness_drivers:
        typer.echo(t("date_drivers"))
        for pid, found in result.readiness_drivers.items():
            typer.echo(
                f"  {pid:<8} " + "  ".join(f"{m} {_number(round(c, 2), lang)}" for m, c in found)
            )


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors that complete and check YAML).

    \b
    Example:
      budgetplan schema > programme.schema.json
    """
    from budgetplan.core.model import Programme

    typer.echo(json.dumps(Programme.model_json_schema(), indent=2, ensure_ascii=False))


@app.command()
def verify(
    workbooks: Annotated[
        list[Path], typer.Argument(metavar="WORKBOOK.xlsx", help="Workbooks to recalculate.")
    ],
) -> None:
    """Recalculate workbooks in LibreOffice and compare every formula with its cached value.

    \b
    Example:
      budgetplan verify workbooks/programme-2022.xlsx
    """
    from budgetplan.api import verify as run_verify
    from budgetplan.xlsx.xlsxfile import XlsxError

    for path in workbooks:  # a pipe or a folder: refused by the reader, as every command does
        if not path.exists():
            _err(said(f"{path}: no such file", f"{path} : fichier introuvable"))
            raise typer.Exit(2)
    try:
        verified = run_verify(workbooks)
    except XlsxError as exc:
        _fail(exc.findings)
    except RuntimeError as exc:
        _err(str(exc))
        raise typer.Exit(2) from None
    for v in verified:
        for sheet, cells in v.errors:
            _err(
                said(
                    f"{v.path}: {sheet}!{cells}: formula error",
                    f"{v.path} : {sheet}!{cells} : formule en erreur",
                )
            )
        for m in v.mismatches[:20]:
            _err(
                said(
                    f"{v.path}: {m}",
                    f"{v.path} : {m.sheet}!{m.ref} ={m.formula} : enregistré {m.cached!r}, "
                    f"LibreOffice {m.recalculated!r}",
                )
            )
        typer.echo(
            in_lang(
                said(
                    f"{v.path}: {v.formulas} formulas, {len(v.mismatches)} mismatch(es), "
                    f"{len(v.errors)} error range(s)",
                    f"{v.path} : {v.formulas} formules, {len(v.mismatches)} écart(s), "
                    f"{len(v.errors)} plage(s) en erreur",
                ),
                _said_in,
            )
        )
    raise typer.Exit(0 if all(v.ok for v in verified) else 1)


def _click_exceptions():  # type: ignore[no-untyped-def]
    """Click's exceptions, wherever this typer keeps them (typer 0.16+ carries its own click)."""
    try:
        from typer._click import exceptions
    except ImportError:
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def run(args: list[str]) -> int:
    """Run one command line in this process; return its exit code (never raises)."""
    global _said_in
    _said_in = _lang_of(args)
    clicks = _click_exceptions()
    try:
        command = typer.main.get_command(app)
        if _said_in == "fr":
            french(command)
        code = command.main(args=args, prog_name="budgetplan", standalone_mode=False)
        return code if isinstance(code, int) else 0
    except clicks.UsageError as exc:  # one line, as every other refusal: what, where, the fix
        where = exc.ctx.command_path if exc.ctx is not None else "budgetplan"
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            typer.echo(exc.ctx.get_help())  # `budgetplan` alone: the help, as before
            return 0
        _err(
            said(
                f"{where}: {exc.format_message()} (see {where} --help)",
                f"{where} : {usage_fr(exc.format_message())} (voir {where} --help)",
            )
        )
        return 2
    except typer.Abort:
        _err(said("budgetplan: interrupted", "budgetplan : interrompu"))
        return 130
    except clicks.ClickException as exc:
        _err(f"budgetplan: {exc.format_message()}")
        return exc.exit_code
    except SystemExit as exc:
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        _err(str(exc.code))
        return 2
    except KeyboardInterrupt:
        _err(said("budgetplan: interrupted", "budgetplan : interrompu"))
        return 130
    except OSError as exc:  # a file given on the command line that cannot be read or written
        where = exc.filename or "budgetplan"
        _err(
            said(
                f"{where}: {exc.strerror or exc} "
                "(check the path, that its folder exists and that you may write there)",
                f"{where} : {os_error_fr(exc)} "
                "(vérifier le chemin, que son dossier existe et le droit d'y écrire)",
            )
        )
        return 2
    except BudgetplanError as exc:  # a problem as a value, escaped from a command's handling
        for finding in exc.findings:
            _err(finding.one_line(_said_in))
        return 2
    except Exception as exc:  # noqa: BLE001 - never show a traceback to a user
        _err(
            said(
                f"budgetplan: internal error: {type(exc).__name__}: {exc} "
                "(please report it with the command you ran)",
                f"budgetplan : erreur interne : {type(exc).__name__} : {exc} "
                "(merci de la signaler avec la commande lancée)",
            )
        )
        return 2
    return 0


def exit_on_sigterm() -> None:
    """SIGTERM as an exit (code 143) rather than a kill: the files being written remove their
    temporaries on the way out, and the files they replace stay whole."""
    import signal

    def terminated(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)


def main() -> None:
    exit_on_sigterm()
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
