"""The lock-step engine gives the reference loop's numbers bit for bit."""

import numpy as np
import pytest

from core.landscape_models import LANDSCAPE_NAMES, make_landscape
from core.optimizers import OPTIMIZER_NAMES, OptimizerConfig, Schedule, run_optimizer
from core.optimizers_fast import run_together

FIELDS = ("trajectory", "losses", "batch_losses", "learning_rates", "epoch_ends", "epoch_losses")


def assert_same(reference, fast):
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(fast, name), getattr(reference, name), err_msg=name)
    assert (fast.status, fast.message) == (reference.status, reference.message)
    assert len(fast.batch_indices) == len(reference.batch_indices)
    for a, b in zip(fast.batch_indices, reference.batch_indices, strict=True):
        np.testing.assert_array_equal(a, b)


def configs():
    out = []
    for kind in OPTIMIZER_NAMES:
        rate = 0.1 if kind == "adam" else 0.3
        out += [OptimizerConfig(kind, rate), OptimizerConfig(kind, rate, batch_size=5)]
    out += [
        OptimizerConfig("sgd", 0.2, batches=((0, 1, 2), (3, 4), (5, 6, 7, 8))),
        OptimizerConfig("adam", 0.2, batch_size=5, schedule=Schedule("step", 0.5, 20)),
        OptimizerConfig("nesterov", 0.2, batch_size=23, schedule=Schedule("inverse_time", 1, 7)),
        OptimizerConfig("gd", 50.0),  # diverges
    ]
    return tuple(out)


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
@pytest.mark.parametrize("tolerance", [1e-6, 0.0])
def test_fast_engine_matches_the_reference_loop_bit_for_bit(name, tolerance):
    # 23 samples and batches of 5: every epoch ends with a short batch of 3.
    land = make_landscape(name, 23, 0.2, np.random.default_rng(1))
    start = np.mean(land.param_range, axis=1)
    cases = configs()
    fast = run_together(land, cases, np.tile(start, (len(cases), 1)), 150, 7, tolerance)
    statuses = set()
    for config, run in zip(cases, fast, strict=True):
        reference = run_optimizer(land, config, start, 150, np.random.default_rng(7), tolerance)
        assert_same(reference, run)
        statuses.add(run.status)
    if name != "gabor":  # the Gabor loss is bounded: nothing diverges there
        assert "diverged" in statuses


def test_recording_runs_take_the_same_steps():
    from core.optimizers import race

    land = make_landscape("gabor", 23, 0.2, np.random.default_rng(1))
    cases = configs()[:8]
    plain = race(land, cases, np.array([1.0, 5.0]), 60, np.random.default_rng(4))
    recorded = race(land, cases, np.array([1.0, 5.0]), 60, np.random.default_rng(4), record=True)
    for a, b in zip(plain, recorded, strict=True):
        assert_same(a, b)
        assert b.gradients.shape == (len(b.trajectory) - 1, 2)
