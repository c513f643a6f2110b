"""Limits before work: body size and read time, a wall-clock budget, a bound on heavy work.

One ASGI middleware, in front of the routes, guarantees for every HTTP request:

- **Body size.** The body is read here, counted while it arrives (with or without
  Content-Length, chunked too), and refused with **413** as soon as it passes the limit
  (``max_body_bytes`` for JSON, ``max_upload_bytes`` for uploads): no byte beyond the limit is
  kept, nothing is parsed. A declared Content-Length over the limit is refused before reading.
- **Body read time.** A body not complete ``body_timeout`` seconds after the headers gets **408**.
- **Heavy work is bounded.** Requests to ``heavy_paths`` compute at most ``heavy_concurrency`` at
  a time per worker process (so the worker's peak memory is bounded by that many of the largest
  requests); others wait in a queue of ``heavy_queue``, beyond which they get **503** at once.
  A request whose client goes away while it waits is dropped without computing anything.
- **Small requests to heavy paths are light.** A route whose small requests are slider moves
  (the 1D flow at its default size) declares with ``light_when`` which bodies are small; such
  a request skips the gate and is computed like a light one.
- **Heavy work runs elsewhere.** A heavy request let through the gate is computed in one of the
  worker's ``heavy_concurrency`` heavy processes, at a lower CPU priority (``server/heavy.py``);
  with ``heavy_processes=False``, in the worker's own threads.
- **Wall-clock budget.** An API request without an answer ``request_timeout`` seconds after its
  headers gets **503** with ``Retry-After``. Computation already running (in a heavy process or
  a thread) is not interrupted: it finishes, its answer is discarded, and it keeps its heavy
  slot until then, so the bound on concurrent work holds even for abandoned requests.
- **Threads.** Route functions run in a pool of ``heavy_concurrency + light_threads`` threads
  (not 40), so light requests always find a thread while heavy ones run, and threads do not
  fight over the GIL.

Errors use the documented body ``{"detail": [{"type", "loc", "msg"}]}``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Callable

import anyio.to_thread

from server.heavy import POOLS, respond, short_error
from server.settings import Settings

log = logging.getLogger("dl_playground.limits")


def error_body(kind: str, msg: str, loc: tuple = ("body",)) -> bytes:
    return json.dumps({"detail": [{"type": kind, "loc": list(loc), "msg": msg}]}).encode()


async def send_error(send, status: int, kind: str, msg: str, headers=(), loc=("body",)) -> None:
    body = error_body(kind, msg, loc)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class TooLarge(Exception):
    pass


# Heavy paths whose small requests are light: path -> predicate on the JSON body, declared by
# the route module with ``light_when``. Bodies larger than this are never parsed here.
LIGHT_WHEN: dict[str, Callable[[dict], bool]] = {}
LIGHT_BODY_BYTES = 16 * 1024


def light_when(path: str):
    """Declare which requests to the heavy ``path`` are light: ``predicate(body)`` gets the
    JSON body as sent (not yet validated) and says True only for a small request."""

    def register(predicate: Callable[[dict], bool]) -> Callable[[dict], bool]:
        LIGHT_WHEN[path] = predicate
        return predicate

    return register


def is_light(path: str, body: bytes) -> bool:
    predicate = LIGHT_WHEN.get(path)
    if predicate is None or len(body) > LIGHT_BODY_BYTES:
        return False
    try:
        data = json.loads(body or b"{}")
        return isinstance(data, dict) and bool(predicate(data))
    except (ValueError, TypeError, AttributeError, KeyError, RecursionError):  # cannot judge: heavy
        return False


class HeavyWork:
    """The per-process gate of heavy requests: a semaphore plus a count of who waits."""

    def __init__(self, slots: int, queue: int):
        self.slots = slots
        self.queue = queue
        self.running = 0
        self.waiting = 0
        self.abandoned = 0  # requests dropped from the queue because their client left
        self._semaphore: asyncio.Semaphore | None = None

    @property
    def semaphore(self) -> asyncio.Semaphore:
        if self._semaphore is None:  # created inside the running event loop
            self._semaphore = asyncio.Semaphore(self.slots)
        return self._semaphore

    @property
    def saturated(self) -> bool:
        return self.waiting >= self.queue


class LimitsMiddleware:
    def __init__(self, app, settings: Settings, heavy: HeavyWork):
        self.app = app
        self.settings = settings
        self.heavy = heavy
        self.upload_paths = frozenset(settings.upload_paths)
        self.heavy_paths = frozenset(settings.heavy_paths)
        self.stream_paths = frozenset(settings.stream_paths)
        self._threads_sized = False
        self._background: set[asyncio.Task] = set()

    def _size_thread_pool(self) -> None:
        if not self._threads_sized:
            limiter = anyio.to_thread.current_default_thread_limiter()
            limiter.total_tokens = self.settings.heavy_concurrency + self.settings.light_threads
            self._threads_sized = True

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            if scope["type"] == "lifespan" and self.settings.heavy_processes:
                POOLS.warm(*self._pool_key())  # started with the worker, not at its first request

                async def send_after_closing(message) -> None:
                    # Ended with the worker's shutdown, before the server lets the process go.
                    if message["type"] == "lifespan.shutdown.complete":
                        await asyncio.to_thread(POOLS.close, *self._pool_key())
                    await send(message)

                await self.app(scope, receive, send_after_closing)
                return
            await self.app(scope, receive, send)
            return
        self._size_thread_pool()
        path = scope["path"]
        limit = (
            self.settings.max_upload_bytes
            if path in self.upload_paths
            else self.settings.max_body_bytes
        )
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._too_large(send, limit, declared)
            return
        try:
            body = await asyncio.wait_for(_read_body(receive, limit), self.settings.body_timeout)
        except TooLarge:
            await self._too_large(send, limit, None)
            return
        except TimeoutError:
            await send_error(
                send,
                408,
                "request_timeout",
                f"the request body did not arrive within {self.settings.body_timeout:g} s",
                headers=[(b"connection", b"close")],
            )
            return
        except _Disconnected:
            return

        disconnected = asyncio.Event()
        downstream = _Replay(body, receive, disconnected)
        if path in self.stream_paths:  # bounds its own time; learns of a disconnect by polling
            watcher = asyncio.create_task(downstream.watch())
            try:
                await self.app(scope, downstream.receive, send)
            finally:
                watcher.cancel()
            return
        if not path.startswith("/api/"):
            await self.app(scope, downstream.receive, send)
            return
        heavy = path in self.heavy_paths and not is_light(path, body)
        await self._budgeted(scope, downstream, send, disconnected, heavy)

    def _pool_key(self) -> tuple[str, int, int]:
        s = self.settings
        return s.heavy_app, s.heavy_concurrency, s.heavy_nice

    async def _too_large(self, send, limit: int, declared: int | None) -> None:
        size = f"{declared // 1024} KiB" if declared is not None else "over the limit"
        await send_error(
            send,
            413,
            "too_large",
            f"the request body is {size}; at most {limit // 1024} KiB is accepted",
            headers=[(b"connection", b"close")],
        )

    async def _budgeted(self, scope, downstream, send, disconnected, heavy: bool) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.request_timeout
        watcher = asyncio.create_task(downstream.watch())
        try:
            if heavy:
                if self.heavy.saturated:
                    await self._busy(send, "too many heavy requests are waiting")
                    return
                acquired = await self._acquire(disconnected, deadline)
                if acquired is None:  # the client left while waiting: nothing was computed
                    self.heavy.abandoned += 1
                    return
                if not acquired:
                    await self._busy(send, "the server is busy")
                    return
            await self._run(scope, downstream, send, disconnected, deadline, heavy)
        finally:
            watcher.cancel()

    async def _acquire(self, disconnected: asyncio.Event, deadline: float) -> bool | None:
        semaphore = self.heavy.semaphore
        self.heavy.waiting += 1
        try:
            acquire = asyncio.create_task(semaphore.acquire())
            gone = asyncio.create_task(disconnected.wait())
            timeout = max(0.0, deadline - asyncio.get_running_loop().time())
            await asyncio.wait({acquire, gone}, timeout=timeout, return_when="FIRST_COMPLETED")
            gone.cancel()
            if acquire.done() and not acquire.cancelled():
                if disconnected.is_set():
                    semaphore.release()
                    return None
                self.heavy.running += 1
                return True
            acquire.cancel()
            try:
                await acquire
            except asyncio.CancelledError:
                pass
            else:  # acquired in the same instant it was cancelled
                semaphore.release()
            return None if disconnected.is_set() else False
        finally:
            self.heavy.waiting -= 1

    def _release(self, _task=None) -> None:
        self.heavy.running -= 1
        self.heavy.semaphore.release()

    async def _run(self, scope, downstream, send, disconnected, deadline, heavy) -> None:
        state = {"started": False, "discard": False}

        async def guarded_send(message):
            if state["discard"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        if heavy and self.settings.heavy_processes:
            pool = POOLS.get(*self._pool_key())
            work = respond(pool, scope, downstream.body, guarded_send)
        else:
            work = self.app(scope, downstream.receive, guarded_send)
        task = asyncio.create_task(work)
        if heavy:
            task.add_done_callback(self._release)
        gone = asyncio.create_task(disconnected.wait())
        timeout = max(0.0, deadline - asyncio.get_running_loop().time())
        await asyncio.wait({task, gone}, timeout=timeout, return_when="FIRST_COMPLETED")
        gone.cancel()
        if task.done():
            error = task.exception()
            if error is not None:  # a bug: a short 500, and a log line that stays short
                log.error(
                    "%s %s failed: %s",
                    scope["method"],
                    scope["path"],
                    short_error(error),
                    exc_info=False,
                )
                trace = getattr(error, "trace", None)  # a heavy process's own traceback
                log.error(trace or "".join(traceback.format_tb(error.__traceback__)[-8:]))
                if not state["started"]:
                    await send_error(send, 500, "internal_error", "the server failed", loc=())
            return
        # Over budget, or the client left: the thread cannot be stopped, so its answer is
        # discarded and the task finishes in the background (keeping its heavy slot till then).
        state["discard"] = True
        self._background.add(task)
        task.add_done_callback(self._forget)
        if disconnected.is_set() or state["started"]:
            return
        await self._busy(
            send,
            f"the request took more than {self.settings.request_timeout:g} s",
            kind="timeout",
        )

    def _forget(self, task: asyncio.Task) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("abandoned request failed: %s", short_error(task.exception()))

    async def _busy(self, send, why: str, kind: str = "busy") -> None:
        await send_error(
            send,
            503,
            kind,
            f"{why}; please try again in a few seconds",
            headers=[(b"retry-after", b"5")],
            loc=(),
        )


class _Disconnected(Exception):
    pass


def _content_length(scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _read_body(receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        if chunk:
            chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class _Replay:
    """The ``receive`` the app sees: the buffered body once, then a disconnect when (and only
    when) the real client goes away, which ``watch`` listens for."""

    def __init__(self, body: bytes, receive, disconnected: asyncio.Event):
        self._body = body
        self._sent = False
        self._receive = receive
        self._disconnected = disconnected

    @property
    def body(self) -> bytes:
        return self._body

    async def receive(self):
        if not self._sent:
            self._sent = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        await self._disconnected.wait()
        return {"type": "http.disconnect"}

    async def watch(self) -> None:
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self._disconnected.set()
                return


def install_limits(app, settings: Settings) -> HeavyWork:
    """Add the middleware. Its heavy-work gate is also kept on ``app.state.heavy_work``, where
    the readiness check reads how full the queue is."""
    heavy = HeavyWork(settings.heavy_concurrency, settings.heavy_queue)
    app.state.heavy_work = heavy
    app.add_middleware(LimitsMiddleware, settings=settings, heavy=heavy)
    return heavy
