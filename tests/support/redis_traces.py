"""Look for a resident in everything a Redis database holds, and in Redis's files on disk.

``traces`` reads every key name and every value: strings, hash fields and values, list, set
and sorted-set members, stream entries and their fields. A needle counts in each form the
bot could have written it: plain UTF-8, JSON-escaped (``ensure_ascii``), base64, percent- and
hex-encoded.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from pathlib import Path
from typing import Any

import redis.asyncio as redis


def encodings(needle: str) -> dict[str, bytes]:
    raw = needle.encode("utf-8")
    return {
        "plain": raw,
        "json": json.dumps(needle)[1:-1].encode("ascii"),
        "base64": base64.b64encode(raw).rstrip(b"="),
        "base64url": base64.urlsafe_b64encode(raw).rstrip(b"="),
        "percent": urllib.parse.quote(needle).encode("ascii"),
        "hex": raw.hex().encode("ascii"),
    }


async def dump(client: redis.Redis) -> list[tuple[bytes, bytes]]:
    """(key name, one stored item) for every item of every key."""
    found: list[tuple[bytes, bytes]] = []
    async for key in client.scan_iter(count=500):
        kind = (await client.type(key)).decode()
        items: list[Any] = [key]
        if kind == "string":
            items.append(await client.get(key))
        elif kind == "hash":
            for field, value in (await client.hgetall(key)).items():
                items += [field, value]
        elif kind == "list":
            items += await client.lrange(key, 0, -1)
        elif kind == "set":
            items += list(await client.smembers(key))
        elif kind == "zset":
            items += [member for member, _score in await client.zrange(key, 0, -1, withscores=True)]
        elif kind == "stream":
            for entry_id, fields in await client.xrange(key, "-", "+"):
                items.append(entry_id)
                for field, value in fields.items():
                    items += [field, value]
        elif kind != "none":  # "none": expired (a lease) between SCAN and TYPE
            raise AssertionError(f"unexpected type {kind} of {key!r}")
        found += [(key, item if isinstance(item, bytes) else str(item).encode()) for item in items if item is not None]
    return found


async def traces(client: redis.Redis, needles: list[str]) -> list[str]:
    """Where each needle shows, in any of its encodings: ``"<needle> (<form>) in <key>"``."""
    items = await dump(client)
    hits = []
    for needle in needles:
        for form, encoded in encodings(needle).items():
            hits += [f"{needle} ({form}) in {key.decode(errors='replace')}" for key, item in items if encoded in item]
    return sorted(set(hits))


def file_traces(directory: Path, needles: list[str]) -> list[str]:
    """The same search in every file under ``directory`` (Redis's AOF and RDB files)."""
    hits = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        try:
            content = path.read_bytes()
        except FileNotFoundError:  # a rewrite's temporary file, renamed or removed meanwhile
            continue
        for needle in needles:
            hits += [f"{needle} ({form}) in {path.name}" for form, encoded in encodings(needle).items() if encoded in content]
    return hits
