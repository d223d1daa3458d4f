"""Run scenario scripts and files: one workbook each, and a comparison workbook.

Scenario scripts import ``report`` from here (or from ``budgetplan.scenarios.runner``, its older
name, kept for them); what a scenario file or script gives is :mod:`budgetplan.scenarios.sources`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from budgetplan.compute.figures import Figures
from budgetplan.core.findings import in_lang, said
from budgetplan.core.labels import Lang, label, user_lang
from budgetplan.publish import Built, OverwriteRefused, publish
from budgetplan.scenarios.comparison import Column, write_comparison
from budgetplan.scenarios.scenario import Scenario, ScenarioError
from budgetplan.scenarios.sources import (  # noqa: F401 - re-exported for scenario scripts
    RunError,
    collect,
    load_any,
    load_source,
    scenario_source,
)
from budgetplan.xlsx.safety import lock_files
from budgetplan.yamlio.loader import load

if TYPE_CHECKING:
    from budgetplan.compute.risk import RiskResult


@dataclass
class Outcome:
    path: Path
    scenario: Scenario | None = None
    workbook: Path | None = None
    figures: Figures | None = None
    risk: RiskResult | None = None  # the simulation its Risk sheet shows
    error: str = ""
    checks_failed: list[str] = field(default_factory=list)
    kept: Path | None = None  # the backup of an edited comparison this run replaced


def comparison_columns(outcomes: list[Outcome]) -> list[Column]:
    """The scenarios built, the reference first: the default programme as it is (the base the
    scenarios start from), taken from the run when a scenario there changes nothing (the
    baseline), computed otherwise."""
    from budgetplan.compute.figures import compute
    from budgetplan.compute.risk import sheet_simulation

    built = [o for o in outcomes if o.figures is not None and o.scenario is not None]
    default = load(None).programme
    reference = next(
        (o for o in built if not o.scenario.log and o.scenario.programme == default),  # type: ignore[union-attr]
        None,
    )
    columns = []
    if reference is None:
        fig = compute(default)
        columns.append(Column("baseline", fig, sheet_simulation(fig)))
    for o in sorted(built, key=lambda o: o is not reference):
        columns.append(
            Column(o.scenario.name, o.figures, o.risk or sheet_simulation(o.figures))  # type: ignore[union-attr, arg-type]
        )
    return columns


def build_scenario(
    scenario: Scenario, output: str | Path, lang: Lang = "fr", force: bool = False
) -> Built:
    """Write a scenario's workbook (its About sheet names the scenario)."""
    return publish(scenario.programme, scenario_source(scenario), Path(output), lang, force)


def report(
    scenario: Scenario,
    output: str | Path | None = None,
    echo: bool = True,
    lang: Lang | None = None,
) -> str:
    """What ``scenario`` changes against the default programme, in budget terms; with
    ``output``, also build its workbook there. Printed unless ``echo`` is False. In ``lang``,
    by default the user's (English for an English locale, French otherwise), as the command
    line speaks."""
    from budgetplan.diff import render as diff_render
    from budgetplan.diff.compare import diff

    said_in: Lang = lang or user_lang()
    head = "scénario" if said_in == "fr" else "scenario"
    lines = [f"{head} {scenario.name}: {scenario.description.strip()}".rstrip(": ")]
    lines += [
        f"  - {in_lang(a.change, said_in)} : {in_lang(a.effect, said_in)}"
        if said_in == "fr"
        else f"  - {a.change}: {a.effect}"
        for a in scenario.log
    ]
    result = diff(Scenario.default().programme, scenario.programme)
    base = "référence" if said_in == "fr" else "baseline"
    lines.append(diff_render.to_text(result, base, scenario.name, lang=said_in))
    if output is not None:
        built = build_scenario(scenario, output, said_in)
        lines.append(label("bld.wrote_file", said_in).format(path=built.path))
    text = "\n".join(lines)
    if echo:
        print(text)
    return text


def run_all(paths: list[Path], out_dir: Path, progress=None, lang: Lang = "fr") -> list[Outcome]:  # type: ignore[no-untyped-def]
    from budgetplan.yamlio.loader import LoadError

    outcomes = []
    names = {"comparison"}  # each scenario's workbook is named after it, beside comparison.xlsx
    for path in collect(paths):
        outcome = Outcome(path)
        try:
            scenario = load_any(path)
            if scenario.name.lower() in names:
                raise RunError(
                    said(
                        f"{path}: a scenario named {scenario.name!r} is already in this run "
                        "(or is the comparison's name): give it a name of its own",
                        f"{path} : un scénario nommé {scenario.name!r} est déjà dans cette "
                        "exécution (ou porte le nom de la comparaison) : lui donner un nom propre",
                    )
                )
            names.add(scenario.name.lower())
            outcome.scenario = scenario
            built = build_scenario(scenario, out_dir / f"{scenario.name}.xlsx", lang)
            outcome.workbook = built.path
            outcome.figures = built.figures
            outcome.risk = built.risk
            outcome.checks_failed = [r.spec.code for r in built.checks if not r.ok]
        except LoadError as exc:
            outcome.error = "; ".join(f.one_line(lang) for f in exc.findings[:3])
        except RunError as exc:
            outcome.error = in_lang(exc.message, lang)
        except OverwriteRefused as exc:
            outcome.error = in_lang(
                said(
                    f"{exc.target}: not written: {exc.message} ({exc.hint})",
                    f"{exc.target} : non écrit : {in_lang(exc.message, 'fr')} "
                    f"({in_lang(exc.hint, 'fr')})",
                ),
                lang,
            )
        except ScenarioError as exc:  # a script's change that cannot apply, in its words
            reason = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
            outcome.error = f"{path}: {in_lang(reason, lang)}"
        except Exception as exc:  # noqa: BLE001 - one failing scenario never stops the others
            outcome.error = f"{path}: {type(exc).__name__}: {exc}"
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    if any(o.figures is not None for o in outcomes):
        target = out_dir / "comparison.xlsx"
        locks = lock_files(target)
        if locks:  # open in Excel or LibreOffice: left as it is, said as a failed outcome
            outcomes.append(
                Outcome(
                    target,
                    error=f"{target}: not written: it is open (lock file {locks[0].name}); "
                    "close it and run again",
                )
            )
        else:
            kept = write_comparison(comparison_columns(outcomes), target, lang)
            if kept is not None:
                outcomes.append(Outcome(target, kept=kept))
    return outcomes
