"""The core: what a programme is, money in cents, problems as values, labels, the version."""
