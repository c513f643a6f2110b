"""Exact joints and linear regions of any piecewise-linear network, with one or two inputs.

A network built from piecewise-linear activations (ReLU, leaky ReLU, Heaviside, identity) is
piecewise linear in its input. Two things are counted, and kept apart:

* **activation patterns** (pieces, cells): sets of inputs on which every hidden unit stays on
  the same side of zero. Inside one the network is a single affine function.
* **linear regions**: maximal intervals (one input) or maximal connected sets (two inputs) on
  which the network is *one* affine function. Neighbouring pieces that carry the same function
  (a unit with zero outgoing weight, two joints whose slope changes cancel) are one region.
  A joint where neither slope nor value changes does not split a region.

Both are computed by following the network layer by layer, exactly as the book builds a deep
network from folds (course notes ch. 4; Prince, *Understanding Deep Learning*, ch. 4.1-4.3):
on each current piece every pre-activation ``f_{k-1}`` is affine in ``x``, so a unit switches
where that affine function is zero, the piece is cut there, and inside each new piece
``h_k = a[f_{k-1}]`` and ``f_k = beta_k + Omega_k h_k`` are affine again.

* One input: pieces are intervals; an affine pre-activation has at most one root per piece.
* Two inputs: pieces are convex polygons; each unit's zero line cuts a polygon in two. Regions
  are the connected components of the cells joined across shared edges when the affine output
  functions agree.

Equal functions are decided with a tolerance of ``1e-12`` relative to the sizes of the terms
that make them (the same network run with absolute weights), and a cut closer than ``1e-12``
of the view to an existing joint is taken to be that joint.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.activations import get_activation
from core.errors import DomainError
from core.network import Network

# Equal slopes / values, relative to the size of the terms that make them (the same network run
# on absolute weights). Rounding stays below (sum of the widths) x 1.1e-16 of that size, about
# 7e-14 for 10 layers of 64 units; genuine slope changes of deep random networks go down to
# 1e-9 of it, so the tolerance sits between the two.
REL_TOL = 1e-12
SNAP = 1e-12  # roots this close (relative to the view) to a joint are that joint
MAX_PIECES = 65_536  # stop before a request eats the memory (1D pieces; 2D cells: a tenth)


@dataclass(frozen=True)
class Sides:
    """A piecewise-linear activation as ``a[z] = offset + slope z`` on each side of zero."""

    pos_slope: float
    pos_offset: float
    neg_slope: float
    neg_offset: float
    zero_on: bool = False

    @property
    def switches(self) -> bool:
        """Whether the formula changes at zero (so a unit creates joints)."""
        return (self.pos_slope, self.pos_offset) != (self.neg_slope, self.neg_offset)

    def on(self, z: np.ndarray) -> np.ndarray:
        """Which units are on the positive piece: ``z > 0``, or ``z >= 0`` when ``a[0]`` is
        the positive piece's value and not the negative one's (the Heaviside step)."""
        return z >= 0 if self.zero_on else z > 0


def activation_sides(name: str) -> Sides | None:
    """The two affine pieces of a piecewise-linear activation; None for a smooth one."""
    act = get_activation(name)
    if not act.piecewise_linear:
        return None
    one = np.array([1.0, -1.0])
    slope = act.derivative(one)
    offset = act.value(one) - slope * one
    at_zero = float(act.value(np.zeros(1))[0])
    zero_on = at_zero != offset[1]  # a[0] is not the negative piece's value
    return Sides(float(slope[0]), float(offset[0]), float(slope[1]), float(offset[1]), zero_on)


def network_sides(net: Network) -> list[Sides] | None:
    """``activation_sides`` per hidden layer, or None when any layer is smooth."""
    sides = [activation_sides(name) for name in net.activations]
    return None if any(s is None for s in sides) else sides


def _layer_affine(sides: Sides, on: np.ndarray):
    """Per-element (slope, offset) of the activation given which side each unit is on."""
    slope = np.where(on, sides.pos_slope, sides.neg_slope)
    offset = np.where(on, sides.pos_offset, sides.neg_offset)
    return slope, offset


# ----------------------------------------------------------------------------- one input


@dataclass(frozen=True)
class Pieces1D:
    """The exact pieces and linear regions of a 1-input network on ``[x_min, x_max]``.

    Attributes
    ----------
    edges : ndarray, shape (P + 1,)
        Piece boundaries, ``x_min`` and ``x_max`` included, increasing.
    slopes, intercepts : ndarray, shape (P, D_o)
        The output is ``intercepts[p] + slopes[p] x`` on piece p.
    joint_x : ndarray, shape (J,)
        Every place where a unit switches, sorted (a place is listed once per unit).
    joint_layer, joint_unit : ndarray of int, shape (J,)
        Hidden layer k (1-based, as ``h_k``) and unit (0-based) of each joint.
    bends : ndarray of bool, shape (P - 1,)
        Whether the output changes slope or value at interior edge ``edges[p + 1]``.
    region_edges : ndarray, shape (R + 1,)
        Boundaries of the linear regions (the edges that bend, plus the ends).
    layer_pieces : tuple of int
        Pieces (activation patterns of layers 1..k) after each hidden layer k.
    layer_regions : tuple of int
        Linear regions of the map ``x -> h_k`` after each hidden layer k (empty unless
        ``per_layer``).
    """

    edges: np.ndarray
    slopes: np.ndarray
    intercepts: np.ndarray
    joint_x: np.ndarray
    joint_layer: np.ndarray
    joint_unit: np.ndarray
    bends: np.ndarray
    region_edges: np.ndarray
    layer_pieces: tuple[int, ...]
    layer_regions: tuple[int, ...]

    @property
    def n_pieces(self) -> int:
        return len(self.edges) - 1

    @property
    def n_regions(self) -> int:
        return len(self.region_edges) - 1


def _merge_1d(edges, s, c, abs_s, abs_c) -> np.ndarray:
    """Which interior edges separate different affine functions, per (P, m) coefficients.

    Two neighbours are the same line when their slopes and their values at the shared edge
    agree to ``REL_TOL`` of the sizes of the terms that make them.
    """
    if len(edges) <= 2:
        return np.zeros(0, dtype=bool)
    x = np.abs(edges[1:-1, None])  # (P - 1, 1) the edge between piece p and p + 1
    ds = s[1:] - s[:-1]
    dv = c[1:] - c[:-1]
    dv += ds * edges[1:-1, None]  # value jump at the edge
    slope_scale = abs_s[1:] + abs_s[:-1]
    value_scale = abs_c[1:] + abs_c[:-1]
    value_scale += slope_scale * x
    jump = np.abs(ds) > REL_TOL * slope_scale
    jump |= np.abs(dv) > REL_TOL * value_scale
    return jump.any(axis=1)  # (P - 1,)


def pieces_1d(net: Network, x_min: float, x_max: float, per_layer: bool = True) -> Pieces1D:
    """Exact joints, pieces and linear regions of a 1-input piecewise-linear network.

    Parameters
    ----------
    net : Network
        ``D_i = 1``; every activation piecewise linear.
    x_min, x_max : float
        The interval, ``x_min < x_max``.
    per_layer : bool
        Also count the linear regions of each ``x -> h_k`` (``layer_regions``, empty
        otherwise): one more comparison per layer, about half the time when only the output's
        regions are wanted.

    Returns
    -------
    Pieces1D
    """
    if net.widths[0] != 1:
        raise DomainError(f"this count needs one input, the network has {net.widths[0]}")
    if not (np.isfinite(x_min) and np.isfinite(x_max)) or not x_min < x_max:
        raise DomainError(f"the interval needs x_min < x_max, got [{x_min}, {x_max}]")
    sides = network_sides(net)
    if sides is None:
        raise DomainError("linear regions need piecewise-linear activations in every layer")
    snap = SNAP * (x_max - x_min)
    edges = np.array([x_min, x_max], dtype=float)
    # f_0 = c + s x on every piece, with the same run on absolute weights for tolerances.
    s = net.omegas[0][:, 0][None, :]  # (P, D_1)
    c = net.betas[0][None, :]
    abs_s, abs_c = np.abs(s), np.abs(c)
    joints_x, joints_layer, joints_unit = [], [], []
    layer_pieces, layer_regions = [], []
    for k, layer in enumerate(sides, start=1):
        if layer.switches:
            lo, hi = edges[:-1, None], edges[1:, None]
            with np.errstate(divide="ignore", invalid="ignore"):
                root = -c / s  # (P, D_k)
            inside = (s != 0) & (root > lo + snap) & (root < hi - snap)
            piece, unit = np.nonzero(inside)
            if len(piece):
                new_edges = np.unique(np.concatenate([edges, root[piece, unit]]))
                if len(new_edges) - 1 > MAX_PIECES:
                    raise DomainError(
                        f"more than {MAX_PIECES} pieces after layer {k}: too many to list"
                    )
                mids = 0.5 * (new_edges[:-1] + new_edges[1:])
                parent = np.searchsorted(edges, mids, side="right") - 1
                edges = new_edges
                s, c, abs_s, abs_c = s[parent], c[parent], abs_s[parent], abs_c[parent]
        mids = 0.5 * (edges[:-1] + edges[1:])[:, None]
        on = layer.on(c + s * mids)  # (P, D_k) which side of zero each unit is on
        if layer.switches:
            # A unit switches at an interior edge where its side differs between the two pieces.
            edge, unit = np.nonzero(on[:-1] != on[1:])
            joints_x.append(edges[1:-1][edge])
            joints_layer.append(np.full(len(edge), k))
            joints_unit.append(unit)
        slope_a, offset_a = _layer_affine(layer, on)
        hs, hc = slope_a * s, offset_a + slope_a * c  # h_k = hc + hs x
        abs_hs, abs_hc = np.abs(slope_a) * abs_s, np.abs(offset_a) + np.abs(slope_a) * abs_c
        layer_pieces.append(len(edges) - 1)
        if per_layer:
            layer_regions.append(int(_merge_1d(edges, hs, hc, abs_hs, abs_hc).sum()) + 1)
        omega, beta = net.omegas[k], net.betas[k]
        s, c = hs @ omega.T, beta + hc @ omega.T  # f_k
        abs_s, abs_c = abs_hs @ np.abs(omega).T, np.abs(beta) + abs_hc @ np.abs(omega).T
    bends = _merge_1d(edges, s, c, abs_s, abs_c)
    region_edges = np.concatenate([[edges[0]], edges[1:-1][bends], [edges[-1]]])
    if joints_x:
        jx = np.concatenate(joints_x)
        jl = np.concatenate(joints_layer)
        ju = np.concatenate(joints_unit)
        order = np.lexsort((ju, jl, jx))
        jx, jl, ju = jx[order], jl[order], ju[order]
    else:
        jx, jl, ju = np.empty(0), np.empty(0, dtype=int), np.empty(0, dtype=int)
    return Pieces1D(
        edges, s, c, jx, jl, ju, bends, region_edges, tuple(layer_pieces), tuple(layer_regions)
    )


# ----------------------------------------------------------------------------- two inputs


@dataclass(frozen=True)
class Cells2D:
    """The exact cells (activation patterns) of a 2-input network in a rectangle.

    Attributes
    ----------
    vertices : ndarray, shape (P, M, 2)
        Each cell's corners counter-clockwise; rows beyond ``n_vertices[p]`` are padding.
    n_vertices : ndarray of int, shape (P,)
    coefficients : ndarray, shape (P, D_o, 3)
        The output on cell p is ``c0 + c1 x1 + c2 x2`` with ``(c0, c1, c2)`` per output.
    region : ndarray of int, shape (P,)
        The linear region (0-based) each cell belongs to.
    n_regions : int
    layer_cells : tuple of int
        Cells (activation patterns of layers 1..k) after each hidden layer k.
    layer_regions : tuple of int
        Linear regions of the map ``x -> h_k`` after each hidden layer k.
    layer_boundaries : tuple of ndarray
        Per hidden layer, segments ``(x1_a, x2_a, x1_b, x2_b)`` (shape (E, 4)) between two
        different linear regions of ``x -> h_k``.
    boundaries : ndarray, shape (E, 4)
        Segments between two different linear regions of the output.
    codes : ndarray of uint64, shape (P,)
        A hash of each cell's activation pattern, used to find the cell of any point.
    """

    vertices: np.ndarray
    n_vertices: np.ndarray
    coefficients: np.ndarray
    region: np.ndarray
    n_regions: int
    layer_cells: tuple[int, ...]
    layer_regions: tuple[int, ...]
    layer_boundaries: tuple[np.ndarray, ...]
    boundaries: np.ndarray
    codes: np.ndarray


def _split(vertices, n, values):
    """Cut convex polygons along ``value = 0``; return the (>= 0) and (<= 0) parts.

    vertices (Q, M, 2), n (Q,), values (Q, M) -> two (vertices, n) pairs.
    """
    q, m = values.shape
    idx = np.arange(m)
    valid = idx < n[:, None]
    nxt = np.where(idx + 1 < n[:, None], idx + 1, 0)  # (Q, M)
    v_next = np.take_along_axis(vertices, nxt[..., None], axis=1)
    val_next = np.take_along_axis(values, nxt, axis=1)
    crossing = valid & (values * val_next < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(crossing, values / (values - val_next), 0.0)
    cut = vertices + t[..., None] * (v_next - vertices)  # (Q, M, 2)
    candidates = np.stack([vertices, cut], axis=2).reshape(q, 2 * m, 2)
    parts = []
    for keep_vertex in (valid & (values >= 0), valid & (values <= 0)):
        keep = np.stack([keep_vertex, crossing], axis=2).reshape(q, 2 * m)
        count = keep.sum(axis=1)
        order = np.argsort(~keep, axis=1, kind="stable")[:, : count.max()]
        parts.append((np.take_along_axis(candidates, order[..., None], axis=1), count))
    return parts


def _pad(vertices, width):
    if vertices.shape[1] >= width:
        return vertices
    pad = np.zeros((vertices.shape[0], width - vertices.shape[1], 2))
    return np.concatenate([vertices, pad], axis=1)


def pattern_codes(net: Network, points: np.ndarray, upto: int | None = None) -> np.ndarray:
    """Hash of each point's activation pattern over hidden layers 1..upto.

    Parameters
    ----------
    net : Network
    points : ndarray, shape (D_i, I)
        One column per point.
    upto : int, optional
        Last hidden layer included (default: all).

    Returns
    -------
    ndarray of uint64, shape (I,)
        Equal patterns give equal codes; different patterns collide with probability ~2^-64.
    """
    sides = network_sides(net)
    upto = net.depth if upto is None else upto
    codes = np.zeros(points.shape[1], dtype=np.uint64)
    f = net.betas[0][:, None] + net.omegas[0] @ points  # (D_1, I)
    for k in range(1, upto + 1):
        if sides[k - 1].switches:
            with np.errstate(over="ignore"):
                codes = codes * np.uint64(0x9E3779B97F4A7C15) + _pack_bits(sides[k - 1].on(f))
        h = get_activation(net.activations[k - 1]).value(f)
        f = net.betas[k][:, None] + net.omegas[k] @ h
    return codes


def _pack_bits(on: np.ndarray) -> np.ndarray:
    """(D, I) bool -> (I,) uint64: a layer's pattern, exact for D <= 64, hashed beyond."""
    codes = np.zeros(on.shape[1], dtype=np.uint64)
    for start in range(0, on.shape[0], 64):  # 64 units per word
        word = pack_rows(on[start : start + 64].T).view(np.uint64)
        with np.errstate(over="ignore"):
            codes = codes * np.uint64(0xBF58476D1CE4E5B9) + word
    return codes


