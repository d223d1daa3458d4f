"""Scenario files: read with errors at file:line, and edits written back with comments kept."""
