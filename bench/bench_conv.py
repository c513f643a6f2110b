"""Benchmark the NumPy convolutions against torch.nn.functional on the CPU.

Run: .venv/bin/python bench/bench_conv.py
(torch is a bench-only extra: .venv/bin/pip install torch==2.13.0)
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from core.conv import conv1d, conv2d

REPEATS = 30


def median_ms(fn, repeats: int = REPEATS) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    rng = np.random.default_rng(0)
    image = rng.uniform(size=(1, 512, 512))
    kernel2d = rng.standard_normal((1, 1, 5, 5))
    signal = rng.standard_normal((1, 100_000))
    kernel1d = rng.standard_normal((1, 1, 5))

    cases = {
        "conv2d 512x512, 5x5 kernel, zero padding": (
            lambda: conv2d(image, kernel2d),
            "conv2d",
            image,
            kernel2d,
        ),
        "conv1d length 100,000, kernel 5, zero padding": (
            lambda: conv1d(signal, kernel1d),
            "conv1d",
            signal,
            kernel1d,
        ),
    }

    try:
        import torch
        import torch.nn.functional as F  # noqa: N812

        torch.set_num_threads(1)
        torch_version = torch.__version__
    except ImportError:
        torch = None
        torch_version = "not installed"

    print(f"numpy {np.__version__}, torch {torch_version} (1 thread), median of {REPEATS} runs")
    print("| case | numpy (ms) | torch (ms) | numpy / torch |")
    print("|---|---|---|---|")
    for name, (fn, kind, x, w) in cases.items():
        ours = median_ms(fn)
        if torch is None:
            print(f"| {name} | {ours:.2f} | - | - |")
            continue
        # Torch layout: input (batch, C_i, ...), weight (C_o, C_i, ...); float64 like ours.
        tx = torch.from_numpy(x[None])
        tw = torch.from_numpy(np.swapaxes(w, 0, 1).copy())
        op = F.conv2d if kind == "conv2d" else F.conv1d
        with torch.no_grad():
            theirs = median_ms(lambda op=op, tx=tx, tw=tw: op(tx, tw, padding="same"))
            reference = op(tx, tw, padding="same").numpy()[0]
        np.testing.assert_allclose(fn(), reference, rtol=1e-9, atol=1e-9)
        print(f"| {name} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f} |")


if __name__ == "__main__":
    main()