_GATHER = np.uint64(0x0102040810204080)  # moves bit 8i of a word to bit 56 + i


def pack_rows(active: np.ndarray) -> np.ndarray:
    """Pack each row of a bool matrix into one integer: bit d set when ``active[n, d]``.

    Parameters
    ----------
    active : ndarray of bool, shape (n, D), D <= 64

    Returns
    -------
    ndarray of int64, shape (n,)

    A bool is one byte 0 or 1, so eight units read as one little-endian word hold their bits at
    positions 0, 8, ..., 56; multiplying by ``_GATHER`` collects them into the top byte. This
    is faster than the product with the powers of two for D >= 8 (bench/bench_deep.py); for
    fewer units that product is the fastest way and is used.
    """
    n, units = active.shape
    if units > 64:
        raise DomainError(f"at most 64 units per code, got {units}")
    if units < 8:
        return (active @ (2.0 ** np.arange(units))).astype(np.int64)
    width = -(-units // 8) * 8
    if width == units and active.flags.c_contiguous and active.dtype == bool:
        padded = active
    else:
        padded = np.zeros((n, width), dtype=bool)
        padded[:, :units] = active
    with np.errstate(over="ignore"):
        packed = (padded.view("<u8") * _GATHER) >> np.uint64(56)  # (n, width / 8)
    codes = packed[:, 0].astype(np.int64)
    for b in range(1, packed.shape[1]):
        codes |= packed[:, b].astype(np.int64) << (8 * b)
    return codes


def _components(n_cells: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component labels 0..R-1 of a graph given as (E, 2) index pairs."""
    label = np.arange(n_cells)
    if len(pairs):
        while True:
            low = np.minimum(label[pairs[:, 0]], label[pairs[:, 1]])
            new = label.copy()
            np.minimum.at(new, pairs[:, 0], low)
            np.minimum.at(new, pairs[:, 1], low)
            new = new[new]  # pointer jumping
            if np.array_equal(new, label):
                break
            label = new
    return np.unique(label, return_inverse=True)[1]


def _regions(net, upto, vertices, n, coef, abs_coef, codes, box):
    """Join neighbouring cells carrying the same affine map; return labels and boundaries."""
    p, m = n.shape[0], vertices.shape[1]
    idx = np.arange(m)
    valid = idx < n[:, None]
    nxt = np.where(idx + 1 < n[:, None], idx + 1, 0)
    a = vertices
    b = np.take_along_axis(vertices, nxt[..., None], axis=1)
    d = b - a
    length = np.hypot(d[..., 0], d[..., 1])
    span = max(box[1] - box[0], box[3] - box[2])
    ok = valid & (length > 1e-12 * span)
    cell, edge = np.nonzero(ok)
    a, b, d, length = a[cell, edge], b[cell, edge], d[cell, edge], length[cell, edge]
    normal = np.stack([d[:, 1], -d[:, 0]], axis=1) / length[:, None]  # outward for CCW
    probe = 0.5 * (a + b) + 1e-7 * span * normal
    inside = (
        (probe[:, 0] > box[0])
        & (probe[:, 0] < box[1])
        & (probe[:, 1] > box[2])
        & (probe[:, 1] < box[3])
    )
    order = np.argsort(codes)
    probe_codes = pattern_codes(net, probe.T, upto)
    pos = np.clip(np.searchsorted(codes, probe_codes, sorter=order), 0, p - 1)
    other = order[pos]
    found = inside & (codes[other] == probe_codes) & (other != cell)
    mid = 0.5 * (a + b)
    x = np.concatenate([np.ones((len(mid), 1)), mid], axis=1)  # (E, 3)
    # Same map: value at the shared edge and gradient agree, relative to their terms' sizes.
    ci, co = coef[cell], coef[other]  # (E, m_out, 3)
    scale = np.maximum(abs_coef[cell], abs_coef[other])
    grad_same = np.all(np.abs(ci[..., 1:] - co[..., 1:]) <= REL_TOL * scale[..., 1:], axis=(1, 2))
    val = np.einsum("eoj,ej->eo", ci - co, x)
    val_scale = np.einsum("eoj,ej->eo", scale, np.abs(x))
    same = grad_same & np.all(np.abs(val) <= REL_TOL * val_scale, axis=1)
    join = found & same
    labels = _components(p, np.stack([cell[join], other[join]], axis=1))
    border = found & ~same & (cell < other)
    segments = np.concatenate([a[border], b[border]], axis=1)  # (E, 4)
    return labels, segments


def cells_2d(net: Network, box: tuple[float, float, float, float]) -> Cells2D:
    """Exact cells and linear regions of a 2-input piecewise-linear network in a rectangle.

    Parameters
    ----------
    net : Network
        ``D_i = 2``; every activation piecewise linear.
    box : (x1_min, x1_max, x2_min, x2_max)

    Returns
    -------
    Cells2D
    """
    if net.widths[0] != 2:
        raise DomainError(f"this count needs two inputs, the network has {net.widths[0]}")
    x1_min, x1_max, x2_min, x2_max = (float(v) for v in box)
    if not (x1_min < x1_max and x2_min < x2_max):
        raise DomainError("the view needs x1_min < x1_max and x2_min < x2_max")
    sides = network_sides(net)
    if sides is None:
        raise DomainError("linear regions need piecewise-linear activations in every layer")
    corners = [[x1_min, x2_min], [x1_max, x2_min], [x1_max, x2_max], [x1_min, x2_max]]
    vertices = np.array([corners], dtype=float)  # (1, 4, 2), counter-clockwise
    n = np.array([4])
    # f_0 = A[..., 0] + A[..., 1] x1 + A[..., 2] x2 on every cell: (P, D, 3).
    coef = np.concatenate([net.betas[0][:, None], net.omegas[0]], axis=1)[None]
    abs_coef = np.abs(coef)
    layer_cells, layer_regions, layer_boundaries = [], [], []
    span = max(x1_max - x1_min, x2_max - x2_min)
    for k, layer in enumerate(sides, start=1):
        if layer.switches:
            for u in range(coef.shape[1]):
                a = coef[:, u, :]  # (P, 3)
                values = a[:, :1] + a[:, 1:2] * vertices[..., 0] + a[:, 2:3] * vertices[..., 1]
                size = np.abs(a[:, :1]) + span * (np.abs(a[:, 1:2]) + np.abs(a[:, 2:3]))
                values = np.where(np.abs(values) <= SNAP * size, 0.0, values)
                valid = np.arange(vertices.shape[1]) < n[:, None]
                lo = np.where(valid, values, np.inf).min(axis=1)
                hi = np.where(valid, values, -np.inf).max(axis=1)
                cut = (lo < 0) & (hi > 0)
                if not cut.any():
                    continue
                keep = np.flatnonzero(~cut)
                split = np.flatnonzero(cut)
                (v_pos, n_pos), (v_neg, n_neg) = _split(vertices[split], n[split], values[split])
                width = max(vertices.shape[1], v_pos.shape[1], v_neg.shape[1])
                vertices = np.concatenate(
                    [_pad(vertices[keep], width), _pad(v_pos, width), _pad(v_neg, width)]
                )
                n = np.concatenate([n[keep], n_pos, n_neg])
                parent = np.concatenate([keep, split, split])
                coef, abs_coef = coef[parent], abs_coef[parent]
                if len(n) > MAX_PIECES // 10:
                    raise DomainError(f"more than {MAX_PIECES // 10} cells in layer {k}")
        valid = np.arange(vertices.shape[1]) < n[:, None]
        centre = (vertices * valid[..., None]).sum(axis=1) / n[:, None]  # (P, 2) inside
        x = np.concatenate([np.ones((len(n), 1)), centre], axis=1)  # (P, 3)
        on = layer.on(np.einsum("pdj,pj->pd", coef, x))
        slope_a, offset_a = _layer_affine(layer, on)  # (P, D_k)
        h = slope_a[..., None] * coef
        h[..., 0] += offset_a
        abs_h = np.abs(slope_a)[..., None] * abs_coef
        abs_h[..., 0] += np.abs(offset_a)
        codes = pattern_codes(net, centre.T, k)
        labels, segments = _regions(net, k, vertices, n, h, abs_h, codes, box)
        layer_cells.append(len(n))
        layer_regions.append(int(labels.max()) + 1)
        layer_boundaries.append(segments)
        omega, beta = net.omegas[k], net.betas[k]
        coef = np.einsum("ed,pdj->pej", omega, h)
        coef[..., 0] += beta
        abs_coef = np.einsum("ed,pdj->pej", np.abs(omega), abs_h)
        abs_coef[..., 0] += np.abs(beta)
    valid = np.arange(vertices.shape[1]) < n[:, None]
    centre = (vertices * valid[..., None]).sum(axis=1) / n[:, None]
    codes = pattern_codes(net, centre.T)
    labels, segments = _regions(net, net.depth, vertices, n, coef, abs_coef, codes, box)
    return Cells2D(
        vertices,
        n,
        coef,
        labels,
        int(labels.max()) + 1,
        tuple(layer_cells),
        tuple(layer_regions),
        tuple(layer_boundaries),
        segments,
        codes,
    )


def locate(cells: Cells2D, net: Network, points: np.ndarray) -> np.ndarray:
    """Index of the cell holding each point (columns of ``points``, shape (2, I)); -1 if none."""
    codes = pattern_codes(net, points)
    order = np.argsort(cells.codes)
    pos = np.clip(np.searchsorted(cells.codes, codes, sorter=order), 0, len(order) - 1)
    cell = order[pos]
    return np.where(cells.codes[cell] == codes, cell, -1)
