"""Fault tests of the limits, against a real uvicorn server on loopback with small limits.

Each test states its guarantee. A slow route (it blocks until the test releases it) stands for
heavy work, so no test depends on how fast the machine is; it is computed in the worker's
threads (``heavy_processes=False``), where the test can hold it. The same gate in front of heavy
processes is tested in ``test_heavy_processes.py``.
"""

import http.client
import json
import socket
import threading
import time

import pytest
import uvicorn

from server.limits import is_light
from server.main import create_app
from server.serve import GuardedH11Protocol
from server.settings import Settings

SLOW = "/api/v1/test/slow"
FLOW = "/api/v1/shallow/flow"  # heavy at its largest, light at a slider's size


class FastTimeoutProtocol(GuardedH11Protocol):
    header_timeout = 0.5


class Gate:
    def __init__(self):
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)
        self.calls = 0


@pytest.fixture(scope="module")
def server():
    settings = Settings(
        max_body_bytes=64 * 1024,
        body_timeout=0.5,
        request_timeout=3.0,
        heavy_paths=[SLOW, FLOW],
        heavy_concurrency=1,
        heavy_queue=1,
        light_threads=2,
        heavy_processes=False,
    )
    app = create_app(settings)
    gate = Gate()

    def slow() -> dict:
        gate.calls += 1
        gate.entered.release()
        gate.release.wait(10)
        return {"done": True}

    app.add_api_route(SLOW, slow, methods=["POST"])
    app.router.routes.insert(0, app.router.routes.pop())  # before the catch-all static mount
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", http=FastTimeoutProtocol
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield {"port": port, "gate": gate, "heavy": app.state.heavy_work}
    gate.release.set()
    srv.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def gate(server):
    g = server["gate"]
    g.release.clear()
    yield g
    g.release.set()
    heavy = server["heavy"]
    deadline = time.monotonic() + 10
    quiet = 0
    while quiet < 5 and time.monotonic() < deadline:  # every queued request has finished
        quiet = quiet + 1 if heavy.running == 0 and heavy.waiting == 0 else 0
        time.sleep(0.02)
    g.entered = threading.Semaphore(0)


