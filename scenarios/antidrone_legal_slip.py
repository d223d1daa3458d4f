"""What if the anti-drone legal fix (access to the drones' video feed) slips by six months?"""

from budgetplan.scenarios.runner import report
from budgetplan.scenarios.scenario import Scenario

scenario = Scenario.default("antidrone-legal-slip", __doc__).shift(months=6, milestone="ADRN-LAW")

if __name__ == "__main__":
    report(scenario)
