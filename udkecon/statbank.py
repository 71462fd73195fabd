"""A small client for Statistics Denmark's StatBank API (https://api.statbank.dk/v1/).

Two calls are enough for refreshing reference data: `tableinfo` (is the table active, which
variables and values does it have) and `data` (the cells, as semicolon CSV or JSON-stat).
Both are POSTed as JSON with a timeout. The HTTP exchange is a plain function
`transport(url, body, timeout) -> (status, body bytes)`, so tests replay recorded responses
and never touch the network.

Every failure is one `UdkeconError` line. Exit 1 (`StatbankUnavailable`): the service
could not be reached or did not answer (offline, timeout, HTTP 5xx), try again later.
Exit 2 (`StatbankError`): the request or the table is wrong (HTTP 4xx, the cell limit, an
inactive or unknown table, a changed variable code, a response we cannot read); the code
that builds the request needs a look.
"""

from __future__ import annotations

import csv
import errno
import http.client
import io
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from .errors import UdkeconError

API_URL = "https://api.statbank.dk/v1"
TIMEOUT_SECONDS = 30.0
# Non-streamed requests are limited to 1,000,000 cells (the API's documentation).
CELL_LIMIT = 1_000_000

Transport = Callable[[str, bytes, float], tuple[int, bytes]]


class StatbankError(UdkeconError):
    """The request or the table is not what the code expects (exit 2)."""

    exit_code = 2


class StatbankUnavailable(UdkeconError):
    """The StatBank API could not be reached or did not answer (exit 1)."""

    exit_code = 1


# --------------------------------------------------------------------------- transport

