"""Excel handouts a board can read, print and audit.

`write_costs_workbook` writes the fixed-price report's workbook, `write_business_case_workbook`
the business case's. Both share the pieces in this package: `book` (cells, formulas with the
package's values, tables, headings, print setup), `charts` (native Excel charts), `about`
(the sheet "Om tallene" and the document properties) and `save` (reproducible bytes,
written atomically).
"""

from __future__ import annotations

from .business_case_workbook import build_business_case_book, write_business_case_workbook
from .costs_workbook import build_costs_book, write_costs_workbook

__all__ = ["build_business_case_book", "build_costs_book", "write_business_case_workbook",
           "write_costs_workbook"]
