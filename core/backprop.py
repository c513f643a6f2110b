"""Backpropagation in a network: the inspector, its finite-difference check and the step walk.

Course notes ch. 7.1 (forward pass, backward pass); Prince, *Understanding Deep Learning*,
ch. 7.4. The toy scalar chain of the book's section 7.3 is in :mod:`core.backprop_chain`.

The inspector runs :mod:`core.network` (``f_0 = beta_0 + Omega_0 x``, ``h_k = a[f_{k-1}]``,
``f_k = beta_k + Omega_k h_k``) and a loss of :mod:`core.losses`, keeps every stored value, the
activation-derivative masks ``a'[f_{k-1}]`` (``I[f_{k-1} > 0]`` for ReLU) and
``dl/dh_k = Omega_k^T dl/df_k``, and checks every derivative against central finite
differences. The notes' summary writes ``f_k = beta_k + Omega_k h_{k-1}`` and drops ``h_k^T``
from ``dl/dOmega_k``; we follow the book: ``dl/dOmega_k = dl/df_k h_k^T``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core import losses, network
from core.activations import get_activation
from core.errors import DomainError


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """``||g - g_fd|| / (||g|| + ||g_fd||)``, 0 when both are 0 (scale-free, at most 1)."""
    analytic = np.asarray(analytic, dtype=float)
    numeric = np.asarray(numeric, dtype=float)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0.0 else float(np.linalg.norm(analytic - numeric) / scale)


# ---------------------------------------------------------------------------------------------
# The network inspector
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    """Everything one forward and backward pass of a network computes, and its check.

    Attributes
    ----------
    net : Network
    forward : Forward
        ``f_0 .. f_K`` and ``h_1 .. h_K`` (columns are examples).
    targets : ndarray
        The targets as the loss takes them.
    loss : LossResult
        The loss of the output against the targets (``total`` sums over examples).
    gradients : Gradients
        ``dl/df_k`` per example; ``dl/dbeta_k`` and ``dl/dOmega_k`` summed over examples.
    masks : tuple of ndarray
        ``a_k'[f_{k-1}]`` for k = 1..K, shape ``(D_k, I)`` (the diagonal of ``dh_k/df_{k-1}``).
    dl_dh : tuple of ndarray
        ``dl/dh_k = Omega_k^T dl/df_k`` for k = 1..K, shape ``(D_k, I)``.
    fd_betas, fd_omegas : tuple of ndarray
        Central finite differences of the total loss for every bias and weight.
    layer_errors : ndarray, shape (K + 1,)
        Relative error of ``(dl/dbeta_k, dl/dOmega_k)`` against the finite differences.
    """

    net: network.Network
    forward: network.Forward
    targets: np.ndarray
    loss: losses.LossResult
    gradients: network.Gradients
    masks: tuple[np.ndarray, ...]
    dl_dh: tuple[np.ndarray, ...]
    fd_betas: tuple[np.ndarray, ...]
    fd_omegas: tuple[np.ndarray, ...]
    layer_errors: np.ndarray


def _losses_of_outputs(
    loss: str, outputs: np.ndarray, targets: np.ndarray, sigma: float, n_examples: int
) -> np.ndarray:
    """Total loss of each of P perturbed networks: ``outputs`` is (D_o, P * I) -> (P,)."""
    count = outputs.shape[1] // n_examples
    reps = np.tile(targets, count) if targets.ndim == 1 else np.tile(targets, (1, count))
    result = losses.evaluate_loss(loss, outputs, reps, sigma)
    return result.per_example.reshape(count, n_examples).sum(axis=1)


def _run_from(net: network.Network, k: int, f_k: np.ndarray) -> np.ndarray:
    """Continue the forward pass from pre-activations ``f_k`` (columns) to the output."""
    for j in range(k + 1, len(net.omegas)):
        h = get_activation(net.activations[j - 1]).value(f_k)
        f_k = net.betas[j][:, None] + net.omegas[j] @ h
    return f_k


def finite_differences(
    net: network.Network,
    x: np.ndarray,
    targets: np.ndarray,
    loss: str = "least_squares",
    sigma: float = 1.0,
    step: float = 1e-6,
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Central differences of the total loss for every ``beta_k`` and ``Omega_k`` entry.

    Moving one parameter of layer k changes ``f_k`` only, so the forward pass is reused up to
    ``h_k`` and every perturbed copy of ``f_k`` (two per parameter) runs through the remaining
    layers side by side as extra columns. The arithmetic is the same as ``2 P`` separate passes.

    Returns
    -------
    fd_betas, fd_omegas : tuple of ndarray
        Shapes of ``net.betas`` and ``net.omegas``.
    """
    if not (np.isfinite(step) and step > 0):
        raise DomainError(f"the finite-difference step must be > 0, got {step}")
    fwd = network.forward(net, x)
    n = fwd.x.shape[1]
    fd_betas, fd_omegas = [], []
    for k, omega in enumerate(net.omegas):
        rows, cols = omega.shape
        h_k = fwd.x if k == 0 else fwd.h[k - 1]  # (D_k, I)
        # Perturbation of f_k for each parameter: a bias moves its row by 1 in every column,
        # a weight (i, j) moves row i by h_k[j].
        n_params = rows + rows * cols
        delta = np.zeros((n_params, rows, n))  # (P, D_{k+1}, I)
        delta[np.arange(rows), np.arange(rows), :] = 1.0
        i_idx, j_idx = np.divmod(np.arange(rows * cols), cols)
        delta[rows + np.arange(rows * cols), i_idx, :] = h_k[j_idx]
        both = np.concatenate([fwd.f[k] + step * delta, fwd.f[k] - step * delta])  # (2P, D, I)
        f_k = both.transpose(1, 0, 2).reshape(rows, 2 * n_params * n)  # (D_{k+1}, 2P * I)
        totals = _losses_of_outputs(loss, _run_from(net, k, f_k), targets, sigma, n)
        derivative = (totals[:n_params] - totals[n_params:]) / (2.0 * step)
        fd_betas.append(derivative[:rows])
        fd_omegas.append(derivative[rows:].reshape(rows, cols))
    return tuple(fd_betas), tuple(fd_omegas)


