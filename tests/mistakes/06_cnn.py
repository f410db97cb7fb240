"""Deliberately wrong implementations for 06_cnn, one common mistake each.

The grading tests replace one solution cell with ``source`` and require that the function's
test cells lose points and that a failure message contains ``expect``; ``make demo`` hands
some of them to its demo students. Not shipped to students (they sit next to solutions).
"""

MISTAKES = [
    dict(cell="conv_output_size", name="off by one, no + 1", expect="off-by-one", source='''
def conv_output_size(i, k, s=1, p=0, d=1):
    return (i + 2 * p - d * (k - 1) - 1) // s
'''),
    dict(cell="conv_output_size", name="padding counted once", expect="both ends", source='''
def conv_output_size(i, k, s=1, p=0, d=1):
    return (i + p - d * (k - 1) - 1) // s + 1
'''),
    dict(cell="conv_output_size", name="dilated span d k", expect="d(k - 1) + 1", source='''
def conv_output_size(i, k, s=1, p=0, d=1):
    return (i + 2 * p - d * k) // s + 1
'''),
    dict(cell="pool_output_size", name="stride defaults to 1", expect="defaults to the window size", source='''
def pool_output_size(i, k, s=None):
    s = 1 if s is None else s
    return (i - k) // s + 1
'''),
    dict(cell="pool_output_size", name="rounds up", expect="round down", source='''
def pool_output_size(i, k, s=None):
    s = k if s is None else s
    return -(-(i - k) // s) + 1
'''),
    dict(cell="devoir_layer_shapes", name="forgets the max-pool", expect="max-pool", source='''
def devoir_layer_shapes():
    h1 = conv_output_size(128, 8, s=2, p=3)
    h3 = conv_output_size(h1, 3, s=1, p=1)
    return [(h1, h1, 32), (h1, h1, 32), (h3, h3, 64)]
'''),
    dict(cell="devoir_layer_shapes", name="pads only one side (hard-coded)", expect="both", source='''
def devoir_layer_shapes():
    return [(62, 62, 32), (31, 31, 32), (31, 31, 64)]
'''),
    dict(cell="devoir_output_size", name="forgets the channels", expect="forgot the channels", source='''
def devoir_output_size():
    height, width, channels = devoir_layer_shapes()[-1]
    return height * width
'''),
    dict(cell="conv_param_count", name="forgets the input channels", expect="input channels", source='''
def conv_param_count(kh, kw, c_in, c_out, bias=False):
    return kh * kw * c_out + (c_out if bias else 0)
'''),
    dict(cell="conv_param_count", name="one bias per input channel", expect="per output channel", source='''
def conv_param_count(kh, kw, c_in, c_out, bias=False):
    return kh * kw * c_in * c_out + (c_in if bias else 0)
'''),
    dict(cell="conv1d", name="kernel not flipped", expect="not flipped", source='''
def conv1d(x, w, mode="full"):
    n, k = len(x), len(w)
    padded = np.concatenate([np.zeros(k - 1), x, np.zeros(k - 1)])
    full = np.array([padded[m:m + k] @ w for m in range(n + k - 1)])
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1:n]
    start = (k - 1) // 2
    return full[start:start + n]
'''),
    dict(cell="conv1d", name="skips the last kernel tap", expect="wrong kernel length", source='''
def conv1d(x, w, mode="full"):
    n, k = len(x), len(w)
    full = np.zeros(n + k - 1)
    for j in range(k - 1):
        full[j:j + n] += w[j] * x
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1:n]
    start = (k - 1) // 2
    return full[start:start + n]
'''),
    dict(cell="conv1d", name="valid one entry short", expect="off-by-one", source='''
def conv1d(x, w, mode="full"):
    n, k = len(x), len(w)
    full = np.zeros(n + k - 1)
    for j in range(k):
        full[j:j + n] += w[j] * x
    if mode == "full":
        return full
    if mode == "valid":
        return full[k:n]
    start = (k - 1) // 2
    return full[start:start + n]
'''),
    dict(cell="conv1d", name="same aligned the other way", expect="aligned the other way", source='''
def conv1d(x, w, mode="full"):
    n, k = len(x), len(w)
    full = np.zeros(n + k - 1)
    for j in range(k):
        full[j:j + n] += w[j] * x
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1:n]
    return full[k // 2:k // 2 + n]
'''),
    dict(cell="conv1d", name="calls np.convolve", expect="numpy.convolve", source='''
def conv1d(x, w, mode="full"):
    return np.convolve(x, w, mode)
'''),
    dict(cell="conv2d", name="loops over output pixels", expect="a Python loop", source='''
def conv2d(X, W, b, stride=1, pad=0):
    N, H, Wd, C_in = X.shape
    KH, KW, _, C_out = W.shape
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    H_out = (H + 2 * pad - KH) // stride + 1
    W_out = (Wd + 2 * pad - KW) // stride + 1
    Z = np.zeros((N, H_out, W_out, C_out))
    for i in range(H_out):
        for j in range(W_out):
            patch = Xp[:, i * stride:i * stride + KH, j * stride:j * stride + KW, :]
            Z[:, i, j] = np.tensordot(patch, W, axes=3) + b
    return Z
'''),
    dict(cell="conv2d", name="flips the kernel", expect="flipped the kernel", source='''
def conv2d(X, W, b, stride=1, pad=0):
    W = W[::-1, ::-1]
    KH, KW = W.shape[:2]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nhwcuv,uvco->nhwo", windows, W) + b
'''),
    dict(cell="conv2d", name="ignores the stride", expect="stride is ignored", source='''
def conv2d(X, W, b, stride=1, pad=0):
    KH, KW = W.shape[:2]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))
    return np.einsum("nhwcuv,uvco->nhwo", windows, W) + b
'''),
    dict(cell="conv2d", name="forgets the bias", expect="bias", source='''
def conv2d(X, W, b, stride=1, pad=0):
    KH, KW = W.shape[:2]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    return np.einsum("nhwcuv,uvco->nhwo", windows, W)
'''),
    dict(cell="maxpool2d", name="average pooling", expect="average pooling", source='''
def maxpool2d(X, k=2, s=2):
    windows = sliding_window_view(X, (k, k), axis=(1, 2))[:, ::s, ::s]
    return windows.mean(axis=(-2, -1))
'''),
    dict(cell="maxpool2d", name="maximum starts from zero", expect="starts from 0", source='''
def maxpool2d(X, k=2, s=2):
    windows = sliding_window_view(X, (k, k), axis=(1, 2))[:, ::s, ::s]
    return np.maximum(windows.max(axis=(-2, -1)), 0.0)
'''),
    dict(cell="devoir_forward", name="forgets the max-pool", expect="max-pool", source='''
def devoir_forward(X, params):
    H1 = conv2d(X, params["W1"], params["b1"], stride=2, pad=3)
    return conv2d(H1, params["W2"], params["b2"], stride=1, pad=1)
'''),
    dict(cell="devoir_forward", name="adds a ReLU", expect="no activation", source='''
def devoir_forward(X, params):
    H1 = np.maximum(conv2d(X, params["W1"], params["b1"], stride=2, pad=3), 0.0)
    P1 = maxpool2d(H1, k=2, s=2)
    return conv2d(P1, params["W2"], params["b2"], stride=1, pad=1)
'''),
]
