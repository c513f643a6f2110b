"""The shallow network's 1D answers at the caller's own x (and z), not only on a grid."""

import numpy as np
import pytest

from core.activations import ACTIVATION_NAMES, get_activation
from core.errors import DomainError
from core.shallow import BOOK_PHI, BOOK_THETA, activation_curves, flow_1d


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_flow_at_own_x_is_the_network_at_those_x(activation):
    x = np.array([0.9, -3.0, 0.5, 0.5, 7.25, 0.3])  # unsorted, repeated, outside [0, 1]
    f = flow_1d(BOOK_THETA, BOOK_PHI, activation, 0.0, 1.0, 400, x)
    a = get_activation(activation).value
    z = BOOK_THETA[:, 0] + np.outer(x, BOOK_THETA[:, 1])  # (n, D), an independent product
    y = BOOK_PHI[0, 0] + a(z) @ BOOK_PHI[0, 1:]
    assert f.x.tolist() == x.tolist()
    np.testing.assert_allclose(f.forward.preactivations, z, rtol=1e-15)
    np.testing.assert_allclose(f.forward.outputs[:, 0], y, rtol=1e-13, atol=1e-15)
    # Joints and regions still describe the interval, not the samples.
    grid = flow_1d(BOOK_THETA, BOOK_PHI, activation, 0.0, 1.0, 11)
    assert f.joint_positions.tolist() == grid.joint_positions.tolist()


def test_book_flow_at_own_x_by_hand():
    # x = 0: z = (0.3, -1, -0.5), y = -0.3 + 2 * 0.3 = 0.3; x = 1: z = (-0.7, 1, 0.15),
    # y = -0.3 - 1 * 1 + 7 * 0.15 = -0.25.
    f = flow_1d(BOOK_THETA, BOOK_PHI, "relu", 0.0, 1.0, 2, np.array([1.0, 0.0]))
    np.testing.assert_allclose(f.forward.outputs[:, 0], [-0.25, 0.3], atol=1e-15)


@pytest.mark.parametrize("bad", [[], [[0.0, 1.0]], [0.0, np.nan]])
def test_own_x_must_be_a_list_of_numbers(bad):
    with pytest.raises(DomainError, match="x must be"):
        flow_1d(BOOK_THETA, BOOK_PHI, "relu", 0.0, 1.0, 10, np.array(bad))


def test_activation_curves_at_own_z():
    z = np.array([2.0, -1.0, 0.0, 30.0])
    for curve in activation_curves(0, 0, 0, z):  # the grid arguments are not used
        a = get_activation(curve.name)
        np.testing.assert_array_equal(curve.value, a.value(z))
        np.testing.assert_array_equal(curve.derivative, a.derivative(z))
    relu = next(c for c in activation_curves(0, 0, 0, z) if c.name == "relu")
    assert relu.value.tolist() == [2.0, 0.0, 0.0, 30.0]
    assert relu.derivative.tolist() == [1.0, 0.0, 0.0, 1.0]
