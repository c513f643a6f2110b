"""Benchmark of the training lab's core: three optimisers x 1,000 steps plus a 100x100 landscape.

Run: .venv/bin/python bench/bench_training.py
Target (issue): under 50 ms for the whole bundle, server-side. The last column times the plain
reference loop (core.optimizers.run_optimizer) on the same three runs: the lock-step engine
(core.optimizers_fast) is kept only while it is clearly faster.
"""

import statistics
import time

import numpy as np

from core.landscape_critical import find_minima
from core.landscape_loss import grid_axes, loss_surface
from core.landscape_models import make_landscape
from core.optimizers import OptimizerConfig, race, run_optimizer

REPEATS = 30
N_SAMPLES = 50
STEPS = 1000
CONFIGS = (
    OptimizerConfig("sgd", 0.5, batch_size=10),
    OptimizerConfig("momentum", 0.5, batch_size=10, beta=0.9),
    OptimizerConfig("adam", 0.1, batch_size=10),
)


def median_ms(fn) -> str:
    """Median wall-clock time, its minimum, and the median CPU (process) time, in ms: on a
    shared machine the minimum and the CPU time show the work, the median also the waiting."""
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(REPEATS):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return (
        f"{1e3 * statistics.median(wall):6.1f} (min {1e3 * min(wall):5.1f}, "
        f"cpu {1e3 * statistics.median(cpu):5.1f})"
    )


def numpy_call_us() -> float:
    """Cost of one tiny NumPy call (adding two 10-element arrays), in microseconds: the runs
    are bound by the number of such calls, so this calibrates the machine's current speed."""
    a = np.ones(10)
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(10_000):
            np.add(a, a)
        times.append(time.perf_counter() - start)
    return 1e6 * statistics.median(times) / 10_000


def main() -> None:
    print(f"one tiny NumPy call: {numpy_call_us():.2f} us (the runs scale with this number)")
    for name in ("gabor", "linear", "network"):
        land = make_landscape(name, N_SAMPLES, 0.2, np.random.default_rng(0))
        phi_0, phi_1 = grid_axes(land, 100)
        start = np.array(land.param_range)[:, 0] * 0.5 + np.array(land.param_range)[:, 1] * 0.5

        def surface(land=land, phi_0=phi_0, phi_1=phi_1):
            return loss_surface(land, phi_0, phi_1)

        def runs(land=land, start=start):
            # tolerance 0: every run takes all 1,000 steps
            return race(land, CONFIGS, start, STEPS, np.random.default_rng(1))

        def reference(land=land, start=start):
            # the plain reference loop, one run after the other (same numbers, bit for bit)
            return [run_optimizer(land, c, start, STEPS, np.random.default_rng(9)) for c in CONFIGS]

        surf = surface()

        def minima(land=land, phi_0=phi_0, phi_1=phi_1, surf=surf):
            return find_minima(land, phi_0, phi_1, surf)

        def bundle():
            surface()
            runs()

        steps = [len(r.trajectory) - 1 for r in runs()]
        print(
            f"{name:8s} N={N_SAMPLES} | surface 100x100: {median_ms(surface)} ms | "
            f"3 optimisers x {steps} steps: {median_ms(runs)} ms | "
            f"minima: {median_ms(minima)} ms | bundle: {median_ms(bundle)} ms | "
            f"reference loop, same runs: {median_ms(reference)} ms"
        )


if __name__ == "__main__":
    main()
