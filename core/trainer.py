"""Train a fully connected network on 2D data, epoch by epoch, reproducibly.

Everything is built from the course's parts, written once elsewhere:

- the network is :mod:`core.network` (``f_0 = beta_0 + Omega_0 x``, ``h_k = a[f_{k-1}]``, ...)
  on the input features of :mod:`core.datasets`;
- the loss comes from maximum likelihood (:mod:`core.losses`, course notes ch. 5): a sigmoid
  output with binary cross-entropy for two classes, softmax with cross-entropy for three or
  more, a linear output with least squares for regression;
- the updates are the optimiser steps of :mod:`core.optimizers` (notes ch. 5.1; Prince ch. 6),
  applied to all parameters as one vector, on mini-batches drawn without replacement.

The mini-batch gradient is the gradient of the *mean* loss over the batch, so a learning rate
means the same for every batch size. Regularisation adds ``lambda sum |omega|`` (L1) or
``lambda sum omega^2`` (L2) over the weights ``Omega_k`` (not the biases) to that mean.

Reproducible bit for bit: epoch ``e`` shuffles with a generator seeded by ``(seed, e)``, and
:class:`TrainerState` holds everything an update reads (parameters, moments, step count), so a
run paused after any epoch and resumed from its state gives the same numbers as a run that
never stopped.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from core import deep_regions, network
from core.activations import get_activation
from core.datasets import EXTENT, Dataset, features
from core.errors import DomainError
from core.losses import binary_cross_entropy, cross_entropy, least_squares, sigmoid, softmax
from core.optimizers import (
    Schedule,
    adam_step,
    gd_step,
    learning_rates,
    momentum_step,
    nesterov_point,
)

# The optimisers offered here: name -> label (line searches need the full loss: not offered).
TRAINER_OPTIMIZERS: dict[str, str] = {
    "sgd": "SGD",
    "momentum": "SGD with momentum",
    "nesterov": "Nesterov momentum",
    "adam": "Adam",
}
REGULARISERS: dict[str, str] = {"none": "None", "l1": "L1: λ Σ|ω|", "l2": "L2: λ Σω²"}
PARAMETER_LIMIT = 1e6  # a parameter beyond this (or not finite) counts as divergence
REGION_UNITS = 32  # linear regions are counted for networks with at most this many hidden units


@dataclass(frozen=True)
class TrainerConfig:
    """What to train and how.

    Attributes
    ----------
    feature_names : tuple of str
        Input features (keys of ``core.datasets.FEATURES``).
    hidden : tuple of int
        Width of each hidden layer (0 to 8 layers of 1 to 32 units).
    activations : tuple of str
        Activation of each hidden layer.
    init : str
        Initialisation scheme (``core.network.INIT_SCHEMES``).
    optimizer : str
        One of ``TRAINER_OPTIMIZERS``.
    learning_rate : float
        alpha_0.
    schedule : Schedule
        Learning-rate schedule, counted in steps.
    batch_size : int
        Points per mini-batch (the last batch of an epoch may be smaller).
    regulariser : str
        ``"none"``, ``"l1"`` or ``"l2"``.
    regularisation : float
        lambda.
    beta, gamma, epsilon : float
        Momentum / Adam coefficients, as in :mod:`core.optimizers`.
    """

    feature_names: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (8, 8)
    activations: tuple[str, ...] = ("tanh", "tanh")
    init: str = "glorot"
    optimizer: str = "adam"
    learning_rate: float = 0.03
    schedule: Schedule = Schedule()
    batch_size: int = 10
    regulariser: str = "none"
    regularisation: float = 0.0
    beta: float = 0.9
    gamma: float = 0.999
    epsilon: float = 1e-8


@dataclass(frozen=True)
class TrainerState:
    """Everything the next update reads: the run can stop and resume from here.

    Attributes
    ----------
    parameters : ndarray
        All weights and biases in the order of ``core.network.flatten``.
    m, v : ndarray
        First and second moments (zeros for optimisers that keep none).
    step : int
        Updates taken so far (t).
    epoch : int
        Epochs completed.
    """

    parameters: np.ndarray
    m: np.ndarray
    v: np.ndarray
    step: int
    epoch: int


@dataclass(frozen=True)
class Evaluation:
    """Mean loss (without the penalty) and accuracy on one set; accuracy None for regression."""

    loss: float
    accuracy: float | None


@dataclass(frozen=True)
class Snapshot:
    """The run after an epoch: what the playground draws.

    Attributes
    ----------
    state : TrainerState
    train, test : Evaluation
        Test is None when there is no test set.
    status : str
        ``"running"`` or ``"diverged"``.
    """

    state: TrainerState
    train: Evaluation
    test: Evaluation | None
    status: str


def output_width(data: Dataset) -> int:
    """One output for two classes (a logit) and for regression; one per class otherwise."""
    return data.classes if data.task == "multiclass" else 1


def widths(config: TrainerConfig, data: Dataset) -> tuple[int, ...]:
    """``(D_i, D_1, ..., D_K, D_o)``."""
    return (len(config.feature_names), *config.hidden, output_width(data))


def validate(config: TrainerConfig, data: Dataset) -> None:
    """Raise ``DomainError`` for settings that make no sense."""
    if config.optimizer not in TRAINER_OPTIMIZERS:
        raise DomainError(
            f"unknown optimiser {config.optimizer!r}; choose one of {', '.join(TRAINER_OPTIMIZERS)}"
        )
    if config.regulariser not in REGULARISERS:
        raise DomainError(f"unknown regulariser {config.regulariser!r}")
    if len(config.hidden) != len(config.activations):
        raise DomainError(
            f"give one activation per hidden layer: {len(config.hidden)} layers, "
            f"{len(config.activations)} activations"
        )
    if not (config.learning_rate > 0 and math.isfinite(config.learning_rate)):
        raise DomainError(f"the learning rate must be > 0, got {config.learning_rate}")
    if config.batch_size < 1:
        raise DomainError(f"the batch size must be at least 1, got {config.batch_size}")
    if config.regularisation < 0:
        raise DomainError(f"lambda must be >= 0, got {config.regularisation}")
    network.parameter_count(widths(config, data))


def initial_state(config: TrainerConfig, data: Dataset, seed: int) -> TrainerState:
    """Weights drawn with the generator of ``seed``; moments zero; no step taken."""
    validate(config, data)
    net = network.initialise(
        widths(config, data), config.activations, config.init, np.random.default_rng(seed)
    )
    parameters = network.flatten(net)
    zeros = np.zeros_like(parameters)
    return TrainerState(parameters, zeros, zeros.copy(), 0, 0)


def state_network(config: TrainerConfig, data: Dataset, state: TrainerState) -> network.Network:
    """The network whose parameters the state holds."""
    return network.unflatten(state.parameters, widths(config, data), config.activations)


def _weight_mask(config: TrainerConfig, data: Dataset) -> np.ndarray:
    """1 where the flattened vector holds a weight of some Omega_k, 0 where it holds a bias."""
    shape = widths(config, data)
    template = network.Network(
        tuple(np.zeros(d) for d in shape[1:]),
        tuple(np.ones((d_out, d_in)) for d_in, d_out in zip(shape[:-1], shape[1:], strict=True)),
        config.activations,
    )
    return network.flatten(template)


def task_loss(task: str, output: np.ndarray, y: np.ndarray):
    """The loss ``task`` calls for, of the network's ``output`` (D_o, N) against ``y`` (N,)."""
    if task == "regression":
        return least_squares(output, y[None, :])
    if task == "binary":
        return binary_cross_entropy(output, y)
    return cross_entropy(output, y)


