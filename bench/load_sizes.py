"""Largest answers: each heavy endpoint at the limits of its request, raw and gzip-compressed.

.venv/bin/python bench/load_sizes.py
"""

import gzip
import json
import time

from fastapi.testclient import TestClient

from server.main import create_app

UNITS = 32
LARGEST = {
    "/api/v1/shallow/flow": {
        "activation": "gelu",
        "theta": [[0.1 * d - 1.5, 1.0 + 0.01 * d] for d in range(UNITS)],
        "phi": [[0.5] + [0.1] * UNITS] * 4,
        "n_points": 1000,
    },
    "/api/v1/shallow/regions": {
        "activation": "relu",
        "theta": [[0.05 * d - 0.8, 1.0, 0.03 * d - 0.5] for d in range(UNITS)],
        "phi": [0.5] + [0.1] * UNITS,
        "grid_size": 300,
        "panel_size": 81,
    },
    "/api/v1/shallow/activations": {"n_points": 4001},
    "/api/v1/linear/view": {
        "n_points": 500,
        "grid_size": 200,
        "max_steps": 5000,
        "learning_rate": 1e-4,
    },
    "/api/v1/training/landscape": {"resolution": 150},
    "/api/v1/training/starts": {"max_steps": 1000},
    "/api/v1/polar/fit": {"n_per_class": 1000, "grid_size": 100},
    "/api/v1/approximation/fit": {
        "n_hidden": 128,
        "n_samples": 1000,
        "degree": 64,
        "sweep_max": 256,
    },
    "/api/v1/approximation/radial": {"n_samples": 5000, "n_bins": 200},
    "/api/v1/conv/image": {"size": 256, "kernel": "gradient_magnitude"},
}


def main() -> None:
    client = TestClient(create_app())
    print("| endpoint | status | raw | gzip (level 1, as served) | compress ms |")
    print("|---|---:|---:|---:|---:|")
    for path, body in LARGEST.items():
        r = client.post(path, json=body, headers={"Accept-Encoding": "identity"})
        raw = r.content
        start = time.perf_counter()
        packed = gzip.compress(raw, 1)
        ms = (time.perf_counter() - start) * 1000
        note = "" if r.status_code == 200 else " " + json.dumps(r.json())[:120] + " |"
        print(
            f"| `{path}` | {r.status_code} | {len(raw) / 1e6:.2f} MB | {len(packed) / 1e6:.2f} MB "
            f"| {ms:.0f} |{note}"
        )


if __name__ == "__main__":
    main()
