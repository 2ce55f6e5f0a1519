"""A TCP proxy that can fail on command, to put real outages between two real processes.

The benchmarks put it in front of PostgreSQL and in front of the fake Messaging API. Modes:

- ``pass``: forward both ways;
- ``refuse``: stop listening (new connections are refused) and reset every open one, as a
  server that went away does to kept-alive connections;
- ``hang``: keep accepting but forward nothing, in either direction, as a partitioned or
  frozen server does; what was held flows again when the mode returns to ``pass``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from typing import Literal

Mode = Literal["pass", "refuse", "hang"]
MODES: tuple[Mode, ...] = ("pass", "refuse", "hang")
_CHUNK = 64 * 1024


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST (SO_LINGER 0): the peer sees 'connection reset', not a clean end."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """Forwards ``listen_port`` to ``upstream``; ``set_mode`` switches between the modes."""

    def __init__(self, upstream_host: str, upstream_port: int, *, listen_port: int = 0) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = listen_port
        self.mode: Mode = "pass"
        self._server: asyncio.Server | None = None
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._open: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def connections(self) -> int:
        """Client connections currently open (both ends counted once)."""
        return len(self._open) // 2

    async def start(self) -> FaultProxy:
        await self._listen()
        return self

    async def set_mode(self, mode: Mode) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        if mode == "refuse":
            self._flowing.set()  # held pumps wake and find their sockets reset
            await self._stop_listening()
            for writer in list(self._open):
                reset(writer)
            self._open.clear()
            return
        if mode == "hang":
            self._flowing.clear()
        else:
            self._flowing.set()
        if self._server is None:
            await self._listen()

    async def aclose(self) -> None:
        await self._stop_listening()
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _accept(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._open.add(client)
        try:
            await self._flowing.wait()  # a hung server accepts and then says nothing
            if self.mode == "refuse" or client.is_closing():
                reset(client)
                return
            try:
                upstream_reader, upstream = await asyncio.open_connection(*self.upstream)
            except OSError:
                reset(client)
                return
            self._open.add(upstream)
            await asyncio.gather(
                self._pump(client_reader, upstream), self._pump(upstream_reader, client),
                return_exceptions=True,
            )
            upstream.close()
            self._open.discard(upstream)
        except asyncio.CancelledError:
            pass  # the proxy is closing; asyncio would log a cancelled handler as an error
        finally:
            self._open.discard(client)
            client.close()
            self._tasks.discard(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(_CHUNK):
                await self._flowing.wait()
                if writer.is_closing():
                    return
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            if not writer.is_closing():
                with contextlib.suppress(OSError):
                    writer.write_eof()