def data_loss(net: network.Network, data: Dataset, inputs: np.ndarray):
    """The forward pass on ``inputs`` (F, N) and the loss the task calls for."""
    output = network.forward(net, inputs)
    return output, task_loss(data.task, output.output, data.y)


def evaluate(config: TrainerConfig, state: TrainerState, data: Dataset) -> Evaluation | None:
    """Mean loss and accuracy of the state's network on ``data`` (None when it is empty)."""
    if data.y.size == 0:
        return None
    net = state_network(config, data, state)
    fwd, loss = data_loss(net, data, features(data.x, config.feature_names))
    if data.task == "regression":
        return Evaluation(loss.mean, None)
    if data.task == "binary":
        predicted = (fwd.output[0] > 0).astype(float)
    else:
        predicted = np.argmax(fwd.output, axis=0)
    return Evaluation(loss.mean, float(np.mean(predicted == data.y)))


def _penalty_gradient(config: TrainerConfig, parameters: np.ndarray, mask: np.ndarray):
    if config.regulariser == "l2":
        return 2.0 * config.regularisation * mask * parameters
    if config.regulariser == "l1":
        return config.regularisation * mask * np.sign(parameters)
    return 0.0


def epoch_batches(n: int, batch_size: int, seed: int, epoch: int) -> list[np.ndarray]:
    """Epoch ``epoch``'s mini-batches: a permutation from a generator seeded by (seed, epoch)."""
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]


