"""A tiny round-robin TCP load balancer for bench/load.py, when nginx is not installed.

Each client connection goes to the next upstream in turn (like nginx's ``stream``
module or HAProxy in TCP mode); an upstream that refuses the connection is skipped.
Run: ``python bench/load_proxy.py --listen 8800 --upstream 8801 8802``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import signal


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


class RoundRobin:
    def __init__(self, upstreams: list[int]) -> None:
        self.upstreams = upstreams
        self.turn = itertools.cycle(range(len(upstreams)))

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        for _ in self.upstreams:
            port = self.upstreams[next(self.turn)]
            try:
                return await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
        return None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = await self._connect()
        if upstream is None:
            writer.close()
            return
        up_reader, up_writer = upstream
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        except asyncio.CancelledError:  # shutting down: drop the connection quietly
            writer.close()
            up_writer.close()


async def serve(listen: int, upstreams: list[int]) -> None:
    balancer = RoundRobin(upstreams)
    server = await asyncio.start_server(balancer.handle, "127.0.0.1", listen, backlog=1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", type=int, nargs="+", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.listen, args.upstream))


if __name__ == "__main__":
    main()
