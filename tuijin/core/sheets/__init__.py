"""Spreadsheet machinery that knows no domain word: safe reading (reader), cell values (values),
safe writing (writer)."""
