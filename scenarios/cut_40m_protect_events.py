"""What if the 2022 envelope is cut to EUR 40M, keeping the pilots the events depend on whole
(scanners, anti-drone, strong authentication, crowd-danger detection)?"""

from budgetplan.scenarios.runner import report
from budgetplan.scenarios.scenario import Scenario

EVENT_CRITICAL = ["SCAN", "ADRN", "FRA", "CROWD"]

scenario = Scenario.default("cut-40m-protect-events", __doc__).cut_envelope(
    40_000_000, strategy="pro_rata", protect=EVENT_CRITICAL
)

if __name__ == "__main__":
    report(scenario)
