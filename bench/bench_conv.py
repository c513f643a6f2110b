"""Benchmark the core convolutions against plain NumPy and torch.nn.functional, side by side.

Run: OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/bench_conv.py
(torch is a bench-only extra: .venv/bin/pip install torch==2.13.0; without it the torch
columns read "-")

For each case the same inputs go through
- ``core.conv`` (what the API runs),
- a plain NumPy reference written here the way one would by hand (shift-and-add over kernel
  taps, and for 1D also one matrix product over the taps), and
- ``torch.nn.functional`` on the CPU, one thread, float64 and float32.
Every output is checked equal to core's before any time is printed.
"""

from __future__ import annotations

import argparse
import inspect
import os
import statistics
import time

import numpy as np

from core.conv import conv1d, conv2d, pad_amounts

REPEATS = 50


def timings_ms(fn, repeats: int = REPEATS) -> tuple[float, float]:
    """(median, best) wall time in ms; the best run shows the cost without other load."""
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, min(times) * 1e3


def paired_ratio(fa, fb, repeats: int = REPEATS) -> float:
    """Median over interleaved runs of time(fa) / time(fb): on a loaded machine both sides of
    each pair see about the same load, so the ratio moves less than a ratio of medians."""
    fa()
    fb()
    ratios = []
    for _ in range(repeats):
        start = time.perf_counter()
        fa()
        middle = time.perf_counter()
        fb()
        ratios.append((middle - start) / (time.perf_counter() - middle))
    return statistics.median(ratios)


# ---------------------------------------------------------------------------------------------
# Plain NumPy references (single input and output channel, stride 1, dilation 1, zero padding)


def plain_shift_add_1d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x (N,), w (K,): pad, then add w[k] times the input shifted by k."""
    left, right = pad_amounts(w.size)
    xp = np.pad(x, (left, right))
    n = x.size
    out = np.zeros(n, dtype=x.dtype)
    for k in range(w.size):
        out += w[k] * xp[k : k + n]
    return out


def plain_matmul_1d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x (N,), w (K,): stack the K shifted copies and multiply by the kernel once."""
    left, right = pad_amounts(w.size)
    xp = np.pad(x, (left, right))
    n = x.size
    shifted = np.stack([xp[k : k + n] for k in range(w.size)])  # (K, N)
    return w @ shifted


