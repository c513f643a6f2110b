"""The app that the heavy processes of ``test_heavy_processes.py`` run: the playground's routes
plus a few that tell where and how a heavy request was computed."""

import os
import time
from pathlib import Path

from server.main import create_app

app = create_app()


def process() -> dict:
    """Which process computed this, and at what niceness."""
    return {"pid": os.getpid(), "nice": os.getpriority(os.PRIO_PROCESS, 0)}


def wait(body: dict) -> dict:
    """Compute until the file ``body["path"]`` exists (at most 20 s), then note that it did."""
    deadline = time.monotonic() + 20
    while not Path(body["path"]).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    Path(body["path"] + ".done").write_text("finished")
    return {"waited": True}


def broken() -> dict:
    raise ValueError("x" * 1_000_000)


def die() -> dict:
    os._exit(1)


for route in (process, wait, broken, die):
    app.add_api_route(f"/api/v1/test/{route.__name__}", route, methods=["POST"])
    app.router.routes.insert(0, app.router.routes.pop())  # before the catch-all static mount
