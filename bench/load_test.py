"""Load test: a class of simulated students against a real server (plain asyncio + httpx).

Starts ``dl-playground`` with the given number of worker processes on a free port, runs one
scenario, prints a Markdown table, and stops the server. Peak memory is the sum over the
server's processes of their peak resident size (VmHWM in /proc).

    .venv/bin/python bench/load_test.py mix --workers 2 --clients 100 --think 0.5 --duration 30
    .venv/bin/python bench/load_test.py mix --workers 1 --clients 50 --think 0 --duration 20
    .venv/bin/python bench/load_test.py storm --workers 2 --duration 20
    .venv/bin/python bench/load_test.py keepalive --workers 2
    .venv/bin/python bench/load_test.py wrk --workers 1 --clients 50 --duration 20

Scenarios:
- ``mix``: each client loops over a student's mix (mostly slider moves on the light labs, some
  heavy views), with an exponential think time of mean ``--think`` seconds between requests.
- ``storm``: 5 clients send the heaviest requests allowed without pause while 10 students
  move sliders; reports the light requests' latency.
- ``keepalive``: one client, one kept-alive connection, GET /healthz 500 times.
- ``wrk``: the ``mix`` without think time, sent by ``wrk`` (Debian package ``wrk``, one thread,
  ``--clients`` connections) instead of Python: a generator that takes little CPU, so that the
  server gets the cores when 1 and 2 workers are compared. Reports the CPU time of both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from local_server import free_port

ROOT = Path(__file__).resolve().parent.parent
UNITS = 32

# (kind, weight, method, path, body): what a student's browser sends.
LIGHT = [
    ("light", 30, "/api/v1/linear/view", {"seed": 3, "n_points": 20, "phi0": 0.4, "phi1": 1.1}),
    ("light", 20, "/api/v1/shallow/flow", {}),
    ("light", 10, "/api/v1/conv/conv1d", {"kernel": [1, 0, -1], "stride": 2}),
    ("light", 10, "/api/v1/training/point", {"phi0": 0.5, "phi1": 4.0}),
    ("light", 5, "/api/v1/shallow/bounds", {}),
    ("light", 5, "/api/v1/conv/receptive", {}),
    ("light", 5, "/api/v1/conv/equivariance", {}),
]
# The heavier views at their default sizes ("heavy" here is what the student asks for: the server
# computes the default region map, polar fit and approximation fit as light requests).
HEAVY = [
    ("heavy", 5, "/api/v1/shallow/regions", {}),
    ("heavy", 4, "/api/v1/training/race", {}),
    ("heavy", 2, "/api/v1/training/starts", {}),
    ("heavy", 2, "/api/v1/training/landscape", {}),
    ("heavy", 2, "/api/v1/polar/fit", {}),
    ("heavy", 2, "/api/v1/approximation/fit", {}),
]
HEAVIEST = [
    (
        "heaviest",
        1,
        "/api/v1/shallow/regions",
        {
            "activation": "gelu",
            "theta": [[0.05 * d - 0.8, 1.0, 0.03 * d - 0.5] for d in range(UNITS)],
            "phi": [0.5] + [0.1] * UNITS,
            "grid_size": 300,
            "panel_size": 81,
        },
    ),
    ("heaviest", 1, "/api/v1/training/starts", {"max_steps": 1000}),
]


def start_server(workers: int, port: int, cpus: int = 0) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "dl-playground"
    cmd = [str(exe), "--port", str(port), "--workers", str(workers), "--log-level", "warning"]
    if cpus:  # the server and all its processes on the first `cpus` cores only
        cmd = ["taskset", "-c", f"0-{cpus - 1}", *cmd]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    # Measure a started server, as a class meets it: every worker ready (its heavy processes up,
    # its API schema built). New connections reach the workers in turn: 20 "ok" in a row.
    ok = 0
    while time.monotonic() < deadline and ok < 20:
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
            ok = ok + 1 if ready else 0
            time.sleep(0.01 if ready else 0.2)
        except httpx.HTTPError:
            ok = 0
            time.sleep(0.2)
    if ok >= 20:
        return proc
    proc.kill()
    raise RuntimeError("the server did not start")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def tree_pids(pid: int) -> list[int]:
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        for child in Path("/proc").glob("[0-9]*"):
            try:
                ppid = int((child / "stat").read_text().split(") ")[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent:
                pids.append(int(child.name))
                frontier.append(int(child.name))
    return pids


def cpu_seconds(pid: int) -> float:
    """User + system CPU time used so far by the server's processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in tree_pids(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().split(") ")[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


