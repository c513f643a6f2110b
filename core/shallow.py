"""Shallow neural networks: the family F, its flow of computation and its linear regions.

A shallow network with ``D_i`` inputs, ``D`` hidden units and ``D_o`` outputs computes

.. math::

    z_d = \\theta_{d0} + \\sum_{i=1}^{D_i} \\theta_{di} x_i, \\qquad
    h_d = a[z_d], \\qquad
    y_o = \\phi_{o0} + \\sum_{d=1}^{D} \\phi_{od} h_d .

Parameters are stored as two matrices: ``theta`` of shape ``(D, D_i + 1)`` whose column 0
holds the biases ``theta_d0``, and ``phi`` of shape ``(D_o, D + 1)`` whose column 0 holds
the output offsets ``phi_o0``. With a piecewise-linear activation (ReLU, leaky ReLU,
Heaviside) the output is piecewise linear in ``x``; for one input the pieces are separated
by the *joints* ``x = -theta_d0 / theta_d1`` where a pre-activation crosses zero.

Between two joints the activation pattern is fixed (a *piece*). A *linear region* is a maximal
interval on which the output is one line, as in the book: a joint where the slope does not
change (a unit with ``phi_d = 0``) lies inside a region, so there can be fewer regions than
pieces. The forward pass is the one-hidden-layer case of :mod:`core.network`.

Reference: course notes ch. 2 (family F, figure 2.3 "flow computation", multivariate output
and input, parameter count); Prince, *Understanding Deep Learning*, ch. 3.1-3.4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import network
from core.activations import ACTIVATIONS, get_activation
from core.deep_regions import activation_sides, pieces_1d
from core.errors import DomainError

# Activations whose formula changes at z = 0: a joint of each unit separates linear regions.
SWITCHING_ACTIVATIONS: frozenset[str] = frozenset({"relu", "leaky_relu", "heaviside"})

# The book's example (Prince, notebook 3.1 / figure 3.3): joints at x = 0.3, 0.5 and 0.769.
BOOK_THETA = np.array([[0.3, -1.0], [-1.0, 2.0], [-0.5, 0.65]])  # (D, 2)
BOOK_PHI = np.array([[-0.3, 2.0, -1.0, 7.0]])  # (D_o, D + 1)


@dataclass(frozen=True)
class ShallowForward:
    """Every intermediate quantity of a forward pass over ``n`` inputs.

    Attributes
    ----------
    preactivations : ndarray, shape (n, D)
        ``z_d = theta_d0 + sum_i theta_di x_i``.
    activations : ndarray, shape (n, D)
        ``h_d = a[z_d]``.
    weighted_activations : ndarray, shape (n, D_o, D)
        ``phi_od h_d``, the contribution of unit d to output o.
    outputs : ndarray, shape (n, D_o)
        ``y_o = phi_o0 + sum_d phi_od h_d``.
    """

    preactivations: np.ndarray
    activations: np.ndarray
    weighted_activations: np.ndarray
    outputs: np.ndarray


@dataclass(frozen=True)
class Piece1D:
    """One activation pattern: on ``(x_start, x_end)`` no unit switches.

    ``active[d]`` is True when unit d is on its positive side (``z_d > 0``; ``z_d >= 0`` for
    the Heaviside step, whose value at 0 is 1); the output is
    ``y_o = intercepts[o] + slopes[o] x`` there.
    """

    x_start: float
    x_end: float
    active: np.ndarray  # (D,) bool
    slopes: np.ndarray  # (D_o,)
    intercepts: np.ndarray  # (D_o,)


@dataclass(frozen=True)
class LinearRegion1D:
    """A linear region: a maximal interval on which every output is one line
    ``y_o = intercepts[o] + slopes[o] x``. It spans pieces ``first_piece .. last_piece``
    (indices into the pieces); a joint where no slope changes lies inside a region."""

    x_start: float
    x_end: float
    slopes: np.ndarray  # (D_o,)
    intercepts: np.ndarray  # (D_o,)
    first_piece: int
    last_piece: int


@dataclass(frozen=True)
class Flow1D:
    """The flow of computation of a 1-input network over an interval (notes fig. 2.3).

    Attributes
    ----------
    x : ndarray, shape (n,)
        Sample points: the caller's own, in their order, or sorted evenly spaced samples with
        the joints inside the interval included so kinks are exact.
    forward : ShallowForward
        Intermediate quantities at ``x``.
    joint_units : ndarray of int, shape (k,)
        Unit index of each joint inside ``[x_min, x_max]``, sorted by position.
    joint_positions : ndarray, shape (k,)
        ``-theta_d0 / theta_d1`` for those units.
    joint_bends : ndarray of bool, shape (k,)
        Whether the output changes slope (or value) at the joint: only those split regions.
    joint_outputs : ndarray, shape (k, D_o)
        The network's outputs at each joint.
    pieces : tuple of Piece1D or None
        The activation patterns between consecutive joints (None when not piecewise linear).
    linear_regions : tuple of LinearRegion1D or None
        The linear regions (maximal intervals of one line), or None when not piecewise linear.
    note : str
        One sentence saying what the regions mean for this activation.
    """

    x: np.ndarray
    forward: ShallowForward
    joint_units: np.ndarray
    joint_positions: np.ndarray
    joint_bends: np.ndarray
    joint_outputs: np.ndarray
    pieces: tuple[Piece1D, ...] | None
    linear_regions: tuple[LinearRegion1D, ...] | None
    note: str


@dataclass(frozen=True)
class ActivationCurve:
    """An activation sampled on a grid: value and derivative side by side."""

    name: str
    label: str
    formula: str
    piecewise_linear: bool
    value: np.ndarray  # (n,)
    derivative: np.ndarray  # (n,)


def check_parameters(theta: np.ndarray, phi: np.ndarray, n_inputs: int | None = None) -> None:
    """Raise ``DomainError`` unless ``theta`` is (D, D_i + 1) and ``phi`` is (D_o, D + 1)."""
    theta = np.asarray(theta, dtype=float)
    phi = np.asarray(phi, dtype=float)
    if theta.ndim != 2 or theta.shape[0] < 1 or theta.shape[1] < 2:
        raise DomainError(
            f"theta must be a (D, D_i + 1) matrix with D >= 1 and D_i >= 1, got shape {theta.shape}"
        )
    if n_inputs is not None and theta.shape[1] != n_inputs + 1:
        raise DomainError(
            f"theta needs {n_inputs + 1} columns (a bias and {n_inputs} weights) per hidden "
            f"unit, got {theta.shape[1]}"
        )
    if phi.ndim != 2 or phi.shape[0] < 1 or phi.shape[1] != theta.shape[0] + 1:
        raise DomainError(
            f"phi must have D + 1 = {theta.shape[0] + 1} columns (phi_0 and one weight per "
            f"hidden unit) per output, got shape {phi.shape}"
        )
    if not (np.all(np.isfinite(theta)) and np.all(np.isfinite(phi))):
        raise DomainError("every parameter must be a finite number")


def preactivations(x: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``z_d = theta_d0 + sum_i theta_di x_i`` for every row of ``x`` (n, D_i) -> (n, D)."""
    x = np.asarray(x, dtype=float)
    theta = np.asarray(theta, dtype=float)
    z = np.broadcast_to(theta[:, 0], (x.shape[0], theta.shape[0])).copy()  # (n, D)
    # A sum over the few inputs: faster than a BLAS call with an inner dimension of 1 or 2.
    for i in range(x.shape[1]):
        z += x[:, i : i + 1] * theta[:, i + 1]  # (n, 1) * (D,) -> (n, D)
    return z


