"""Preset signals against their definitions at a few hand-picked positions."""

import numpy as np
import pytest

from core.signals import SIGNAL_NAMES, channel_signals, preset_signal


@pytest.mark.parametrize("name", SIGNAL_NAMES)
def test_presets_have_length_range_and_variation(name):
    x = preset_signal(name, 24, np.random.default_rng(0))
    assert x.shape == (24,)
    assert np.all(np.abs(x) <= 1.0)
    assert x.std() > 0


def test_hand_checked_values():
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(preset_signal("step", 6, rng), [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(preset_signal("spike", 5, rng), [0, 0, 1, 0, 0])
    np.testing.assert_allclose(preset_signal("ramp", 5, rng), [-1, -0.5, 0, 0.5, 1])
    np.testing.assert_array_equal(preset_signal("square", 12, rng), [0, 0, 1, 1] * 3)
    bump = preset_signal("bump", 48, rng)
    assert bump[0] == 0.0 and bump[-1] == 0.0 and bump.max() > 0.99


def test_channels_start_with_the_chosen_preset_and_differ():
    rng = np.random.default_rng(1)
    x = channel_signals("sine", 3, 16, rng)
    assert x.shape == (3, 16)
    np.testing.assert_allclose(x[0], preset_signal("sine", 16, rng))
    np.testing.assert_array_equal(x[1], preset_signal("step", 16, rng))
    assert not np.array_equal(x[1], x[2])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: preset_signal("chirp", 10, np.random.default_rng(0)), "unknown signal 'chirp'"),
        (lambda: preset_signal("step", 3, np.random.default_rng(0)), "at least 4 samples"),
        (lambda: channel_signals("step", 0, 10, np.random.default_rng(0)), "between 1 and 7"),
    ],
)
def test_errors_explain_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()