def peak_memory_mb(pid: int) -> float:
    total = 0
    for p in tree_pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class Recorder:
    def __init__(self):
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.statuses: dict[str, int] = {}
        self.count = 0

    def add(self, kind: str, ms: float, status: str) -> None:
        self.count += 1
        self.times.setdefault(kind, []).append(ms)
        if status != "200":
            self.errors[kind] = self.errors.get(kind, 0) + 1
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def merge(self, other: dict) -> None:
        """Add another process's records (its ``__dict__``)."""
        self.count += other["count"]
        for kind, values in other["times"].items():
            self.times.setdefault(kind, []).extend(values)
        for kind, n in other["errors"].items():
            self.errors[kind] = self.errors.get(kind, 0) + n
        for status, n in other["statuses"].items():
            self.statuses[status] = self.statuses.get(status, 0) + n


def heavy_clients(base: str, duration: float, results) -> None:
    """The storm's 5 clients on the heaviest requests, in a process of their own, at a lower CPU
    priority: on a class's network they are other machines, and here reading gigabytes of
    answers must not take the CPU from the server's light requests."""
    os.nice(10)
    rec = Recorder()
    asyncio.run(run_clients(base, [(5, HEAVIEST, 0.0, rec)], duration))
    results.put(rec.__dict__)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def student(client, base, mix, think, stop_at, rec, rng):
    weights = [w for _, w, _, _ in mix]
    if think:  # students arrive at random moments, not all in the same millisecond
        await asyncio.sleep(rng.expovariate(1 / think))
    while time.monotonic() < stop_at:
        kind, _, path, body = rng.choices(mix, weights)[0]
        start = time.perf_counter()
        try:
            r = await client.post(base + path, json=body)
            status = str(r.status_code)
            if r.status_code == 503:  # busy (queue full) or timeout (over the budget)
                status += ":" + r.json()["detail"][0]["type"]
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        rec.add(kind, (time.perf_counter() - start) * 1000, status)
        if think:
            await asyncio.sleep(rng.expovariate(1 / think))


async def run_clients(base, groups, duration):
    """groups: list of (n_clients, mix, think, recorder)."""
    stop_at = time.monotonic() + duration
    total = sum(n for n, *_ in groups)
    limits = httpx.Limits(max_connections=total, max_keepalive_connections=total)
    async with httpx.AsyncClient(
        limits=limits, timeout=60, headers={"Accept-Encoding": "gzip"}
    ) as c:
        tasks = []
        for g, (n, mix, think, rec) in enumerate(groups):
            for i in range(n):
                rng = random.Random(1000 * g + i)
                tasks.append(student(c, base, mix, think, stop_at, rec, rng))
        await asyncio.gather(*tasks)


