"""Service settings, read from the environment (prefix ``DLP_``).

Every limit that protects the server from a crowded classroom or a hostile client lives here, so
that a deployment can tune it without touching code (``DLP_MAX_BODY_BYTES=2000000``...).
"""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

# ``static/`` sits beside the ``server`` package in a source checkout and in an installed wheel
# alike (pyproject declares it, with its files, as package data).
REPO_STATIC = Path(__file__).resolve().parent.parent / "static"


UPLOAD_PATHS = ["/api/v1/conv/image/upload"]

# Routes whose largest requests take tens of milliseconds to a second and up to ~200 MB: at most
# `heavy_concurrency` of them run at once per worker process (in its heavy processes), the rest
# wait in a queue. A route may declare its small requests light (`server.limits.light_when`).
HEAVY_PATHS = [
    "/api/v1/linear/complexity",
    "/api/v1/shallow/flow",
    "/api/v1/shallow/regions",
    "/api/v1/approximation/fit",
    "/api/v1/approximation/radial",
    "/api/v1/training/landscape",
    "/api/v1/training/race",
    "/api/v1/training/starts",
    "/api/v1/conv/image",
    "/api/v1/conv/image/upload",
    "/api/v1/backprop/gradient-sizes",
    "/api/v1/trainer/fit",
]

# Server-sent event streams: they bound their own duration and stop when the client leaves, so
# the wall-clock budget does not apply to them (nor compression, which would hold them back).
STREAM_PATHS = ["/api/v1/trainer/stream"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DLP_")

    static_dir: Path = REPO_STATIC  # the playground's pages, scripts and styles
    cors_origins: list[str] = []  # origins allowed to call the API from other sites

    # Request bodies: refused with 413 while they are read, before any parsing.
    max_body_bytes: int = 1024 * 1024  # JSON bodies (the largest valid one is ~100 KB)
    max_upload_bytes: int = 5 * 1024 * 1024 + 64 * 1024  # multipart: 5 MiB file + form fields
    upload_paths: list[str] = UPLOAD_PATHS
    body_timeout: float = 15.0  # seconds to receive a whole body once the headers are in (408)

    # Work: a wall-clock budget per API request, and a bound on concurrent heavy work.
    request_timeout: float = 20.0  # seconds from the headers to the answer, queue included (503)
    heavy_paths: list[str] = HEAVY_PATHS
    stream_paths: list[str] = STREAM_PATHS
    # Heavy requests computing at once per worker process, each in a heavy process of its own.
    # The largest (a 300 x 300 GELU region map with 32 units) peaks at ~200 MB over a heavy
    # process's ~80 MB, so a worker and its heavy processes stay under
    # ~100 + (80 + 200) x heavy_concurrency MB; one worker per core uses every core.
    heavy_concurrency: int = 1
    heavy_queue: int = 16  # heavy requests waiting per worker beyond that; more get 503 at once
    light_threads: int = 4  # threads for the other (millisecond) requests per worker process
    # Heavy requests are computed in `heavy_concurrency` processes of each worker's own, which
    # add `heavy_nice` to their niceness (see server/heavy.py); False: in the worker's threads.
    heavy_processes: bool = True
    heavy_nice: int = 10
    heavy_app: str = "server.main:app"  # the app (module:attribute) the heavy processes run

    # Answers larger than this are gzip-compressed for clients that accept it.
    gzip_minimum_bytes: int = 4096
    gzip_loopback: bool = False  # compress for clients on this machine too (no gain there)
    # Processes that train the trainer lab's streams (0: one fewer than the cores, at least 1).
    trainer_processes: int = 0
    gzip_level: int = 1  # level 1: 4 MB of JSON in ~0.15 s, 10% larger than level 5 at 1/6 the time


@lru_cache
def get_settings() -> Settings:
    return Settings()
