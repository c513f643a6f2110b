"""The one list of labs: the app, the course map, the navigation and the API bench read it.

A new lab is a core module, a route module ``server/routes/<id>.py``, one entry here, a page
and its tests. Labs in the same chapter may share a route module (``router``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from fastapi import APIRouter


@dataclass(frozen=True)
class Lab:
    """One lab of the course map.

    ``page`` is None for a chapter that has no lab yet; ``router`` names the module under
    ``server.routes`` whose ``router`` serves the lab's API (None when it has none).
    """

    id: str
    chapter: str
    title: str
    summary: str
    page: str | None
    router: str | None


LABS: tuple[Lab, ...] = (
    Lab(
        "linear",
        "1.2",
        "Linear regression",
        "Fit y = φ₀ + φ₁x: residuals, the loss surface, gradient descent and the exact solution.",
        "linear.html",
        "linear",
    ),
    Lab(
        "shallow",
        "2",
        "Shallow networks",
        "The flow of a one-hidden-layer network: pre-activations, activations, joints and "
        "linear regions.",
        "shallow.html",
        "shallow",
    ),
    Lab(
        "activations",
        "2.1",
        "Activation functions",
        "ReLU and its relatives, each with its derivative.",
        "activations.html",
        "shallow",
    ),
    Lab(
        "polar",
        "3",
        "Polar coordinates",
        "A change of input representation makes ring data linearly separable.",
        "polar.html",
        "polar",
    ),
    Lab(
        "dimensionality",
        "3",
        "Curse of dimensionality",
        "Grid cells go empty, coefficient counts explode, distances concentrate; data lie on "
        "a manifold.",
        "dimensionality.html",
        "dimensionality",
    ),
    Lab(
        "approximation",
        "3.1",
        "Universal approximation",
        "More hidden units, smaller error; fixed bases against learned ones.",
        "approximation.html",
        "approximation",
    ),
    Lab(
        "regions",
        "3.2",
        "Linear regions in 2D",
        "How hidden units carve the input plane into linear regions, and how many there can be.",
        "regions.html",
        "shallow",
    ),
    Lab(
        "deep",
        "4",
        "Deep networks",
        "Composing shallow networks folds the input and multiplies the linear regions.",
        "deep.html",
        "deep",
    ),
    Lab(
        "losses",
        "5",
        "Loss functions",
        "Losses from maximum likelihood: least squares, binary cross-entropy and beyond.",
        "losses.html",
        "losses",
    ),
    Lab(
        "training",
        "5.1",
        "Training: GD, SGD and momentum",
        "Optimisers racing across convex and non-convex loss landscapes.",
        "training.html",
        "training",
    ),
    Lab(
        "trainer",
        "5.1",
        "Train a network in the plane",
        "Pick data, features and layers; watch the decision boundary, every unit and the "
        "losses as the network trains.",
        "trainer.html",
        "trainer",
    ),
    Lab(
        "conv",
        "6.1",
        "Image kernels",
        "Convolution on images: blur, sharpen, edges, and your own kernel.",
        "conv.html",
        "conv",
    ),
    Lab(
        "conv1d",
        "6.2",
        "1D convolution",
        "Stride, dilation, channels, receptive fields and equivariance.",
        "conv1d.html",
        "conv",
    ),
    Lab(
        "backprop",
        "7",
        "Backpropagation",
        "The forward pass stores activations; the backward pass reuses them for every derivative.",
        "backprop.html",
        "backprop",
    ),
)


def lab_routers() -> list[APIRouter]:
    """Each route module named by a lab, once, in the order of the course."""
    names = list(dict.fromkeys(lab.router for lab in LABS if lab.router))
    return [importlib.import_module(f"server.routes.{name}").router for name in names]