def report(rec: Recorder, duration: float, title: str, memory: float, cpu: float) -> None:
    print(f"\n### {title}\n")
    print(f"load generator CPU {time.process_time() - GENERATOR_CPU0:.1f} s (this process)")
    per_request = 1000 * cpu / max(rec.count, 1)
    print(
        f"{rec.count / duration:.1f} requests/s, peak server memory {memory:.0f} MB, "
        f"server CPU {cpu:.1f} s = {per_request:.1f} CPU-ms per request "
        f"(capacity {1000 / per_request:.0f} requests/s per busy core), "
        f"load average {os.getloadavg()[0]:.2f}\n"
    )
    if rec.statuses:
        print(f"errors by status: {rec.statuses}\n")
    print("| kind | requests | errors | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    for kind, values in sorted(rec.times.items()):
        print(
            f"| {kind} | {len(values)} | {rec.errors.get(kind, 0)} | "
            f"{pct(values, 0.5):.1f} | {pct(values, 0.99):.1f} |"
        )


def wrk_script(mix) -> str:
    """A wrk Lua script that sends the mix: each request drawn with the mix's weights."""
    entries = ",\n".join(
        f"  {{{w:.6f}, '{path}', [==[{json.dumps(body)}]==]}}" for _, w, path, body in mix
    )
    return f"""local mix = {{
{entries}
}}
local total, requests = 0, {{}}
function setup(thread) thread:set("id", math.random(1, 1000000)) end
function init(args)
  math.randomseed(id)
  local headers = {{["Content-Type"] = "application/json"}}
  for i, entry in ipairs(mix) do  -- formatted here, once wrk has set the Host header
    total = total + entry[1]
    requests[i] = wrk.format("POST", entry[2], headers, entry[3])
  end
end
function request()
  local r = math.random() * total
  for i, entry in ipairs(mix) do
    r = r - entry[1]
    if r <= 0 then return requests[i] end
  end
  return requests[#requests]
end
"""


def run_wrk(base: str, mix, clients: int, duration: float, workers: int, proc) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(wrk_script(mix))
    cmd = ["wrk", "-t1", f"-c{clients}", f"-d{duration:.0f}s", "--timeout", "30s", "--latency"]
    cmd += ["-s", f.name, base]
    cpu0 = cpu_seconds(proc.pid)
    start = time.monotonic()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()
    _, _, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - start
    cpu = cpu_seconds(proc.pid) - cpu0
    os.unlink(f.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    spread = out.split("Latency Distribution", 1)[-1]
    p50 = re.search(r"50%\s+(\S+)", spread).group(1)
    p99 = re.search(r"99%\s+(\S+)", spread).group(1)
    generator = usage.ru_utime + usage.ru_stime
    print(
        f"\n### wrk mix: {clients} connections, no think time, {workers} worker(s), "
        f"{duration:.0f} s\n\n"
        f"{rate:.1f} requests/s, non-2xx {bad.group(1) if bad else 0}, "
        f"socket errors: {errors.group(1) if errors else 'none'}, latency p50 {p50}, p99 {p99}; "
        f"server CPU {cpu:.1f} s ({cpu / wall:.2f} cores), wrk CPU {generator:.1f} s "
        f"({generator / wall:.2f} cores), peak server memory {peak_memory_mb(proc.pid):.0f} MB, "
        f"load average {os.getloadavg()[0]:.2f}"
    )


GENERATOR_CPU0 = 0.0


def keepalive(port: int, n: int = 500) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        times.append((time.perf_counter() - start) * 1000)
    print(
        f"keep-alive GET /healthz: p50 {statistics.median(times):.2f} ms, "
        f"p99 {pct(times, 0.99):.2f} ms (n = {n})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenario", choices=["mix", "storm", "keepalive", "wrk"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--think", type=float, default=0.5, help="mean pause, seconds")
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--heavy-share", type=float, default=0.15)
    parser.add_argument(
        "--cpus", type=int, default=0, help="run the server on this many cores only (taskset)"
    )
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(args.workers, port, args.cpus)
    global GENERATOR_CPU0
    GENERATOR_CPU0 = time.process_time()
    try:
        if args.scenario == "keepalive":
            keepalive(port)
            return
        light_total = sum(w for _, w, _, _ in LIGHT)
        heavy_total = sum(w for _, w, _, _ in HEAVY)
        scale = args.heavy_share / (1 - args.heavy_share) * light_total / heavy_total
        mix = LIGHT + [(k, w * scale, p, b) for k, w, p, b in HEAVY]
        if args.scenario == "wrk":
            run_wrk(base, mix, args.clients, args.duration, args.workers, proc)
            return
        if args.scenario == "mix":
            rec = Recorder()
            cpu0 = cpu_seconds(proc.pid)
            asyncio.run(run_clients(base, [(args.clients, mix, args.think, rec)], args.duration))
            cpu = cpu_seconds(proc.pid) - cpu0
            title = (
                f"mix: {args.clients} clients, think {args.think} s, {args.workers} "
                f"worker(s), {args.duration:.0f} s"
            )
            report(rec, args.duration, title, peak_memory_mb(proc.pid), cpu)
        else:
            # The heavy clients run in a process of their own, as they would on other machines:
            # reading megabytes of answers in the light clients' event loop would delay the
            # light clients' own clocks, and the light latencies would measure the generator.
            rec = Recorder()
            results = multiprocessing.Queue()
            heavy = multiprocessing.Process(
                target=heavy_clients, args=(base, args.duration, results), daemon=True
            )
            cpu0 = cpu_seconds(proc.pid)
            heavy.start()
            asyncio.run(run_clients(base, [(10, LIGHT, 0.2, rec)], args.duration))
            rec.merge(results.get(timeout=120))
            heavy.join(timeout=30)
            cpu = cpu_seconds(proc.pid) - cpu0
            title = (
                f"storm: 5 clients on the heaviest requests + 10 students, {args.workers} worker(s)"
            )
            report(rec, args.duration, title, peak_memory_mb(proc.pid), cpu)
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
