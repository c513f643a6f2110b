"""Heavy requests computed in processes of their own, at a lower priority (server/heavy.py).

Each test states its guarantee. The heavy processes of the fault tests run
``tests/server/heavy_app.py``: the playground's routes plus a few test routes.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from server.heavy import POOLS
from server.main import create_app
from server.settings import HEAVY_PATHS, Settings
from tests.server.image_files import encode

TEST_PATHS = [f"/api/v1/test/{name}" for name in ("process", "wait", "broken", "die")]
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def in_threads():
    with TestClient(create_app(Settings(heavy_processes=False))) as c:
        yield c


@pytest.fixture(scope="module")
def in_processes():
    with TestClient(create_app(Settings(heavy_processes=True))) as c:
        yield c


def fault_settings(budget: float) -> Settings:
    return Settings(
        heavy_paths=HEAVY_PATHS + TEST_PATHS,
        heavy_app="tests.server.heavy_app:app",
        request_timeout=budget,
    )


@pytest.fixture(scope="module")
def faults():
    settings = fault_settings(budget=120.0)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as c:
        started(settings)
        yield c, app.state.heavy_work, settings


def started(settings: Settings) -> None:
    """Wait until the heavy process is up, however long a loaded machine takes to start it."""
    key = (settings.heavy_app, settings.heavy_concurrency, settings.heavy_nice)
    POOLS.get(*key).submit(os.getpid).result(timeout=300)


def _examples(client) -> list[tuple[str, dict]]:
    schema = client.get("/openapi.json").json()
    found = []
    for path in HEAVY_PATHS:
        content = schema["paths"][path]["post"]["requestBody"]["content"]
        if "application/json" not in content:
            continue
        ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        for example in schema["components"]["schemas"][ref].get("examples", []):
            found.append((path, example))
    return found


def _untimed(answer: dict) -> dict:
    """A timing answer without its measured times and the coefficients fitted to them."""
    timed = [key for key in answer if key.endswith("_seconds") or key.startswith("coef")]
    assert timed
    return {key: (key in timed) or value for key, value in answer.items()}


def test_every_heavy_route_answers_the_same_bytes_in_a_heavy_process(in_threads, in_processes):
    # Guarantee: a heavy route computed in a heavy process gives the answer the worker's own
    # threads give (same status, same JSON bytes), for every documented example.
    examples = _examples(in_threads)
    assert {path for path, _ in examples} >= set(HEAVY_PATHS) - {"/api/v1/conv/image/upload"}
    for path, example in examples:
        here = in_threads.post(path, json=example)
        there = in_processes.post(path, json=example)
        assert here.status_code == there.status_code == 200, (path, there.text[:300])
        if path == "/api/v1/linear/complexity":  # it measures times: all but those equal
            assert _untimed(here.json()) == _untimed(there.json())
        else:
            assert here.content == there.content, path


def test_an_upload_and_an_invalid_request_are_answered_the_same(in_threads, in_processes):
    # Guarantee: multipart uploads and 422 answers pass through a heavy process unchanged.
    image = encode(Image.linear_gradient("L").resize((40, 30)))
    upload = ("/api/v1/conv/image/upload", {"file": ("a.png", image, "image/png")})
    here = in_threads.post(upload[0], files=upload[1], data={"kernel": "sobel_x"})
    there = in_processes.post(upload[0], files=upload[1], data={"kernel": "sobel_x"})
    assert here.status_code == there.status_code == 200
    assert here.content == there.content
    bad = {"theta": [[0, 0, 0]], "phi": [1.0], "grid_size": 10_000}
    here = in_threads.post("/api/v1/shallow/regions", json=bad)
    there = in_processes.post("/api/v1/shallow/regions", json=bad)
    assert here.status_code == there.status_code == 422
    assert here.json() == there.json()


def test_heavy_work_runs_in_another_process_at_a_lower_priority(faults):
    # Guarantee: a heavy request is computed outside the worker, in a process whose niceness
    # is the worker's plus heavy_nice (capped at 19), so the scheduler prefers light requests.
    client, _, _ = faults
    answer = client.post("/api/v1/test/process", json={}).json()
    here = os.getpriority(os.PRIO_PROCESS, 0)
    assert answer["pid"] != os.getpid()
    assert answer["nice"] == min(19, here + Settings().heavy_nice)


def test_over_budget_work_is_discarded_and_keeps_its_slot_until_it_ends(faults, tmp_path):
    # Guarantee: an answer not ready within request_timeout (1 s here) is a 503 at once; the
    # heavy process finishes its computation, whose answer is dropped, and the slot stays taken
    # until then, so the bound on concurrent heavy work holds for abandoned work too.
    settings = fault_settings(budget=1.0)  # the same heavy process as the other tests
    app = create_app(settings)
    with TestClient(app) as client:
        started(settings)
        heavy = app.state.heavy_work
        flag = tmp_path / "go"
        r = client.post("/api/v1/test/wait", json={"path": str(flag)})
        assert r.status_code == 503 and r.json()["detail"][0]["type"] == "timeout"
        assert heavy.running == 1
        assert not (tmp_path / "go.done").exists()
        flag.write_text("go")
        deadline = time.monotonic() + 60
        while heavy.running and time.monotonic() < deadline:
            time.sleep(0.02)
        assert heavy.running == 0
        assert (tmp_path / "go.done").exists()  # it finished, and nobody got its answer
    client = faults[0]
    assert client.post("/api/v1/test/process", json={}).status_code == 200


def test_a_bug_in_a_heavy_process_is_a_short_500_with_its_traceback_logged(faults, caplog):
    # Guarantee: an exception in a heavy process is a 500 with the documented body, and the
    # log names the heavy process's own frame without holding its megabyte of message.
    client, _, _ = faults
    with caplog.at_level("ERROR"):
        r = client.post("/api/v1/test/broken", json={})
    assert r.status_code == 500
    assert r.json()["detail"][0]["type"] == "internal_error"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "heavy_app.py" in logged and "in broken" in logged
    assert len(logged) < 10_000


def test_a_heavy_process_that_dies_is_replaced(faults):
    # Guarantee: a heavy process killed mid-request (out of memory, a crash) costs that request
    # a 500; the next heavy request is computed by a new process.
    client, _, settings = faults
    first = client.post("/api/v1/test/process", json={})
    assert first.status_code == 200, first.text
    before = first.json()["pid"]
    assert client.post("/api/v1/test/die", json={}).status_code == 500
    started(settings)
    r = client.post("/api/v1/test/process", json={})
    assert r.status_code == 200, r.text
    assert r.json()["pid"] != before


ORPHAN = """
import os, signal, multiprocessing
from concurrent.futures import ProcessPoolExecutor
from server.heavy import exit_with_parent

