"""Run scenario scripts and files: one workbook each, and a comparison workbook."""

from __future__ import annotations

import hashlib
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from budgetplan.compute.figures import Figures
from budgetplan.core.findings import in_lang, said
from budgetplan.core.labels import Lang
from budgetplan.core.source import Source
from budgetplan.publish import Built, OverwriteRefused, publish
from budgetplan.scenarios.comparison import Column, write_comparison
from budgetplan.scenarios.scenario import Scenario, ScenarioError
from budgetplan.xlsx.safety import lock_files
from budgetplan.yamlio.loader import Loaded, load, parse_programme, read_scenario_bytes

if TYPE_CHECKING:
    from budgetplan.compute.risk import RiskResult


class RunError(Exception):
    """A scenario script or file that does not give a scenario."""


def collect(paths: list[Path]) -> list[Path]:
    """Scenario scripts (.py) and files (.yaml) under ``paths``, sorted, baseline first."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.iterdir()
                if p.suffix in (".py", ".yaml", ".yml")
                and not p.name.startswith("_")
                and p.is_file()  # a FIFO or a device named x.yaml is no scenario
            )
        else:
            found.append(path)
    return sorted(found, key=lambda p: (p.stem != "baseline", p.name))


def load_any(path: Path) -> Scenario:
    """The scenario a script defines (its ``scenario`` global) or a YAML file describes."""
    if path.suffix == ".py":
        try:
            namespace = runpy.run_path(str(path), run_name="budgetplan.run")
        except SystemExit as exc:  # sys.exit() in a script ends that scenario, not the run
            raise RunError(
                f"{path}: the script exits (SystemExit {exc.code!r}) instead of defining "
                "`scenario`: leave sys.exit to its `if __name__ == '__main__':` block"
            ) from None
        scenario = namespace.get("scenario")
        if not isinstance(scenario, Scenario):
            raise RunError(
                f"{path}: defines no `scenario` (a budgetplan.scenarios.scenario.Scenario)"
            )
        return scenario
    from budgetplan.yamlio.scenario_file import load_scenario_file

    return load_scenario_file(path)


def load_source(path: Path | str | None) -> Loaded:
    """What build, validate, diff and risk read: a programme file, a change file (its changes
    applied to its base) or a scenario script (its ``scenario``); the default programme when
    None. A programme file keeps its YAML document, so that findings point at its lines; a
    change file or a script has none (its findings name the programme's items). Raises
    LoadError or RunError."""
    if path is None:
        return load(None)
    path = Path(path)
    if path.suffix == ".py":
        scenario = load_any(path)
        return Loaded(scenario.programme, scenario_source(scenario), None)
    from budgetplan.yamlio.scenario_file import is_change_file, load_scenario_file

    data = read_scenario_bytes(path)
    if not is_change_file(data):
        return parse_programme(data, str(path))
    scenario = load_scenario_file(path)
    return Loaded(
        scenario.programme, Source(scenario.name, str(path), hashlib.sha256(data).hexdigest()), None
    )


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


def scenario_source(scenario: Scenario) -> Source:
    """The About sheet's record of a scenario: its name and a hash of the changes it made."""
    digest = hashlib.sha256("\n".join(a.change for a in scenario.log).encode()).hexdigest()
    return Source(scenario.name, f"scenario {scenario.name}", digest)


def build_scenario(
    scenario: Scenario, output: str | Path, lang: Lang = "fr", force: bool = False
) -> Built:
    """Write a scenario's workbook (its About sheet names the scenario)."""
    return publish(scenario.programme, scenario_source(scenario), Path(output), lang, force)


def report(scenario: Scenario, output: str | Path | None = None, echo: bool = True) -> str:
    """What ``scenario`` changes against the default programme, in budget terms; with
    ``output``, also build its workbook there. Printed unless ``echo`` is False."""
    from budgetplan.diff import render as diff_render
    from budgetplan.diff.compare import diff

    lines = [f"scenario {scenario.name}: {scenario.description.strip()}".rstrip(": ")]
    lines += [f"  - {a.change}: {a.effect}" for a in scenario.log]
    result = diff(Scenario.default().programme, scenario.programme)
    lines.append(diff_render.to_text(result, "baseline", scenario.name))
    if output is not None:
        built = build_scenario(scenario, output)
        lines.append(f"wrote {built.path}")
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
                    f"{path}: a scenario named {scenario.name!r} is already in this run "
                    "(or is the comparison's name): give it a name of its own"
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
            outcome.error = str(exc)
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
