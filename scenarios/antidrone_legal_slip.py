"""What if the anti-drone legal fix (the police's access to the drones' video feed) comes when it
did: décret 2023-283 of 19 April 2023, 293 days after the planned 30 June 2022?"""

from budgetplan.scenarios.runner import report
from budgetplan.scenarios.scenario import Scenario

scenario = Scenario.default("antidrone-legal-slip", __doc__).shift(days=293, milestone="ADRN-LAW")

if __name__ == "__main__":
    report(scenario)
