"""Latency of every interactive endpoint at its default size: p50 and p99, in ms.

Two ways: in process (ASGI app through TestClient, no network) and over loopback against a real
uvicorn server (started here on a free port unless --url is given).

    .venv/bin/python bench/bench_api.py [--n 300] [--url http://127.0.0.1:8000]

Prints a Markdown table; copy it into BENCHMARKS.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.main import create_app  # noqa: E402

# (name, path, JSON body): each lab's interactive calls at their default sizes.
CASES: list[tuple[str, str, dict]] = [
    ("linear view (default, with descent)", "/api/v1/linear/view", {}),
    ("linear view (no descent)", "/api/v1/linear/view", {"descent": False}),
    (
        "linear view (500 points, 200x200 grid)",
        "/api/v1/linear/view",
        {"n_points": 500, "grid_size": 200},
    ),
    ("shallow flow", "/api/v1/shallow/flow", {}),
    ("activation curves", "/api/v1/shallow/activations", {}),
    ("2D region map", "/api/v1/shallow/regions", {}),
    ("region bounds table", "/api/v1/shallow/bounds", {}),
    ("approximation fit + error sweep", "/api/v1/approximation/fit", {}),
    ("coefficient counts", "/api/v1/approximation/counts", {}),
    ("radial densities", "/api/v1/approximation/radial", {}),
    ("polar fit", "/api/v1/polar/fit", {}),
    ("training landscape", "/api/v1/training/landscape", {}),
    ("training point (mini-batch view)", "/api/v1/training/point", {"phi0": 1, "phi1": 5}),
    ("training race", "/api/v1/training/race", {}),
    ("training starts", "/api/v1/training/starts", {}),
    ("image kernel", "/api/v1/conv/image", {}),
    ("1D convolution", "/api/v1/conv/conv1d", {}),
    ("channels", "/api/v1/conv/channels", {}),
    ("receptive field", "/api/v1/conv/receptive", {}),
    ("equivariance", "/api/v1/conv/equivariance", {}),
]


def measure(post, n: int) -> tuple[float, float]:
    for _ in range(10):
        post()
    times = np.empty(n)
    for i in range(n):
        t0 = time.perf_counter()
        post()
        times[i] = time.perf_counter() - t0
    return float(np.percentile(times, 50) * 1e3), float(np.percentile(times, 99) * 1e3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "server.main:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(url + "/healthz", timeout=0.5)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start")


def check(response) -> None:
    if response.status_code != 200:
        raise RuntimeError(
            f"{response.request.url}: HTTP {response.status_code} {response.text[:200]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="requests per endpoint")
    parser.add_argument("--url", help="a running server to measure (default: start one)")
    args = parser.parse_args()

    client = TestClient(create_app())
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server()
    rows = []
    try:
        with httpx.Client(base_url=url, timeout=10) as http:
            for name, path, body in CASES:
                check(client.post(path, json=body))
                in_proc = measure(lambda p=path, b=body: client.post(p, json=b), args.n)
                loop = measure(lambda p=path, b=body: check(http.post(p, json=b)), args.n)
                rows.append((name, path, *in_proc, *loop))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()
    print(f"| endpoint | path | in-process p50 | p99 | loopback p50 | p99 |  (n = {args.n}, ms)")
    print("|---|---|---:|---:|---:|---:|")
    for name, path, a50, a99, b50, b99 in rows:
        print(f"| {name} | `{path}` | {a50:.2f} | {a99:.2f} | {b50:.2f} | {b99:.2f} |")


if __name__ == "__main__":
    main()
