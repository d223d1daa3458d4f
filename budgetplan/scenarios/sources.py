"""Where a scenario comes from: the scenario scripts and files of a folder, and what each gives
(a programme file, a change file applied to its base, a script's ``scenario``). What build,
validate, diff and risk read, below the commands that write workbooks (``budgetplan.runner``)."""

from __future__ import annotations

import hashlib
import runpy
from pathlib import Path

from budgetplan.core.errors import SaidError
from budgetplan.core.findings import said
from budgetplan.core.source import Source
from budgetplan.scenarios.scenario import Scenario
from budgetplan.yamlio.loader import Loaded, load, parse_programme, read_scenario_bytes


class RunError(SaidError):
    """A scenario script or file that does not give a scenario."""

    code = "SCENARIO_SCRIPT"


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
                said(
                    f"{path}: the script exits (SystemExit {exc.code!r}) instead of defining "
                    "`scenario`: leave sys.exit to its `if __name__ == '__main__':` block",
                    f"{path} : le script se termine (SystemExit {exc.code!r}) au lieu de "
                    "définir `scenario` : réserver sys.exit à son bloc "
                    "`if __name__ == '__main__':`",
                )
            ) from None
        scenario = namespace.get("scenario")
        if not isinstance(scenario, Scenario):
            raise RunError(
                said(
                    f"{path}: defines no `scenario` (a budgetplan.scenarios.scenario.Scenario)",
                    f"{path} : ne définit pas de `scenario` (un "
                    "budgetplan.scenarios.scenario.Scenario)",
                )
            )
        return scenario
    from budgetplan.scenarios.scenario_file import load_scenario_file

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
    from budgetplan.scenarios.scenario_file import is_change_file, load_scenario_file

    data = read_scenario_bytes(path)
    if not is_change_file(data):
        return parse_programme(data, str(path))
    scenario = load_scenario_file(path)
    return Loaded(
        scenario.programme, Source(scenario.name, str(path), hashlib.sha256(data).hexdigest()), None
    )


def scenario_source(scenario: Scenario) -> Source:
    """The About sheet's record of a scenario: its name and a hash of the changes it made."""
    digest = hashlib.sha256("\n".join(a.change for a in scenario.log).encode()).hexdigest()
    return Source(scenario.name, f"scenario {scenario.name}", digest)
