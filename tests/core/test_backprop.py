"""Backpropagation lab core: the toy chain and the inspector against finite differences and
closed forms, the step walk, the multiplication counts against a counting loop, and gradient
sizes over depth against the variance argument of He initialisation."""

import zlib

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core import backprop, backprop_chain, backprop_cost, losses, network
from core.activations import ACTIVATION_NAMES, ACTIVATIONS
from core.errors import DomainError

BOOK = backprop_chain.BOOK_CHAIN


# --- the toy chain ---------------------------------------------------------------------------


def closed_form_chain_gradient(b, w, x, y):
    """The chain rule written out in one expression per parameter (book eq. 7.5)."""
    f0 = b[0] + w[0] * x
    f1 = b[1] + w[1] * np.sin(f0)
    f2 = b[2] + w[2] * np.exp(f1)
    f3 = b[3] + w[3] * np.cos(f2)
    d3 = 2 * (f3 - y)
    d2 = d3 * w[3] * -np.sin(f2)
    d1 = d2 * w[2] * np.exp(f1)
    d0 = d1 * w[1] * np.cos(f0)
    return np.array([d0, d1, d2, d3]), np.array(
        [x * d0, np.sin(f0) * d1, np.exp(f1) * d2, np.cos(f2) * d3]
    )


def test_chain_book_values():
    chain = backprop_chain.chain_backprop(**BOOK)
    f0 = 1.0 + 0.1 * 2.3
    np.testing.assert_allclose(chain.f[0], f0)
    np.testing.assert_allclose(chain.h, [np.sin(f0), np.exp(chain.f[1]), np.cos(chain.f[2])])
    np.testing.assert_allclose(chain.loss, (chain.f[3] - 2.0) ** 2)
    dbeta, domega = closed_form_chain_gradient(BOOK["betas"], BOOK["omegas"], 2.3, 2.0)
    np.testing.assert_allclose(chain.dl_dbetas, dbeta, rtol=1e-13)
    np.testing.assert_allclose(chain.dl_domegas, domega, rtol=1e-13)
    np.testing.assert_allclose(chain.df_dh, BOOK["omegas"][1:])
    np.testing.assert_allclose(
        chain.dh_df, [np.cos(chain.f[0]), np.exp(chain.f[1]), -np.sin(chain.f[2])]
    )
    # Each backward product is the previous one times a local derivative.
    np.testing.assert_allclose(chain.dl_dh, chain.df_dh * chain.dl_df[1:])
    np.testing.assert_allclose(chain.dl_df[:3], chain.dh_df * chain.dl_dh)
    # The check that comes with it.
    np.testing.assert_allclose(chain.fd_betas, dbeta, rtol=1e-8)
    np.testing.assert_allclose(chain.fd_omegas, domega, rtol=1e-8)


finite = st.floats(-2, 2, allow_nan=False)


@given(st.lists(finite, min_size=8, max_size=8), finite, finite)
@example([1.0, 2.0, -3.0, 0.4, 0.1, -0.4, 2.0, 3.0], 2.3, 2.0)
@example([0.0] * 8, 0.0, 0.0)
@settings(max_examples=60, deadline=None)
def test_chain_matches_finite_differences(params, x, y):
    betas, omegas = params[:4], params[4:]
    chain = backprop_chain.chain_backprop(betas, omegas, x, y)
    fd_b, fd_w = backprop_chain.chain_finite_differences(betas, omegas, x, y, step=1e-6)
    scale = 1.0 + np.abs(np.concatenate([chain.dl_dbetas, chain.dl_domegas])).max()
    np.testing.assert_allclose(chain.dl_dbetas, fd_b, atol=1e-6 * scale)
    np.testing.assert_allclose(chain.dl_domegas, fd_w, atol=1e-6 * scale)


def test_chain_rejects_wrong_sizes():
    with pytest.raises(DomainError, match="four betas"):
        backprop_chain.chain_backprop([1, 2, 3], [1, 2, 3, 4], 0.0, 0.0)


def test_relative_error():
    assert backprop.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert backprop.relative_error([1.0, 0.0], [-1.0, 0.0]) == 1.0
    assert backprop.relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    np.testing.assert_allclose(backprop.relative_error([1.0], [1.1]), 0.1 / 2.1)


# --- the inspector ---------------------------------------------------------------------------

LOSS_SHAPES = {
    "least_squares": 2,
    "gaussian_nll": 1,
    "gaussian_nll_predicted": 2,
    "binary_cross_entropy": 1,
    "cross_entropy": 3,
}