def forward(x: np.ndarray, theta: np.ndarray, phi: np.ndarray, activation: str) -> ShallowForward:
    """Run a shallow network and keep every intermediate quantity.

    Parameters
    ----------
    x : ndarray, shape (n, D_i)
        Inputs, one row per point.
    theta : ndarray, shape (D, D_i + 1)
        Hidden-layer parameters; column 0 is the bias ``theta_d0``.
    phi : ndarray, shape (D_o, D + 1)
        Output-layer parameters; column 0 is the offset ``phi_o0``.
    activation : str
        Name of the activation ``a[.]`` (see ``core.activations``).

    Returns
    -------
    ShallowForward
        ``z = theta_0 + x theta_{1:}^T``, ``h = a[z]``, ``phi_od h_d`` and ``y``.
    """
    x = np.asarray(x, dtype=float)
    theta = np.asarray(theta, dtype=float)
    phi = np.asarray(phi, dtype=float)
    check_parameters(theta, phi)
    if x.ndim != 2 or x.shape[1] != theta.shape[1] - 1:
        raise DomainError(
            f"x must have one column per input (D_i = {theta.shape[1] - 1}), got shape {x.shape}"
        )
    fwd = network.forward(network.shallow_network(theta, phi, activation), x.T)
    z, h, y = fwd.f[0].T, fwd.h[0].T, fwd.output.T  # (n, D), (n, D), (n, D_o)
    weighted = h[:, None, :] * phi[None, :, 1:]  # (n, D_o, D)
    return ShallowForward(z, h, weighted, y)


