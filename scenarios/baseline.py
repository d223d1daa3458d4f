"""Baseline: the 2022 programme as planned (EUR 50M, every pilot, before any change)."""

from budgetplan.scenarios.runner import report
from budgetplan.scenarios.scenario import Scenario

scenario = Scenario.default("baseline", __doc__)

if __name__ == "__main__":
    report(scenario)
