"""Heavy requests computed in processes of their own, at a lower CPU priority.

A heavy request (``Settings.heavy_paths``) that passed the limits' gate is not computed by the
worker that received it. The worker hands the request (method, path, headers, body) to one of
its ``heavy_concurrency`` heavy processes, which runs the very same routes (the app named by
``heavy_app``, below its limits: exception handlers, validation, the core call, the response
model) and sends back the finished answer: status, headers and body bytes. So:

- **The worker's GIL stays free.** Parsing the request, the computation, and validating and
  serialising an answer of megabytes all happen in the heavy process; the worker only passes
  bytes along, so its light requests and health checks keep their threads and event loop.
- **Light work comes first.** Heavy processes add ``heavy_nice`` to their niceness when they
  start: when the cores are busy the scheduler runs the workers first and gives heavy work
  what is left, and heavy work still has every idle cycle.
- **The same answers.** The routes, models and error handlers are the ones a worker would run
  (``heavy_processes=False`` computes in the worker's threads instead); the routes'
  ``response_model`` still documents each answer in OpenAPI.
- **Bounded memory.** A heavy process computes one request at a time, and the gate lets at most
  ``heavy_concurrency`` requests through per worker: the heavy memory of a worker is that many
  processes of about 90 MB plus the largest request each.
- **Abandoned work is dropped.** The gate drops a request whose client leaves while it waits. A
  computation already started finishes (routes are bounded to about a second), its answer is
  discarded, and it keeps its slot until then.
- **A process that dies is replaced.** Its request gets a 500; the next one starts a new pool.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
import multiprocessing.connection
import os
import threading
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

# What a heavy process needs of the connection's ASGI scope (all of it plain data).
SCOPE_KEYS = (
    "type",
    "asgi",
    "http_version",
    "method",
    "scheme",
    "path",
    "raw_path",
    "root_path",
    "query_string",
    "headers",
    "client",
    "server",
)


@dataclass(frozen=True)
class Failure:
    """An exception that escaped the routes in a heavy process (a bug: the worker answers 500)."""

    summary: str
    trace: str


class HeavyProcessError(Exception):
    """Raised in the worker for a ``Failure``; ``trace`` is the heavy process's traceback."""

    def __init__(self, failure: Failure):
        super().__init__(failure.summary)
        self.trace = failure.trace


class HeavyPools:
    """The heavy processes of this worker: one pool per (app, size, niceness), started on first
    use, replaced when one of its processes dies."""

    def __init__(self):
        self._pools: dict[tuple[str, int, int], ProcessPoolExecutor] = {}
        self._lock = threading.Lock()
        self._starting: list = []  # futures of warm(): done once the processes are up

    @property
    def started(self) -> bool:
        """Whether the processes that warm() started are up (True when none were asked for)."""
        return all(future.done() for future in self._starting)

    def get(self, app: str, processes: int, nice: int) -> ProcessPoolExecutor:
        key = (app, processes, nice)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = ProcessPoolExecutor(
                    processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start,
                    initargs=(app, nice),
                )
                self._pools[key] = pool
            return pool

    def discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            for key, known in list(self._pools.items()):
                if known is pool:
                    del self._pools[key]
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self, app: str, processes: int, nice: int) -> None:
        """End the processes of one pool and wait for them: the worker is shutting down.
        (Ended before the worker exits, the pool releases its semaphores itself; left to the
        interpreter's end, which a SIGTERM skips, they are reported as leaked.)"""
        with self._lock:
            pool = self._pools.pop((app, processes, nice), None)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def warm(self, app: str, processes: int, nice: int) -> None:
        """Start the processes now rather than at the first heavy request (without waiting)."""
        pool = self.get(app, processes, nice)
        self._starting = [pool.submit(os.getpid) for _ in range(processes)]


POOLS = HeavyPools()


async def respond(
    pool: ProcessPoolExecutor, scope: dict, body: bytes, send, pools: HeavyPools = POOLS
) -> None:
    """Compute one request in a heavy process and send its answer."""
    portable = {key: scope[key] for key in SCOPE_KEYS if key in scope}
    loop = asyncio.get_running_loop()
    try:
        answer = await loop.run_in_executor(pool, compute, portable, body)
    except BrokenProcessPool:
        pools.discard(pool)  # a process died (killed, out of memory): the next request starts anew
        raise
    if isinstance(answer, Failure):
        raise HeavyProcessError(answer)
    status, headers, content = answer
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


# ------------------------------------------------------------------ inside a heavy process

_APP = None  # (the app, its routes below the limits)
_LOOP: asyncio.AbstractEventLoop | None = None


def exit_with_parent() -> None:
    """In a pool process: exit as soon as the process that started it ends, however it ends.
    (uvicorn ends a worker by raising SIGTERM again after its shutdown: the pool is never told,
    and its processes, each holding both ends of its task pipe, would wait for ever.)"""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _start(app_path: str, nice: int) -> None:
    """Pool initializer: follow the worker's end, lower this process's priority, import the app."""
    global _APP, _LOOP
    exit_with_parent()
    if nice:
        os.nice(nice)
    module, name = app_path.split(":")
    app = getattr(importlib.import_module(module), name)
    _APP = app, routes_below_limits(app)
    _LOOP = asyncio.new_event_loop()


def routes_below_limits(app):
    """The app's ASGI layers below its limits middleware: exception handlers and routes."""
    from server.limits import LimitsMiddleware

    layer = app.build_middleware_stack()
    while not isinstance(layer, LimitsMiddleware):
        layer = layer.app
    return layer.app


def compute(scope: dict, body: bytes) -> tuple[int, list, bytes] | Failure:
    """Run one request through the routes: (status, headers, body), or the failure."""
    assert _LOOP is not None, "not a heavy process"
    return _LOOP.run_until_complete(_call(scope, body))


async def _call(scope: dict, body: bytes) -> tuple[int, list, bytes] | Failure:
    app, routes = _APP
    start: dict = {}
    chunks: list[bytes] = []
    delivered = False

    async def receive():
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the worker watches the client; no disconnect here

    async def send(message):
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        await routes({**scope, "app": app, "state": {}}, receive, send)
    except Exception as error:
        return Failure(short_error(error), "".join(traceback.format_tb(error.__traceback__)[-8:]))
    return start["status"], list(start.get("headers", [])), b"".join(chunks)


def short_error(error: BaseException, limit: int = 2000) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"
