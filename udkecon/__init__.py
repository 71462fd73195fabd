"""udkecon: what Udbetaling Danmark and the municipal IT monopoly break cost the Danish
municipalities, in fixed prices, as a business case, and per municipality.

The public face is imported lazily, so that `import udkecon` stays cheap for the batch
runner and the command line (pandas and matplotlib load only when a function needs them).
"""

from __future__ import annotations

import importlib

from .errors import DataError, ParameterError, RunError, UdkeconError

__version__ = "0.1.0"

_PUBLIC = {
    "restate": "prices",
    "restate_frame": "prices",
    "rebase": "prices",
    "load_index": "prices",
    "PriceIndex": "prices",
    "npv": "business_case",
    "payback": "business_case",
    "irr": "business_case",
    "allocate": "allocation",
    "breaches": "operations",
}

__all__ = ["DataError", "ParameterError", "RunError", "UdkeconError", "__version__", *_PUBLIC]


def __getattr__(name: str):
    if name in _PUBLIC:
        module = importlib.import_module(f".{_PUBLIC[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'udkecon' has no attribute '{name}'")
