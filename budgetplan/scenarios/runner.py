"""Run scenario scripts and files: one workbook each, and a comparison workbook."""

from __future__ import annotations

import hashlib
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import xlsxwriter

from budgetplan.compute.figures import Figures
from budgetplan.core.labels import Lang
from budgetplan.core.source import Source
from budgetplan.publish import Built, OverwriteRefused, publish
from budgetplan.scenarios.scenario import Scenario
from budgetplan.xlsx.atomic import atomic_path
from budgetplan.yamlio.loader import Loaded, load, parse_programme, read_scenario_bytes

if TYPE_CHECKING:
    from budgetplan.compute.risk import RiskResult
from budgetplan.xlsx.workbook.writer import FIXED_CREATED


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
                if p.suffix in (".py", ".yaml", ".yml") and not p.name.startswith("_")
            )
        else:
            found.append(path)
    return sorted(found, key=lambda p: (p.stem != "baseline", p.name))


def load_any(path: Path) -> Scenario:
    """The scenario a script defines (its ``scenario`` global) or a YAML file describes."""
    if path.suffix == ".py":
        namespace = runpy.run_path(str(path), run_name="budgetplan.run")
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


def write_comparison(outcomes: list[Outcome], target: Path) -> None:
    """Scenarios side by side, differences from the first (the baseline) highlighted.

    Long: lays the comparison sheet out row by row (to be split with its French labels, issue 16).
    """
    ok = [o for o in outcomes if o.figures is not None and o.scenario is not None]
    if not ok:
        return
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        wb.set_properties(
            {"title": "Scenario comparison", "author": "budgetplan", "created": FIXED_CREATED}
        )
        ws = wb.add_worksheet("Comparison")
        head = wb.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "text_wrap": True}
        )
        money = wb.add_format({"num_format": '#,##0 "€"'})
        money_diff = wb.add_format({"num_format": '#,##0 "€"', "bg_color": "#FFEB9C", "bold": True})
        days = wb.add_format({"num_format": "0"})
        days_diff = wb.add_format({"num_format": "0", "bg_color": "#FFEB9C", "bold": True})
        late = wb.add_format({"num_format": "0", "bg_color": "#FFC7CE", "font_color": "#9C0006"})
        ws.write_string(
            0,
            0,
            "Scenarios side by side (differences from the baseline highlighted)",
            wb.add_format({"bold": True, "font_size": 14}),
        )
        ws.write_string(2, 0, "figure", head)
        for j, o in enumerate(ok):
            ws.write_string(2, 1 + j, o.scenario.name, head)  # type: ignore[union-attr]
        rows: list[tuple[str, list[int | None], str]] = []
        figs: list[Figures] = [o.figures for o in ok]  # type: ignore[misc]
        by = figs[0].budget_year
        rows.append((f"AE allocated {by}", [f.ae_by_year.get(by, 0) for f in figs], "money"))
        rows.append(("envelope net of reserve", [f.net_ae.get(by, 0) for f in figs], "money"))
        rows.append(("headroom", [f.headroom.get(by, 0) for f in figs], "money"))
        years = sorted({y for f in figs for y in f.years})
        for y in years:
            rows.append((f"AE {y}", [f.ae_by_year.get(y, 0) for f in figs], "money"))
            rows.append((f"CP {y}", [f.cp_by_year.get(y, 0) for f in figs], "money"))
        pilots = [p.id for p in figs[0].programme.pilots]
        for pid in pilots:
            rows.append(
                (
                    f"AE pilot {pid}",
                    [next((p.ae for p in f.pilots if p.pilot == pid), None) for f in figs],
                    "money",
                )
            )
        from budgetplan.compute.risk import sheet_simulation

        risks = [o.risk or sheet_simulation(o.figures) for o in ok]  # type: ignore[arg-type]
        for label, attr in (
            ("risk P50 (excl. contingency)", "p50"),
            ("risk P80", "p80"),
            ("risk P90", "p90"),
            ("contingency needed for P80", "contingency_p80"),
        ):
            rows.append((label, [int(round(getattr(r, attr) * 100)) for r in risks], "money"))
        rows.append(
            (
                "probability of exceeding the envelope (%)",
                [int(round(r.probability_over_envelope * 100)) for r in risks],
                "days",
            )
        )
        keys = [(r.pilot, r.event) for r in figs[0].readiness]
        for key in keys:
            rows.append(
                (
                    f"readiness {key[0]} / {key[1]} (days)",
                    [
                        next(
                            (r.margin_days for r in f.readiness if (r.pilot, r.event) == key), None
                        )
                        for f in figs
                    ],
                    "days",
                )
            )
        first_pilot_row = None
        for i, (label, values, kind) in enumerate(rows):
            r = 3 + i
            if label.startswith("AE pilot") and first_pilot_row is None:
                first_pilot_row = r
            ws.write_string(r, 0, label)
            for j, v in enumerate(values):
                if v is None:
                    ws.write_string(r, 1 + j, "-")
                    continue
                number = v / 100 if kind == "money" else v
                differs = j > 0 and v != values[0]
                if kind == "days" and v < 0:
                    fmt = late
                elif kind == "money":
                    fmt = money_diff if differs else money
                else:
                    fmt = days_diff if differs else days
                ws.write_number(r, 1 + j, number, fmt)
        ws.set_column(0, 0, 38)
        ws.set_column(1, len(ok), 18)
        ws.freeze_panes(3, 1)
        if first_pilot_row is not None:
            chart = wb.add_chart({"type": "bar"})
            last = first_pilot_row + len(pilots) - 1
            for j in range(len(ok)):
                chart.add_series(
                    {
                        "name": ["Comparison", 2, 1 + j],
                        "categories": ["Comparison", first_pilot_row, 0, last, 0],
                        "values": ["Comparison", first_pilot_row, 1 + j, last, 1 + j],
                    }
                )
            chart.set_title({"name": "AE by pilot and scenario"})
            chart.set_x_axis({"num_format": '#,##0 "€"'})
            chart.set_y_axis({"reverse": True})
            chart.set_size({"width": 760, "height": 520})
            ws.insert_chart(2, len(ok) + 2, chart)
        wb.close()


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


def run_all(paths: list[Path], out_dir: Path, progress=None) -> list[Outcome]:  # type: ignore[no-untyped-def]
    from budgetplan.yamlio.loader import LoadError

    outcomes = []
    for path in collect(paths):
        outcome = Outcome(path)
        try:
            scenario = load_any(path)
            outcome.scenario = scenario
            built = build_scenario(scenario, out_dir / f"{scenario.name}.xlsx")
            outcome.workbook = built.path
            outcome.figures = built.figures
            outcome.risk = built.risk
            outcome.checks_failed = [r.spec.code for r in built.checks if not r.ok]
        except LoadError as exc:
            outcome.error = "; ".join(f.one_line() for f in exc.findings[:3])
        except OverwriteRefused as exc:
            outcome.error = f"{exc.target}: not written: {exc.message} ({exc.hint})"
        except Exception as exc:  # noqa: BLE001 - one failing scenario never stops the others
            outcome.error = f"{path}: {type(exc).__name__}: {exc}"
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    write_comparison(outcomes, out_dir / "comparison.xlsx")
    return outcomes
