"""Latency of every lab's endpoints at their default and example requests: p50 and p99, in ms.

The cases come from the lab manifest (``server/labs.py``) and the OpenAPI schema: for each lab's
route module, every POST operation of its router is posted with ``{}`` (every field at its
default) and with each example of its request schema, so a new lab or endpoint is measured
without editing this file. Multipart uploads send ``docs/linear-lab.png`` with the other form
fields at their defaults. A request that does not answer 200 (``{}`` where a field has no
default) is listed as skipped.

Two ways: in process (ASGI app through TestClient, no network) and over loopback against a real
uvicorn server (started here on a free port unless --url is given).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_api.py [--n 100] [--budget 2]
        [--lab shallow] [--url http://127.0.0.1:8000]

Each case runs ``--n`` requests or as many as fit in ``--budget`` seconds (at least 5), after
two warm-up requests. Prints a Markdown table; copy it into BENCHMARKS.md with the command and
the machine's load.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient
from local_server import start_uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.labs import LABS  # noqa: E402
from server.main import create_app  # noqa: E402

SAMPLE_IMAGE = ROOT / "docs" / "linear-lab.png"


@dataclass(frozen=True)
class Case:
    """One request to measure: ``json`` for a JSON body, ``files`` for a multipart one."""

    labs: str
    name: str
    path: str
    json: dict | None = None
    files: dict | None = None

    def send(self, client) -> httpx.Response:
        if self.files is not None:
            return client.post(self.path, files=self.files)
        return client.post(self.path, json=self.json)


def _examples(schema: dict, components: dict) -> list[dict]:
    ref = schema.get("$ref")
    if ref:
        schema = components[ref.rsplit("/", 1)[-1]]
    return list(schema.get("examples", []))


def cases(openapi: dict, only: str | None = None) -> list[Case]:
    """Every operation of every lab's route module, with ``{}`` and with each example."""
    components = openapi["components"]["schemas"]
    image = SAMPLE_IMAGE.read_bytes()
    found: list[Case] = []
    for module in dict.fromkeys(lab.router for lab in LABS if lab.router):
        labs = ", ".join(lab.id for lab in LABS if lab.router == module)
        if only and only not in labs.split(", "):
            continue
        # The module's router on an app of its own: its paths, included routers' too.
        alone = FastAPI()
        alone.include_router(importlib.import_module(f"server.routes.{module}").router)
        paths = set(alone.openapi()["paths"])
        for path, item in openapi["paths"].items():
            if path not in paths or "post" not in item:
                continue
            content = item["post"].get("requestBody", {}).get("content", {})
            if "application/json" in content:
                bodies = [{}, *_examples(content["application/json"]["schema"], components)]
                for k, body in enumerate(bodies):
                    name = "defaults" if k == 0 else f"example {k}"
                    found.append(Case(labs, name, path, json=body))
            elif "multipart/form-data" in content:
                schema = content["multipart/form-data"]["schema"]
                ref = schema.get("$ref")
                fields = (components[ref.rsplit("/", 1)[-1]] if ref else schema)["properties"]
                files = {
                    field: (SAMPLE_IMAGE.name, image, "image/png")
                    for field, spec in fields.items()
                    if spec.get("format") == "binary" or spec.get("contentMediaType")
                }
                found.append(Case(labs, f"upload {SAMPLE_IMAGE.name}", path, files=files))
    return found


def measure(post: Callable[[], object], n: int, budget: float) -> np.ndarray:
    """Seconds per request: ``n`` requests or those that fit in ``budget`` s (at least 5)."""
    for _ in range(2):
        post()
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < n and (len(times) < 5 or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        post()
        times.append(time.perf_counter() - t0)
    return np.array(times)


def start_server() -> tuple[subprocess.Popen, str]:
    return start_uvicorn(ROOT)


def check(response: httpx.Response) -> httpx.Response:
    if response.status_code != 200:
        raise RuntimeError(
            f"{response.request.url}: HTTP {response.status_code} {response.text[:200]}"
        )
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="most requests per case and way")
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per case and way")
    parser.add_argument("--lab", help="only this lab's route module (a lab id, e.g. shallow)")
    parser.add_argument("--url", help="a running server to measure (default: start one)")
    args = parser.parse_args()

    client = TestClient(create_app())
    todo = cases(client.get("/openapi.json").json(), args.lab)
    proc = None
    url = args.url
    if url is None:
        proc, url = start_server()
    rows, skipped = [], []
    try:
        with httpx.Client(base_url=url, timeout=60) as http:
            for case in todo:
                first = case.send(client)
                if first.status_code != 200:
                    skipped.append(f"`{case.path}` {case.name}: HTTP {first.status_code}")
                    continue
                in_proc = measure(lambda c=case: check(c.send(client)), args.n, args.budget)
                loop = measure(lambda c=case: check(c.send(http)), args.n, args.budget)
                rows.append((case, len(first.content), in_proc, loop))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait()
    print("| labs | path | request | answer KiB | n | in-process p50 | p99 | loopback p50 | p99 |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for case, size, a, b in rows:
        a50, a99, b50, b99 = (float(np.percentile(t, q) * 1e3) for t in (a, b) for q in (50, 99))
        print(
            f"| {case.labs} | `{case.path}` | {case.name} | {size / 1024:.1f} | "
            f"{min(len(a), len(b))} | {a50:.2f} | {a99:.2f} | {b50:.2f} | {b99:.2f} |"
        )
    for line in skipped:
        print(f"\nskipped: {line}", end="")
    print()


if __name__ == "__main__":
    main()
