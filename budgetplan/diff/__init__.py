"""Comparing versions in budget terms, cell by cell, and as text for git."""