if __name__ == "__main__":
    pool = ProcessPoolExecutor(
        1, mp_context=multiprocessing.get_context("spawn"), initializer=exit_with_parent
    )
    print(pool.submit(os.getpid).result(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no shutdown, no atexit: the pool is never told
"""


def test_pool_processes_end_with_the_process_that_started_them(tmp_path):
    # Guarantee: when a worker ends, however abruptly (uvicorn raises SIGTERM again after its
    # shutdown), its heavy and training processes end too instead of waiting for ever.
    script = tmp_path / "orphan.py"
    script.write_text(ORPHAN)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=root, timeout=60
    )
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_server_stopped_with_sigterm_ends_its_pools_cleanly():
    # `docker stop` and service managers send SIGTERM; the heavy and training pools are closed
    # during the worker's shutdown, so nothing is left for the interpreter's end (which SIGTERM
    # skips).
    root = Path(__file__).resolve().parents[2]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.main:app", "--port", str(port)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        landscape = httpx.post(f"{url}/api/v1/training/landscape", json={}, timeout=30)
        assert landscape.status_code == 200  # computed in a heavy process
        short_run = {"data": {"n_points": 50}, "stop": {"epochs": 2}}  # in a training process
        streamed = httpx.post(f"{url}/api/v1/trainer/stream", json=short_run, timeout=60)
        assert streamed.status_code == 200 and '"done": true' in streamed.text.replace(
            ":true", ": true"
        )
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    finally:
        server.kill()
    assert "Application shutdown complete" in stderr
    assert "leaked" not in stderr, stderr
