"""Postback data: short ``a=<action>&s=<step>&v=<value>`` strings within LINE's limit."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

from flows.limits import POSTBACK_DATA_MAX

LIMIT = POSTBACK_DATA_MAX


# The same buttons are built for every resident at the same step (four or five a message;
# urlencode quotes each key and value in Python): each string is encoded once.
@lru_cache(maxsize=4096)
def encode(action: str, **fields: str) -> str:
    data = urlencode({"a": action, **{k: v for k, v in fields.items() if v is not None}})
    if len(data) > LIMIT:
        raise ValueError(f"postback data over {LIMIT} chars: {data[:40]}...")
    return data


def decode(data: str) -> dict[str, str]:
    """The fields, or an empty dict when the data is not ours."""
    try:
        fields = dict(parse_qsl(data, keep_blank_values=True, strict_parsing=True))
    except ValueError:
        return {}
    return fields if "a" in fields else {}
