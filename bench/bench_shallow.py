"""Benchmark the shallow-network labs: 2D region map and exact region count, 1D flow.

Run: .venv/bin/python bench/bench_shallow.py
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from core.regions import Box, count_regions_exact, region_map
from core.shallow import BOOK_PHI, BOOK_THETA, flow_1d


class Timing(float):
    """Median in ms that also remembers the fastest run (shown as 'median (min)')."""

    fastest: float

    def __format__(self, spec: str) -> str:
        return f"{float(self):{spec}} (min {self.fastest:{spec}})"


def median_ms(fn, repeats: int = 50) -> Timing:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    result = Timing(1000 * statistics.median(times))
    result.fastest = 1000 * min(times)
    return result


def main() -> None:
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; times in ms")
    rng = np.random.default_rng(0)
    theta = rng.normal(size=(16, 3))  # D = 16 hidden units, D_i = 2
    phi = rng.normal(size=(1, 17))
    box = Box(-2.0, 2.0, -2.0, 2.0)
    result = region_map(theta, phi, "relu", box, 200)
    print(
        f"region map D_i=2, D=16, 200x200 (exact count {result.exact_count}, "
        f"{len(result.patterns)} seen on the grid, bound {result.bound}): "
        f"{median_ms(lambda: region_map(theta, phi, 'relu', box, 200)):.2f} ms"
    )
    print(f"  of which exact count: {median_ms(lambda: count_regions_exact(theta, box)):.3f} ms")
    theta32, phi32 = rng.normal(size=(32, 3)), rng.normal(size=(1, 33))
    print(
        "region map D_i=2, D=32, 300x300: "
        f"{median_ms(lambda: region_map(theta32, phi32, 'relu', box, 300), 20):.2f} ms"
    )
    theta1d, phi1d = rng.normal(size=(16, 2)), rng.normal(size=(2, 17))
    print(
        "1D flow D=16, two outputs, 1000 points: "
        f"{median_ms(lambda: flow_1d(theta1d, phi1d, 'relu', -3, 3, 1000)):.2f} ms"
    )
    print(
        "1D flow book example, 400 points: "
        f"{median_ms(lambda: flow_1d(BOOK_THETA, BOOK_PHI, 'relu', 0, 1, 400)):.2f} ms"
    )


def bench_route() -> None:
    """The whole /regions request in-process: validation, core, response model, JSON."""
    from fastapi.testclient import TestClient

    from server.main import create_app

    rng = np.random.default_rng(0)
    body = {
        "theta": rng.normal(size=(16, 3)).tolist(),
        "phi": rng.normal(size=17).tolist(),
        "x1_min": -2.0,
        "x1_max": 2.0,
        "x2_min": -2.0,
        "x2_max": 2.0,
        "grid_size": 200,
    }
    with TestClient(create_app()) as client:
        for panel_size in (31, 2):
            payload = {**body, "panel_size": panel_size}
            ms = median_ms(lambda p=payload: client.post("/api/v1/shallow/regions", json=p), 20)
            print(f"POST /api/v1/shallow/regions D=16, 200x200, panels {panel_size}: {ms:.1f} ms")


if __name__ == "__main__":
    main()
    bench_route()
