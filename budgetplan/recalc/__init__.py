"""Recalculation in LibreOffice headless, for the tests and `budgetplan verify`."""
