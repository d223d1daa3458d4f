"""What if the Assemblée elected in June 2022, where no group holds a majority, takes four months
more on each bill? The default plan already waits for the elections (Parliament did not sit from
28 February to 27 June 2022) and the summer recesses: the four laws the pilots need (scanners,
crowd detection, open-source analysis, the 1978 law for the training data) then run four months
longer on sitting days, so a bill that misses June waits for October."""

from budgetplan.scenarios.runner import report
from budgetplan.scenarios.scenario import Scenario

scenario = Scenario.default("no-majority-2022", __doc__)
for law in ("SCAN-LAW", "CROWD-LAW", "OSINT-LAW", "DATA-LAW"):
    scenario = scenario.shift(months=4, milestone=law)

if __name__ == "__main__":
    report(scenario)