def train_epoch(
    config: TrainerConfig, data: Dataset, state: TrainerState, seed: int
) -> TrainerState | None:
    """One epoch of mini-batch updates from ``state``; None when the parameters blow up."""
    net_shape = widths(config, data)
    inputs = features(data.x, config.feature_names)  # (F, N)
    mask = _weight_mask(config, data)
    batches = epoch_batches(data.y.size, config.batch_size, seed, state.epoch)
    # alpha_t for this epoch's steps only: alphas[i] is the rate of step state.step + i.
    alphas = learning_rates(
        config.schedule, config.learning_rate, state.step + len(batches), start=state.step
    )
    phi, m, v, t = state.parameters, state.m, state.v, state.step
    for i, batch in enumerate(batches):
        alpha = alphas[i]
        at = phi
        if config.optimizer == "nesterov":
            at = nesterov_point(phi, m, alpha, config.beta)
        net = network.views(at, net_shape, config.activations)  # checked once, in validate
        fwd = network.forward(net, inputs[:, batch])
        loss = task_loss(data.task, fwd.output, data.y[batch])
        grads = network.backward(net, fwd, loss.gradient / batch.size)  # mean over the batch
        g = network.gradient_vector(grads) + _penalty_gradient(config, at, mask)
        if config.optimizer == "sgd":
            phi = gd_step(phi, g, alpha)
        elif config.optimizer in ("momentum", "nesterov"):
            phi, m = momentum_step(phi, m, g, alpha, config.beta)
        else:
            phi, m, v = adam_step(phi, m, v, g, alpha, config.beta, config.gamma, config.epsilon, t)
        t += 1
        if not np.all(np.isfinite(phi)) or np.abs(phi).max() > PARAMETER_LIMIT:
            return None
    return TrainerState(phi, m, v, t, state.epoch + 1)


def train(
    config: TrainerConfig,
    train_data: Dataset,
    test_data: Dataset,
    state: TrainerState,
    seed: int,
    epochs: int,
) -> Iterator[Snapshot]:
    """Yield a :class:`Snapshot` after each of ``epochs`` epochs from ``state``.

    Stops early (after yielding a ``"diverged"`` snapshot of the last finite state) when the
    parameters blow up.
    """
    validate(config, train_data)
    for _ in range(epochs):
        after = train_epoch(config, train_data, state, seed)
        if after is None:
            yield Snapshot(state, evaluate(config, state, train_data), None, "diverged")
            return
        state = after
        yield Snapshot(
            state,
            evaluate(config, state, train_data),
            evaluate(config, state, test_data),
            "running",
        )


