"""One family of errors: everything the package raises on purpose is an `UdkeconError`.

The command line prints `str(error)` (one line, no traceback) and exits 2 for bad input.
"""

from __future__ import annotations

import re
import unicodedata

# Characters a reader cannot see (controls, zero-width and format characters, byte order
# marks, line and paragraph separators, spaces other than the plain one): a message shows
# them as escapes, so "'12\\u200b'" says what "'12'" would hide, and stays on one line.
_INVISIBLE = re.compile(r"[^\S ]|[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]|"
                        r"[\x00-\x1f\x7f-\x9f]")


def shown(text) -> str:
    r"""`text` with every invisible character written as an escape (`\ufeff`, `\x00`).

    >>> print(shown("\ufeffyear"), shown("1\xa0234"), shown("a\nb"), shown("København"))
    \ufeffyear 1\xa0234 a\nb København
    """
    return _INVISIBLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"),
                          str(text))


def invisible_in(text) -> str | None:
    """The first invisible character of `text` other than plain space, tab and line breaks
    (which a cell of text may hold), or None."""
    text = str(text)
    if text.isprintable():  # the common case, in C: printable excludes every invisible
        return None
    for char in text:
        if char in " \t\r\n":
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Co", "Cn"):
            return char
    return None


class UdkeconError(Exception):
    """Base of every error udkecon raises on purpose.

    In a notebook (IPython, so JupyterLab and papermill) it shows as its one line, not
    under the frames of package code that raised it: the message names the file, row,
    column or parameter and the fix, which is all the reader can act on. The error output
    keeps the class name (`ename`) and the message (`evalue`), by which the driver tells
    bad input (exit 2) from a notebook that failed (exit 1).
    """

    exit_code = 1

    def _render_traceback_(self) -> list[str]:
        """IPython's hook for an exception's own traceback: the one line, its name in red
        as IPython writes it."""
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


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
        # one line, and nothing invisible: the message may quote a cell as it was written
        return shown(f"{where}: {self.problem}. Fix: {self.fix}")


class ParameterError(UdkeconError):
    """A notebook or command-line parameter with a value that cannot be used."""

    exit_code = 2


class RunError(UdkeconError):
    """A notebook run failed; the message says where the failed notebook was kept."""

    exit_code = 1
