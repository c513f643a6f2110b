"""Activations: values against scalar oracles, derivatives against finite differences."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.activations import ACTIVATION_NAMES, erf, get_activation

# Points away from the kinks of piecewise functions, where a central difference is exact.
Z = np.array([-4.0, -2.5, -1.0, -0.3, 0.2, 0.7, 1.5, 3.0, 6.0])

SCALAR_ORACLES = {
    "relu": lambda z: max(0.0, z),
    "leaky_relu": lambda z: z if z > 0 else 0.1 * z,
    "elu": lambda z: z if z > 0 else math.exp(z) - 1.0,
    "softplus": lambda z: math.log1p(math.exp(z)),
    "gelu": lambda z: 0.5 * z * (1.0 + math.erf(z / math.sqrt(2.0))),
    "silu": lambda z: z / (1.0 + math.exp(-z)),
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "tanh": math.tanh,
    "heaviside": lambda z: 1.0 if z >= 0 else 0.0,
    "linear": lambda z: z,
}


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_value_matches_scalar_formula(name):
    act = get_activation(name)
    expected = np.array([SCALAR_ORACLES[name](float(z)) for z in Z])
    np.testing.assert_allclose(act.value(Z), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_derivative_matches_finite_differences(name):
    act = get_activation(name)
    h = 1e-5
    numeric = (act.value(Z + h) - act.value(Z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(Z), numeric, rtol=1e-4, atol=1e-5)


def test_every_activation_has_an_oracle():
    assert set(SCALAR_ORACLES) == set(ACTIVATION_NAMES)


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'foo'; choose one of relu"):
        get_activation("foo")


@given(st.floats(min_value=-30, max_value=30, allow_nan=False))
def test_erf_matches_math_erf(x):
    assert abs(float(erf(np.array([x]))[0]) - math.erf(x)) < 2e-7


def test_sigmoid_and_softplus_are_stable_for_large_inputs():
    z = np.array([-800.0, 800.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(get_activation("sigmoid").value(z), [0.0, 1.0])
        np.testing.assert_allclose(get_activation("softplus").value(z), [0.0, 800.0])


def test_conventions_at_zero_follow_the_book():
    """Heaviside[0] = 1 (the step is 1 for z >= 0); ReLU'(0) = 0; leaky ReLU'(0) = 0.1."""
    zero = np.array([0.0])
    assert get_activation("heaviside").value(zero)[0] == 1.0
    assert get_activation("heaviside").value(np.array([-1e-300]))[0] == 0.0
    assert get_activation("relu").derivative(zero)[0] == 0.0
    assert get_activation("leaky_relu").derivative(zero)[0] == 0.1
