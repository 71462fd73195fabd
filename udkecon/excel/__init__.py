"""The workbook kit every report's Excel file is made with.

`book` (cells, formulas with the package's values, tables, headings, print setup),
`charts` (native Excel charts), `about` (the sheet "Om tallene" and the document
properties) and `save` (reproducible bytes, written atomically). Each report's own writer
is `udkecon.documents.<report>.workbook`, with the same `write(report, path, *,
parameters, author)`.
"""
