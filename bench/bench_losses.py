"""Benchmark the loss-functions lab: what one slider move costs on the server.

Each row is one request the page makes when a control moves: the core call alone, and the whole
request in process (validation, core, response model, JSON; Starlette's TestClient adds about
4 ms of its own).

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_losses.py
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np
from fastapi.testclient import TestClient

from core import likelihood as lk
from core import likelihood_info as li
from core import likelihood_view as lv
from server.main import create_app


def timings_ms(fn, repeats: int) -> tuple[float, float, float, float]:
    """Wall-clock median, 99th percentile and minimum, and the median CPU time (ms).

    CPU time (all threads of this process) barely moves with the machine's load; wall time
    on a shared machine does.
    """
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(1000 * (time.process_time() - start_cpu))
        wall.append(1000 * (time.perf_counter() - start))
    wall.sort()
    p99 = wall[int(0.99 * (len(wall) - 1))]
    return statistics.median(wall), p99, wall[0], statistics.median(cpu)


def view_core(body: dict):
    spec = lk.ModelSpec(
        body.get("problem", "regression"),
        body.get("model", "line"),
        body.get("hidden_units", 3),
        "relu",
        body.get("heteroscedastic", False),
        body.get("n_classes", 3),
        body.get("link", "sigmoid"),
    )
    rng = np.random.default_rng(0)
    steps, tolerance = body.get("max_steps", 200), body.get("tolerance", 1e-6)
    kind = body.get("optimizer", "gd")
    fit = lv.FitSettings(kind, 0.1, steps, tolerance) if body.get("fit") else None
    n = body.get("n_points", 30)

    def run():
        data = lk.make_data(spec.problem, n, np.random.default_rng(0), 0.3, 0.0, spec.n_classes)
        return lv.explore(spec, data, None, rng, 0.5, GRID, ROWS, fit)

    return run


GRID, ROWS = 150, 50  # the page's curve and density-map sizes
PAGE = {"grid_size": GRID, "density_rows": ROWS}
CASES = [
    ("view: regression, line (the page's default)", "view", {}),
    ("view: regression, heteroscedastic line", "view", {"heteroscedastic": True}),
    (
        "view: binary, linear output (undefined NLL)",
        "view",
        {"problem": "binary", "link": "linear"},
    ),
    (
        "view: multiclass K=4, shallow D=8",
        "view",
        {"problem": "multiclass", "n_classes": 4, "model": "shallow", "hidden_units": 8},
    ),
    (
        "view: regression, 200 points, shallow D=8",
        "view",
        {"n_points": 200, "model": "shallow", "hidden_units": 8},
    ),
    ("view + fit, 200 steps (line)", "view", {"fit": True}),
    (
        "view + fit, 200 steps (multiclass shallow D=8)",
        "view",
        {
            "fit": True,
            "problem": "multiclass",
            "model": "shallow",
            "hidden_units": 8,
            "tolerance": 0,
        },
    ),
    (
        "view + fit, 200 steps Adam (binary shallow D=8)",
        "view",
        {
            "fit": True,
            "optimizer": "adam",
            "problem": "binary",
            "model": "shallow",
            "hidden_units": 8,
            "tolerance": 0,
        },
    ),
    ("view + fit, 1000 steps (line)", "view", {"fit": True, "max_steps": 1000, "tolerance": 0}),
    ("softmax explorer", "softmax", {"logits": [1000, -1000, 0, 999], "shift": 5}),
    ("discrete KL, 4 outcomes", "discrete", {"p": [0.4, 0.3, 0.2, 0.1], "q": [0.1, 0.2, 0.3, 0.4]}),
    ("Gaussian KL with integrals", "gaussians", {}),
    ("empirical KL vs NLL, 60x60 grid", "empirical", {}),
]


def main() -> None:
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; ms")
    client = TestClient(create_app())
    core_calls = {
        "softmax": lambda b: lambda: li.explore_softmax(np.array(b["logits"]), b["shift"], 1.0),
        "discrete": lambda b: lambda: li.compare_discrete(np.array(b["p"]), np.array(b["q"])),
        "gaussians": lambda b: lambda: li.compare_gaussians(0, 1, 1, 2),
        "empirical": lambda b: (
            lambda: li.empirical_vs_model(
                1 + 0.7 * np.random.default_rng(0).standard_normal(40), (-1, 3), (0.2, 2), 60, 12
            )
        ),
    }
    print("| request | core p50 | core CPU p50 | request p50 | p99 | min | request CPU p50 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, path, body in CASES:
        repeats = 20 if body.get("max_steps") == 1000 else 60
        core = view_core(body) if path == "view" else core_calls[path](body)
        core_p50, _, _, core_cpu = timings_ms(core, repeats)

        def request(path=path, body=body):
            r = client.post(
                f"/api/v1/losses/{path}", json={**PAGE, **body} if path == "view" else body
            )
            assert r.status_code == 200, r.text

        p50, p99, fastest, cpu = timings_ms(request, repeats)
        print(
            f"| {label} | {core_p50:.2f} | {core_cpu:.2f} | {p50:.2f} | {p99:.2f} | "
            f"{fastest:.2f} | {cpu:.2f} |"
        )
    rng = np.random.default_rng(0)
    for label, path, body in [
        (
            "normal NLL, 10,000 points",
            "normal",
            {"y": rng.normal(size=10_000).tolist(), "mean": rng.normal(size=10_000).tolist()},
        ),
        (
            "Bernoulli BCE, 10,000 points",
            "bernoulli",
            {"y": rng.integers(0, 2, 10_000).tolist(), "logits": rng.normal(size=10_000).tolist()},
        ),
        (
            "categorical CE, 2,000 x 10",
            "categorical",
            {
                "logits": rng.normal(size=(2000, 10)).tolist(),
                "labels": rng.integers(0, 10, 2000).tolist(),
            },
        ),
    ]:
        p50, p99, fastest, cpu = timings_ms(
            lambda path=path, body=body: client.post(f"/api/v1/losses/{path}", json=body), 20
        )
        print(f"| {label} | – | – | {p50:.2f} | {p99:.2f} | {fastest:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
