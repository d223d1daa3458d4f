"""Pure computation: phasing, procurement routes, every figure, the checks, the risk simulation."""