def random_problem(activation, loss, seed, depth=3, width=4, n=3):
    rng = np.random.default_rng(seed)
    d_o = LOSS_SHAPES[loss]
    widths = [2, *([width] * depth), d_o]
    net = network.initialise(widths, activation, "he", rng)
    betas = [rng.normal(size=b.shape) * 0.3 for b in net.betas]
    net = network.network_from_lists(betas, net.omegas, activation)
    x = rng.normal(size=(2, n))
    if loss == "least_squares":
        y = rng.normal(size=(d_o, n))
    elif loss == "binary_cross_entropy":
        y = rng.integers(0, 2, size=n).astype(float)
    elif loss == "cross_entropy":
        y = rng.integers(0, d_o, size=n).astype(float)
    else:
        y = rng.normal(size=n)
    return net, x, y


def naive_finite_differences(net, x, y, loss, sigma=1.0, step=1e-6):
    """One parameter at a time through the whole network (the oracle of the batched version)."""
    widths, theta = net.widths, network.flatten(net)

    def total(vector):
        candidate = network.unflatten(vector, widths, net.activations)
        return losses.evaluate_loss(loss, network.forward(candidate, x).output, y, sigma).total

    return np.array(
        [
            (total(theta + step * e) - total(theta - step * e)) / (2 * step)
            for e in np.eye(theta.size)
        ]
    )


@pytest.mark.parametrize("loss", list(losses.LOSSES))
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_inspector_gradients_match_finite_differences(activation, loss):
    seed = zlib.crc32(f"{activation}/{loss}".encode())
    net, x, y = random_problem(activation, loss, seed=seed)
    sigma = 0.7
    result = backprop.inspect(net, x, y, loss, sigma=sigma)
    analytic = network.gradient_vector(result.gradients)
    numeric = naive_finite_differences(net, x, y, loss, sigma)
    batched = np.concatenate(
        [
            np.concatenate([b, o.ravel()])
            for b, o in zip(result.fd_betas, result.fd_omegas, strict=True)
        ]
    )
    scale = 1.0 + np.abs(numeric).max()
    # The batched differences are the same arithmetic as the one-at-a-time oracle.
    np.testing.assert_allclose(batched, numeric, atol=1e-7 * scale)
    # GELU's value uses an erf approximation (|error| < 1.5e-7) and its derivative the exact
    # density, so its finite differences differ from its backprop at that level.
    tolerance = 1e-5 if activation == "gelu" else 1e-6
    np.testing.assert_allclose(analytic, numeric, atol=tolerance * scale)
    assert result.layer_errors.shape == (net.depth + 1,)
    assert np.all(result.layer_errors < (2e-5 if activation == "gelu" else 1e-6))


def test_inspector_stores_masks_and_dl_dh():
    net, x, y = random_problem("relu", "least_squares", seed=5, depth=4, width=6, n=5)
    result = backprop.inspect(net, x, y)
    assert len(result.masks) == len(result.dl_dh) == net.depth
    for k in range(1, net.depth + 1):
        f_prev = result.forward.f[k - 1]
        np.testing.assert_array_equal(result.masks[k - 1], (f_prev > 0).astype(float))
        np.testing.assert_allclose(result.dl_dh[k - 1], net.omegas[k].T @ result.gradients.dl_df[k])
        np.testing.assert_allclose(
            result.gradients.dl_df[k - 1], result.masks[k - 1] * result.dl_dh[k - 1]
        )
        # dl/dOmega_k = dl/df_k h_k^T summed over examples, as explicit outer products.
        outer = sum(
            np.outer(result.gradients.dl_df[k][:, i], result.forward.h[k - 1][:, i])
            for i in range(5)
        )
        np.testing.assert_allclose(result.gradients.dl_domegas[k], outer)
    np.testing.assert_allclose(
        result.loss.total, ((result.forward.output - y) ** 2).sum(), rtol=1e-14
    )


def test_inspector_rejects_overflow_and_bad_step():
    net = network.network_from_lists([[0.0], [0.0]], [[[1e300]], [[1e300]]], "linear")
    with pytest.raises(DomainError, match="overflow"):
        backprop.inspect(net, np.array([[10.0]]), np.array([[0.0]]))
    small = network.network_from_lists([[0.0], [0.0]], [[[1.0]], [[1.0]]], "relu")
    with pytest.raises(DomainError, match="step"):
        backprop.finite_differences(small, np.array([[1.0]]), np.array([[0.0]]), step=0.0)


# --- the step walk ---------------------------------------------------------------------------


