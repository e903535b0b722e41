"""Several worker processes serving one snapshot, with connections dealt to them in turn.

GraphQL execution is pure Python, so one process uses one core. ``groupgraph serve
--workers N`` builds the snapshot once, then forks N workers that share its memory
copy-on-write (the heap is frozen first, so the workers' garbage collectors never touch it).

Who accepts the connections matters. When the workers share one listening socket, the kernel
hands each new connection to whichever worker is waiting at that instant: a burst of 20
keep-alive clients was split 17 to 3 as often as 10 to 10, and the crowded worker's clients
then waited twice as long while the other core idled (the p95 of ``groupOf`` varied from 40
to 60 ms between runs for that reason alone). Here the parent process accepts every
connection and passes it to the workers in turn over a Unix socket (``SCM_RIGHTS``); each
worker serves the connections it is given with uvicorn. Requests never pass through the
parent, only the accepted socket does.

The worker side relies on three attributes of uvicorn's ``Server`` that are not documented
API (``config.http_protocol_class``, ``server_state`` and ``lifespan.state``, the ones
uvicorn's own start-up uses); ``tests/api/test_workers.py`` checks them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any

import uvicorn

__all__ = ["serve_workers"]

log = logging.getLogger("groupgraph.api")


class _DealtConnectionsServer(uvicorn.Server):
    """A uvicorn server that listens on nothing and serves the connections that arrive as
    file descriptors on ``channel``; it stops when the parent closes the channel."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])
        if self.should_exit:
            return
        loop = asyncio.get_running_loop()
        protocol = functools.partial(self.config.http_protocol_class, config=self.config,
                                     server_state=self.server_state,
                                     app_state=self.lifespan.state)
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._receive, loop, protocol)

    def _receive(self, loop: asyncio.AbstractEventLoop, protocol: Callable[[], Any]) -> None:
        try:
            message, fds, _flags, _address = socket.recv_fds(self.channel, 1, 1)
        except BlockingIOError:
            return
        if not message:  # the parent has gone: stop like on SIGTERM
            loop.remove_reader(self.channel.fileno())
            self.should_exit = True
            return
        for fd in fds:
            connection = socket.socket(fileno=fd)
            task = loop.create_task(loop.connect_accepted_socket(protocol, connection))
            task.add_done_callback(_report_failure)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.channel.fileno())
        await super().shutdown(sockets=sockets)


def _report_failure(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("a dealt connection could not be served: %s", task.exception())


def _deal(listening: socket.socket, channels: list[socket.socket], stopping: threading.Event
          ) -> None:
    """Accept connections on ``listening`` and send each to the next live worker's channel
    (round robin), until ``stopping`` is set or no worker is left."""
    turn = 0
    while not stopping.is_set() and channels:
        try:
            connection, _address = listening.accept()
        except OSError:
            if stopping.is_set():
                return
            log.exception("accepting a connection failed")
            stopping.wait(0.1)  # e.g. out of file descriptors: give the workers a moment
            continue
        with connection:
            while channels:
                channel = channels[turn % len(channels)]
                turn += 1
                try:
                    socket.send_fds(channel, [b"c"], [connection.fileno()])
                    break
                except OSError:  # that worker has died: deal to the others
                    channels.remove(channel)


def _stop_accepting(listening: socket.socket) -> None:
    """Wake the dealer's blocking ``accept`` (closing the socket alone would not)."""
    with contextlib.suppress(OSError):
        listening.shutdown(socket.SHUT_RDWR)


def serve_workers(make_app: Callable[[], Any], *, host: str, port: int, workers: int,
                  log_level: str) -> None:
    """Fork ``workers`` processes that each run the app ``make_app()`` builds (in the worker)
    and serve the connections this process accepts on ``host:port``, dealt in turn. Returns
    when every worker has stopped; SIGTERM or SIGINT stops them gracefully."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.create_server((host, port), family=family, backlog=2048)
    channels: list[socket.socket] = []
    children: list[int] = []
    for _ in range(workers):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:  # a worker
            code = 0
            try:
                listening.close()
                ours.close()
                for other in channels:
                    other.close()
                config = uvicorn.Config(make_app(), log_level=log_level, access_log=False)
                _DealtConnectionsServer(config, theirs).run()
            except BaseException:  # a worker reports and ends; the parent sees its exit
                log.exception("worker %d failed", os.getpid())
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        channels.append(ours)
        children.append(pid)

    stopping = threading.Event()

    def stop(_signum: int, _frame: object) -> None:
        stopping.set()
        _stop_accepting(listening)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    dealer = threading.Thread(target=_deal, args=(listening, channels, stopping),
                              name="dealer", daemon=True)
    dealer.start()
    for child in children:
        os.waitpid(child, 0)
    stopping.set()
    _stop_accepting(listening)
    listening.close()
    for channel in channels:
        channel.close()
