"""What if the real-time facial-recognition trials in public space wait for a public debate:
nine months later, so after the Rugby World Cup? Its payments then run into 2025, a year the
period gains."""

from budgetplan.scenarios.runner import report
from budgetplan.scenarios.scenario import Scenario

scenario = (
    Scenario.default("frp-waits-for-debate", __doc__).extend_period(9).shift(months=9, pilot="FRP")
)

if __name__ == "__main__":
    report(scenario)