def plain_shift_add_2d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x (H, W), w (K, K): pad, then add w[a, b] times the image shifted by (a, b)."""
    top, bottom = pad_amounts(w.shape[0])
    xp = np.pad(x, [(top, bottom), (top, bottom)])
    h, width = x.shape
    out = np.zeros_like(x)
    for a in range(w.shape[0]):
        for b in range(w.shape[1]):
            out += w[a, b] * xp[a : a + h, b : b + width]
    return out


def torch_timings(torch_mod, kind: str, x: np.ndarray, w: np.ndarray, want: np.ndarray):
    """Median/best of F.conv1d or F.conv2d (padding 'same') in float64 and float32."""
    F = torch_mod.nn.functional  # noqa: N806
    op = F.conv2d if kind == "2d" else F.conv1d
    tx = torch_mod.from_numpy(x[None])  # (1, C_i, ...)
    tw = torch_mod.from_numpy(np.swapaxes(w, 0, 1).copy())  # torch stores (C_o, C_i, ...)
    with torch_mod.no_grad():
        np.testing.assert_allclose(op(tx, tw, padding="same").numpy()[0], want, atol=1e-9)
        f64 = timings_ms(lambda: op(tx, tw, padding="same"))
        tx32, tw32 = tx.float(), tw.float()
        f32 = timings_ms(lambda: op(tx32, tw32, padding="same"))
    return f64, f32


def cell(t: tuple[float, float] | None) -> str:
    return "-" if t is None else f"{t[0]:.2f} ({t[1]:.2f})"


def main() -> None:
    global REPEATS  # noqa: PLW0603
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--api", action="store_true", help="also time the lab's endpoints")
    args = parser.parse_args()
    REPEATS = args.repeats

    try:
        import torch

        torch.set_num_threads(1)
        torch_version = torch.__version__
    except ImportError:
        torch = None
        torch_version = "not installed"

    rng = np.random.default_rng(0)
    signal = rng.standard_normal(100_000)
    kernel1d = rng.standard_normal(5)
    image = rng.uniform(size=(512, 512))
    kernel2d = rng.standard_normal((5, 5))
    has_dtype = "dtype" in inspect.signature(conv2d).parameters

    print(
        f"numpy {np.__version__}, torch {torch_version} (1 thread), {REPEATS} runs, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print("Times in ms: median (best).")
    print()

    # 1D: length 100,000, kernel 5, zero padding.
    want = conv1d(signal[None], kernel1d[None, None])[0]
    np.testing.assert_allclose(plain_shift_add_1d(signal, kernel1d), want, atol=1e-12)
    np.testing.assert_allclose(plain_matmul_1d(signal, kernel1d), want, atol=1e-12)
    ours = timings_ms(lambda: conv1d(signal[None], kernel1d[None, None]))
    shift = timings_ms(lambda: plain_shift_add_1d(signal, kernel1d))
    matmul = timings_ms(lambda: plain_matmul_1d(signal, kernel1d))
    paired = paired_ratio(
        lambda: conv1d(signal[None], kernel1d[None, None]),
        lambda: plain_shift_add_1d(signal, kernel1d),
        REPEATS,
    )
    t64 = t32 = None
    if torch is not None:
        t64, t32 = torch_timings(torch, "1d", signal[None], kernel1d[None, None], want[None])
    print("conv1d, length 100,000, kernel 5, zero padding, float64")
    print()
    print(
        "| core.conv.conv1d | plain shift-and-add | plain matmul over taps | torch float64 "
        "| torch float32 | core / shift-and-add | same, paired runs | core / torch float64 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {cell(ours)} | {cell(shift)} | {cell(matmul)} | {cell(t64)} | {cell(t32)} "
        f"| {ours[0] / shift[0]:.2f} | {paired:.2f} "
        f"| {'-' if t64 is None else f'{ours[0] / t64[0]:.2f}'} |"
    )
    print()

    # 2D: 512 x 512 image, 5 x 5 kernel, zero padding; float64 and float32.
    want2 = conv2d(image[None], kernel2d[None, None])[0]
    np.testing.assert_allclose(plain_shift_add_2d(image, kernel2d), want2, atol=1e-12)
    rows = []
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        xi, wk = image.astype(dtype), kernel2d.astype(dtype)  # same inputs for both sides
        if has_dtype:
            got = conv2d(xi[None], wk[None, None], dtype=name)[0]
            np.testing.assert_allclose(got, want2, rtol=1e-4, atol=1e-4)
            ours = timings_ms(
                lambda xi=xi, wk=wk, d=name: conv2d(xi[None], wk[None, None], dtype=d)
            )
        elif dtype is np.float64:
            ours = timings_ms(lambda: conv2d(image[None], kernel2d[None, None]))
        else:
            ours = None
        plain = timings_ms(lambda xi=xi, wk=wk: plain_shift_add_2d(xi, wk))
        paired = None
        if has_dtype:
            paired = paired_ratio(
                lambda xi=xi, wk=wk, d=name: conv2d(xi[None], wk[None, None], dtype=d),
                lambda xi=xi, wk=wk: plain_shift_add_2d(xi, wk),
                max(REPEATS // 2, 5),
            )
        rows.append((name, ours, plain, paired))
    t64 = t32 = None
    if torch is not None:
        t64, t32 = torch_timings(torch, "2d", image[None], kernel2d[None, None], want2[None])
    print("conv2d, 512 x 512, 5 x 5 kernel, zero padding")
    print()
    print(
        "| dtype | core.conv.conv2d | plain shift-and-add | torch "
        "| core / plain | same, paired runs | core / torch |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for (name, ours, plain, paired), theirs in zip(rows, (t64, t32), strict=True):
        by_plain = "-" if ours is None else f"{ours[0] / plain[0]:.2f}"
        by_pair = "-" if paired is None else f"{paired:.2f}"
        by_torch = "-" if ours is None or theirs is None else f"{ours[0] / theirs[0]:.2f}"
        print(
            f"| {name} | {cell(ours)} | {cell(plain)} | {cell(theirs)} | {by_plain} "
            f"| {by_pair} | {by_torch} |"
        )
    if args.api:
        api_latency()


def api_latency(repeats: int = 20) -> None:
    """Median and worst in-process latency of the lab's endpoints at default and largest sizes."""
    from fastapi.testclient import TestClient

    from server.main import create_app

    cases = [
        ("image kernel, default", "/api/v1/conv/image", {}),
        (
            "image kernel, 256 x 256, gradient magnitude",
            "/api/v1/conv/image",
            {"size": 256, "kernel": "gradient_magnitude"},
        ),
        ("conv1d, default", "/api/v1/conv/conv1d", {}),
        ("channels, default", "/api/v1/conv/channels", {}),
        ("receptive, default", "/api/v1/conv/receptive", {}),
        ("equivariance, default", "/api/v1/conv/equivariance", {}),
    ]
    with TestClient(create_app()) as client:
        for path in (
            "/api/v1/conv/pool2d",
            "/api/v1/conv/equivariance2d",
            "/api/v1/conv/channels2d",
        ):
            if client.post(path, json={}).status_code == 200:
                cases.append((path.rsplit("/", 1)[1] + ", default", path, {}))
        print()
        print(f"API latency in process (TestClient), {repeats} calls each")
        print()
        print("| call | median ms | worst ms |")
        print("|---|---:|---:|")
        for name, path, body in cases:
            assert client.post(path, json=body).status_code == 200, name
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                client.post(path, json=body)
                times.append(time.perf_counter() - start)
            print(f"| {name} | {statistics.median(times) * 1e3:.1f} | {max(times) * 1e3:.1f} |")


if __name__ == "__main__":
    main()
