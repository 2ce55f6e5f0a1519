"""The fault proxy between real sockets: pass forwards, refuse refuses and resets, hang holds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.dev.fault_proxy import FaultProxy


@pytest.fixture
async def echo() -> AsyncIterator[tuple[int, list[bytes]]]:
    """An upstream that echoes what it gets and keeps a log of it."""
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(1024):
            received.append(data)
            writer.write(data)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1], received
    server.close()


@pytest.fixture
async def proxy(echo: tuple[int, list[bytes]]) -> AsyncIterator[FaultProxy]:
    proxy = await FaultProxy("127.0.0.1", echo[0]).start()
    yield proxy
    await proxy.aclose()


async def _round_trip(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    answer = await reader.readexactly(len(data))
    writer.close()
    return answer


async def test_pass_forwards_both_ways(proxy: FaultProxy) -> None:
    assert await _round_trip(proxy.port, b"ping") == b"ping"


async def test_refuse_refuses_new_connections_and_resets_open_ones(proxy: FaultProxy) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)
    writer.write(b"kept alive")
    assert await reader.readexactly(10) == b"kept alive"

    await proxy.set_mode("refuse")

    with pytest.raises(ConnectionResetError):
        await reader.read(1024)
    with pytest.raises(ConnectionRefusedError):
        await asyncio.open_connection("127.0.0.1", proxy.port)
    await proxy.set_mode("pass")
    assert await _round_trip(proxy.port, b"back") == b"back"


async def test_hang_accepts_holds_and_lets_it_flow_on_pass(
    proxy: FaultProxy, echo: tuple[int, list[bytes]]
) -> None:
    _, received = echo
    await proxy.set_mode("hang")
    reader, writer = await asyncio.open_connection("127.0.0.1", proxy.port)  # accepted
    writer.write(b"held")
    await writer.drain()
    await asyncio.sleep(0.3)  # room for a forwarding bug to show; a hung server says nothing
    assert received == []

    await proxy.set_mode("pass")

    assert await reader.readexactly(4) == b"held"
    assert received == [b"held"]
    writer.close()
