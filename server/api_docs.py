"""The text at the top of the API manual (/docs): what the API is and its conventions."""

DESCRIPTION = """
The numbers behind every figure of DL Playground, an interactive companion to an introductory
deep-learning course (notation of Prince, *Understanding Deep Learning*).

Every lab has its own section. Requests are JSON; every size and range is bounded, and a request
that is out of bounds or makes no sense gets a **422** whose `detail` list says what is wrong
(`loc` names the field). Numbers in answers are always finite and at full double precision
unless the request asks for rounding (`digits`): a run that blows up stops and reports
`diverged`. Every request schema has an example: "Try it out" sends it as it stands.

## Conventions that differ between textbooks
- **Layouts.** Networks take inputs in *columns*, one per example, as in the book:
  `f_0 = beta_0 + Omega_0 x` with `x` of shape `(D_i, I)` and `Omega_k` of shape
  `(D_{k+1}, D_k)`. Class labels and every other index are **0-based**. A shallow network's
  `theta` is `(D, D_i + 1)` and `phi` is `(D_o, D + 1)`, the bias in column 0.
- **Sums and means.** The book's losses are *sums* over the training examples (least squares
  `sum_i (f_i - y_i)^2`, no factor 1/2). Answers that give a loss say which; where both are
  useful both are given (`total` = sum, `mean` = sum / I). Divide a sum's gradient by `I` to
  get the mean's. The linear-regression and training labs use the *mean* squared error, so a
  learning rate means the same whatever the number of points.
- **Convolution is cross-correlation**, as in PyTorch: the kernel is not flipped.
  Output `i` of a 1D convolution with kernel size `K`, stride `s` and dilation `d` reads inputs
  `s i + d k - p` for `k = 0..K-1`, where `p` is the left padding: stride keeps every `s`-th
  output starting at the first; dilation `d` spaces the taps `d` apart (`d = 1` is ordinary).
  Zero ("same") padding adds `(K - 1) d` zeros, the odd one on the right, as PyTorch's
  `padding="same"`. Weights use the notes' layout `Omega` in `R^{C_i x C_o x K}` (frameworks
  store `C_o x C_i x K`).
- **Momentum** uses the averaging form of Prince eq. 6.11, `m_{t+1} = beta m_t + (1 - beta) g_t`,
  `phi_{t+1} = phi_t - alpha m_{t+1}` (frameworks often omit the `1 - beta`; their learning rate
  is then `alpha (1 - beta)` in ours).
- **Derivatives at kinks** take the value the book and the frameworks use: `ReLU'(0) = 0`,
  leaky ReLU's slope at 0 is its negative-side slope.
- **Randomness** comes from a `seed` in the request: the same request gives the same answer.
"""
