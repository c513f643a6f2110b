"""Two-dimensional data sets and input features for training a network in the plane.

Points ``x = (x_1, x_2)`` lie in the square ``[-6, 6]^2``. Classification sets have integer
labels ``0 .. C-1``; the regression set has a real target. Every set is drawn from an explicit
``np.random.Generator``, so one seed gives one data set.

Input features are functions of ``(x_1, x_2)`` computed before the network sees the point:
``x1, x2, x1^2, x2^2, x1 x2, sin x1, sin x2`` and the polar ``r`` and ``theta`` of the notes'
chapter 3 (a change of representation can make a problem linear).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from core.errors import DomainError

EXTENT = 6.0  # the plane shown is [-EXTENT, EXTENT]^2
MAX_CSV_ROWS = 5000


@dataclass(frozen=True)
class Dataset:
    """Points and their labels or targets.

    Attributes
    ----------
    x : ndarray, shape (N, 2)
        One point per row.
    y : ndarray, shape (N,)
        Class labels 0..C-1 (as floats) or regression targets.
    task : str
        ``"binary"``, ``"multiclass"`` or ``"regression"``.
    classes : int
        Number of classes (1 for regression).
    """

    x: np.ndarray
    y: np.ndarray
    task: str
    classes: int


def _circle(n, noise, classes, rng):
    # Class 1 inside radius 2, class 0 on a ring from 3.5 to 5 (TensorFlow Playground's layout).
    inner = n // 2
    radius = np.concatenate([rng.uniform(0, 2, inner), rng.uniform(3.5, 5, n - inner)])
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)  # (N, 2)
    y = np.concatenate([np.ones(inner), np.zeros(n - inner)])
    return x + noise * rng.standard_normal((n, 2)), y


def _xor(n, noise, classes, rng):
    x = rng.uniform(-5, 5, (n, 2))
    x += np.sign(x) * 0.3  # keep points off the axes so the quadrants are clear
    y = (x[:, 0] * x[:, 1] > 0).astype(float)
    return x + noise * rng.standard_normal((n, 2)), y


def _blobs(n, noise, classes, rng):
    # Centres evenly on a circle of radius 3.5; each blob's standard deviation is 0.6 + noise
    # (0.6 so that even noise 0 gives blobs rather than single points).
    labels = np.arange(n) % classes
    angle = 2 * np.pi * labels / classes + np.pi / 4
    centres = 3.5 * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (N, 2)
    return centres + (0.6 + noise) * rng.standard_normal((n, 2)), labels.astype(float)


def _spiral(n, noise, classes, rng):
    labels = np.arange(n) % classes
    t = rng.uniform(0, 1, n)
    radius = 5 * t + 0.3
    angle = 1.75 * 2 * np.pi * t + 2 * np.pi * labels / classes
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + noise * rng.standard_normal((n, 2)), labels.astype(float)


def _moons(n, noise, classes, rng):
    upper = n // 2
    t = rng.uniform(0, np.pi, n)
    x = np.where(
        (np.arange(n) < upper)[:, None],
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    x = 3.0 * (x - [0.5, 0.25])  # centre the pair and scale it to the plane
    y = (np.arange(n) >= upper).astype(float)
    return x + noise * rng.standard_normal((n, 2)), y


def _rings(n, noise, classes, rng):
    labels = np.arange(n) % classes
    radius = 1.0 + 4.0 * labels / max(classes - 1, 1) + 0.25 * rng.standard_normal(n)
    angle = rng.uniform(0, 2 * np.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x + noise * rng.standard_normal((n, 2)), labels.astype(float)


def _plane(n, noise, classes, rng):
    x = rng.uniform(-5, 5, (n, 2))
    y = (x[:, 0] + x[:, 1]) / 5.0  # targets in [-2, 2]
    return x, y + noise * rng.standard_normal(n)


# name -> (label, task, default number of classes, generator). Multiclass sets take 3 to 5.
DATASETS: dict[str, tuple[str, str, int, Callable]] = {
    "circle": ("Circle", "binary", 2, _circle),
    "xor": ("Exclusive or", "binary", 2, _xor),
    "gaussians": ("Two Gaussians", "binary", 2, _blobs),
    "spiral": ("Spiral", "binary", 2, _spiral),
    "moons": ("Moons", "binary", 2, _moons),
    "rings": ("Concentric rings", "multiclass", 3, _rings),
    "multi_gaussian": ("Several Gaussians", "multiclass", 4, _blobs),
    "multi_spiral": ("Spiral arms", "multiclass", 3, _spiral),
    "plane": ("Regression plane", "regression", 1, _plane),
}

MIN_CLASSES, MAX_CLASSES = 3, 5


def make_dataset(
    name: str, n: int, noise: float, rng: np.random.Generator, classes: int | None = None
) -> Dataset:
    """Draw ``n`` points of the built-in set ``name``; ``noise`` sets how noisy they are.

    For most sets ``noise`` is the standard deviation of Gaussian noise added to each point; the
    blob sets' standard deviation is ``0.6 + noise``; the regression plane adds it to the targets.
    Points are then clipped to the square ``[-EXTENT, EXTENT]^2``.
    """
    if name not in DATASETS:
        raise DomainError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    label, task, default_classes, generate = DATASETS[name]
    if not 4 <= n <= MAX_CSV_ROWS:
        raise DomainError(f"the number of points must be between 4 and {MAX_CSV_ROWS}, got {n}")
    if not 0 <= noise <= 3:
        raise DomainError(f"the noise must be between 0 and 3, got {noise}")
    if task == "multiclass":
        classes = default_classes if classes is None else classes
        if not MIN_CLASSES <= classes <= MAX_CLASSES:
            raise DomainError(f"{label} has {MIN_CLASSES} to {MAX_CLASSES} classes, got {classes}")
    else:
        classes = default_classes
    x, y = generate(n, noise, classes, rng)
    return Dataset(np.clip(x, -EXTENT, EXTENT), y.astype(float), task, classes)


def split(dataset: Dataset, train_fraction: float, rng: np.random.Generator):
    """Shuffle and cut into (train, test) with ``round(train_fraction N)`` training points."""
    if not 0.1 <= train_fraction <= 1.0:
        raise DomainError(f"the training fraction must be between 0.1 and 1, got {train_fraction}")
    order = rng.permutation(dataset.y.size)
    cut = max(1, round(train_fraction * dataset.y.size))
    part = lambda idx: Dataset(dataset.x[idx], dataset.y[idx], dataset.task, dataset.classes)  # noqa: E731
    return part(order[:cut]), part(order[cut:])


# Feature name -> (label, function of the (N, 2) points giving an (N,) column).
FEATURES: dict[str, tuple[str, Callable[[np.ndarray], np.ndarray]]] = {
    "x1": ("x₁", lambda x: x[:, 0]),
    "x2": ("x₂", lambda x: x[:, 1]),
    "x1_squared": ("x₁²", lambda x: x[:, 0] ** 2),
    "x2_squared": ("x₂²", lambda x: x[:, 1] ** 2),
    "x1_x2": ("x₁x₂", lambda x: x[:, 0] * x[:, 1]),
    "sin_x1": ("sin x₁", lambda x: np.sin(x[:, 0])),
    "sin_x2": ("sin x₂", lambda x: np.sin(x[:, 1])),
    "r": ("r", lambda x: np.hypot(x[:, 0], x[:, 1])),
    "theta": ("θ", lambda x: np.arctan2(x[:, 1], x[:, 0])),
}


def features(x: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The network's input: one row per feature, one column per point, shape ``(F, N)``."""
    if len(names) == 0:
        raise DomainError("choose at least one input feature")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise DomainError(f"unknown feature {unknown[0]!r}; choose from {', '.join(FEATURES)}")
    if len(set(names)) != len(names):
        raise DomainError("each input feature can be chosen once")
    x = np.asarray(x, dtype=float)
    return np.stack([FEATURES[n][1](x) for n in names])  # (F, N)


