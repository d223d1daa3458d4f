"""Write a programme as an xlsx workbook laid out by :mod:`budgetplan.xlsx.layout`."""
