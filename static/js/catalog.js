// The course's labs, in the order of the notes. A lab with a `page` is built; the others are
// listed so a student sees where the course goes next.
export const LABS = [
  {
    id: "linear",
    page: "linear.html",
    chapter: "1.2",
    title: "Linear regression",
    summary: "Fit y = φ₀ + φ₁x: residuals, the loss surface, gradient descent and the exact solution.",
  },
  { id: "shallow", page: "shallow.html", chapter: "2", title: "Shallow networks", summary: "The flow of a one-hidden-layer network: pre-activations, activations, joints and linear regions." },
  { id: "activations", page: "activations.html", chapter: "2.1", title: "Activation functions", summary: "ReLU and its relatives, each with its derivative." },
  { id: "polar", page: "polar.html", chapter: "3", title: "Polar coordinates", summary: "A change of input representation makes ring data linearly separable." },
  { id: "dimensionality", page: "dimensionality.html", chapter: "3", title: "Curse of dimensionality", summary: "Grid cells go empty, coefficient counts explode, distances concentrate; data lie on a manifold." },
  { id: "approximation", page: "approximation.html", chapter: "3.1", title: "Universal approximation", summary: "More hidden units, smaller error; fixed bases against learned ones." },
  { id: "regions", page: "regions.html", chapter: "3.2", title: "Linear regions in 2D", summary: "How hidden units carve the input plane into linear regions, and how many there can be." },
  { id: "deep", chapter: "4", title: "Deep networks", summary: "Composing shallow networks folds the input and multiplies the linear regions." },
  { id: "losses", chapter: "5", title: "Loss functions", summary: "Losses from maximum likelihood: least squares, binary cross-entropy and beyond." },
  { id: "training", page: "training.html", chapter: "5.1", title: "Training: GD, SGD and momentum", summary: "Optimisers racing across convex and non-convex loss landscapes." },
  { id: "conv", page: "conv.html", chapter: "6.1", title: "Image kernels", summary: "Convolution on images: blur, sharpen, edges, and your own kernel." },
  { id: "conv1d", page: "conv1d.html", chapter: "6.2", title: "1D convolution", summary: "Stride, dilation, channels, receptive fields and equivariance." },
  { id: "backprop", chapter: "7", title: "Backpropagation", summary: "The forward pass stores activations; the backward pass reuses them for every derivative." },
];
