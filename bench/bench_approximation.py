"""Timings of the approximation and polar labs' core calls (medians of repeated runs).

Run: .venv/bin/python bench/bench_approximation.py
Covers the default views and the most expensive requests the API allows.
"""

import statistics
import time

import numpy as np

from core import approximation as approx
from core import dimensionality, polar


def median_ms(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def rng():
    return np.random.default_rng(0)


CASES = {
    "approximation fit, default (n=8, sweep to 128)": lambda: approx.run_approximation(
        approx.ApproximationConfig(), rng()
    ),
    "approximation fit, n=128, 1000 samples, M=64, sweep to 256": lambda: approx.run_approximation(
        approx.ApproximationConfig(n_hidden=128, n_samples=1000, degree=64, sweep_max=256), rng()
    ),
    "approximation fit, default view with 1000 GD steps (n=8)": lambda: approx.run_approximation(
        approx.ApproximationConfig(gd_steps=1000), rng()
    ),
    "approximation fit, GD at the budget (1000 steps x 200 samples x 20 units)": (
        lambda: approx.run_approximation(
            approx.ApproximationConfig(n_hidden=20, gd_steps=1000, sweep_max=8), rng()
        )
    ),
    "approximation fit, GD at the budget (40 steps x 1000 samples x 100 units)": (
        lambda: approx.run_approximation(
            approx.ApproximationConfig(n_hidden=100, n_samples=1000, gd_steps=40, sweep_max=8),
            rng(),
        )
    ),
    "coefficient counts, D up to 100, M = 10": (
        lambda: dimensionality.coefficient_counts(100, 10, 100)
    ),
    "radial panel, default (D = 1, 2, 10, 50, 200; 2000 samples)": (
        lambda: dimensionality.radial_panel(np.array([1, 2, 10, 50, 200]), 1.0, 2000, 60, rng())
    ),
    "radial panel, at the budget (8 x D = 250; 1000 samples; 200 bins)": (
        lambda: dimensionality.radial_panel(np.full(8, 250), 1.0, 1000, 200, rng())
    ),
    "polar fit, default (2 x 100 points, 60x60 maps)": lambda: polar.run_polar(
        polar.PolarConfig(), rng()
    ),
    "polar fit, largest (2 x 1000 points, 100x100 maps)": lambda: polar.run_polar(
        polar.PolarConfig(n_per_class=1000, grid_size=100), rng()
    ),
}


if __name__ == "__main__":
    print("| case | median (ms) |")
    print("|---|---:|")
    for name, fn in CASES.items():
        print(f"| {name} | {median_ms(fn):.1f} |")


def api_cases():
    """Whole requests through the app (validation, core, JSON), as the browser sends them."""
    from fastapi.testclient import TestClient

    from server.main import create_app

    client = TestClient(create_app())

    def post(path, body):
        return lambda: client.post(path, json=body).raise_for_status()

    return {
        "POST /approximation/fit, page default": post("/api/v1/approximation/fit", {}),
        "POST /approximation/fit, n=128, M=64, sweep to 256": post(
            "/api/v1/approximation/fit",
            {"n_hidden": 128, "n_samples": 1000, "degree": 64, "sweep_max": 256},
        ),
        "POST /approximation/fit, GD at the budget (1000 x 200 x 20)": post(
            "/api/v1/approximation/fit", {"n_hidden": 20, "gd_steps": 1000, "sweep_max": 256}
        ),
        "POST /approximation/radial, page default": post(
            "/api/v1/approximation/radial", {"dims": [1, 2, 10, 50, 200]}
        ),
        "POST /polar/fit, page default": post("/api/v1/polar/fit", {}),
        "POST /polar/fit, largest (2 x 1000 points, 100x100 maps)": post(
            "/api/v1/polar/fit", {"n_per_class": 1000, "grid_size": 100}
        ),
    }


if __name__ == "__main__":
    print()
    print("| request | median (ms) |")
    print("|---|---:|")
    for name, fn in api_cases().items():
        print(f"| {name} | {median_ms(fn):.1f} |")