def inspect(
    net: network.Network,
    x: np.ndarray,
    targets: np.ndarray,
    loss: str = "least_squares",
    sigma: float = 1.0,
    fd_step: float = 1e-6,
) -> Inspection:
    """Forward pass, loss, backward pass and the finite-difference check of a network.

    Parameters
    ----------
    net : Network
    x : ndarray, shape (D_i, I)
        One column per example.
    targets : ndarray
        As the loss expects: ``(D_o, I)`` for least squares, ``(I,)`` for the others
        (0-based class labels for cross-entropy).
    loss : str
        A key of :data:`core.losses.LOSSES`.
    sigma : float
        The standard deviation of ``gaussian_nll``.
    fd_step : float
        Step ``s`` of the central differences ``(l(p + s) - l(p - s)) / 2s``.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        fwd = network.forward(net, x)
    if not all(np.all(np.isfinite(f)) for f in fwd.f):
        raise DomainError("the forward pass overflows; use smaller weights or inputs")
    targets = np.asarray(targets, dtype=float)
    result = losses.evaluate_loss(loss, fwd.output, targets, sigma)
    grads = network.backward(net, fwd, result.gradient)
    masks = tuple(
        get_activation(name).derivative(fwd.f[k]) for k, name in enumerate(net.activations)
    )
    dl_dh = tuple(net.omegas[k].T @ grads.dl_df[k] for k in range(1, len(net.omegas)))
    fd_betas, fd_omegas = finite_differences(net, fwd.x, targets, loss, sigma, fd_step)
    errors = np.array(
        [
            relative_error(np.concatenate([gb, go.ravel()]), np.concatenate([fb, fo.ravel()]))
            for gb, go, fb, fo in zip(
                grads.dl_dbetas, grads.dl_domegas, fd_betas, fd_omegas, strict=True
            )
        ]
    )
    everything = [*grads.dl_df, *fd_betas, *fd_omegas, np.array([result.total])]
    if not all(np.all(np.isfinite(a)) for a in everything):
        raise DomainError("the derivatives overflow; use smaller weights or inputs")
    return Inspection(net, fwd, targets, result, grads, masks, dl_dh, fd_betas, fd_omegas, errors)


# ---------------------------------------------------------------------------------------------
# The step sequence
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step of the forward-then-backward walk.

    Attributes
    ----------
    phase : str
        ``"forward"``, ``"loss"`` or ``"backward"``.
    layer : int
        The layer index k the step belongs to.
    formula : str
        What the step computes (LaTeX).
    reads, writes : tuple of str
        Names of the quantities read and written: ``x``, ``y``, ``beta_k``, ``Omega_k``,
        ``f_k``, ``h_k``, ``l``, ``dl/df_k``, ``dl/dh_k``, ``dl/dbeta_k``, ``dl/dOmega_k``.
    multiplications : int
        Scalar multiplications the step makes per example (see :mod:`core.backprop_cost`).
    multiplications_so_far : int
        The same summed over this step and every step before it.
    """

    phase: str
    layer: int
    formula: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    multiplications: int
    multiplications_so_far: int = 0