@pytest.mark.parametrize("widths", [[1, 1], [2, 3, 1], [3, 5, 4, 6, 2], [1, *[16] * 8, 4]])
def test_steps_read_only_what_is_already_there(widths):
    depth = len(widths) - 2
    given_names = {"x", "y"} | {f"beta_{k}" for k in range(depth + 1)}
    given_names |= {f"Omega_{k}" for k in range(depth + 1)}
    written: list[str] = []
    phases = []
    for step in backprop.steps(widths):
        phases.append(step.phase)
        for name in step.reads:
            assert name in given_names or name in written, (step, name)
        written.extend(step.writes)
    # Each quantity is written once; every derivative of the book is among them.
    assert len(written) == len(set(written))
    expected = {f"f_{k}" for k in range(depth + 1)} | {f"h_{k}" for k in range(1, depth + 1)}
    expected |= {f"dl/df_{k}" for k in range(depth + 1)}
    expected |= {f"dl/dh_{k}" for k in range(1, depth + 1)}
    expected |= {f"dl/dbeta_{k}" for k in range(depth + 1)}
    expected |= {f"dl/dOmega_{k}" for k in range(depth + 1)} | {"l"}
    assert set(written) == expected
    # Forward first, then the loss, then backward.
    assert phases == sorted(phases, key=["forward", "loss", "backward"].index)
    total = sum(step.multiplications for step in backprop.steps(widths))
    assert backprop.steps(widths)[-1].multiplications_so_far == total
    assert total == backprop_cost.forward_multiplications(
        widths
    ) + backprop_cost.backward_multiplications(widths)


# --- counting multiplications ----------------------------------------------------------------


class Counter:
    def __init__(self):
        self.count = 0

    def mul(self, a, b):
        self.count += 1
        return a * b


def counted_forward(net, x, counter):
    """Scalar loops over one example; every product goes through the counter."""
    h = [float(v) for v in x]
    fs, hs = [], [h]
    for k, (beta, omega) in enumerate(zip(net.betas, net.omegas, strict=True)):
        f = [
            beta[j] + sum(counter.mul(omega[j, i], h[i]) for i in range(len(h)))
            for j in range(len(beta))
        ]
        fs.append(f)
        if k < net.depth:
            h = [float(ACTIVATIONS[net.activations[k]].value(np.array(v))) for v in f]
            hs.append(h)
    return fs, hs


def counted_backprop(net, x, y, counter):
    fs, hs = counted_forward(net, x, counter)
    dl_df = [2.0 * (fs[-1][j] - y[j]) for j in range(len(fs[-1]))]  # the loss: not counted
    grads = [None] * (net.depth + 1)
    for k in range(net.depth, -1, -1):
        omega = net.omegas[k]
        grads[k] = [
            [counter.mul(dl_df[j], hs[k][i]) for i in range(len(hs[k]))] for j in range(len(dl_df))
        ]
        if k > 0:
            dl_dh = [
                sum(counter.mul(omega[j, i], dl_df[j]) for j in range(len(dl_df)))
                for i in range(omega.shape[1])
            ]
            slope = ACTIVATIONS[net.activations[k - 1]].derivative(np.array(fs[k - 1]))
            dl_df = [counter.mul(float(slope[i]), dl_dh[i]) for i in range(len(dl_dh))]
    return grads


@pytest.mark.parametrize("widths", [[1, 1], [2, 3, 1], [3, 5, 4, 6, 2], [4, 2, 7, 3]])
def test_multiplication_counts_match_a_counting_loop(widths):
    net, x, y = random_problem("tanh", "least_squares", seed=1)
    rng = np.random.default_rng(0)
    net = network.initialise(widths, "tanh", "he", rng)
    x = rng.normal(size=widths[0])
    y = rng.normal(size=widths[-1])
    forward = Counter()
    counted_forward(net, x, forward)
    assert forward.count == backprop_cost.forward_multiplications(widths)
    both = Counter()
    grads = counted_backprop(net, x, y, both)
    assert both.count == backprop_cost.forward_multiplications(
        widths
    ) + backprop_cost.backward_multiplications(widths)
    # The counted loop is a real backward pass: same gradients as the engine.
    fwd = network.forward(net, x[:, None])
    engine = network.backward(net, fwd, 2.0 * (fwd.output - y[:, None]))
    for k in range(net.depth + 1):
        np.testing.assert_allclose(np.array(grads[k]), engine.dl_domegas[k], atol=1e-12)
    # Naive central differences: two counted forward passes per parameter.
    fd = Counter()
    for _ in range(2 * network.parameter_count(widths)):
        counted_forward(net, x, fd)
    assert fd.count == backprop_cost.finite_difference_multiplications(widths)