def parse_csv(text: str, task: str, max_rows: int = MAX_CSV_ROWS) -> Dataset:
    """Read ``x1,x2,label`` (classification) or ``x1,x2,target`` (regression) rows.

    A header row is allowed. Every problem is reported with its line number. Labels must be
    whole numbers 0..C-1 (C from 2 to 5) and every class must appear.
    """
    if task not in ("binary", "multiclass", "regression"):
        raise DomainError(f"unknown task {task!r}")
    rows = list(csv.reader(io.StringIO(text)))
    points, values = [], []
    for number, row in enumerate(rows, start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 3:
            raise DomainError(f"line {number}: expected 3 columns (x1, x2, value), got {len(row)}")
        try:
            a, b, v = (float(cell) for cell in row)
        except ValueError:
            if number == 1 and not points:
                continue  # a header row
            raise DomainError(f"line {number}: {','.join(row)!r} is not three numbers") from None
        if not all(np.isfinite([a, b, v])):
            raise DomainError(f"line {number}: numbers must be finite (no NaN or infinity)")
        if max(abs(a), abs(b)) > EXTENT:
            raise DomainError(f"line {number}: x1 and x2 must lie in [-{EXTENT:g}, {EXTENT:g}]")
        points.append((a, b))
        values.append(v)
        if len(points) > max_rows:
            raise DomainError(f"at most {max_rows} rows, the file has more")
    return from_rows(np.array(points).reshape(-1, 2), np.array(values), task)


def from_rows(x: np.ndarray, y: np.ndarray, task: str) -> Dataset:
    """A data set from points ``(N, 2)`` and labels or targets ``(N,)``.

    ``task`` is ``"regression"`` or a classification (``"binary"``/``"multiclass"``: the
    number of classes decides which). Labels must be whole numbers 0..C-1, C from 2 to 5,
    and every class must appear.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2 or y.shape != (x.shape[0],):
        raise DomainError(f"points must be (N, 2) with one value each, got {x.shape}, {y.shape}")
    if x.shape[0] < 4:
        raise DomainError(f"at least 4 rows of data are needed, got {x.shape[0]}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise DomainError("points and values must be finite numbers")
    if task == "regression":
        return Dataset(x, y, task, 1)
    if not np.all(y == np.round(y)) or y.min() < 0:
        raise DomainError("labels must be whole numbers 0, 1, 2, ...")
    classes = int(y.max()) + 1
    if classes < 2 or classes > MAX_CLASSES:
        raise DomainError(f"there must be 2 to {MAX_CLASSES} classes, got {classes}")
    missing = sorted(set(range(classes)) - set(y.astype(int).tolist()))
    if missing:
        raise DomainError(f"class {missing[0]} has no point; labels must be 0..{classes - 1}")
    return Dataset(x, y, "binary" if classes == 2 else "multiclass", classes)