def steps(widths: Sequence[int]) -> tuple[Step, ...]:
    """The forward pass layer by layer, the loss, then the backward pass (notes ch. 7.1.1)."""
    widths = [int(w) for w in widths]
    network.parameter_count(widths)  # validates
    depth = len(widths) - 2
    out: list[Step] = []
    for k in range(depth + 1):
        source = "x" if k == 0 else f"h_{k}"
        if k > 0:
            out.append(
                Step("forward", k, f"h_{{{k}}} = a[f_{{{k - 1}}}]", (f"f_{k - 1}",), (f"h_{k}",), 0)
            )
        tex_source = "x" if k == 0 else f"h_{{{k}}}"
        formula = f"f_{{{k}}} = \\beta_{{{k}}} + \\Omega_{{{k}}} {tex_source}"
        out.append(
            Step(
                "forward",
                k,
                formula,
                (source, f"beta_{k}", f"Omega_{k}"),
                (f"f_{k}",),
                widths[k + 1] * widths[k],
            )
        )
    out.append(
        Step(
            "loss",
            depth,
            f"\\ell = \\mathrm{{l}}[f_{{{depth}}}, y],\\; \\partial\\ell/\\partial f_{{{depth}}}",
            (f"f_{depth}", "y"),
            ("l", f"dl/df_{depth}"),
            0,
        )
    )
    for k in range(depth, -1, -1):
        source = "x" if k == 0 else f"h_{k}"
        tex_source = "x" if k == 0 else f"h_{{{k}}}"
        out.append(
            Step(
                "backward",
                k,
                f"\\partial\\ell/\\partial\\beta_{{{k}}} = \\partial\\ell/\\partial f_{{{k}}},\\;"
                f" \\partial\\ell/\\partial\\Omega_{{{k}}} = \\partial\\ell/\\partial f_{{{k}}}\\,"
                f"{tex_source}^T",
                (f"dl/df_{k}", source),
                (f"dl/dbeta_{k}", f"dl/dOmega_{k}"),
                widths[k + 1] * widths[k],
            )
        )
        if k > 0:
            out.append(
                Step(
                    "backward",
                    k,
                    f"\\partial\\ell/\\partial h_{{{k}}} = \\Omega_{{{k}}}^T\\,"
                    f"\\partial\\ell/\\partial f_{{{k}}}",
                    (f"Omega_{k}", f"dl/df_{k}"),
                    (f"dl/dh_{k}",),
                    widths[k + 1] * widths[k],
                )
            )
            out.append(
                Step(
                    "backward",
                    k - 1,
                    f"\\partial\\ell/\\partial f_{{{k - 1}}} = a'[f_{{{k - 1}}}] \\odot "
                    f"\\partial\\ell/\\partial h_{{{k}}}",
                    (f"f_{k - 1}", f"dl/dh_{k}"),
                    (f"dl/df_{k - 1}",),
                    widths[k],
                )
            )
    totals = np.cumsum([step.multiplications for step in out])
    return tuple(
        dataclasses.replace(step, multiplications_so_far=int(total))
        for step, total in zip(out, totals, strict=True)
    )


# ---------------------------------------------------------------------------------------------
# A network, inputs and targets from a seed or from the caller
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """Set one parameter: ``beta_k[row]`` (``column`` ignored) or ``Omega_k[row, column]``."""

    kind: str  # "beta" or "omega"
    layer: int
    row: int
    column: int
    value: float


