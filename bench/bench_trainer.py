"""Trainer speed: steps per second of a 2-8-8-1 tanh network on 500 points, batch 10, Adam,
for the playground's core, a plain NumPy loop and PyTorch (CPU), side by side.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_trainer.py [--epochs 20]
"""

import argparse
import os
import statistics
import time

import numpy as np

from core import datasets
from core import trainer as core_trainer

N_POINTS, BATCH, HIDDEN = 500, 10, (8, 8)


def data():
    full = datasets.make_dataset("spiral", N_POINTS, 0.1, np.random.default_rng(0))
    return datasets.split(full, 1.0, np.random.default_rng(1))[0]


def core_steps_per_second(train, epochs):
    config = core_trainer.TrainerConfig(
        hidden=HIDDEN, activations=("tanh", "tanh"), batch_size=BATCH
    )
    state = core_trainer.initial_state(config, train, 0)
    start = time.perf_counter()
    for _ in range(epochs):
        state = core_trainer.train_epoch(config, train, state, 0)
    return state.step / (time.perf_counter() - start)


def numpy_steps_per_second(train, epochs):
    """The same training written as one plain loop: forward, backward, Adam, no structure."""
    rng = np.random.default_rng(0)
    sizes = [2, *HIDDEN, 1]
    ws = [
        rng.normal(0, np.sqrt(2 / (a + b)), (b, a))
        for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    bs = [np.zeros((b, 1)) for b in sizes[1:]]
    params = ws + bs
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    x_all, y_all = train.x.T, train.y
    t = 0
    start = time.perf_counter()
    for epoch in range(epochs):
        order = np.random.default_rng([0, epoch]).permutation(y_all.size)
        for s in range(0, y_all.size, BATCH):
            idx = order[s : s + BATCH]
            x, y = x_all[:, idx], y_all[idx]
            h1 = np.tanh(bs[0] + ws[0] @ x)
            h2 = np.tanh(bs[1] + ws[1] @ h1)
            z = bs[2] + ws[2] @ h2
            dz = (1 / (1 + np.exp(-z)) - y) / idx.size
            d2 = (ws[2].T @ dz) * (1 - h2**2)
            d1 = (ws[1].T @ d2) * (1 - h1**2)
            grads = [
                d1 @ x.T,
                d2 @ h1.T,
                dz @ h2.T,
                d1.sum(1, keepdims=True),
                d2.sum(1, keepdims=True),
                dz.sum(1, keepdims=True),
            ]
            t += 1
            for p, g, mi, vi in zip(params, grads, m, v, strict=True):
                mi *= 0.9
                mi += 0.1 * g
                vi *= 0.999
                vi += 0.001 * g * g
                p -= 0.03 * (mi / (1 - 0.9**t)) / (np.sqrt(vi / (1 - 0.999**t)) + 1e-8)
    return t / (time.perf_counter() - start)


def torch_steps_per_second(train, epochs):
    import torch

    torch.set_num_threads(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 1),
    ).double()
    opt = torch.optim.Adam(model.parameters(), lr=0.03)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    x_all = torch.tensor(train.x)
    y_all = torch.tensor(train.y)[:, None]
    steps = 0
    start = time.perf_counter()
    for epoch in range(epochs):
        order = torch.tensor(np.random.default_rng([0, epoch]).permutation(train.y.size))
        for s in range(0, train.y.size, BATCH):
            idx = order[s : s + BATCH]
            opt.zero_grad()
            loss_fn(model(x_all[idx]), y_all[idx]).backward()
            opt.step()
            steps += 1
    return steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    train = data()
    runs = {"core": core_steps_per_second, "plain NumPy": numpy_steps_per_second}
    try:
        import torch  # noqa: F401

        runs["PyTorch"] = torch_steps_per_second
    except ImportError:
        print("torch is not installed: pip install '.[torch]' to compare")
    results = {}
    for name, fn in runs.items():
        results[name] = statistics.median(fn(train, args.epochs) for _ in range(args.repeats))
    print(
        f"load average: {os.getloadavg()[0]:.2f}; 2-8-8-1 tanh, {N_POINTS} points, "
        f"batch {BATCH}, Adam"
    )
    for name, rate in results.items():
        print(f"{name:12s} {rate:10.0f} steps/s")
    if "PyTorch" in results:
        for name in ("core", "plain NumPy"):
            print(f"{name} / PyTorch: {results[name] / results['PyTorch']:.2f}x")


if __name__ == "__main__":
    main()
