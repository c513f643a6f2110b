"""Deep networks: composing two shallow networks, the generic MLP, and linear networks.

Composition (course notes ch. 4.1; Prince, *Understanding Deep Learning*, ch. 4.1-4.2, eq.
4.1-4.6): network 1 maps ``x`` to ``y = phi_0 + sum_d phi_d a[theta_d0 + theta_d1 x]`` and
network 2 maps ``y`` to ``y'`` in the same way with ``theta'``, ``phi'``. The composition
``y'(x)`` bends

* at every joint of network 1 (where ``y(x)`` itself bends), and
* at every ``x`` where ``y(x)`` crosses a joint ``y = -theta'_d0 / theta'_d1`` of network 2:

network 1 folds the line, and each of its pieces that sweeps across network 2's joints
receives a copy of network 2's shape. Substituting ``y`` into network 2 gives one network with
two hidden layers (book eq. 4.5-4.6):

.. math::

    \\beta_0 = \\theta_{\\bullet 0}, \\; \\Omega_0 = \\theta_{\\bullet 1}, \\quad
    \\beta_1 = \\theta'_{\\bullet 0} + \\theta'_{\\bullet 1} \\phi_0, \\;
    \\Omega_1 = \\theta'_{\\bullet 1} \\phi_{1:}^T, \\quad
    \\beta_2 = \\phi'_0, \\; \\Omega_2 = \\phi'^T_{1:} .

Generic MLP (notes ch. 4.2; book ch. 4.4, eq. 4.15): ``f_0 = beta_0 + Omega_0 x``,
``h_k = a[f_{k-1}]``, ``f_k = beta_k + Omega_k h_k``, computed by :mod:`core.network`. With the
identity activation the whole network is the single affine map
``y = W* x + b*`` with ``W* = Omega_K ... Omega_1 Omega_0``, whose rank is at most the
narrowest layer.

The sawtooth network (Montufar et al., 2014; Telgarsky, 2016): each layer of ``D`` ReLU units
folds ``[0, 1]`` onto itself ``D`` times, so ``K`` layers make exactly ``D^K`` linear regions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.deep_regions import Cells2D, Pieces1D, cells_2d, locate, network_sides, pieces_1d
from core.errors import DomainError
from core.network import (
    Forward,
    Network,
    forward,
    initialise,
    network_from_lists,
    shallow_network,
)

MAX_LAYERS = 10
MAX_WIDTH = 64

# Defaults that show folding (Prince fig. 4.1): network 1 sweeps [-1, 1] up, down and up again,
# so each of network 2's four regions is copied three times (alternately mirrored).
FOLD_THETA1 = np.array([[1.2, 1.0], [1 / 3, 1.0], [-1 / 3, 1.0]])  # joints at -1.2, -1/3, 1/3
FOLD_PHI1 = np.array([[-1.6, 3.0, -6.0, 6.0]])
FOLD_THETA2 = np.array([[-0.5, -1.0], [0.0, 1.0], [-0.5, 1.0]])  # joints at y = -0.5, 0, 0.5
FOLD_PHI2 = np.array([[0.0, 1.0, 2.0, -4.0]])  # slopes -1, 0, 2, -2 in y


@dataclass(frozen=True)
class Joint:
    """Where the composition may bend: ``x``, and why.

    ``source`` is ``"network 1"`` (a joint of network 1 itself, ``unit`` its hidden unit) or
    ``"network 2"`` (``y(x)`` crosses network 2's joint of ``unit`` at ``y = level``).
    ``bends`` says whether the composition changes slope there (only then does it split a
    linear region).
    """

    x: float
    source: str
    unit: int
    level: float
    bends: bool = True


@dataclass(frozen=True)
class Composition:
    """Two shallow networks, their composition, and the same function as one deep network.

    Attributes
    ----------
    net1, net2 : Network
        The two shallow networks (one hidden layer each).
    deep : Network
        The composition as one network with two hidden layers.
    pieces1 : Pieces1D
        Network 1 on ``[x_min, x_max]``.
    y_min, y_max : float
        The range network 1's output covers on the interval.
    pieces2 : Pieces1D
        Network 2 on ``[y_min, y_max]`` (its regions that the composition can use).
    pieces : Pieces1D
        The composition on ``[x_min, x_max]`` (computed from ``deep``).
    joints : tuple of Joint
        The composition's joints by the rule (network 1's joints, then network 2's crossings),
        sorted by x.
    """

    net1: Network
    net2: Network
    deep: Network
    pieces1: Pieces1D
    y_min: float
    y_max: float
    pieces2: Pieces1D
    pieces: Pieces1D
    joints: tuple[Joint, ...]


def compose_networks(net1: Network, net2: Network) -> Network:
    """Network 2 after network 1 (both one input, one output, one hidden layer) as one network
    with two hidden layers (book eq. 4.6)."""
    for name, net in (("network 1", net1), ("network 2", net2)):
        if net.depth != 1 or net.widths[0] != 1 or net.widths[-1] != 1:
            raise DomainError(f"{name} must be shallow with one input and one output")
    theta2_0, theta2_1 = net2.betas[0], net2.omegas[0][:, 0]  # (D', )
    phi1_0, phi1 = net1.betas[1][0], net1.omegas[1][0]  # scalar, (D,)
    return network_from_lists(
        [net1.betas[0], theta2_0 + theta2_1 * phi1_0, net2.betas[1]],
        [net1.omegas[0], np.outer(theta2_1, phi1), net2.omegas[1]],
        [net1.activations[0], net2.activations[0]],
    )


def compose(
    theta1: np.ndarray,
    phi1: np.ndarray,
    theta2: np.ndarray,
    phi2: np.ndarray,
    activation: str,
    x_min: float,
    x_max: float,
) -> Composition:
    """Compose two shallow networks and find every joint of the composition.

    Parameters
    ----------
    theta1 : ndarray, shape (D, 2)
        Network 1's ``(theta_d0, theta_d1)`` per hidden unit.
    phi1 : ndarray, shape (1, D + 1)
        Network 1's ``(phi_0, phi_1, ..., phi_D)``.
    theta2 : ndarray, shape (D', 2)
    phi2 : ndarray, shape (1, D' + 1)
        Network 2, the same way.
    activation : str
        A piecewise-linear activation used by both networks.
    x_min, x_max : float
        The input interval.
    """
    net1 = shallow_network(theta1, phi1, activation)
    net2 = shallow_network(theta2, phi2, activation)
    deep = compose_networks(net1, net2)
    if network_sides(deep) is None:
        raise DomainError(f"{activation} is smooth: the composition has no joints to count")
    p1 = pieces_1d(net1, x_min, x_max)
    ends = np.concatenate(
        [p1.intercepts[:, 0] + p1.slopes[:, 0] * p1.edges[:-1]]
        + [p1.intercepts[:, 0] + p1.slopes[:, 0] * p1.edges[1:]]
    )
    y_min, y_max = float(ends.min()), float(ends.max())
    if y_max - y_min < 1e-9 * max(1.0, abs(y_max)):  # network 1 is constant: pad the range
        y_min, y_max = y_min - 1.0, y_max + 1.0
    p2 = pieces_1d(net2, y_min, y_max)
    joints = [
        Joint(float(x), "network 1", int(u), float("nan"))
        for x, u in zip(p1.joint_x, p1.joint_unit, strict=True)
    ]
    # Network 2's joints: y = -theta'_d0 / theta'_d1 for units that switch.
    t0, t1 = net2.betas[0], net2.omegas[0][:, 0]
    units2 = np.flatnonzero(t1 != 0)
    levels = -t0[units2] / t1[units2]
    lo, hi = p1.edges[:-1], p1.edges[1:]  # (P,)
    s, c = p1.slopes[:, 0], p1.intercepts[:, 0]
    for unit, level in zip(units2, levels, strict=True):
        with np.errstate(divide="ignore", invalid="ignore"):
            x = (level - c) / s  # where piece p reaches the level
        hit = (s != 0) & (x > lo) & (x < hi)
        # A level reached exactly at a joint of network 1 (between two pieces) counts once.
        hit_edge = np.isclose(c[1:] + s[1:] * lo[1:], level, rtol=0, atol=1e-12) & (
            np.sign(c[1:] + s[1:] * lo[1:] - level + s[1:] * 1e-9)
            != np.sign(c[:-1] + s[:-1] * hi[:-1] - level - s[:-1] * 1e-9)
        )
        xs = np.concatenate([x[hit], lo[1:][hit_edge]])
        joints.extend(Joint(float(v), "network 2", int(unit), float(level)) for v in xs)
    pieces = pieces_1d(deep, x_min, x_max)
    bends = pieces.region_edges[1:-1]
    tol = 1e-9 * (x_max - x_min)
    joints = [  # a joint at (or within rounding of) an end splits nothing: only inner ones count
        replace(j, bends=bool(len(bends) and np.min(np.abs(bends - j.x)) <= tol))
        for j in sorted(joints, key=lambda j: (j.x, j.source, j.unit))
        if x_min + tol < j.x < x_max - tol
    ]
    return Composition(net1, net2, deep, p1, y_min, y_max, p2, pieces, tuple(joints))


# ----------------------------------------------------------------------------- generic MLP


def random_network(
    widths: list[int],
    activations: str | list[str],
    scheme: str,
    rng: np.random.Generator,
    scale: float = 1.0,
    bias_scale: float = 0.5,
) -> Network:
    """A seeded network: weights by ``scheme`` (see :func:`core.network.initialise`) and
    biases drawn from ``N(0, bias_scale^2)`` so that the joints spread out."""
    if not np.isfinite(bias_scale) or bias_scale < 0:
        raise DomainError(f"the bias scale must be a finite number >= 0, got {bias_scale}")
    net = initialise(widths, activations, scheme, rng, scale)
    betas = [bias_scale * rng.standard_normal(beta.shape) for beta in net.betas]
    return network_from_lists(betas, net.omegas, net.activations)


def check_size(net: Network) -> None:
    """Raise ``DomainError`` unless the network fits the lab (10 layers of 64 units)."""
    if net.depth > MAX_LAYERS:
        raise DomainError(f"at most {MAX_LAYERS} hidden layers, got {net.depth}")
    for k, width in enumerate(net.widths[1:-1], start=1):
        if width > MAX_WIDTH:
            raise DomainError(f"layer {k}: at most {MAX_WIDTH} hidden units, got {width}")


@dataclass(frozen=True)
class Curves1D:
    """A 1-input network sampled on a line, with every layer kept.

    ``x`` (n,) holds the samples (the joints included so kinks are drawn exactly) and
    ``forward`` the pass of :func:`core.network.forward` on them (``f_k``, ``h_k`` in columns).
    ``pieces`` is None when an activation is smooth; ``joint_outputs`` (J,) is then None, else
    the network's output at each joint ``pieces.joint_x`` (a forward pass at those x).
    """

    x: np.ndarray
    forward: Forward
    pieces: Pieces1D | None
    joint_outputs: np.ndarray | None


def curves_1d(net: Network, x_min: float, x_max: float, n_points: int) -> Curves1D:
    """Sample every ``f_k`` and ``h_k`` of a 1-input network and find its exact pieces.

    Up to ``n_points`` joints are inserted into the ``n_points`` evenly spaced samples.
    """
    check_size(net)
    if n_points < 2:
        raise DomainError(f"n_points must be at least 2, got {n_points}")
    pieces = None if network_sides(net) is None else pieces_1d(net, x_min, x_max)
    x = np.linspace(x_min, x_max, n_points)
    if pieces is not None and pieces.n_pieces - 1 <= n_points:
        x = np.union1d(x, pieces.edges)
    joint_outputs = None if pieces is None else forward(net, pieces.joint_x[None, :]).output[0]
    return Curves1D(x, forward(net, x[None, :]), pieces, joint_outputs)


def sawtooth_network(width: int, depth: int) -> Network:
    """``depth`` layers of ``width`` ReLU units, each folding ``[0, 1]`` onto itself ``width``
    times: exactly ``width ** depth`` linear regions on ``(0, 1)``.

    A layer computes ``g(u) = sum_j a_j ReLU(u - j / width)`` with ``a_0 = width`` and
    ``a_j = 2 width (-1)^j``: slopes ``+-width`` alternating, ``g`` going 0, 1, 0, 1, ...
    """
    if width < 1 or depth < 1:
        raise DomainError(f"the sawtooth needs width and depth >= 1, got {width} and {depth}")
    a = np.array([width] + [2.0 * width * (-1) ** j for j in range(1, width)])  # (D,)
    shifts = -np.arange(width) / width  # (D,)
    betas = [shifts] + [shifts] * (depth - 1) + [np.zeros(1)]
    omegas = [np.ones((width, 1))] + [np.tile(a, (width, 1))] * (depth - 1) + [a[None, :]]
    return network_from_lists(betas, omegas, "relu")


@dataclass(frozen=True)
class LinearCollapse:
    """A network with identity activations as one affine map ``y = W x + b``.

    ``rank`` is the numerical rank of ``W`` (D_o, D_i); ``narrowest`` the smallest width
    among ``D_i, D_1, ..., D_K, D_o``, which bounds it. ``max_difference`` is the largest
    ``|W x + b - network(x)|`` over the check points (0 up to rounding: one function).
    """

    weight: np.ndarray
    bias: np.ndarray
    rank: int
    narrowest: int
    max_difference: float


def collapse_linear(net: Network, *axes: np.ndarray) -> LinearCollapse:
    """``W* = Omega_K ... Omega_0`` and ``b*`` for a network whose activations are all the
    identity; raises ``DomainError`` otherwise.

    ``axes`` (one 1-D array per input, optional) span a grid of check points on which the
    collapsed map is compared with the forward pass.
    """
    if any(name != "linear" for name in net.activations):
        raise DomainError("only a network with the identity activation in every layer collapses")
    weight, bias = net.omegas[0], net.betas[0]
    for omega, beta in zip(net.omegas[1:], net.betas[1:], strict=True):
        weight, bias = omega @ weight, omega @ bias + beta
    if axes:
        points = np.stack([g.ravel() for g in np.meshgrid(*axes)])  # (D_i, I)
        diff = float(np.max(np.abs(weight @ points + bias[:, None] - forward(net, points).output)))
    else:
        diff = 0.0
    return LinearCollapse(weight, bias, int(np.linalg.matrix_rank(weight)), min(net.widths), diff)


def edit_network(net: Network, edits: list[tuple[int, int, int, float]]) -> Network:
    """A copy of ``net`` with single entries changed: ``(k, row, column, value)`` sets
    ``Omega_k[row, column]``, or ``beta_k[row]`` when ``column == -1``."""
    betas = [b.copy() for b in net.betas]
    omegas = [o.copy() for o in net.omegas]
    for k, row, column, value in edits:
        if not 0 <= k < len(omegas) or not 0 <= row < omegas[k].shape[0]:
            raise DomainError(f"layer {k}: no row {row} to edit")
        if not -1 <= column < omegas[k].shape[1]:
            raise DomainError(f"layer {k}: Omega_{k} has no column {column}")
        if column < 0:
            betas[k][row] = value
        else:
            omegas[k][row, column] = value
    return network_from_lists(betas, omegas, net.activations)


@dataclass(frozen=True)
class CompositionView:
    """A composition sampled for drawing: ``x`` (n,) with every joint included, network 1's
    ``y`` (n,), the composition ``composed`` (n,) and the deep network's ``direct`` (n,), and
    network 2's curve ``y2`` (m,) over ``y_grid`` (m,) from ``y_min`` to ``y_max``.

    At the composition's joints (``composition.joints``, J of them): network 1's output
    ``joint_y`` (J,) and the composition's ``joint_composed`` (J,). Network 2's distinct joints
    in ``[y_min, y_max]`` are ``joints2`` (J2,) with its output there ``joints2_output`` (J2,).
    """

    composition: Composition
    x: np.ndarray
    y: np.ndarray
    composed: np.ndarray
    direct: np.ndarray
    y_grid: np.ndarray
    y2: np.ndarray
    joint_y: np.ndarray
    joint_composed: np.ndarray
    joints2: np.ndarray
    joints2_output: np.ndarray


def composition_view(
    theta1, phi1, theta2, phi2, activation: str, x_min: float, x_max: float, n_points: int
) -> CompositionView:
    """:func:`compose`, and every curve of its three panels on ``n_points`` samples."""
    if n_points < 2:
        raise DomainError(f"n_points must be at least 2, got {n_points}")
    c = compose(theta1, phi1, theta2, phi2, activation, x_min, x_max)
    x = np.union1d(np.linspace(x_min, x_max, n_points), [j.x for j in c.joints])
    y = forward(c.net1, x[None, :]).output  # (1, n)
    y_grid = np.linspace(c.y_min, c.y_max, n_points)
    joint_y = forward(c.net1, np.array([[j.x for j in c.joints]])).output  # (1, J)
    joints2 = np.unique(c.pieces2.joint_x)  # (J2,)
    return CompositionView(
        c,
        x,
        y[0],
        forward(c.net2, y).output[0],
        forward(c.deep, x[None, :]).output[0],
        y_grid,
        forward(c.net2, y_grid[None, :]).output[0],
        joint_y[0],
        forward(c.net2, joint_y).output[0],
        joints2,
        forward(c.net2, joints2[None, :]).output[0],
    )


@dataclass(frozen=True)
class PlaneView:
    """A 2-input network on a grid: ``x1`` (n,), ``x2`` (n,), ``output`` (n, n) with rows along
    ``x2``; ``cells`` (exact cells and regions) and ``region_index`` (n, n, -1 where a point
    could not be placed) are None when an activation is smooth."""

    x1: np.ndarray
    x2: np.ndarray
    output: np.ndarray
    cells: Cells2D | None
    region_index: np.ndarray | None


def plane_view(net: Network, box: tuple[float, float, float, float], grid_size: int) -> PlaneView:
    """The output map of a 2-input network and its exact linear regions in the box."""
    check_size(net)
    if grid_size < 2:
        raise DomainError(f"grid_size must be at least 2, got {grid_size}")
    x1 = np.linspace(box[0], box[1], grid_size)
    x2 = np.linspace(box[2], box[3], grid_size)
    g1, g2 = np.meshgrid(x1, x2)
    points = np.stack([g1.ravel(), g2.ravel()])  # (2, n * n)
    if network_sides(net) is None:
        return PlaneView(x1, x2, forward(net, points).output[0].reshape(g1.shape), None, None)
    cells = cells_2d(net, box)
    cell = locate(cells, net, points)  # (n * n,)
    # Inside a cell the output is the cell's plane: cheaper than a second forward pass.
    c = cells.coefficients[np.maximum(cell, 0), 0]  # (n * n, 3)
    output = c[:, 0] + c[:, 1] * points[0] + c[:, 2] * points[1]
    lost = cell < 0  # a point the pattern lookup could not place (on a boundary)
    if lost.any():
        output[lost] = forward(net, points[:, lost]).output[0]
    output = output.reshape(g1.shape)
    index = np.where(cell >= 0, cells.region[cell], -1).reshape(g1.shape)
    return PlaneView(x1, x2, output, cells, index)
