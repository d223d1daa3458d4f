"""The workbook: its description (layout and cell codecs), the writer, the reader, safe files."""
