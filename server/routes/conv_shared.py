"""Names, limits, conventions and helpers shared by the convolution routes (1D and images).

The ``Literal`` types are built from the registries in core, so a name is written once.
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from core import conv, equivariance, images, pooling, signals
from core.activations import ACTIVATION_NAMES
from core.choices import Choice

ImageName = Literal[images.IMAGE_NAMES]  # type: ignore[valid-type]
ColourImageName = Literal[images.COLOUR_IMAGE_NAMES]  # type: ignore[valid-type]
KernelName = Literal[images.KERNEL_NAMES]  # type: ignore[valid-type]
PaddingName = Literal[conv.PADDINGS]  # type: ignore[valid-type]
DtypeName = Literal[conv.DTYPES]  # type: ignore[valid-type]
SignalName = Literal[signals.SIGNAL_NAMES]  # type: ignore[valid-type]
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
PoolKindName = Literal[pooling.POOL_KINDS]  # type: ignore[valid-type]
PoolingName = Literal[equivariance.POOLINGS]  # type: ignore[valid-type]

Weight = Annotated[float, Field(ge=-100, le=100)]
Sample = Annotated[float, Field(ge=-1000, le=1000)]
Pixel = Annotated[float, Field(ge=-1000, le=1000)]

MAX_SIDE = 256  # largest side of an image sent or generated for the image routes
MIN_SIDE = 8

CONVENTIONS = """
**Conventions** (the same as PyTorch's `torch.nn.functional.conv1d` / `conv2d`):

- *Cross-correlation*: the kernel is not flipped. Output i of a 1D layer is
  `z[i] = beta + sum_k w[k] * x[s*i + d*k - p]`; an image output (i, j) is
  `z[i, j] = beta + sum_{a,b} w[a, b] * x[s*i + d*a - p_top, s*j + d*b - p_left]`,
  with x = 0 outside the input. All indices are 0-based; images are lists of rows.
- *Stride* s places output i at input position `s*i - p` (its first tap): outputs are
  computed only there, so the output has `floor((N + p_before + p_after - E) / s) + 1`
  entries along each axis (no output is computed and then thrown away).
- *Dilation* d puts d - 1 gaps between taps: a kernel of size K spans `E = (K - 1)*d + 1`
  inputs (d = 1 is an ordinary kernel, as in PyTorch; some texts call that dilation 0).
- *Padding* `"zero"` adds `E - 1` zeros in total, `floor((E - 1) / 2)` before (left/top)
  and the rest after (right/bottom), as PyTorch's `padding="same"`; at stride 1 the output
  has the input's size. `"valid"` adds none.
- Weights are stored as in the course notes, `Omega[c_in, c_out, k]` (PyTorch stores
  `weight[c_out, c_in, k]`: swap the first two axes to compare).
- Pooling windows of P (P x P for images) start every S inputs with no padding.
"""

PADDING_DESCRIPTION = (
    "'zero': (K-1)d zeros in total, floor half before (left/top), the rest after ('same' size "
    "at stride 1); 'valid': no padding."
)
DECIMALS_DESCRIPTION = (
    "Round the image values of the answer to this many decimals (null: full double precision)."
)


def values(a: np.ndarray, decimals: int | None = None) -> list:
    """An array as nested lists, at full precision unless the caller asked for rounding."""
    a = np.asarray(a, dtype=float)
    return (a if decimals is None else np.round(a, decimals)).tolist()


def choices(table: dict[str, Choice]) -> list[dict[str, str]]:
    """A registry as [{"name", "label", "description"}, ...] for the pages."""
    return [
        {"name": c.name, "label": c.label, "description": c.description} for c in table.values()
    ]
