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