def joints_1d(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Joints of a 1-input network: where ``theta_d0 + theta_d1 x = 0``.

    Parameters
    ----------
    theta : ndarray, shape (D, 2)

    Returns
    -------
    units : ndarray of int, shape (k,)
        Units with ``theta_d1 != 0`` (a flat pre-activation never crosses zero).
    positions : ndarray, shape (k,)
        ``x = -theta_d0 / theta_d1``, sorted increasingly.
    """
    theta = np.asarray(theta, dtype=float)
    if theta.ndim != 2 or theta.shape[1] != 2:
        raise DomainError(f"theta must be a (D, 2) matrix for one input, got shape {theta.shape}")
    units = np.flatnonzero(theta[:, 1] != 0)
    positions = -theta[units, 0] / theta[units, 1]
    order = np.argsort(positions, kind="stable")
    return units[order], positions[order]


def pieces_and_regions_1d(
    theta: np.ndarray, phi: np.ndarray, activation: str, x_min: float, x_max: float
) -> tuple[tuple[Piece1D, ...], tuple[LinearRegion1D, ...]]:
    """Split ``[x_min, x_max]`` into activation patterns (pieces) and linear regions.

    The pieces lie between consecutive joints; the linear regions are the maximal intervals on
    which every output is one line, so a joint where no slope changes (a unit with
    ``phi_d = 0``, or joints whose changes cancel) does not split a region. Both come from the
    exact analysis of :func:`core.deep_regions.pieces_1d` on the network.

    Raises
    ------
    DomainError
        If the activation is not piecewise linear (linear regions are then undefined).
    """
    act = get_activation(activation)
    if not act.piecewise_linear:
        raise DomainError(
            f"{act.label} is not piecewise linear, so the network has no linear regions"
        )
    _check_interval(x_min, x_max)
    theta = np.asarray(theta, dtype=float)
    phi = np.asarray(phi, dtype=float)
    check_parameters(theta, phi, n_inputs=1)
    exact = pieces_1d(network.shallow_network(theta, phi, activation), x_min, x_max)
    edges = exact.edges
    mids = 0.5 * (edges[:-1] + edges[1:])  # (P,)
    z = theta[:, 0] + mids[:, None] * theta[:, 1]  # (P, D)
    sides = activation_sides(activation)
    active = sides.on(z) if sides.switches else np.ones_like(z, dtype=bool)
    pieces = tuple(
        Piece1D(
            float(edges[p]), float(edges[p + 1]), active[p], exact.slopes[p], exact.intercepts[p]
        )
        for p in range(len(mids))
    )
    starts = np.concatenate([[0], np.flatnonzero(exact.bends) + 1])  # first piece of each region
    ends = np.concatenate([starts[1:] - 1, [len(mids) - 1]])
    regions = tuple(
        LinearRegion1D(
            float(edges[a]),
            float(edges[b + 1]),
            exact.slopes[a],
            exact.intercepts[a],
            int(a),
            int(b),
        )
        for a, b in zip(starts, ends, strict=True)
    )
    return pieces, regions


def linear_regions_1d(
    theta: np.ndarray, phi: np.ndarray, activation: str, x_min: float, x_max: float
) -> tuple[LinearRegion1D, ...]:
    """The linear regions of :func:`pieces_and_regions_1d`."""
    return pieces_and_regions_1d(theta, phi, activation, x_min, x_max)[1]


def flow_1d(
    theta: np.ndarray,
    phi: np.ndarray,
    activation: str,
    x_min: float,
    x_max: float,
    n_points: int,
    x: np.ndarray | None = None,
) -> Flow1D:
    """Everything the 1D flow panels show: samples, joints and linear regions.

    Parameters
    ----------
    theta : ndarray, shape (D, 2)
    phi : ndarray, shape (D_o, D + 1)
    activation : str
    x_min, x_max : float
        The interval whose joints and linear regions are given, ``x_min < x_max``.
    n_points : int
        Number of evenly spaced samples (at least 2); joints inside the interval are added.
    x : ndarray, shape (n,), optional
        Your own sample points (any order, inside the interval or not); when given they
        replace the evenly spaced samples and ``n_points`` is not used.

    Returns
    -------
    Flow1D
    """
    theta = np.asarray(theta, dtype=float)
    phi = np.asarray(phi, dtype=float)
    check_parameters(theta, phi, n_inputs=1)
    _check_interval(x_min, x_max)
    if n_points < 2:
        raise DomainError(f"n_points must be at least 2, got {n_points}")
    act = get_activation(activation)
    units, positions = joints_1d(theta)
    visible = (positions >= x_min) & (positions <= x_max)
    units, positions = units[visible], positions[visible]
    if x is None:
        x = np.union1d(np.linspace(x_min, x_max, n_points), positions)  # (n,)
    else:
        x = _own_samples(x, "x")
    fwd = forward(x[:, None], theta, phi, activation)
    if act.piecewise_linear:
        pieces, regions = pieces_and_regions_1d(theta, phi, activation, x_min, x_max)
        region_edges = [r.x_start for r in regions[1:]]
        bends = np.isin(positions, region_edges)
        note = _region_note(activation, len(pieces), len(regions))
    else:
        pieces = regions = None
        bends = np.ones(len(positions), dtype=bool)
        note = smooth_activation_note(activation) + (
            " The marked points are where each pre-activation crosses zero."
        )
    at_joints = forward(positions[:, None], theta, phi, activation).outputs  # (k, D_o)
    return Flow1D(x, fwd, units, positions, bends, at_joints, pieces, regions, note)


def smooth_activation_note(activation: str) -> str:
    """Why a network with a curved activation has no linear regions to count.

    ELU is the identity for z > 0, so its network is linear where every pre-activation is
    positive; the other curved activations are not linear on any interval.
    """
    if activation == "elu":
        return (
            "ELU is the identity for z > 0 and curved for z < 0: the output is linear "
            "wherever every pre-activation is positive and in general curved elsewhere, so it "
            "is not piecewise linear and linear regions are not defined."
        )
    return (
        f"{get_activation(activation).label} is not linear on any interval, so the output "
        "is in general not piecewise linear: linear regions and slopes are not defined."
    )


def parameter_count(n_inputs: int, n_hidden: int, n_outputs: int) -> int:
    """Number of parameters of a shallow network: ``D (D_i + 1) + D_o (D + 1)``.

    Each hidden unit has ``D_i`` weights and a bias; each output has ``D`` weights and an
    offset. The notes' 2-3-1 example has 3 * 3 + 1 * 4 = 13.
    """
    for label, value in (("D_i", n_inputs), ("D", n_hidden), ("D_o", n_outputs)):
        if value < 1:
            raise DomainError(f"{label} must be at least 1, got {value}")
    return n_hidden * (n_inputs + 1) + n_outputs * (n_hidden + 1)


def activation_curves(
    z_min: float, z_max: float, n_points: int, z: np.ndarray | None = None
) -> tuple[ActivationCurve, ...]:
    """Sample every activation and its derivative on ``n_points`` evenly spaced ``z``, or on
    your own ``z`` (shape (n,), any order) when given."""
    if z is None:
        _check_interval(z_min, z_max)
        if n_points < 2:
            raise DomainError(f"n_points must be at least 2, got {n_points}")
        z = np.linspace(z_min, z_max, n_points)  # (n,)
    else:
        z = _own_samples(z, "z")
    return tuple(
        ActivationCurve(a.name, a.label, a.formula, a.piecewise_linear, a.value(z), a.derivative(z))
        for a in ACTIVATIONS.values()
    )


def _check_interval(lo: float, hi: float) -> None:
    if not (np.isfinite(lo) and np.isfinite(hi)) or not lo < hi:
        raise DomainError(f"the interval must have min < max, got [{lo}, {hi}]")


def _region_note(activation: str, n_pieces: int, n_regions: int) -> str:
    if n_pieces > n_regions:
        return (
            f"{n_pieces} activation patterns but {n_regions} linear regions: at "
            f"{n_pieces - n_regions} joint(s) the slope does not change (a unit with output "
            "weight 0, or changes that cancel), so the pieces on both sides are one region."
        )
    if activation == "heaviside":
        return (
            "With the Heaviside step every region is flat (slope 0) and the output jumps at "
            "each joint by phi_d."
        )
    if activation == "linear":
        return (
            "With the identity activation the network is one straight line: there are no "
            "joints and a single linear region."
        )
    if activation == "leaky_relu":
        return (
            "Leaky ReLU units keep slope 0.1 on their inactive side, so they still contribute "
            "a little there."
        )
    return "An inactive ReLU unit (z_d <= 0) contributes nothing to the output in that region."


def _own_samples(values: np.ndarray, name: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise DomainError(f"{name} must be a non-empty list of finite numbers")
    return values
