"""Reading back a workbook that came back: integrity, rules, edits, actuals, reports."""
