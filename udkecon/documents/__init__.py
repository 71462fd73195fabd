"""One folder per report, the same four parts each.

    model.py     build(...): the report's object, computed once from the computation
                 modules (no labels, HTML or openpyxl)
    text.py      the reader's sentences, tables and HTML blocks (labels from the label table)
    charts.py    the figures (matplotlib)
    workbook.py  write(report, path, *, parameters, author, generated_at): the Excel file

A report's notebook imports its four parts the same way as every other:
`from udkecon.documents.<report> import charts, model, text, workbook`. Adding a report
means copying a folder and a notebook.
"""

# report folder -> its notebook in notebooks/
REPORTS = {
    "fixed_prices": "udk_costs_fixed_prices.ipynb",
    "business_case": "business_case.ipynb",
    "handout": "municipality_handout.ipynb",
    "operations": "operations_status.ipynb",
}
