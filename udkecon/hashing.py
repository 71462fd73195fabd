"""The sha256 of a file: the one way inputs and outputs are fingerprinted (provenance sheets,
run and batch manifests, `--resume`)."""

from __future__ import annotations

import hashlib


def sha256(path) -> str:
    """Hex sha256 of a file's bytes, read in blocks (a ledger or a PDF may be large).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "abc.txt"
    ...     _ = path.write_bytes(b"abc")
    ...     sha256(path)[:16]  # the FIPS 180-2 example for "abc"
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
