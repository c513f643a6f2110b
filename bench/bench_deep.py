"""Benchmark the deep-networks lab and the region-pattern codes.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_deep.py

Targets (issue "Deep networks lab"): exact 1D region count for depth 8, width 64 <= 20 ms;
exact 2D region map and count of a [2, 16, 16, 16, 1] ReLU network on 200 x 200 <= 200 ms.
Pattern codes (issue "Core and service v2"): at least as fast as the plain NumPy way.
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from core import deep
from core.deep_regions import cells_2d, pieces_1d
from core.regions import _pack_patterns


def timing(fn, repeats: int = 30) -> tuple[float, float]:
    """(median, min) in ms after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times), 1000 * min(times)


def show(label: str, t: tuple[float, float]) -> None:
    print(f"{label}: {t[0]:.2f} ms (min {t[1]:.2f})")


def einsum_codes(active: np.ndarray) -> np.ndarray:
    """The previous kernel: bool (n, D) times the powers of two, by einsum."""
    weights = np.left_shift(np.int64(1), np.arange(active.shape[1], dtype=np.int64))
    return np.einsum("nd,d->n", active, weights)


def matmul_codes(active: np.ndarray) -> np.ndarray:
    """The plain NumPy way: one matrix product with the powers of two (exact below 2^53)."""
    return (active @ (2.0 ** np.arange(active.shape[1]))).astype(np.int64)


def main() -> None:
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; times in ms")
    for seed in range(3):
        net = deep.random_network([1] + [64] * 8 + [1], "relu", "he", np.random.default_rng(seed))
        p = pieces_1d(net, -2.0, 2.0)
        show(
            f"1D exact regions, depth 8 x width 64, seed {seed} ({p.n_pieces} pieces, "
            f"{p.n_regions} regions)",
            timing(lambda net=net: pieces_1d(net, -2.0, 2.0, per_layer=False)),
        )
        show(
            "  with the regions after every layer too",
            timing(lambda net=net: pieces_1d(net, -2.0, 2.0)),
        )
    saw = deep.sawtooth_network(2, 16)
    show(
        "1D sawtooth 2 x 16 (65536 regions)",
        timing(lambda: pieces_1d(saw, 0.0, 1.0, per_layer=False), 5),
    )
    box = (-2.0, 2.0, -2.0, 2.0)
    for seed in range(3):
        net = deep.random_network([2, 16, 16, 16, 1], "relu", "he", np.random.default_rng(seed))
        v = deep.plane_view(net, box, 200)
        show(
            f"2D map 200x200 + exact count [2,16,16,16,1], seed {seed} "
            f"({len(v.cells.n_vertices)} cells, {v.cells.n_regions} regions)",
            timing(lambda net=net: deep.plane_view(net, box, 200), 10),
        )
        show("  of which exact cells and regions", timing(lambda net=net: cells_2d(net, box), 10))
    c = deep.FOLD_THETA1, deep.FOLD_PHI1, deep.FOLD_THETA2, deep.FOLD_PHI2
    show("composition, folding example", timing(lambda: deep.compose(*c, "relu", -1, 1)))
    print("region-pattern codes (n points x D units):")
    rng = np.random.default_rng(0)
    for n, d in ((40_000, 3), (40_000, 16), (90_000, 32), (90_000, 50)):
        active = rng.normal(size=(n, d)) > 0
        assert np.array_equal(_pack_patterns(active), einsum_codes(active))
        assert np.array_equal(_pack_patterns(active), matmul_codes(active))
        show(f"  {n} x {d} core (gather bytes)", timing(lambda a=active: _pack_patterns(a)))
        show(f"  {n} x {d} einsum (before)", timing(lambda a=active: einsum_codes(a)))
        show(f"  {n} x {d} matrix product", timing(lambda a=active: matmul_codes(a)))


def bench_routes() -> None:
    """Whole requests in-process: validation, core, response model, JSON."""
    from fastapi.testclient import TestClient

    from server.main import create_app

    with TestClient(create_app()) as client:
        for path, body in (
            ("compose", {}),
            ("line", {}),
            ("line", {"network": {"hidden": [64] * 8}, "include_layers": False}),
            ("plane", {}),
            ("plane", {"network": {"hidden": [16, 16, 16]}, "grid_size": 200}),
            ("compare", {}),
            ("bounds", {"width": 64, "max_depth": 30}),
        ):
            t = timing(lambda p=path, b=body: client.post(f"/api/v1/deep/{p}", json=b), 10)
            show(f"POST /api/v1/deep/{path} {body or 'defaults'}", t)


if __name__ == "__main__":
    main()
    bench_routes()
