"""The playground served on a free loopback port for a benchmark (uvicorn, one process)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_uvicorn(root: Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Serve the checkout at `root` with this environment's Python (plus `env`); return the
    process and its URL once /healthz answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.main:app", "--port", str(port)]
        + ["--log-level", "warning"],
        cwd=root,
        env={**os.environ, **(env or {}), "PYTHONPATH": str(root)},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the server did not start")
