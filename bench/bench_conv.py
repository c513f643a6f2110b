"""Benchmark the NumPy convolutions against torch.nn.functional on the CPU.

Run: .venv/bin/python bench/bench_conv.py
(torch is a bench-only extra: .venv/bin/pip install torch==2.13.0)
"""

from __future__ import annotations

import os
import statistics
import time

import numpy as np

from core.conv import conv1d, conv2d

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

    load = os.getloadavg()[0]
    print(
        f"numpy {np.__version__}, torch {torch_version} (1 thread, float64), {REPEATS} runs; "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(
        "| case | numpy median (best) ms | torch median (best) ms | ratio of medians (best) "
        "| torch float32 median ms |"
    )
    print("|---|---|---|---|---|")
    for name, (fn, kind, x, w) in cases.items():
        ours, ours_best = timings_ms(fn)
        if torch is None:
            print(f"| {name} | {ours:.2f} ({ours_best:.2f}) | - | - |")
            continue
        # Torch layout: input (batch, C_i, ...), weight (C_o, C_i, ...); float64 like ours.
        tx = torch.from_numpy(x[None])
        tw = torch.from_numpy(np.swapaxes(w, 0, 1).copy())
        op = F.conv2d if kind == "conv2d" else F.conv1d
        with torch.no_grad():
            theirs, theirs_best = timings_ms(lambda op=op, tx=tx, tw=tw: op(tx, tw, padding="same"))
            reference = op(tx, tw, padding="same").numpy()[0]
            tx32, tw32 = tx.float(), tw.float()
            single, _ = timings_ms(lambda op=op, a=tx32, b=tw32: op(a, b, padding="same"))
        np.testing.assert_allclose(fn(), reference, rtol=1e-9, atol=1e-9)  # same numbers
        print(
            f"| {name} | {ours:.2f} ({ours_best:.2f}) | {theirs:.2f} ({theirs_best:.2f}) | "
            f"{ours / theirs:.2f} ({ours_best / theirs_best:.2f}) | {single:.2f} |"
        )


def api_latency(repeats: int = 20) -> None:
    """Median and worst in-process latency of the lab's endpoints at default and largest sizes."""
    import io

    from fastapi.testclient import TestClient
    from PIL import Image

    from server.main import create_app

    rng = np.random.default_rng(0)
    photo = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (1200, 1600, 3), dtype=np.uint8)).save(photo, "JPEG")
    upload = {"file": ("photo.jpg", photo.getvalue(), "image/jpeg")}
    json_cases = [
        ("image kernel, default (128 x 128)", "/api/v1/conv/image", {}),
        (
            "image kernel, 256 x 256, gradient magnitude",
            "/api/v1/conv/image",
            {"size": 256, "kernel": "gradient_magnitude"},
        ),
        ("conv1d, default", "/api/v1/conv/conv1d", {}),
        ("conv1d, N = 128, K = 15", "/api/v1/conv/conv1d", {"length": 128, "kernel": [0.1] * 15}),
        ("channels, default", "/api/v1/conv/channels", {}),
        (
            "channels, 4 -> 6, K = 9, N = 128",
            "/api/v1/conv/channels",
            {"in_channels": 4, "out_channels": 6, "kernel_size": 9, "length": 128},
        ),
        ("receptive, default", "/api/v1/conv/receptive", {}),
        (
            "receptive, 8 layers K = 9, N = 256",
            "/api/v1/conv/receptive",
            {"layers": [{"kernel_size": 9, "dilation": 2}] * 8, "length": 256, "unit": 100},
        ),
        ("equivariance, default", "/api/v1/conv/equivariance", {}),
    ]
    print()
    print(f"API latency in process (TestClient), {repeats} calls each")
    print("| call | median ms | worst ms |")
    print("|---|---|---|")
    with TestClient(create_app()) as client:
        calls = [
            (name, lambda p=path, b=body: client.post(p, json=b)) for name, path, body in json_cases
        ]
        calls.append(
            (
                "upload 1600 x 1200 JPEG (downscaled to 512 x 384), Sobel x",
                lambda: client.post("/api/v1/conv/image/upload", files=upload),
            )
        )
        for name, call in calls:
            assert call().status_code == 200, name
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                call()
                times.append(time.perf_counter() - start)
            print(f"| {name} | {statistics.median(times) * 1e3:.1f} | {max(times) * 1e3:.1f} |")


if __name__ == "__main__":
    main()
    api_latency()
