"""What if the millimetre-wave scanners cost 30% more and arrive three months late?"""

from budgetplan.scenarios.runner import report
from budgetplan.scenarios.scenario import Scenario

scenario = (
    Scenario.default("scanners-overrun-and-late", __doc__)
    .scale_cost(1.3, pilot="SCAN")
    .shift(months=3, milestone="SCAN-DELIV")
)

if __name__ == "__main__":
    report(scenario)