def test_cost_curve_grows_as_stated():
    curve = backprop_cost.cost_curve(2, 1, 6, range(1, 9))
    np.testing.assert_array_equal(curve.sizes, np.arange(1, 9))
    for k, depth in enumerate(curve.sizes):
        widths = [2, *[6] * depth, 1]
        assert curve.parameters[k] == network.parameter_count(widths)
        assert curve.finite_differences[k] == 2 * curve.parameters[k] * curve.forward[k]
    # Backprop stays within about three forward passes (plus the masks, one product per hidden
    # unit); finite differences grow with P.
    hidden_units = 6 * curve.sizes
    assert np.all(curve.backprop <= 3 * curve.forward + hidden_units)
    assert np.all(np.diff(curve.finite_differences / curve.backprop) > 0)


# --- gradient size over depth ----------------------------------------------------------------


def test_he_initialisation_keeps_relu_gradients_level():
    """Each backward step multiplies the mean square by D sigma^2 / 2 = scale^2 under He."""
    depth = 12
    sizes = backprop_cost.gradient_sizes(
        depth, 64, ["relu"], [0.5, 1.0, 2.0], "he", 6, 32, np.random.default_rng(0)
    )
    for result in sizes:
        inner = np.log(result.dl_df[1:depth])  # away from the input and output layers
        slope = np.polyfit(np.arange(1, depth), inner, 1)[0]
        # Going toward the input (smaller k) the size changes by a factor `scale` per layer.
        np.testing.assert_allclose(-slope, np.log(result.scale), atol=0.12)
        np.testing.assert_allclose(result.growth_per_layer, np.exp(-slope), rtol=1e-12)
        assert result.dl_df.shape == result.preactivations.shape == (depth + 1,)


def test_gradient_sizes_of_saturating_activations_vanish():
    (sigmoid,) = backprop_cost.gradient_sizes(
        10, 32, ["sigmoid"], [1.0], "he", 3, 16, np.random.default_rng(1)
    )
    # sigmoid' <= 1/4: each layer shrinks the gradient.
    assert sigmoid.dl_df[0] < 1e-2 * sigmoid.dl_df[-1]
    assert sigmoid.growth_per_layer < 0.7
    (step,) = backprop_cost.gradient_sizes(
        3, 4, ["heaviside"], [1.0], "he", 1, 2, np.random.default_rng(1)
    )
    assert step.growth_per_layer is None  # a step passes no gradient at all


def test_gradient_sizes_share_the_draws():
    a = backprop_cost.gradient_sizes(3, 4, ["tanh"], [1.0], "he", 2, 3, np.random.default_rng(5))
    b = backprop_cost.gradient_sizes(
        3, 4, ["relu", "tanh"], [0.5, 1.0], "he", 2, 3, np.random.default_rng(5)
    )
    np.testing.assert_array_equal(a[0].dl_df, b[3].dl_df)
    with pytest.raises(DomainError):
        backprop_cost.gradient_sizes(0, 4, ["relu"], [1.0], "he", 1, 1, np.random.default_rng(0))


# --- building the inspected problem ----------------------------------------------------------


def test_run_inspector_draws_from_the_seed_and_applies_edits():
    config = backprop.InspectorConfig(widths=(3, 5, 5, 2), activations="tanh", n_examples=4)
    a = backprop.run_inspector(config, np.random.default_rng(9))
    b = backprop.run_inspector(config, np.random.default_rng(9))
    np.testing.assert_array_equal(network.flatten(a.net), network.flatten(b.net))
    assert a.forward.x.shape == (3, 4) and a.targets.shape == (2, 4)
    edit = backprop.Edit("beta", 2, 1, 0, 7.5)
    c = backprop.run_inspector(
        backprop.InspectorConfig(**{**vars(config), "edits": (edit,)}), np.random.default_rng(9)
    )
    assert c.net.betas[2][1] == 7.5
    np.testing.assert_array_equal(c.net.omegas[1], a.net.omegas[1])
    with pytest.raises(DomainError, match="layer 3"):
        backprop.run_inspector(
            backprop.InspectorConfig(edits=(backprop.Edit("omega", 3, 0, 9, 1.0),)),
            np.random.default_rng(0),
        )


def test_finite_difference_on_the_relu_kink_sees_half_the_slope():
    """A pre-activation exactly at 0: backprop uses a'[0] = 0, the central difference 1/2."""
    net = network.network_from_lists([[0.0], [0.0]], [[[1.0]], [[1.0]]], "relu")
    result = backprop.inspect(net, np.array([[0.0]]), np.array([[-1.0]]))
    assert result.gradients.dl_dbetas[0][0] == 0.0
    np.testing.assert_allclose(result.fd_betas[0][0], 0.5 * 2 * (0.0 + 1.0), rtol=1e-6)
    assert result.layer_errors[0] == pytest.approx(1.0)
