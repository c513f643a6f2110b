"""Hat grids and trained networks in d = 1, 2, 3 dimensions.

Oracles: exact reproduction of multilinear functions by multilinear interpolation, a scalar
loop over the corners of a cell, np.interp in 1D, finite differences of the variable-projection
loss, and the known h^4 error rate of linear interpolation.
"""

import itertools
import math

import numpy as np
import pytest

from core import network
from core.basis_comparison import (
    compare_bases,
    grid_points,
    hat_interpolate,
    target_nd,
    train_shallow,
)


def test_targets_match_scalar_formulas():
    x = np.array([[0.1, -0.4, 0.3], [1.0, 1.0, -1.0]])
    bump = [math.exp(-sum(v * v for v in row) / 0.5) for row in x]
    ridge = [math.sin(math.pi * sum(row) / math.sqrt(3)) for row in x]
    np.testing.assert_allclose(target_nd("bump", x), bump)
    np.testing.assert_allclose(target_nd("ridge", x), ridge)
    with pytest.raises(ValueError, match="unknown target 'cube'"):
        target_nd("cube", x)


def test_grid_points_enumerate_the_grid_last_coordinate_fastest():
    pts = grid_points(3, 2)
    expected = list(itertools.product([-1.0, 0.0, 1.0], repeat=2))
    np.testing.assert_allclose(pts, expected)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_hat_interpolation_reproduces_multilinear_functions(d):
    rng = np.random.default_rng(d)
    coef = rng.normal(size=2**d)

    def multilinear(x):  # sum over subsets S of coef_S prod_{i in S} x_i
        return sum(
            c * np.prod(x[:, [i for i in range(d) if (s >> i) & 1]], axis=1)
            for s, c in enumerate(coef)
        )

    k = 4
    x = rng.uniform(-1, 1, size=(50, d))
    values = multilinear(grid_points(k, d))
    np.testing.assert_allclose(hat_interpolate(values, k, x), multilinear(x), atol=1e-12)


def test_hat_interpolation_matches_np_interp_in_1d_and_a_corner_loop_in_2d():
    rng = np.random.default_rng(0)
    values = rng.normal(size=5)
    x = rng.uniform(-1, 1, size=(30, 1))
    np.testing.assert_allclose(
        hat_interpolate(values, 5, x), np.interp(x[:, 0], np.linspace(-1, 1, 5), values)
    )
    k = 3
    grid = rng.normal(size=(k, k))
    y = rng.uniform(-1, 1, size=(20, 2))
    loop = []
    for a, b in y:
        u, v = (a + 1) / 2 * (k - 1), (b + 1) / 2 * (k - 1)
        i, j = min(int(u), k - 2), min(int(v), k - 2)
        s, t = u - i, v - j
        loop.append(
            (1 - s) * (1 - t) * grid[i, j]
            + s * (1 - t) * grid[i + 1, j]
            + (1 - s) * t * grid[i, j + 1]
            + s * t * grid[i + 1, j + 1]
        )
    np.testing.assert_allclose(hat_interpolate(grid.ravel(), k, y), loop, rtol=1e-12)


def test_training_lowers_the_loss_and_solves_the_output_layer_exactly():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, size=(300, 2))
    y = target_nd("bump", x)
    trained = train_shallow(x, y, 8, "sigmoid", 100, 0.05, np.random.default_rng(2))
    assert trained.losses[-1] < 0.2 * trained.losses[0]
    # The output layer is the least-squares one for the final hidden layer: zero gradient.
    fwd = network.forward(trained.net, x.T)
    r = fwd.output[0] - y
    grads = network.backward(trained.net, fwd, (2 / r.size) * r[None, :])
    assert np.max(np.abs(grads.dl_domegas[1])) < 1e-6 and abs(grads.dl_dbetas[1][0]) < 1e-6
    assert trained.losses[-1] == pytest.approx(np.mean(r**2))


def test_grid_error_rate_is_about_minus_4_over_d_and_the_networks_learn():
    for d, rate in ((1, -4.0), (2, -2.0), (3, -4 / 3)):
        c = compare_bases(d, "bump", 4096, 4, "sigmoid", 300, 1000, 60, np.random.default_rng(0))
        assert c.grid_rate == pytest.approx(rate, abs=0.25)
        assert c.grid_predicted_rate == pytest.approx(rate, rel=1e-15)
        slope = np.polyfit(np.log(c.grid_parameters), np.log(c.fixed_reference), 1)[0]
        assert c.fixed_reference_rate == pytest.approx(slope, rel=1e-9) == -2 / d
        np.testing.assert_allclose(
            c.fixed_reference,
            c.grid_error[0] * (c.grid_parameters[0] / c.grid_parameters) ** (2 / d),
        )
        np.testing.assert_allclose(
            c.barron_reference, c.network_error[0] * c.network_parameters[0] / c.network_parameters
        )
        assert c.network_parameters.tolist() == [(d + 2) * h + 1 for h in (1, 2, 4)]
        assert c.network_error[-1] < c.network_error[0]


def test_comparison_rejects_other_dimensions():
    with pytest.raises(ValueError, match="d = 1, 2 or 3"):
        compare_bases(4, "bump", 4096, 4, "sigmoid", 300, 1000, 10, np.random.default_rng(0))
