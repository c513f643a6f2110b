"""Forward + backward of a small network: core.network against PyTorch autograd and plain NumPy.

Target (issue 12): K = 5 hidden layers of width 6, ReLU, one example, least squares; forward
pass, loss gradient and backward pass at least 4 times faster than the same computation in
PyTorch on the CPU. All three compute the same gradients in float64 (checked equal to 1e-12).

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_backprop.py
(torch is the bench/test extra: .venv/bin/pip install torch==2.13.0)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from core import backprop, losses, network


def timings_us(fn, repeats: int, inner: int) -> list[float]:
    """``repeats`` timings in microseconds per call, each the mean of ``inner`` calls."""
    for _ in range(inner):
        fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append(1e6 * (time.perf_counter() - start) / inner)
    return times


def core_pass(net, x, y):
    fwd = network.forward(net, x)
    loss = losses.least_squares(fwd.output, y)
    return network.backward(net, fwd, loss.gradient)


def core_pass_inline_loss(net, x, y):
    """As core_pass with the least-squares gradient 2 (f_K - y) written out, as the plain loop
    does: core.losses checks its inputs (shapes, finiteness) on every call."""
    fwd = network.forward(net, x)
    return network.backward(net, fwd, 2.0 * (fwd.output - y))


def plain_numpy_pass(betas, omegas, x, y):
    """The same computation as a bare loop: no validation, no dataclasses."""
    hs = [x]
    fs = []
    for k, (beta, omega) in enumerate(zip(betas, omegas, strict=True)):
        f = beta + omega @ hs[-1]
        fs.append(f)
        if k < len(omegas) - 1:
            hs.append(np.maximum(f, 0.0))
    dl_df = 2.0 * (fs[-1] - y)
    dbetas, domegas = [], []
    for k in range(len(omegas) - 1, -1, -1):
        dbetas.append(dl_df.sum(axis=1))
        domegas.append(dl_df @ hs[k].T)
        if k > 0:
            dl_df = (fs[k - 1] > 0) * (omegas[k].T @ dl_df)
    return dbetas[::-1], domegas[::-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--inner", type=int, default=50)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    depth, width = 5, 6
    rng = np.random.default_rng(0)
    widths = [width, *([width] * depth), 1]
    net = network.initialise(widths, "relu", "he", rng)
    net = network.network_from_lists(
        [b + rng.normal(scale=0.1, size=b.shape) for b in net.betas], net.omegas, "relu"
    )
    x = rng.standard_normal((width, 1))  # one example, a column
    y = rng.standard_normal((1, 1))

    betas_t = [torch.tensor(b[:, None], requires_grad=True) for b in net.betas]
    omegas_t = [torch.tensor(o, requires_grad=True) for o in net.omegas]
    x_t, y_t = torch.tensor(x), torch.tensor(y)

    def torch_pass():
        h = x_t
        for k in range(len(omegas_t)):
            f = betas_t[k] + omegas_t[k] @ h
            h = torch.relu(f) if k < depth else f
        loss = ((h - y_t) ** 2).sum()
        for p in (*betas_t, *omegas_t):
            p.grad = None
        loss.backward()

    betas_col = [b[:, None] for b in net.betas]

    # The three give the same gradients.
    ours = core_pass(net, x, y)
    torch_pass()
    plain = plain_numpy_pass(betas_col, list(net.omegas), x, y)
    for k in range(depth + 1):
        np.testing.assert_allclose(ours.dl_domegas[k], omegas_t[k].grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(ours.dl_dbetas[k], betas_t[k].grad.numpy()[:, 0], atol=1e-12)
        np.testing.assert_allclose(ours.dl_domegas[k], plain[1][k], atol=1e-12)

    cases = {
        "core.network forward + backward, dl/df_K = 2(f_K - y) inline": lambda: (
            core_pass_inline_loss(net, x, y)
        ),
        "core.network forward + core.losses.least_squares + backward": lambda: core_pass(net, x, y),
        "plain NumPy loop": lambda: plain_numpy_pass(betas_col, list(net.omegas), x, y),
        "PyTorch autograd (float64, 1 thread)": torch_pass,
    }
    load = os.getloadavg()
    print(
        f"load average {load[0]:.2f} {load[1]:.2f} on {os.cpu_count()} cores; numpy "
        f"{np.__version__}, torch {torch.__version__}; K = {depth}, width {width}, one example; "
        f"{args.repeats} timings of {args.inner} calls each, microseconds per call"
    )
    medians = {}
    # Interleave the three so that a change in machine load hits them alike.
    results: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(5):
        for name, fn in cases.items():
            results[name] += timings_us(fn, args.repeats // 5, args.inner)
    print("| computation | median µs | best µs | torch / this (medians) | (bests) |")
    print("|---|---:|---:|---:|---:|")
    torch_times = results["PyTorch autograd (float64, 1 thread)"]
    for name, times in results.items():
        medians[name] = statistics.median(times)
        print(
            f"| {name} | {medians[name]:.1f} | {min(times):.1f} | "
            f"{statistics.median(torch_times) / medians[name]:.2f} | "
            f"{min(torch_times) / min(times):.2f} |"
        )

    # The inspector (what the API route calls) for the same network, with its gradient check.
    inspect_us = statistics.median(
        timings_us(lambda: backprop.inspect(net, x, y), max(args.repeats // 10, 5), 10)
    )
    print(
        f"backprop.inspect (forward, backward, masks, finite-difference check): {inspect_us:.0f} µs"
    )


def bench_routes() -> None:
    """Each /api/v1/backprop route at its default request, in process (TestClient)."""
    from fastapi.testclient import TestClient

    from server.main import create_app

    cases = {
        "chain": {},
        "network": {},
        "network (K = 8, width 16, 16 inputs and outputs, I = 8)": {
            "d_in": 16,
            "hidden": [16] * 8,
            "d_out": 16,
            "n_examples": 8,
        },
        "cost": {},
        "gradient-sizes": {},
    }
    with TestClient(create_app()) as client:
        print("| POST /api/v1/backprop/... | median ms | best ms |")
        print("|---|---:|---:|")
        for name, body in cases.items():
            path = name.split(" ")[0]
            times = [
                t / 1000
                for t in timings_us(
                    lambda p=path, b=body: client.post(f"/api/v1/backprop/{p}", json=b), 20, 1
                )
            ]
            print(f"| {name} | {statistics.median(times):.1f} | {min(times):.1f} |")


if __name__ == "__main__":
    main()
    bench_routes()
