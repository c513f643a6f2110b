"""``dl-playground``: serve the playground with uvicorn, one or several worker processes.

    dl-playground --host 0.0.0.0 --port 8000 --workers 2

Connection limits come from uvicorn's own settings (idle keep-alive timeout, a cap on
connections per worker answered with 503, h11's header size limit), plus two things its
HTTP/1.1 protocol lacks, added by ``GuardedH11Protocol``:

- **TCP_NODELAY on every connection.** With ``--workers`` the listening socket is shared by the
  worker processes, and the accepted sockets did not get TCP_NODELAY (asyncio sets it only when
  the socket object reports the TCP protocol): Nagle's algorithm then met the client's delayed
  ACK and every request on a kept-alive connection waited ~40 ms.
- **A header timeout.** uvicorn closes a kept-alive connection that stays idle, but not a new
  connection that never sends a request or sends half of one: each would hold a file
  descriptor for ever (1,100 such sockets locked every client out). Such a connection is
  closed after ``header_timeout`` seconds.

Each worker needs about ``limit_concurrency + 50`` open files (``ulimit -n``); the defaults
(500 connections per worker) fit the common limit of 1,024 with one or two workers per limit.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT = float(os.environ.get("DLP_HEADER_TIMEOUT", "10"))


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with TCP_NODELAY and a timeout on receiving request headers."""

    header_timeout = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # pragma: no cover - a socket that cannot take it
                pass
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm_header_timer()

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _waiting_for_headers(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def data_received(self, data: bytes) -> None:
        waiting = self._waiting_for_headers()
        super().data_received(data)
        if self._waiting_for_headers():
            if waiting and data:
                self._arm_header_timer()  # part of a request: the rest must follow in time
        else:
            self._disarm_header_timer()  # a whole request head arrived

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm_header_timer()  # the keep-alive timeout takes over while idle

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self._waiting_for_headers() and not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(args: argparse.Namespace) -> dict:
    return {
        "host": args.host,
        "port": args.port,
        "workers": args.workers,
        "http": GuardedH11Protocol,
        "timeout_keep_alive": args.keep_alive,
        "limit_concurrency": args.max_connections,
        "h11_max_incomplete_event_size": 16 * 1024,  # request line + headers
        "timeout_graceful_shutdown": 10,
        "log_level": args.log_level,
        "proxy_headers": args.proxy_headers,
        "forwarded_allow_ips": args.forwarded_allow_ips,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="dl-playground", description="Serve DL Playground (the labs and the REST API)."
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "1")),
        help="worker processes (one per core is a good start)",
    )
    parser.add_argument("--keep-alive", type=int, default=5, help="idle keep-alive, seconds")
    parser.add_argument("--max-connections", type=int, default=500, help="per worker; more get 503")
    parser.add_argument("--log-level", default="info")
    parser.add_argument(
        "--proxy-headers", action="store_true", help="trust X-Forwarded-* from the proxy"
    )
    parser.add_argument("--forwarded-allow-ips", default="127.0.0.1")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    # One BLAS thread per request: concurrent requests share the cores instead of fighting.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    print(f"DL Playground on http://{args.host}:{args.port}  ({args.workers} worker(s))")  # noqa: T201
    uvicorn.run("server.main:app", **uvicorn_options(args))


if __name__ == "__main__":
    main()