@dataclass(frozen=True)
class InspectorConfig:
    """What the inspector runs on.

    The network is the caller's ``betas`` and ``omegas`` when given, else drawn with
    :func:`core.network.initialise` for ``widths`` (``(D_i, D_1, ..., D_K, D_o)``) with biases
    drawn from ``N(0, bias_std^2)``; ``edits`` then change single parameters. (Zero biases, the
    usual start, can put a pre-activation exactly on ReLU's kink when a whole layer is off; a
    finite difference there sees half the slope on each side and the check fails, correctly.)
    Inputs ``x`` (``(D_i, I)``) and ``targets`` are the caller's
    when given, else standard normal (class labels drawn uniformly for the classification
    losses), ``n_examples`` columns.
    """

    widths: tuple[int, ...] = (2, 4, 4, 4, 1)
    activations: str | tuple[str, ...] = "relu"
    scheme: str = "he"
    scale: float = 1.0
    bias_std: float = 0.1
    betas: tuple | None = None
    omegas: tuple | None = None
    edits: tuple[Edit, ...] = ()
    x: np.ndarray | None = None
    targets: np.ndarray | None = None
    n_examples: int = 1
    loss: str = "least_squares"
    sigma: float = 1.0
    fd_step: float = 1e-6


def _apply_edits(net: network.Network, edits: Sequence[Edit]) -> network.Network:
    betas = [b.copy() for b in net.betas]
    omegas = [o.copy() for o in net.omegas]
    for edit in edits:
        if not 0 <= edit.layer < len(omegas):
            raise DomainError(
                f"edit of layer {edit.layer}: the network has layers 0 to {len(omegas) - 1}"
            )
        rows, cols = omegas[edit.layer].shape
        if edit.kind == "beta" and 0 <= edit.row < rows:
            betas[edit.layer][edit.row] = edit.value
        elif edit.kind == "omega" and 0 <= edit.row < rows and 0 <= edit.column < cols:
            omegas[edit.layer][edit.row, edit.column] = edit.value
        else:
            raise DomainError(
                f"edit of layer {edit.layer}: no {edit.kind} at row {edit.row}, column "
                f"{edit.column} (beta_{edit.layer} has {rows} entries, Omega_{edit.layer} is "
                f"{rows} x {cols})"
            )
    return network.network_from_lists(betas, omegas, net.activations)


def _random_targets(loss: str, d_out: int, n: int, rng: np.random.Generator) -> np.ndarray:
    if loss == "least_squares":
        return rng.standard_normal((d_out, n))
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=n).astype(float)
    if loss == "cross_entropy":
        return rng.integers(0, d_out, size=n).astype(float)
    return rng.standard_normal(n)


def run_inspector(config: InspectorConfig, rng: np.random.Generator) -> Inspection:
    """Build the network, inputs and targets of ``config`` and :func:`inspect` them."""
    if config.loss not in losses.LOSSES:
        raise DomainError(f"unknown loss {config.loss!r}; choose one of {', '.join(losses.LOSSES)}")
    if config.betas is not None and config.omegas is not None:
        net = network.network_from_lists(config.betas, config.omegas, config.activations)
    elif config.betas is None and config.omegas is None:
        drawn = network.initialise(
            config.widths, config.activations, config.scheme, rng, config.scale
        )
        betas = [config.bias_std * rng.standard_normal(b.shape) for b in drawn.betas]
        net = network.network_from_lists(betas, drawn.omegas, drawn.activations)
    else:
        raise DomainError("give both betas and omegas, or neither (to draw them from the seed)")
    net = _apply_edits(net, config.edits) if config.edits else net
    d_in, d_out = net.widths[0], net.widths[-1]
    x = rng.standard_normal((d_in, config.n_examples)) if config.x is None else config.x
    x = network.check_input(net, x)
    if config.targets is None:
        targets = _random_targets(config.loss, d_out, x.shape[1], rng)
    else:
        targets = np.asarray(config.targets, dtype=float)
    return inspect(net, x, targets, config.loss, config.sigma, config.fd_step)
