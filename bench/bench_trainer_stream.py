"""Does a running trainer stream slow the other labs down? Light requests with and without it.

Starts the playground (`dl-playground`, one or more workers) on a free port, measures the
latency of a light request (the linear lab's default view) with nothing else running, then
while a client streams a long training run (`/api/v1/trainer/stream`), and prints both
medians and their ratio.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_trainer_stream.py [--workers 1] [--n 200]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
STREAM = {
    "data": {"dataset": "spiral", "n_points": 500},
    "network": {"hidden": [8, 8], "activations": ["tanh", "tanh"]},
    "stop": {"epochs": 2000},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def light_latencies(client: httpx.Client, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.post("/api/v1/linear/view", json={}).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "server.serve", "--port", str(port), "--workers", str(args.workers)],
        cwd=ROOT,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{url}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        client = httpx.Client(base_url=url, timeout=30)
        light_latencies(client, 20)  # warm up
        alone = light_latencies(client, args.n)

        stop = threading.Event()
        events = []

        def stream():
            with httpx.Client(base_url=url, timeout=None) as c:
                with c.stream("POST", "/api/v1/trainer/stream", json=STREAM) as response:
                    for line in response.iter_lines():
                        if line.startswith("event: snapshot"):
                            events.append(time.perf_counter())
                        if stop.is_set():
                            break

        thread = threading.Thread(target=stream, daemon=True)
        thread.start()
        while len(events) < 3:
            time.sleep(0.05)
        with_stream = light_latencies(client, args.n)
        stop.set()
        rate = (len(events) - 1) / (events[-1] - events[0])
    finally:
        server.terminate()
        server.wait(timeout=10)
    a, b = statistics.median(alone), statistics.median(with_stream)
    print(f"load average {os.getloadavg()[0]:.2f}; {args.workers} worker(s); n = {args.n}")
    print(f"light request p50 alone {a:.2f} ms, while a stream trains {b:.2f} ms: x{b / a:.2f}")
    print(f"stream updates per second while measured: {rate:.1f}")


if __name__ == "__main__":
    main()