def urllib_transport(url: str, body: bytes, timeout: float,
                     opener=urllib.request.urlopen) -> tuple[int, bytes]:
    """POST `body` as JSON to `url`; (HTTP status, response body). The stdlib is enough for
    a handful of requests a year, so no HTTP library is added for it.

    An HTTP error status is returned, not raised (its body carries the API's message);
    network failures raise the `OSError` family for `Client` to name.
    """
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "Accept": "*/*",
        "User-Agent": "udkecon-refresh"})
    try:
        with opener(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read() or b""


def _network_problem(error: BaseException, timeout: float) -> StatbankUnavailable:
    """One line for a failure below HTTP: offline, no answer in time, connection broken."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    host = API_URL.split("/")[2]
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return StatbankUnavailable(f"{host} did not answer within {timeout:g} s; nothing was "
                                   "changed. Try again later or raise --timeout")
    if isinstance(reason, socket.gaierror):
        return StatbankUnavailable(f"offline: cannot look up {host} ({reason.strerror or reason})"
                                   "; nothing was changed. Connect to the internet and try again")
    if getattr(reason, "errno", None) in (errno.ENETUNREACH, errno.EHOSTUNREACH,
                                          errno.ENETDOWN):
        return StatbankUnavailable(f"offline: {host} is unreachable ({reason.strerror}); "
                                   "nothing was changed. Connect to the internet and try again")
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return StatbankUnavailable(f"cannot reach {host} ({text}); nothing was changed. "
                               "Try again later")


# --------------------------------------------------------------------------- table info

@dataclass(frozen=True)
class Variable:
    id: str
    text: str
    values: dict[str, str]  # value code -> text, in the table's order
    time: bool = False


@dataclass(frozen=True)
class TableInfo:
    id: str
    text: str
    unit: str
    updated: str
    active: bool
    variables: dict[str, Variable]

    def variable(self, name: str) -> Variable:
        """The variable `name` (compared without case, as the API does), or a StatbankError."""
        for variable in self.variables.values():
            if variable.id.casefold() == name.casefold():
                return variable
        raise StatbankError(f"table {self.id} has no variable {name} any more (it has "
                            f"{', '.join(self.variables)}); nothing was changed. The table "
                            "changed: update the request in udkecon/refresh.py")

    def check_values(self, name: str, codes) -> None:
        """Every code asked for is a value of variable `name`, or a StatbankError."""
        variable = self.variable(name)
        missing = [c for c in codes if c != "*" and c not in variable.values]
        if missing:
            known = list(variable.values)
            span = f"{known[0]} to {known[-1]}" if variable.time and known else \
                ", ".join(known[:8]) + (" ..." if len(known) > 8 else "")
            what = "period" if variable.time else "value"
            raise StatbankError(f"table {self.id} has no {what} {', '.join(missing)} for "
                                f"{variable.id} (it has {span}); nothing was changed")


def parse_tableinfo(text: bytes | str, table: str) -> TableInfo:
    """The JSON answer of `tableinfo`, checked for the fields the refresh relies on."""
    data = _json(text, f"tableinfo of {table}")
    try:
        variables = {}
        for entry in data["variables"]:
            values = {str(v["id"]): str(v["text"]) for v in entry["values"]}
            variables[str(entry["id"])] = Variable(str(entry["id"]), str(entry.get("text", "")),
                                                   values, bool(entry.get("time", False)))
        return TableInfo(str(data["id"]), str(data.get("text", "")), str(data.get("unit", "")),
                         str(data.get("updated", "")), bool(data.get("active", True)), variables)
    except (KeyError, TypeError, AttributeError) as exc:
        raise StatbankError(f"the tableinfo of {table} has an unexpected shape (no {exc}); "
                            "nothing was changed. The API changed: update udkecon/statbank.py"
                            ) from None


def _json(text: bytes | str, what: str):
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError):
        start = (text[:60].decode("utf-8", "replace") if isinstance(text, bytes) else text[:60])
        raise StatbankError(f"the {what} is not JSON (it begins {start.strip()!r}); nothing "
                            "was changed. The API changed: update udkecon/statbank.py") from None


# --------------------------------------------------------------------------- data

@dataclass
class Cells:
    """The answer of a `data` call: one dict of variable -> value code per cell, the number
    as published (text, '..' = not available), and value texts where the format gives them."""

    table: str
    rows: list[tuple[dict[str, str], str | None]]
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # variable -> code -> text


def _number_text(text: str) -> str | None:
    """'103,4' -> '103.4'; '..' (not available) -> None."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if text in ("", "..", "...", "-"):
        return None
    return text.replace(".", "").replace(",", ".") if "," in text else text


def parse_csv(text: bytes | str, table: str, variables) -> Cells:
    """Semicolon CSV as the API writes it with valuePresentation=Code: a header of the
    variable ids in capitals and INDHOLD (the value), decimal comma in Danish.

    >>> cells = parse_csv("HOVED;TID;INDHOLD\\n1005;2020;103,4\\n", "PRIS112", ["HOVED", "Tid"])
    >>> cells.rows
    [({'HOVED': '1005', 'Tid': '2020'}, '103.4')]
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", "replace")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    header = [h.strip().casefold() for h in lines[0]] if lines else []
    by_name = {v.casefold(): v for v in variables}
    if not header or header[-1] != "indhold" or set(header[:-1]) != set(by_name):
        found = ";".join(lines[0]) if lines else "an empty answer"
        raise StatbankError(f"the CSV answer of {table} has an unexpected shape (header "
                            f"{found!r}, expected {';'.join(v.upper() for v in variables)};"
                            "INDHOLD); nothing was changed. The table changed: update "
                            "udkecon/refresh.py")
    names = [by_name[h] for h in header[:-1]]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if len(line) != len(header):
            raise StatbankError(f"the CSV answer of {table} has {len(line)} cells on line "
                                f"{number}, the header {len(header)}; nothing was changed")
        rows.append((dict(zip(names, (c.strip() for c in line[:-1]), strict=True)),
                     _number_text(line[-1])))
    return Cells(table, rows)


def parse_jsonstat(text: bytes | str, table: str, variables) -> Cells:
    """JSON-stat as the API writes it (version 1: {"dataset": {"dimension": {..., "id",
    "size"}, "value": [...]}}; version 2's top-level "id"/"size" is read as well)."""
    data = _json(text, f"JSON-stat answer of {table}")
    try:
        dataset = data.get("dataset", data) if isinstance(data, dict) else data
        dimension = dataset["dimension"]
        ids = list(dataset.get("id") or dimension["id"])
        sizes = list(dataset.get("size") or dimension["size"])
        values = dataset["value"]
        if isinstance(values, dict):  # sparse form {"index": value}
            values = [values.get(str(i)) for i in range(_product(sizes))]
        codes = []
        labels = {}
        for name, size in zip(ids, sizes, strict=True):
            category = dimension[name]["category"]
            index = category.get("index")
            if isinstance(index, list):
                order = [str(c) for c in index]
            elif isinstance(index, dict):
                order = [c for c, _ in sorted(index.items(), key=lambda item: item[1])]
            else:  # a single category may come without an index
                order = [str(c) for c in category["label"]]
            if len(order) != size:
                raise KeyError(f"{size} categories of {name}")
            codes.append(order)
            labels[name] = {str(k): str(v) for k, v in category.get("label", {}).items()}
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise StatbankError(f"the JSON-stat answer of {table} has an unexpected shape (no "
                            f"{exc}); nothing was changed. The API changed: update "
                            "udkecon/statbank.py") from None
    if len(values) != _product(sizes):
        raise StatbankError(f"the JSON-stat answer of {table} has {len(values)} values for "
                            f"{_product(sizes)} cells; nothing was changed")
    by_name = {v.casefold(): v for v in variables}
    # the content dimension (ContentsCode) is not a variable of the request
    keep = [i for i, name in enumerate(ids) if name.casefold() in by_name]
    missing = set(by_name) - {ids[i].casefold() for i in keep}
    if missing:
        raise StatbankError(f"the JSON-stat answer of {table} lacks the variable(s) "
                            f"{', '.join(sorted(by_name[m] for m in missing))}; nothing was "
                            "changed. The table changed: update udkecon/refresh.py")
    rows = []
    for flat, value in enumerate(values):
        position, key = flat, {}
        for i in reversed(range(len(ids))):  # row-major: the last dimension varies fastest
            position, within = divmod(position, sizes[i])
            if i in keep:
                key[by_name[ids[i].casefold()]] = codes[i][within]
        rows.append((dict(reversed(list(key.items()))),
                     None if value is None else _number_text(_plain(value))))
    return Cells(table, rows, {by_name[ids[i].casefold()]: labels[ids[i]] for i in keep})


def _plain(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _product(sizes) -> int:
    total = 1
    for size in sizes:
        total *= int(size)
    return total


# --------------------------------------------------------------------------- the client

@dataclass
class Client:
    """Calls to the StatBank API; `requests` keeps what was asked, for the provenance."""

    transport: Transport = urllib_transport
    timeout: float = TIMEOUT_SECONDS
    lang: str = "da"
    api_url: str = API_URL
    requests: list[dict] = field(default_factory=list)

    def _post(self, function: str, payload: dict, what: str) -> bytes:
        url = f"{self.api_url}/{function}"
        self.requests.append({"method": "POST", "url": url, "body": payload})
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            status, answer = self.transport(url, body, self.timeout)
        except (OSError, http.client.HTTPException) as error:  # URLError, TimeoutError too
            raise _network_problem(error, self.timeout) from None
        if status == 200:
            return answer
        raise _http_problem(status, answer, what)

    def tableinfo(self, table: str) -> TableInfo:
        """The table's metadata; an inactive or unknown table is a StatbankError."""
        answer = self._post("tableinfo", {"table": table, "format": "JSON", "lang": self.lang},
                            f"tableinfo of {table}")
        info = parse_tableinfo(answer, table)
        if info.id.casefold() != table.casefold():
            raise StatbankError(f"asked for table {table}, the API answered with {info.id} "
                                "(renamed?); nothing was changed. Check the table at "
                                "statistikbanken.dk and update udkecon/refresh.py")
        if not info.active:
            raise StatbankError(f"table {table} ({info.text}) is no longer active (last "
                                f"updated {info.updated or 'unknown'}); nothing was changed. "
                                "Find its successor at statistikbanken.dk and update "
                                "udkecon/refresh.py")
        return info

    def data(self, table: str, variables: dict[str, list[str]], fmt: str = "CSV") -> Cells:
        """The cells of `table` for the chosen values of each variable (codes)."""
        payload = {"table": table, "format": fmt, "lang": self.lang,
                   "valuePresentation": "Code",
                   "variables": [{"code": name, "values": list(codes)}
                                 for name, codes in variables.items()]}
        answer = self._post("data", payload, f"data of {table}")
        if fmt == "CSV":
            return parse_csv(answer, table, list(variables))
        if fmt == "JSONSTAT":
            return parse_jsonstat(answer, table, list(variables))
        raise ValueError(f"format {fmt} is not read here (CSV or JSONSTAT)")


def _http_problem(status: int, answer: bytes, what: str) -> UdkeconError:
    """One line for an HTTP error status, with the API's own message when it sent one.

    The API answers a refused request with a JSON object {"errorTypeCode": ..., "message":
    ...}; the cell limit of non-streamed requests is one of those.
    """
    code, message = "", ""
    try:
        error = json.loads(answer)
        if isinstance(error, dict):
            code = str(error.get("errorTypeCode") or error.get("code") or "")
            message = str(error.get("message") or "")
    except (ValueError, UnicodeDecodeError):
        message = answer[:120].decode("utf-8", "replace").strip()
    message = " ".join(message.split())  # one line, whatever the API wrote
    detail = f": {message}" if message else ""
    tag = f" {code}" if code else ""
    if status >= 500 or status in (408, 429):
        return StatbankUnavailable(f"the StatBank API answered HTTP {status}{tag} to the {what}"
                                   f"{detail}; nothing was changed. Try again later")
    if _is_cell_limit(code, message):
        return StatbankError(f"the {what} asks for more cells than the API's limit of "
                             f"{CELL_LIMIT:,} for one request (HTTP {status}{tag}{detail}); "
                             "nothing was changed. Ask for fewer years (--years)")
    if "notfound" in code.replace("-", "").replace("_", "").casefold() or status == 404:
        return StatbankError(f"the StatBank API does not know the {what} (HTTP {status}{tag}"
                             f"{detail}): the table was renamed or withdrawn, or a variable "
                             "code changed; nothing was changed. Check it at "
                             "statistikbanken.dk and update udkecon/refresh.py")
    return StatbankError(f"the StatBank API refused the {what} (HTTP {status}{tag}{detail}); "
                         "nothing was changed. The table changed: check its variables at "
                         "statistikbanken.dk and update udkecon/refresh.py")


def _is_cell_limit(code: str, message: str) -> bool:
    text = f"{code} {message}".casefold()
    return any(word in text for word in ("too large", "toolarge", "too-large", "toobig",
                                         "too big", "celler", "cells", "1.000.000",
                                         "1,000,000", "1000000"))
