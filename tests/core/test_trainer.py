"""The trainer: it learns the classic sets, its gradients are right, and it is reproducible."""

import numpy as np
import pytest

from core import datasets, network, trainer
from core.errors import DomainError
from core.optimizers import Schedule


def data(name, n=200, noise=0.0, seed=0, classes=None):
    full = datasets.make_dataset(name, n, noise, np.random.default_rng(seed), classes)
    return datasets.split(full, 0.8, np.random.default_rng(seed + 1))


def final(config, train, test, seed, epochs):
    state = trainer.initial_state(config, train, seed)
    *_, last = trainer.train(config, train, test, state, seed, epochs)
    return last


@pytest.mark.parametrize(
    ("name", "config", "epochs", "accuracy"),
    [
        ("xor", trainer.TrainerConfig(hidden=(8,), activations=("tanh",)), 60, 0.95),
        ("circle", trainer.TrainerConfig(hidden=(6,), activations=("relu",)), 60, 0.95),
        (
            "circle",
            trainer.TrainerConfig(
                feature_names=("x1_squared", "x2_squared"), hidden=(), activations=()
            ),
            40,
            0.97,
        ),
        (
            "spiral",
            trainer.TrainerConfig(
                hidden=(16, 16, 16), activations=("tanh",) * 3, learning_rate=0.01
            ),
            300,
            0.9,
        ),
    ],
)
def test_learns_the_classic_sets(name, config, epochs, accuracy):
    train, test = data(name, n=300)
    last = final(config, train, test, 0, epochs)
    assert last.status == "running"
    assert last.train.accuracy >= accuracy and last.test.accuracy >= accuracy - 0.1


def test_multiclass_and_regression():
    train, test = data("multi_gaussian", n=300, classes=4)
    last = final(trainer.TrainerConfig(hidden=(8,), activations=("relu",)), train, test, 1, 30)
    assert last.train.accuracy > 0.95
    train, test = data("plane", n=200)
    config = trainer.TrainerConfig(hidden=(), activations=(), optimizer="sgd", learning_rate=0.01)
    last = final(config, train, test, 2, 50)
    assert last.train.accuracy is None and last.train.loss < 1e-4


@pytest.mark.parametrize("optimizer", sorted(trainer.TRAINER_OPTIMIZERS))
def test_resuming_from_a_state_is_bit_for_bit(optimizer):
    train, test = data("moons", n=120, noise=0.1)
    config = trainer.TrainerConfig(optimizer=optimizer, batch_size=7, learning_rate=0.02)
    start = trainer.initial_state(config, train, 5)
    straight = [s.state for s in trainer.train(config, train, test, start, 5, 6)]
    first = [s.state for s in trainer.train(config, train, test, start, 5, 3)]
    rest = [s.state for s in trainer.train(config, train, test, first[-1], 5, 3)]
    for a, b in zip(straight, first + rest, strict=True):
        np.testing.assert_array_equal(a.parameters, b.parameters)
        np.testing.assert_array_equal(a.v, b.v)
        assert (a.step, a.epoch) == (b.step, b.epoch)


def test_one_sgd_epoch_matches_a_hand_loop():
    # Independent loop: plain NumPy forward/backward of a 2-3-1 tanh network with BCE.
    train, _ = data("gaussians", n=20)
    config = trainer.TrainerConfig(
        hidden=(3,), activations=("tanh",), optimizer="sgd", learning_rate=0.1, batch_size=4,
        regulariser="l2", regularisation=0.01,
    )  # fmt: skip
    state = trainer.initial_state(config, train, 3)
    net = trainer.state_network(config, train, state)
    w0, b0, w1, b1 = (
        net.omegas[0].copy(),
        net.betas[0].copy(),
        net.omegas[1].copy(),
        net.betas[1].copy(),
    )
    for batch in trainer.epoch_batches(train.y.size, 4, 3, 0):
        x, y = train.x[batch].T, train.y[batch]
        h = np.tanh(b0[:, None] + w0 @ x)
        z = b1[:, None] + w1 @ h
        dz = (1 / (1 + np.exp(-z)) - y) / len(batch)
        dh = (w1.T @ dz) * (1 - h**2)
        w1, b1, w0, b0 = (
            w1 - 0.1 * (dz @ h.T + 0.02 * w1), b1 - 0.1 * dz.sum(1),
            w0 - 0.1 * (dh @ x.T + 0.02 * w0), b0 - 0.1 * dh.sum(1),
        )  # fmt: skip
    after = trainer.state_network(config, train, trainer.train_epoch(config, train, state, 3))
    np.testing.assert_allclose(after.omegas[0], w0, rtol=1e-12)
    np.testing.assert_allclose(after.omegas[1], w1, rtol=1e-12)
    np.testing.assert_allclose(after.betas[0], b0, rtol=1e-12)


