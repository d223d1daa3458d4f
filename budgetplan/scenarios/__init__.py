"""What-if: the scenario algebra on programmes, and the runner that builds and compares them."""
