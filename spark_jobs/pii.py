"""Pseudonymisation of personal identifiers.

The national ID (CCCD) never leaves bronze in clear: silver carries ``person_key`` =
HMAC-SHA256(key, national_id) in hex, with the key from ``ANTT_PII_HMAC_KEY`` (generated
into var/secrets.env by ``make setup``; on a cluster, from the secret store). The same
person gets the same key in every table, so joins still work; without the key the ID
cannot be recovered or tested against a guess.

The HMAC is computed in Spark SQL (RFC 2104: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m))) with
built-in ``sha2`` — no Python UDF, so it runs at JVM speed on Spark Connect or a cluster.
The padded key bytes travel in the query plan: keep the Spark UI and event logs as
restricted as the key itself.
"""
from __future__ import annotations

import hashlib
import hmac
import os

from pyspark.sql import Column
from pyspark.sql import functions as F

KEY_ENV = "ANTT_PII_HMAC_KEY"


def key_from_env() -> bytes:
    value = os.environ.get(KEY_ENV, "")
    if len(value) < 32:
        raise RuntimeError(f"{KEY_ENV} is not set (or shorter than 32 characters): "
                           "run `make setup` (writes var/secrets.env) or set it from your secret store")
    return value.encode("utf-8")


def _pads(key: bytes) -> tuple[bytes, bytes]:
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_hex(col: Column, key: bytes) -> Column:
    """HMAC-SHA256 of the UTF-8 text in ``col`` as 64 hex digits (NULL stays NULL)."""
    ipad, opad = _pads(key)
    inner = F.unhex(F.sha2(F.concat(F.lit(ipad), F.encode(col, "UTF-8")), 256))
    return F.sha2(F.concat(F.lit(opad), inner), 256)


def hmac_hex_py(value: str, key: bytes) -> str:
    """The same in plain Python (tests, and tools that look one person up)."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
