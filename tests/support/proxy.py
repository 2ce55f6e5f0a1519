"""A TCP proxy on loopback that can fail on command, to put faults between the bot and a
real server (PostgreSQL, the fake Messaging API) without touching the server itself.

Modes: ``forward`` (a plain proxy), ``refuse`` (nothing listens, so connections are refused,
and live ones are reset: the server is down), ``hang`` (connections are accepted and live
ones stay open, but nothing is forwarded: a hung server or network).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import AsyncIterator

from tests.support.servers import free_port


class FaultyProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.mode = "forward"
        self._server: asyncio.Server | None = None
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._resume = asyncio.Event()
        self._resume.set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def stop(self) -> None:
        self._resume.set()
        if self._server is not None:
            self._server.close()
        self._reset_links()

    async def forward(self) -> None:
        self.mode = "forward"
        self._resume.set()
        if self._server is None or not self._server.is_serving():
            await self.start()

    async def refuse(self) -> None:
        """Stop listening (connections are refused) and reset every open one."""
        self.mode = "refuse"
        self._resume.set()
        if self._server is not None:
            self._server.close()
            self._server = None
        self._reset_links()

    async def hang(self) -> None:
        """Accept, keep open, forward nothing."""
        if self._server is None:
            await self.start()
        self.mode = "hang"
        self._resume.clear()

    def _reset_links(self) -> None:
        for pair in list(self._links):
            for writer in pair:
                _reset(writer)
        self._links.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._resume.wait()
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _reset(writer)
            return
        pair = (writer, up_writer)
        self._links.add(pair)
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._links.discard(pair)
            for w in pair:
                with contextlib.suppress(Exception):
                    w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError, ConnectionError):
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                await self._resume.wait()  # hang: hold the bytes, forward nothing
                if self.mode == "refuse":
                    break
                writer.write(data)
                await writer.drain()
        with contextlib.suppress(Exception):
            writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST (SO_LINGER 0), as a crashed server's kernel would."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError):
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(Exception):
        writer.close()


@contextlib.asynccontextmanager
async def faulty_proxy(host: str, port: int) -> AsyncIterator[FaultyProxy]:
    proxy = FaultyProxy(host, port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
