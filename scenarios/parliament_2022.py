"""What if the laws wait for Parliament? It did not sit from 28 February 2022 (suspended for the
presidential and legislative elections) until the new Assemblée met on 28 June 2022: the four
laws the pilots need (scanners, crowd detection, open-source analysis, the 1978 law for the
training data) take their time on sitting days only."""

import datetime as dt

from budgetplan.scenarios.runner import report
from budgetplan.scenarios.scenario import Scenario

scenario = Scenario.default("parliament-2022", __doc__).close_calendar(
    "PARLIAMENT",
    dt.date(2022, 2, 28),
    dt.date(2022, 6, 27),
    "Travaux parlementaires suspendus (élections présidentielle et législatives)",
    milestones=["SCAN-LAW", "CROWD-LAW", "OSINT-LAW", "DATA-LAW"],
    source="Sessions suspended from 28/02/2022; the 16th legislature's Assemblée met on 28/06/2022",
)

if __name__ == "__main__":
    report(scenario)
