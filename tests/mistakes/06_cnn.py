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
    dict(cell="conv1d", name="an unknown mode falls back on 'same'", expect="unknown mode must raise", source='''
def conv1d(x, w, mode="full"):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    n, k = len(x), len(w)
    full = np.zeros(n + k - 1)
    for j in range(k):
        full[j:j + n] += w[j] * x
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1:n]
    start = (k - 1) // 2
    return full[start:start + n]
'''),
    dict(cell="devoir_output_size", name="counts the size after the max-pool", expect="after the max-pool", source='''
def devoir_output_size():
    height, width, channels = devoir_layer_shapes()[1]
    return int(height * width * channels)
'''),
    # --- Part E: backpropagation
    dict(cell="conv1d_backward", name="kernel not flipped in dx", expect="does not flip its kernel", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    n, k = len(x), len(w)
    start = {"full": 0, "valid": k - 1, "same": (k - 1) // 2}[mode]
    g = np.zeros(n + k - 1)
    g[start:start + len(dy)] = dy
    return conv1d(g, w, mode="valid"), conv1d(g, x[::-1], mode="valid")
'''),
    dict(cell="conv1d_backward", name="dw from the cross-correlation formula (reversed)", expect="dw is reversed", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    n, k = len(x), len(w)
    dx = conv1d(dy, w[::-1], "full")
    dw = np.array([dy @ x[j:j + len(dy)] for j in range(k)])  # sum_t g_t x_(t+j), as for a layer that does not flip
    return dx, dw
'''),
    dict(cell="conv1d_backward", name="dx in valid mode instead of full", expect="dx is too short", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    return conv1d(dy, w[::-1], "valid"), conv1d(x[::-1], dy, "valid")
'''),
    dict(cell="conv1d_backward", name="ignores the mode", expect="has the shape of x", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    return conv1d(dy, w[::-1], "full"), conv1d(x[::-1], dy, "valid")
'''),
    dict(cell="conv1d_backward", name="same aligned the other way", expect="aligned the other way", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    n, k = len(x), len(w)
    start = {"full": 0, "valid": k - 1, "same": k // 2}[mode]
    g = np.zeros(n + k - 1)
    g[start:start + len(dy)] = dy
    return conv1d(g, w[::-1], mode="valid"), conv1d(g, x[::-1], mode="valid")
'''),
    dict(cell="conv1d_backward", name="numerical gradients from course.gradcheck", expect="course.gradcheck", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    from course.gradcheck import numerical_gradient
    dx = numerical_gradient(lambda v: np.sum(dy * conv1d(v, w, mode)), x)
    dw = numerical_gradient(lambda v: np.sum(dy * conv1d(x, v, mode)), w)
    return dx, dw
'''),
    dict(cell="conv2d_backward", name="kernel flipped in dX", expect="flips its kernel", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW = W.shape[:2]
    H_out, W_out = dout.shape[1:3]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("nhwcuv,nhwo->uvco", windows, dout)
    dXp = np.zeros(Xp.shape)
    for u in range(KH):
        for v in range(KW):
            dXp[:, u:u + stride * (H_out - 1) + 1:stride, v:v + stride * (W_out - 1) + 1:stride] += dout @ W[KH - 1 - u, KW - 1 - v].T
    return dXp[:, pad:pad + H_in, pad:pad + W_in], dW, dout.sum(axis=(0, 1, 2))
'''),
    dict(cell="conv2d_backward", name="dW of the first image only (no batch sum)", expect="first image", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW = W.shape[:2]
    H_out, W_out = dout.shape[1:3]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("hwcuv,hwo->uvco", windows[0], dout[0])
    dXp = np.zeros(Xp.shape)
    for u in range(KH):
        for v in range(KW):
            dXp[:, u:u + stride * (H_out - 1) + 1:stride, v:v + stride * (W_out - 1) + 1:stride] += dout @ W[u, v].T
    return dXp[:, pad:pad + H_in, pad:pad + W_in], dW, dout.sum(axis=(0, 1, 2))
'''),
    dict(cell="conv2d_backward", name="dW averaged over the batch", expect="averaged over the batch", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW = W.shape[:2]
    H_out, W_out = dout.shape[1:3]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("nhwcuv,nhwo->uvco", windows, dout) / N
    dXp = np.zeros(Xp.shape)
    for u in range(KH):
        for v in range(KW):
            dXp[:, u:u + stride * (H_out - 1) + 1:stride, v:v + stride * (W_out - 1) + 1:stride] += dout @ W[u, v].T
    return dXp[:, pad:pad + H_in, pad:pad + W_in], dW, dout.sum(axis=(0, 1, 2))
'''),
    dict(cell="conv2d_backward", name="db averaged over batch and pixels", expect="the batch and the output pixels", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW = W.shape[:2]
    H_out, W_out = dout.shape[1:3]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("nhwcuv,nhwo->uvco", windows, dout)
    dXp = np.zeros(Xp.shape)
    for u in range(KH):
        for v in range(KW):
            dXp[:, u:u + stride * (H_out - 1) + 1:stride, v:v + stride * (W_out - 1) + 1:stride] += dout @ W[u, v].T
    return dXp[:, pad:pad + H_in, pad:pad + W_in], dW, dout.mean(axis=(0, 1, 2))
'''),
    dict(cell="conv2d_backward", name="db per image (not summed over the batch)", expect="one entry per output channel", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW = W.shape[:2]
    H_out, W_out = dout.shape[1:3]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("nhwcuv,nhwo->uvco", windows, dout)
    dXp = np.zeros(Xp.shape)
    for u in range(KH):
        for v in range(KW):
            dXp[:, u:u + stride * (H_out - 1) + 1:stride, v:v + stride * (W_out - 1) + 1:stride] += dout @ W[u, v].T
    return dXp[:, pad:pad + H_in, pad:pad + W_in], dW, dout.sum(axis=(1, 2))
'''),
    dict(cell="conv2d_backward", name="stride ignored in the backward pass", expect="stride is ignored", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW = W.shape[:2]
    H_out, W_out = dout.shape[1:3]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, :H_out, :W_out]
    dW = np.einsum("nhwcuv,nhwo->uvco", windows, dout)
    dXp = np.zeros(Xp.shape)
    for u in range(KH):
        for v in range(KW):
            dXp[:, u:u + H_out, v:v + W_out] += dout @ W[u, v].T
    return dXp[:, pad:pad + H_in, pad:pad + W_in], dW, dout.sum(axis=(0, 1, 2))
'''),
    dict(cell="conv2d_backward", name="padding not cropped from dX", expect="padded input", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    KH, KW = W.shape[:2]
    H_out, W_out = dout.shape[1:3]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("nhwcuv,nhwo->uvco", windows, dout)
    dXp = np.zeros(Xp.shape)
    for u in range(KH):
        for v in range(KW):
            dXp[:, u:u + stride * (H_out - 1) + 1:stride, v:v + stride * (W_out - 1) + 1:stride] += dout @ W[u, v].T
    return dXp, dW, dout.sum(axis=(0, 1, 2))
'''),
    dict(cell="conv2d_backward", name="numerical gradients from course.gradcheck", expect="course.gradcheck", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    import course.gradcheck as gc
    loss = lambda X_, W_, b_: np.sum(dout * conv2d(X_, W_, b_, stride, pad))
    return (gc.numerical_gradient(lambda v: loss(v, W, b), X), gc.numerical_gradient(lambda v: loss(X, v, b), W),
            gc.numerical_gradient(lambda v: loss(X, W, v), b))
'''),
    dict(cell="maxpool2d_backward", name="gradient spread over the window (average pooling)", expect="average pooling", source='''
def maxpool2d_backward(dout, X, k=2, s=2):
    H_out, W_out = dout.shape[1:3]
    dX = np.zeros(X.shape)
    for u in range(k):
        for v in range(k):
            dX[:, u:u + s * (H_out - 1) + 1:s, v:v + s * (W_out - 1) + 1:s] += dout / k ** 2
    return dX
'''),
    dict(cell="maxpool2d_backward", name="dout copied to the whole window", expect="copied dout", source='''
def maxpool2d_backward(dout, X, k=2, s=2):
    H_out, W_out = dout.shape[1:3]
    dX = np.zeros(X.shape)
    for u in range(k):
        for v in range(k):
            dX[:, u:u + s * (H_out - 1) + 1:s, v:v + s * (W_out - 1) + 1:s] += dout
    return dX
'''),
    dict(cell="maxpool2d_backward", name="gradient sent to the first element", expect="first (top-left)", source='''
def maxpool2d_backward(dout, X, k=2, s=2):
    H_out, W_out = dout.shape[1:3]
    dX = np.zeros(X.shape)
    dX[:, 0:s * (H_out - 1) + 1:s, 0:s * (W_out - 1) + 1:s] += dout
    return dX
'''),
    dict(cell="maxpool2d_backward", name="mask not multiplied by dout", expect="multiply by the upstream gradient", source='''
def maxpool2d_backward(dout, X, k=2, s=2):
    windows = sliding_window_view(X, (k, k), axis=(1, 2))[:, ::s, ::s]
    H_out, W_out = windows.shape[1:3]
    P = windows.max(axis=(-2, -1))
    dX = np.zeros(X.shape)
    for u in range(k):
        for v in range(k):
            dX[:, u:u + s * (H_out - 1) + 1:s, v:v + s * (W_out - 1) + 1:s] += (windows[..., u, v] == P)
    return dX
'''),
    dict(cell="maxpool2d_backward", name="overlapping windows overwrite instead of adding", expect="windows overlap", source='''
def maxpool2d_backward(dout, X, k=2, s=2):
    N, H_in, W_in, C = X.shape
    H_out, W_out = dout.shape[1:3]
    dX = np.zeros(X.shape)
    for i in range(H_out):
        for j in range(W_out):
            best = X[:, i * s:i * s + k, j * s:j * s + k, :].reshape(N, k * k, C).argmax(axis=1)
            for n in range(N):
                for c in range(C):
                    u, v = divmod(int(best[n, c]), k)
                    dX[n, i * s + u, j * s + v, c] = dout[n, i, j, c]  # = where += belongs
    return dX
'''),
    dict(cell="maxpool2d_backward", name="numerical gradient from course.gradcheck", expect="course.gradcheck", source='''
def maxpool2d_backward(dout, X, k=2, s=2):
    from course.gradcheck import numerical_gradient
    return numerical_gradient(lambda v: np.sum(dout * maxpool2d(v, k, s)), X)
'''),
]
