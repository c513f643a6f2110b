"""The network engine against finite differences, brute-force loops and PyTorch autograd."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import network
from core.activations import ACTIVATION_NAMES, ACTIVATIONS
from core.errors import DomainError
from core.losses import least_squares

SMOOTH_OR_KINKED = [a for a in ACTIVATION_NAMES if a != "heaviside"]  # heaviside: zero gradient


def random_net(widths, activations, seed=0):
    rng = np.random.default_rng(seed)
    net = network.initialise(widths, activations, "he", rng)
    betas = [rng.normal(size=b.shape) * 0.3 for b in net.betas]
    return network.network_from_lists(betas, net.omegas, activations)


def loop_forward(net, x_column):
    """One example through explicit sums: f_j = beta_j + sum_i Omega_ji h_i."""
    h = list(x_column)
    for k, (beta, omega) in enumerate(zip(net.betas, net.omegas, strict=True)):
        f = [beta[j] + sum(omega[j, i] * h[i] for i in range(len(h))) for j in range(len(beta))]
        if k < net.depth:
            h = [float(ACTIVATIONS[net.activations[k]].value(np.array(v))) for v in f]
    return np.array(f)


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_forward_matches_explicit_sums(activation):
    net = random_net([3, 4, 5, 2], activation, seed=1)
    x = np.random.default_rng(2).normal(size=(3, 6))
    out = network.forward(net, x).output
    for i in range(6):
        np.testing.assert_allclose(out[:, i], loop_forward(net, x[:, i]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", SMOOTH_OR_KINKED)
def test_backward_matches_finite_differences(activation):
    widths = [2, 5, 4, 3, 1]
    net = random_net(widths, activation, seed=3)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 7))
    y = rng.normal(size=(1, 7))

    def loss(vector):
        candidate = network.unflatten(vector, widths, net.activations)
        return least_squares(network.forward(candidate, x).output, y).total

    fwd = network.forward(net, x)
    grads = network.backward(net, fwd, least_squares(fwd.output, y).gradient)
    analytic = network.gradient_vector(grads)
    theta = network.flatten(net)
    eps = 1e-6
    numeric = np.array(
        [(loss(theta + eps * e) - loss(theta - eps * e)) / (2 * eps) for e in np.eye(theta.size)]
    )
    # Kinked activations: no pre-activation sits within eps of a kink for these seeds.
    # GELU's value uses an erf approximation (error < 1.5e-7) whose own slope differs from
    # the exact derivative by about 1e-6, so its tolerance is wider.
    atol = 2e-5 if activation == "gelu" else 1e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=atol)


def test_backward_dl_df_chain_rule_by_hand():
    # 1-1-1 ReLU network: y = beta_1 + w1 relu(beta_0 + w0 x); l = (y - t)^2.
    net = network.network_from_lists([[0.5], [0.25]], [[[2.0]], [[-3.0]]], ["relu"])
    fwd = network.forward(net, np.array([[1.0]]))
    assert fwd.f[0][0, 0] == 2.5 and fwd.h[0][0, 0] == 2.5 and fwd.output[0, 0] == -7.25
    g = network.backward(net, fwd, np.array([[2 * (-7.25 - 1.0)]]))
    assert g.dl_df[1][0, 0] == -16.5
    assert g.dl_df[0][0, 0] == -16.5 * -3.0
    assert g.dl_domegas[1][0, 0] == -16.5 * 2.5
    assert g.dl_domegas[0][0, 0] == 49.5 * 1.0
    assert g.dl_dbetas[0][0] == 49.5


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 9), min_size=2, max_size=7))
def test_parameter_count_matches_flattened_size(widths):
    net = network.initialise(widths, "relu", "glorot", np.random.default_rng(0))
    assert network.parameter_count(widths) == network.flatten(net).size
    assert net.widths == tuple(widths)
    again = network.unflatten(network.flatten(net), widths, net.activations)
    np.testing.assert_array_equal(network.flatten(again), network.flatten(net))


def test_parameter_count_closed_forms():
    # Shallow: D (D_i + 1) + D_o (D + 1); deep with K layers of width D (book ch. 4.4).
    assert network.parameter_count([3, 10, 2]) == 10 * 4 + 2 * 11
    assert network.parameter_count([1, 6, 6, 6, 1]) == 6 * 2 + 2 * 6 * 7 + 1 * 7


def test_he_initialisation_variance():
    rng = np.random.default_rng(5)
    net = network.initialise([400, 300, 1], "relu", "he", rng)
    assert net.omegas[0].var() == pytest.approx(2 / 400, rel=0.03)
    glorot = network.initialise([400, 300, 1], "relu", "glorot", rng)
    assert glorot.omegas[0].var() == pytest.approx(2 / 700, rel=0.03)
    uniform = network.initialise([50, 40, 1], "relu", "uniform", rng, scale=0.5)
    assert np.abs(uniform.omegas[0]).max() <= 0.5
    assert uniform.omegas[0].var() == pytest.approx(0.25 / 3, rel=0.1)
    assert all(np.all(b == 0) for b in net.betas)


def test_same_seed_same_network():
    a = network.initialise([2, 8, 1], "tanh", "he", np.random.default_rng(9))
    b = network.initialise([2, 8, 1], "tanh", "he", np.random.default_rng(9))
    np.testing.assert_array_equal(network.flatten(a), network.flatten(b))


def test_shallow_network_matches_shallow_lab_formula():
    theta = np.array([[0.3, -1.0], [-1.0, 2.0], [-0.5, 0.65]])
    phi = np.array([[-0.3, 2.0, -1.0, 7.0]])
    net = network.shallow_network(theta, phi, "relu")
    x = np.linspace(0, 1, 11)
    expected = phi[0, 0] + sum(
        phi[0, d + 1] * np.maximum(theta[d, 0] + theta[d, 1] * x, 0) for d in range(3)
    )
    np.testing.assert_allclose(network.forward(net, x[None, :]).output[0], expected)


@pytest.mark.parametrize(
    ("betas", "omegas", "message"),
    [
        ([[0.0]], [[[1.0, 2.0]], [[1.0]]], "one bias vector per weight matrix"),
        ([[0.0, 0.0], [0.0]], [[[1.0], [2.0]], [[1.0, 2.0, 3.0]]], "layer 1: Omega_1 must have 2"),
        ([[0.0], [0.0]], [[[1.0]], [[1.0]]], None),
        ([[0.0, 1.0], [0.0]], [[[1.0]], [[1.0]]], "layer 0: beta_0 must have 1 entries"),
    ],
)
def test_shapes_that_do_not_fit_name_the_layer(betas, omegas, message):
    if message is None:
        network.network_from_lists(betas, omegas, ["relu"])
        return
    with pytest.raises(DomainError, match=message):
        network.network_from_lists(betas, omegas, ["relu"] * (len(omegas) - 1))


def test_input_with_wrong_rows_is_refused():
    net = network.initialise([2, 3, 1], "relu", "he", np.random.default_rng(0))
    with pytest.raises(DomainError, match="2 rows"):
        network.forward(net, np.zeros((3, 4)))


torch = pytest.importorskip("torch", reason="the PyTorch oracle needs the 'torch' extra")

TORCH_ACTIVATIONS = {
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.1),
    "elu": torch.nn.functional.elu,
    "softplus": torch.nn.functional.softplus,
    "gelu": torch.nn.functional.gelu,
    "silu": torch.nn.functional.silu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "linear": lambda z: z,
}


@pytest.mark.parametrize("activation", sorted(TORCH_ACTIVATIONS))
def test_gradients_match_torch_autograd(activation):
    widths = [3, 6, 5, 2]
    net = random_net(widths, activation, seed=11)
    rng = np.random.default_rng(12)
    x, y = rng.normal(size=(3, 8)), rng.normal(size=(2, 8))
    fwd = network.forward(net, x)
    grads = network.backward(net, fwd, least_squares(fwd.output, y).gradient)

    betas = [torch.tensor(b, requires_grad=True) for b in net.betas]
    omegas = [torch.tensor(o, requires_grad=True) for o in net.omegas]
    h = torch.tensor(x)
    for k in range(len(omegas)):
        f = betas[k][:, None] + omegas[k] @ h
        if k < net.depth:
            h = TORCH_ACTIVATIONS[activation](f)
    ((f - torch.tensor(y)) ** 2).sum().backward()
    np.testing.assert_allclose(fwd.output, f.detach().numpy(), rtol=1e-6, atol=1e-9)
    for k in range(len(omegas)):
        # GELU: ours uses an erf approximation accurate to 1.5e-7.
        np.testing.assert_allclose(
            grads.dl_domegas[k], omegas[k].grad.numpy(), rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(grads.dl_dbetas[k], betas[k].grad.numpy(), rtol=1e-5, atol=1e-6)


def test_views_equal_unflatten_and_share_memory():
    widths = [3, 4, 2]
    net = network.initialise(widths, "relu", "he", np.random.default_rng(1))
    vector = network.flatten(net)
    fast = network.views(vector, widths, ("relu",))
    checked = network.unflatten(vector, widths, "relu")
    for a, b in zip(fast.omegas + fast.betas, checked.omegas + checked.betas, strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.shares_memory(fast.omegas[1], vector)