def test_batches_cover_every_point_once_per_epoch():
    batches = trainer.epoch_batches(23, 5, 0, 4)
    assert [b.size for b in batches] == [5, 5, 5, 5, 3]
    assert sorted(np.concatenate(batches).tolist()) == list(range(23))


def test_divergence_stops_with_a_finite_state():
    train, test = data("plane", n=50)
    config = trainer.TrainerConfig(
        hidden=(4,), activations=("relu",), optimizer="sgd", learning_rate=50.0
    )
    snapshots = list(
        trainer.train(config, train, test, trainer.initial_state(config, train, 0), 0, 50)
    )
    assert snapshots[-1].status == "diverged" and len(snapshots) < 50
    assert np.all(np.isfinite(snapshots[-1].state.parameters))


def test_picture_shapes_and_values():
    train, _ = data("xor", n=40)
    config = trainer.TrainerConfig(hidden=(3, 2), activations=("relu", "tanh"))
    pic = trainer.picture(config, train, trainer.initial_state(config, train, 0), 21, 9)
    assert pic.output.shape == (21, 21) and np.all((pic.output > 0) & (pic.output < 1))
    assert [n.shape for n in pic.neurons] == [(3, 9, 9), (2, 9, 9)]
    # The pixel at row j, column i is the network at (x1 = axis[i], x2 = axis[j]).
    net = trainer.state_network(config, train, trainer.initial_state(config, train, 0))
    point = np.array([[pic.axis[4]], [pic.axis[15]]])
    logit = network.forward(net, point).output[0, 0]
    assert pic.output[15, 4] == pytest.approx(1 / (1 + np.exp(-logit)))


def test_schedule_is_applied():
    train, test = data("xor", n=40)
    config = trainer.TrainerConfig(schedule=Schedule("step", 0.5, 1), optimizer="sgd")
    state = trainer.initial_state(config, train, 0)
    *_, last = trainer.train(config, train, test, state, 0, 20)  # alpha halves every step
    assert last.status == "running"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"optimizer": "line_search"}, "unknown optimiser"),
        ({"hidden": (3, 3), "activations": ("relu",)}, "one activation per hidden layer"),
        ({"batch_size": 0}, "batch size"),
    ],
)
def test_bad_settings(changes, message):
    train, _ = data("xor", n=20)
    with pytest.raises(DomainError, match=message):
        trainer.validate(trainer.TrainerConfig(**changes), train)


@pytest.mark.parametrize(
    ("name", "regulariser", "classes"),
    [("circle", "l2", None), ("rings", "l2", 4), ("plane", "l2", None), ("xor", "l1", None)],
)
def test_update_gradient_matches_finite_differences(name, regulariser, classes):
    # One SGD step with alpha = 1 from phi moves by exactly -g: compare g with central
    # differences of (mean loss over the batch + penalty).
    train, _ = data(name, n=30, noise=0.2, classes=classes)
    config = trainer.TrainerConfig(
        hidden=(4, 3), activations=("tanh", "softplus"), optimizer="sgd", learning_rate=1.0,
        batch_size=30, regulariser=regulariser, regularisation=0.05,
    )  # fmt: skip
    state = trainer.initial_state(config, train, 7)
    moved = trainer.train_epoch(config, train, state, 7)
    g = state.parameters - moved.parameters
    mask = trainer._weight_mask(config, train)
    inputs = datasets.features(train.x, config.feature_names)

    def objective(vector):
        net = network.unflatten(vector, trainer.widths(config, train), config.activations)
        _, loss = trainer.data_loss(net, train, inputs)
        weights = vector[mask == 1]
        penalty = np.sum(weights**2) if regulariser == "l2" else np.sum(np.abs(weights))
        return loss.mean + 0.05 * penalty

    eps = 1e-6
    numeric = np.array(
        [
            (objective(state.parameters + eps * e) - objective(state.parameters - eps * e))
            / (2 * eps)
            for e in np.eye(g.size)
        ]
    )
    np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("name", "classes"), [("circle", None), ("rings", 4), ("plane", None)])
