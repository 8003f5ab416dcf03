"""A round-robin TCP proxy on loopback, in front of the ``serve`` processes (as a load
balancer would be): each new connection goes to the next backend that accepts it, so a killed
backend only costs the connections it held."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from itertools import count


class RoundRobinProxy:
    """Listens on 127.0.0.1:``port`` (0: any free port) in its own thread and event loop."""

    def __init__(self, backends: list[int], *, port: int = 0) -> None:
        self.backends = backends
        self.port = port
        self._turn = count()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="proxy", daemon=True)

    def start(self) -> RoundRobinProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._accept, "127.0.0.1", self.port, backlog=1024)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in self.backends:
            backend = self.backends[next(self._turn) % len(self.backends)]
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(
                    "127.0.0.1", backend
                )
            except OSError:
                continue  # that backend is down: the next one
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
            return
        writer.close()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()