def raw(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, return everything the server sends until it closes (or the timeout)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except OSError:
            pass
        return read_all(s)


def read_all(s: socket.socket) -> bytes:
    out = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (TimeoutError, ConnectionResetError):
            return out
        if not chunk:
            return out
        out += chunk


def request(port, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    return r.status, r.read(), r


def start_slow(port) -> threading.Thread:
    def go():
        try:
            request(port, "POST", SLOW, b"{}", {"Content-Type": "application/json"})
        except OSError:
            pass

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


# --------------------------------------------------------------------------- bodies


def test_chunked_body_over_the_limit_is_refused_while_reading(server):
    # Guarantee: without Content-Length, the body is counted as it arrives; past the limit the
    # answer is 413 with the documented body, before the rest is read.
    port = server["port"]
    head = (
        b"POST /api/v1/linear/view HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"%x\r\n%s\r\n" % (16384, b" " * 16384)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(head)
        sent = 0
        try:
            for _ in range(1000):  # up to 16 MB, far more than the 64 KiB limit
                s.sendall(chunk)
                sent += 16384
        except OSError:
            pass  # the server answered and closed
        answer = read_all(s)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"type": "too_large"' in answer or b'"type":"too_large"' in answer
    assert sent < 16 * 1024 * 1024


def test_declared_length_over_the_limit_is_refused_before_reading(server):
    head = (
        b"POST /api/v1/linear/view HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000000\r\n\r\n"
    )
    answer = raw(server["port"], head)
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_body_that_arrives_too_slowly_gets_408(server):
    # Guarantee: a body not complete body_timeout seconds after the headers is answered 408 and
    # the connection closed, so a slow client cannot hold a worker.
    head = (
        b"POST /api/v1/linear/view HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{"
    )
    answer = raw(server["port"], head)
    assert answer.startswith(b"HTTP/1.1 408")


def test_half_sent_headers_and_idle_connections_are_closed(server):
    # Guarantee: a connection that sends nothing, or half a request head, is closed after
    # header_timeout seconds (0.5 here): idle sockets cannot exhaust the open files.
    started = time.monotonic()
    assert raw(server["port"], b"GET /healthz HTTP/1.1\r\nHo", timeout=10) == b""
    assert raw(server["port"], b"", timeout=10) == b""
    assert time.monotonic() - started < 9


def test_keep_alive_still_works_across_requests(server):
    c = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=5)
    for _ in range(3):
        c.request("GET", "/healthz")
        r = c.getresponse()
        assert r.status == 200 and r.read() == b'{"status":"ok"}'


# --------------------------------------------------------------------------- heavy work


def test_health_and_light_requests_answer_while_heavy_work_is_full(server, gate):
    # Guarantee: heavy work has its own bounded slots; /healthz (GET and HEAD), /readyz and a
    # light API request are answered while every heavy slot is taken.
    port = server["port"]
    start_slow(port)
    assert gate.entered.acquire(timeout=5)
    assert request(port, "GET", "/healthz")[0] == 200
    assert request(port, "HEAD", "/healthz")[0] == 200
    assert request(port, "GET", "/readyz")[0] == 200
    status, body, _ = request(
        port, "POST", "/api/v1/shallow/bounds", b"{}", {"Content-Type": "application/json"}
    )
    assert status == 200, body


def test_a_full_queue_answers_503_at_once_and_readiness_says_busy(server, gate):
    # Guarantee: beyond heavy_concurrency running and heavy_queue waiting, a heavy request gets
    # 503 with Retry-After at once, and /readyz answers 503 so a balancer sends students
    # elsewhere.
    port = server["port"]
    start_slow(port)
    assert gate.entered.acquire(timeout=5)
    start_slow(port)  # waits in the queue
    deadline = time.monotonic() + 5
    while server["heavy"].waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    status, body, r = request(port, "POST", SLOW, b"{}", {"Content-Type": "application/json"})
    assert status == 503 and r.getheader("retry-after") == "5"
    assert b"busy" in body
    assert request(port, "GET", "/readyz")[0] == 503


def test_a_request_abandoned_in_the_queue_is_never_computed(server, gate):
    # Guarantee: a heavy request whose client disconnects while it waits is dropped: its work
    # never starts.
    port = server["port"]
    heavy = server["heavy"]
    start_slow(port)
    assert gate.entered.acquire(timeout=5)
    calls = gate.calls
    abandoned = heavy.abandoned
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(
        b"POST " + SLOW.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\n\r\n{}"
    )
    deadline = time.monotonic() + 5
    while heavy.waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    s.close()
    while heavy.abandoned == abandoned and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.release.set()
    time.sleep(0.2)
    assert heavy.abandoned == abandoned + 1
    assert gate.calls == calls  # the first request ran; the abandoned one did not


def test_over_budget_answers_503_and_keeps_the_slot_until_the_work_ends(server, gate):
    # Guarantee: an answer not ready within request_timeout (3 s here) is a 503; the thread
    # cannot be interrupted, so it keeps its heavy slot until it finishes: the bound on
    # concurrent heavy work holds for abandoned work too.
    port = server["port"]
    status, body, _ = request(port, "POST", SLOW, b"{}", {"Content-Type": "application/json"})
    assert status == 503 and b"timeout" in body
    assert server["heavy"].running == 1
    gate.release.set()
    deadline = time.monotonic() + 5
    while server["heavy"].running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server["heavy"].running == 0


def test_a_small_request_to_a_heavy_path_is_light_and_a_large_one_heavy(server, gate):
    # Guarantee: a route's small requests (here a 1D flow at its default size, a slider move)
    # do not queue behind heavy work; its large ones do, and get 503 when the queue is full.
    port = server["port"]
    start_slow(port)
    assert gate.entered.acquire(timeout=5)
    start_slow(port)  # waits in the queue, which is now full
    deadline = time.monotonic() + 5
    while server["heavy"].waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    small = json.dumps({"n_points": 400}).encode()
    large = json.dumps({"theta": [[0.1, 1.0]] * 32, "phi": [[0.0] * 33] * 4, "n_points": 1000})
    assert request(port, "POST", FLOW, small, {"Content-Type": "application/json"})[0] == 200
    status, body, _ = request(
        port, "POST", FLOW, large.encode(), {"Content-Type": "application/json"}
    )
    assert status == 503 and b"busy" in body


@pytest.mark.parametrize(
    ("body", "light"),
    [
        (b"", True),
        (b"{}", True),
        (b'{"n_points": 1000, "activation": "gelu"}', True),
        (json.dumps({"x": [0.5] * 2000}).encode(), True),
        (
            json.dumps({"theta": [[0, 1]] * 32, "phi": [[0] * 33] * 4, "n_points": 1000}).encode(),
            False,
        ),
        (json.dumps({"theta": [[0, 1]] * 32, "n_points": 1000}).encode(), False),
        (b'{"n_points": 1e300}', False),
        (b'{"n_points": "many"}', False),
        (b'{"theta": 3}', False),
        (b"[1, 2]", False),
        (b"{not json", False),
        (b"[" * 10_000 + b"]" * 10_000, False),  # too deep for the JSON parser
        (json.dumps({"x": [0.5] * 5000}).encode(), False),  # over 16 KiB: never parsed
    ],
)
def test_which_flow_requests_are_light(body, light):
    # Guarantee: only a body that is valid JSON and asks for a small answer counts as light;
    # anything the predicate cannot judge is heavy (and validated in the heavy lane).
    assert is_light(FLOW, body) is light
    assert is_light(SLOW, body) is False  # a heavy path without a predicate
