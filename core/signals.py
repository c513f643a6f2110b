"""Preset 1D input signals for the convolution labs.

Course notes ch. 6.2: a 1D convolution maps an input vector x to an output vector z. These
presets are x's with something for a kernel to find: edges (step, square), an isolated spike
(the kernel's impulse response), a smooth bump (zero near the borders, so shifts lose
nothing), oscillations and noise. Values are generated from positions t = 0..N-1 and, for
the noise, an explicit ``numpy.random.Generator``.
"""

from __future__ import annotations

import numpy as np

from core.choices import Choice, names, registry
from core.errors import DomainError

SIGNALS: dict[str, Choice] = registry(
    [
        Choice("step", "step", "0 then 1 from the middle on: one edge"),
        Choice("spike", "spike", "a single 1 in the middle: the kernel's impulse response"),
        Choice("bump", "bump", "a smooth Gaussian bump, exactly 0 near the borders"),
        Choice("square", "square wave", "alternating blocks of 0 and 1: many edges"),
        Choice("sine", "sine", "three periods of a sine"),
        Choice("ramp", "ramp", "a straight line from -1 to 1"),
        Choice("noise", "noise (seeded)", "independent uniform values in [-1, 1]"),
    ]
)
SIGNAL_NAMES: tuple[str, ...] = names(SIGNALS)


def preset_signal(name: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """A preset signal of length n, values in [-1, 1].

    Parameters
    ----------
    name : str
        One of ``SIGNAL_NAMES``.
    n : int
        Length N (at least 4).
    rng : numpy.random.Generator
        Used by ``"noise"`` only.

    Returns
    -------
    ndarray, shape (N,)
    """
    if n < 4:
        raise DomainError(f"a signal needs at least 4 samples, got {n}")
    t = np.arange(n, dtype=float)  # (N,)
    centre = (n - 1) / 2
    if name == "step":
        return (t >= n // 2).astype(float)
    if name == "spike":
        return (t == n // 2).astype(float)
    if name == "bump":
        width = n / 12
        bump = np.exp(-0.5 * ((t - centre) / width) ** 2)
        return np.where(np.abs(t - centre) <= 3 * width, bump, 0.0)  # exactly 0 far out
    if name == "square":
        return ((t // max(n // 6, 1)) % 2 == 1).astype(float)
    if name == "sine":
        return np.sin(2 * np.pi * 3 * t / n)
    if name == "ramp":
        return 2 * t / (n - 1) - 1
    if name == "noise":
        return rng.uniform(-1.0, 1.0, size=n)
    raise DomainError(f"unknown signal {name!r}; choose one of {', '.join(SIGNAL_NAMES)}")


def channel_signals(first: str, channels: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Several input channels: ``first`` then the other presets in order, shape (C, N)."""
    if not 1 <= channels <= len(SIGNAL_NAMES):
        raise DomainError(
            f"input channels must be between 1 and {len(SIGNAL_NAMES)}, got {channels}"
        )
    if first not in SIGNAL_NAMES:
        raise DomainError(f"unknown signal {first!r}; choose one of {', '.join(SIGNAL_NAMES)}")
    names = [first] + [name for name in SIGNAL_NAMES if name != first]
    return np.stack([preset_signal(name, n, rng) for name in names[:channels]])  # (C, N)