@dataclass(frozen=True)
class Picture:
    """The network over the plane and every hidden unit's output as a thumbnail.

    Attributes
    ----------
    axis : ndarray, shape (G,)
        Grid coordinates along x_1 and x_2 (the same for both).
    output : ndarray, shape (G, G)
        Row j, column i at (x_1 = axis[i], x_2 = axis[j]): Pr(y = 1) for two classes, the
        winning class's probability for more, the prediction for regression.
    predicted_class : ndarray of int, shape (G, G), or None
        The most probable class (multiclass only).
    thumbnail_axis : ndarray, shape (T,)
    inputs : ndarray, shape (F, T, T)
        Every input feature on the thumbnail grid.
    neurons : tuple of ndarray
        ``neurons[k]`` has shape (D_{k+1}, T, T): every unit of hidden layer k + 1 on the
        thumbnail grid.
    """

    axis: np.ndarray
    output: np.ndarray
    predicted_class: np.ndarray | None
    thumbnail_axis: np.ndarray
    inputs: np.ndarray
    neurons: tuple[np.ndarray, ...]


def picture(
    config: TrainerConfig, data: Dataset, state: TrainerState, grid: int, thumbnail: int
) -> Picture:
    """The network on a ``grid x grid`` view of the plane; its units on a coarser grid."""
    net = state_network(config, data, state)

    def on_grid(size):
        axis = np.linspace(-EXTENT, EXTENT, size)
        x1, x2 = np.meshgrid(axis, axis)  # (size, size): row = x2, column = x1
        points = np.stack([x1.ravel(), x2.ravel()], axis=1)
        return axis, network.forward(net, features(points, config.feature_names))

    axis, fwd = on_grid(grid)
    output = fwd.output  # (D_o, G*G)
    predicted = None
    if data.task == "binary":
        values = sigmoid(output[0])
    elif data.task == "multiclass":
        probabilities = softmax(output, axis=0)
        predicted = np.argmax(probabilities, axis=0).reshape(grid, grid)
        values = probabilities.max(axis=0)
    else:
        values = output[0]
    thumb_axis, thumb = on_grid(thumbnail)
    inputs = thumb.x.reshape(-1, thumbnail, thumbnail)
    neurons = tuple(h.reshape(-1, thumbnail, thumbnail) for h in thumb.h)
    return Picture(axis, values.reshape(grid, grid), predicted, thumb_axis, inputs, neurons)


@dataclass(frozen=True)
class RegionCount:
    """The number of linear regions of the network in the plane shown, or why there is none.

    A linear region is a maximal connected set on which the output is one affine function
    of ``(x_1, x_2)`` (counted exactly by :func:`core.deep_regions.cells_2d`).
    """

    regions: int | None
    note: str


def count_regions(config: TrainerConfig, data: Dataset, state: TrainerState) -> RegionCount:
    """Linear regions of the state's network over ``[-6, 6]^2`` when the question makes sense."""
    if not set(config.feature_names) <= {"x1", "x2"}:
        return RegionCount(None, "the features are not linear in (x1, x2): no linear regions")
    if not all(get_activation(a).piecewise_linear for a in config.activations):
        return RegionCount(None, "a smooth activation bends everywhere: no linear regions")
    if sum(config.hidden) > REGION_UNITS:
        return RegionCount(None, f"counted for networks of at most {REGION_UNITS} hidden units")
    net = state_network(config, data, state)
    if net.widths[0] == 1:  # one coordinate: regions are strips across the plane
        pieces = deep_regions.pieces_1d(net, -EXTENT, EXTENT, per_layer=False)
        regions = pieces.region_edges.size - 1
    else:
        regions = deep_regions.cells_2d(net, (-EXTENT, EXTENT, -EXTENT, EXTENT)).n_regions
    return RegionCount(int(regions), "exact count in the view")