def test_evaluation_loss_and_accuracy_by_a_loop_over_the_points(name, classes):
    # The curves' definitions: the mean per-point NLL (least squares for regression) and the
    # share of points whose most probable class is their label, each point computed by hand.
    train, _ = data(name, n=80, noise=0.3, classes=classes)
    config = trainer.TrainerConfig(hidden=(5,), activations=("tanh",))
    state = trainer.initial_state(config, train, 3)
    net = trainer.state_network(config, train, state)
    losses, right = [], []
    for point, label in zip(train.x, train.y, strict=True):
        f = network.forward(net, datasets.features(point[None, :], config.feature_names)).output
        f = f[:, 0]  # (D_o,)
        if train.task == "binary":
            lam = 1.0 / (1.0 + np.exp(-f[0]))
            losses.append(-np.log(lam) if label == 1 else -np.log(1.0 - lam))
            right.append((lam > 0.5) == (label == 1))
        elif train.task == "multiclass":
            p = np.exp(f - f.max()) / np.exp(f - f.max()).sum()
            losses.append(-np.log(p[int(label)]))
            right.append(np.argmax(p) == label)
        else:
            losses.append((f[0] - label) ** 2)
    result = trainer.evaluate(config, state, train)
    assert result.loss == pytest.approx(np.mean(losses), rel=1e-12)
    if train.task == "regression":
        assert result.accuracy is None
    else:
        assert result.accuracy == pytest.approx(np.mean(right), abs=1e-15)


def test_region_count_of_a_single_relu_unit_and_when_there_is_none():
    train, _ = data("xor", n=20)
    config = trainer.TrainerConfig(hidden=(1,), activations=("relu",))
    state = trainer.initial_state(config, train, 0)
    # One unit whose line x1 = x2 crosses the view and a non-zero output weight: two regions.
    vector = network.flatten(
        network.network_from_lists([[0.0], [0.0]], [[[1.0, -1.0]], [[2.0]]], ["relu"])
    )
    state = trainer.TrainerState(vector, vector * 0, vector * 0, 0, 0)
    assert trainer.count_regions(config, train, state).regions == 2
    # With a zero output weight the unit's bend does not show: one region.
    vector = network.flatten(
        network.network_from_lists([[0.0], [0.0]], [[[1.0, -1.0]], [[0.0]]], ["relu"])
    )
    state = trainer.TrainerState(vector, vector * 0, vector * 0, 0, 0)
    assert trainer.count_regions(config, train, state).regions == 1
    smooth = trainer.TrainerConfig(hidden=(1,), activations=("tanh",))
    assert trainer.count_regions(smooth, train, state).regions is None
    squares = trainer.TrainerConfig(
        feature_names=("x1_squared", "x2"), hidden=(1,), activations=("relu",)
    )
    assert "not linear" in trainer.count_regions(squares, train, state).note


def test_region_count_matches_distinct_affine_pieces_on_a_grid():
    # Independent check: on a fine grid, count distinct (gradient, offset) pieces of a
    # 2-3-1 ReLU network whose regions are all convex and large (so every one is sampled).
    train, _ = data("xor", n=20)
    config = trainer.TrainerConfig(hidden=(3,), activations=("relu",))
    net = network.network_from_lists(
        [[0.5, -1.0, 0.3], [0.2]],
        [[[1.0, 0.2], [-0.3, 1.0], [0.7, -0.8]], [[1.0, -2.0, 0.5]]],
        ["relu"],
    )
    vector = network.flatten(net)
    state = trainer.TrainerState(vector, vector * 0, vector * 0, 0, 0)
    axis = np.linspace(-6, 6, 601)
    x1, x2 = np.meshgrid(axis, axis)
    active = (net.omegas[0] @ np.stack([x1.ravel(), x2.ravel()]) + net.betas[0][:, None]) > 0
    patterns = {tuple(col) for col in active.T}  # all three units bend the output: one region each
    assert trainer.count_regions(config, train, state).regions == len(patterns)
