"""One family of errors: everything the package raises on purpose is an `UdkeconError`.

The command line prints `str(error)` (one line, no traceback) and exits 2 for bad input.
"""

from __future__ import annotations


class UdkeconError(Exception):
    """Base of every error udkecon raises on purpose."""

    exit_code = 1


class DataError(UdkeconError):
    """A problem in an input file, located as precisely as the problem allows.

    `row` is the line number a person sees in a text editor or spreadsheet (header = 1,
    first data row = 2); `column` is the column's header name.
    """

    exit_code = 2

    def __init__(self, file, problem: str, fix: str, row: int | None = None,
                 column: str | None = None):
        self.file = str(file)
        self.row = row
        self.column = column
        self.problem = problem
        self.fix = fix
        super().__init__(self._message())

    def _message(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.problem}. Fix: {self.fix}"


class ParameterError(UdkeconError):
    """A notebook or command-line parameter with a value that cannot be used."""

    exit_code = 2


class RunError(UdkeconError):
    """A notebook run failed; the message says where the failed notebook was kept."""

    exit_code = 1
