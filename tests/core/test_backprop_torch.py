"""The backpropagation lab against PyTorch autograd: the toy chain and the inspector."""

import numpy as np
import pytest

from core import backprop, backprop_chain, losses
from core.activations import ACTIVATION_NAMES

from .test_backprop import random_problem

torch = pytest.importorskip("torch", reason="the PyTorch oracle needs the 'torch' extra")
F = torch.nn.functional

TORCH_ACTIVATIONS = {
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, 0.1),
    "elu": F.elu,
    "softplus": F.softplus,
    "gelu": F.gelu,
    "silu": F.silu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    # A step passes a zero gradient, as in the engine (0 * z keeps the graph connected).
    "heaviside": lambda z: (z > 0).to(z.dtype) + 0 * z,
    "linear": lambda z: z,
}


def torch_loss(name, out, y, sigma):
    """Sums over examples, as the book (and core.losses' ``total``) does."""
    if name == "least_squares":
        return ((out - y) ** 2).sum()
    if name == "gaussian_nll":
        return (
            ((out[0] - y) ** 2) / (2 * sigma**2) + 0.5 * torch.log(2 * torch.pi * sigma**2 + 0 * y)
        ).sum()
    if name == "gaussian_nll_predicted":
        var = out[1] ** 2
        return (((out[0] - y) ** 2) / (2 * var) + 0.5 * torch.log(2 * torch.pi * var)).sum()
    if name == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(out[0], y, reduction="sum")
    if name == "cross_entropy":
        return F.cross_entropy(out.T, y.long(), reduction="sum")
    raise AssertionError(name)


def test_chain_matches_autograd():
    b = torch.tensor(backprop_chain.BOOK_CHAIN["betas"], dtype=torch.float64, requires_grad=True)
    w = torch.tensor(backprop_chain.BOOK_CHAIN["omegas"], dtype=torch.float64, requires_grad=True)
    x, y = backprop_chain.BOOK_CHAIN["x"], backprop_chain.BOOK_CHAIN["y"]
    f = b[3] + w[3] * torch.cos(b[2] + w[2] * torch.exp(b[1] + w[1] * torch.sin(b[0] + w[0] * x)))
    ((f - y) ** 2).backward()
    chain = backprop_chain.chain_backprop(**backprop_chain.BOOK_CHAIN)
    np.testing.assert_allclose(chain.dl_dbetas, b.grad.numpy(), rtol=1e-13)
    np.testing.assert_allclose(chain.dl_domegas, w.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize("loss", list(losses.LOSSES))
@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_inspector_matches_autograd(activation, loss):
    net, x, y = random_problem(activation, loss, seed=7, depth=3, width=5, n=4)
    sigma = 0.8
    result = backprop.inspect(net, x, y, loss, sigma=sigma)
    betas = [torch.tensor(b, requires_grad=True) for b in net.betas]
    omegas = [torch.tensor(o, requires_grad=True) for o in net.omegas]
    fs = []
    h = torch.tensor(x)
    for k in range(len(omegas)):
        f = betas[k][:, None] + omegas[k] @ h
        f.retain_grad()
        fs.append(f)
        if k < net.depth:
            h = TORCH_ACTIVATIONS[activation](f)
    total = torch_loss(loss, fs[-1], torch.tensor(y), sigma)
    total.backward()
    # GELU: torch uses the exact erf, the engine an approximation good to 1.5e-7.
    rtol, atol = (1e-4, 1e-6) if activation == "gelu" else (1e-10, 1e-12)
    np.testing.assert_allclose(result.loss.total, total.item(), rtol=rtol)
    for k in range(net.depth + 1):
        np.testing.assert_allclose(result.gradients.dl_df[k], fs[k].grad.numpy(), rtol, atol)
        np.testing.assert_allclose(result.gradients.dl_dbetas[k], betas[k].grad.numpy(), rtol, atol)
        np.testing.assert_allclose(
            result.gradients.dl_domegas[k], omegas[k].grad.numpy(), rtol, atol
        )
