"""The finite-difference oracle that the derivative tests compare against."""

import numpy as np


def numeric_gradient(fn, x, eps=1e-6):
    """Central differences of ``fn`` at ``x``, one entry of x at a time.

    ``grad[i] = (fn(x + eps e_i) - fn(x - eps e_i)) / (2 eps)`` for every index i of x.

    Parameters
    ----------
    fn : callable
        Maps an array shaped like ``x`` to a number or to an array of any shape S.
    x : array-like
        Where to differentiate.
    eps : float
        Step on each side.

    Returns
    -------
    ndarray, shape x.shape + S
        ``grad[i]`` is the derivative of fn's value (all of it) with respect to ``x[i]``.
    """
    x = np.asarray(x, dtype=float)
    slopes = []
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        slopes.append((np.asarray(fn(x + step)) - np.asarray(fn(x - step))) / (2 * eps))
    return np.reshape(slopes, x.shape + np.shape(slopes[0]))
