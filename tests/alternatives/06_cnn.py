"""Correct implementations of 06_cnn written differently from the model answer: each must keep full marks.

The grading tests replace one solution cell with ``source`` and require full marks on every
autograded cell. They cover the fair-grading cases of issue 15 for this notebook: other exception
types for an unknown mode, answers that do not call the student's other functions (hard-coded
correct numbers), loops over kernel offsets where only loops over output pixels are banned,
im2col, einsum vs tensordot, np.pad vs manual padding, convolution by explicit sums or by FFT,
max-pooling by reshape, and backward passes by np.add.at, by Toeplitz matrices, by the
transposed convolution, and by the library functions the exercise does not forbid.
"""

ALTERNATIVES = [
    # ------------------------------------------------------------------ Part A: sizes
    dict(cell="conv_output_size", name="math.floor of a true division", source='''
def conv_output_size(i, k, s=1, p=0, d=1):
    import math
    return math.floor((i + 2 * p - d * (k - 1) - 1) / s) + 1
'''),
    dict(cell="conv_output_size", name="counts the positions with range", source='''
def conv_output_size(i, k, s=1, p=0, d=1):
    last_start = i + 2 * p - (d * (k - 1) + 1)
    return len(range(0, last_start + 1, s))
'''),
    dict(cell="pool_output_size", name="reuses conv_output_size", source='''
def pool_output_size(i, k, s=None):
    return conv_output_size(i, k, s=k if s is None else s)
'''),
    dict(cell="pool_output_size", name="numpy floor, s or k", source='''
def pool_output_size(i, k, s=None):
    return int(np.floor((i - k) / (s or k))) + 1
'''),
    dict(cell="devoir_layer_shapes", name="hard-coded correct shapes", source='''
def devoir_layer_shapes():
    return [(64, 64, 32), (32, 32, 32), (32, 32, 64)]
'''),
    dict(cell="devoir_layer_shapes", name="numpy arithmetic, lists instead of tuples", source='''
def devoir_layer_shapes():
    h1 = np.int64((128 + 2 * 3 - 8) // 2 + 1)
    h2 = h1 // 2
    h3 = h2 + 2 - 3 + 1
    return [[h1, h1, 32], [h2, h2, 32], [h3, h3, 64]]
'''),
    dict(cell="devoir_output_size", name="hard-coded 65536", source='''
def devoir_output_size():
    return 65536
'''),
    dict(cell="devoir_output_size", name="np.prod of the last shape (numpy int)", source='''
def devoir_output_size():
    return np.prod(devoir_layer_shapes()[-1])
'''),
    dict(cell="conv2d", name="im2col and one matrix product", source='''
def conv2d(X, W, b, stride=1, pad=0):
    N = X.shape[0]
    KH, KW, C_in, C_out = W.shape
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    cols = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]  # (N, H_out, W_out, C_in, KH, KW)
    H_out, W_out = cols.shape[1:3]
    cols = cols.transpose(0, 1, 2, 4, 5, 3).reshape(N * H_out * W_out, KH * KW * C_in)
    return (cols @ W.reshape(KH * KW * C_in, C_out) + b).reshape(N, H_out, W_out, C_out)
'''),
    dict(cell="conv2d", name="shift and add over the kernel offsets, manual padding", source='''
def conv2d(X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW, _, C_out = W.shape
    Xp = np.zeros((N, H_in + 2 * pad, W_in + 2 * pad, C_in))
    Xp[:, pad:pad + H_in, pad:pad + W_in, :] = X
    H_out = (H_in + 2 * pad - KH) // stride + 1
    W_out = (W_in + 2 * pad - KW) // stride + 1
    Z = np.zeros((N, H_out, W_out, C_out)) + b
    for u in range(KH):
        for v in range(KW):
            Z += Xp[:, u:u + stride * H_out:stride, v:v + stride * W_out:stride, :] @ W[u, v]
    return Z
'''),
    dict(cell="conv2d", name="tensordot over the windows", source='''
def conv2d(X, W, b, stride=1, pad=0):
    Xp = np.pad(X, [(0, 0), (pad, pad), (pad, pad), (0, 0)], mode="constant")
    windows = sliding_window_view(Xp, W.shape[:2], axis=(1, 2))[:, ::stride, ::stride]
    return np.tensordot(windows, W, axes=([3, 4, 5], [2, 0, 1])) + b
'''),
    dict(cell="maxpool2d", name="reshape when k == s, windows otherwise", source='''
def maxpool2d(X, k=2, s=2):
    N, H_in, W_in, C = X.shape
    H_out, W_out = (H_in - k) // s + 1, (W_in - k) // s + 1
    if k == s:
        return X[:, :H_out * k, :W_out * k].reshape(N, H_out, k, W_out, k, C).max(axis=(2, 4))
    return sliding_window_view(X, (k, k), axis=(1, 2))[:, ::s, ::s].max(axis=(4, 5))
'''),
    dict(cell="maxpool2d", name="running maximum over the window offsets", source='''
def maxpool2d(X, k=2, s=2):
    N, H_in, W_in, C = X.shape
    H_out, W_out = (H_in - k) // s + 1, (W_in - k) // s + 1
    P = np.full((N, H_out, W_out, C), -np.inf)
    for u in range(k):
        for v in range(k):
            np.maximum(P, X[:, u:u + s * (H_out - 1) + 1:s, v:v + s * (W_out - 1) + 1:s, :], out=P)
    return P
'''),
    dict(cell="devoir_forward", name="a loop over the layers", source='''
def devoir_forward(X, params):
    out = X
    for layer in ("conv1", "pool", "conv2"):
        if layer == "conv1":
            out = conv2d(out, params["W1"], params["b1"], stride=2, pad=3)
        elif layer == "pool":
            out = maxpool2d(out)
        else:
            out = conv2d(out, params["W2"], params["b2"], pad=1)
    return out
'''),
    # ------------------------------------------------------------------ Part B
    dict(cell="conv_param_count", name="np.prod and a boolean times c_out", source='''
def conv_param_count(kh, kw, c_in, c_out, bias=False):
    return int(np.prod([kh, kw, c_in, c_out])) + c_out * bool(bias)
'''),
    # ------------------------------------------------------------------ Part C: conv1d
    dict(cell="conv1d", name="dict of slices: KeyError for an unknown mode", source='''
def conv1d(x, w, mode="full"):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    n, k = len(x), len(w)
    full = np.zeros(n + k - 1)
    for j, weight in enumerate(w):
        full[j:j + n] += weight * x
    keep = {"full": slice(0, n + k - 1), "valid": slice(k - 1, n), "same": slice((k - 1) // 2, (k - 1) // 2 + n)}
    return full[keep[mode]]
'''),
    dict(cell="conv1d", name="explicit double sum, TypeError for an unknown mode", source='''
def conv1d(x, w, mode="full"):
    n, k = len(x), len(w)
    if mode not in ("full", "valid", "same"):
        raise TypeError("mode must be 'full', 'valid' or 'same'")
    full = []
    for m in range(n + k - 1):
        total = 0.0
        for j in range(k):
            if 0 <= m - j < n:
                total += w[j] * x[m - j]
        full.append(total)
    full = np.array(full)
    if mode == "full":
        return full
    if mode == "valid":
        return full[k - 1:n]
    start = (k - 1) // 2
    return full[start:start + n]
'''),
    dict(cell="conv1d", name="sliding windows of the zero-padded signal, flipped kernel", source='''
def conv1d(x, w, mode="full"):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    n, k = x.size, w.size
    padded = np.pad(x, k - 1)
    full = sliding_window_view(padded, k) @ w[::-1]
    bounds = {"full": (0, n + k - 1), "valid": (k - 1, n), "same": ((k - 1) // 2, (k - 1) // 2 + n)}
    if mode not in bounds:
        raise ValueError(mode)
    start, stop = bounds[mode]
    return full[start:stop]
'''),
    dict(cell="conv1d", name="FFT product (numpy.fft), assert on the mode", source='''
def conv1d(x, w, mode="full"):
    assert mode in ("full", "valid", "same"), f"unknown mode {mode}"
    n, k = len(x), len(w)
    length = n + k - 1
    full = np.fft.irfft(np.fft.rfft(x, length) * np.fft.rfft(w, length), length)
    start, size = {"full": (0, length), "valid": (k - 1, n - k + 1), "same": ((k - 1) // 2, n)}[mode]
    return full[start:start + size]
'''),
    dict(cell="conv1d", name="Toeplitz matrix product", source='''
def conv1d(x, w, mode="full"):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    n, k = len(x), len(w)
    T = np.zeros((n + k - 1, n))
    for i in range(n):
        T[i:i + k, i] = w  # column i: x_i spreads into the outputs i .. i + k - 1
    full = T @ x
    if mode == "full":
        return full
    elif mode == "valid":
        return full[k - 1:n]
    elif mode == "same":
        return full[(k - 1) // 2:(k - 1) // 2 + n]
    raise ValueError("unknown mode")
'''),
    # ------------------------------------------------------------------ Part E: backward passes
    dict(cell="conv1d_backward", name="mode by mode, with full and valid conv1d", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    x, w, dy = np.asarray(x, float), np.asarray(w, float), np.asarray(dy, float)
    n, k = len(x), len(w)
    if mode == "valid":
        return conv1d(dy, w[::-1], "full"), conv1d(x[::-1], dy, "valid")
    if mode == "full":
        return conv1d(dy, w[::-1], "valid"), conv1d(dy, x[::-1], "valid")
    if mode == "same":
        g = np.zeros(n + k - 1)
        g[(k - 1) // 2:(k - 1) // 2 + n] = dy
        return conv1d(g, w[::-1], "valid"), conv1d(g, x[::-1], "valid")
    raise ValueError(mode)
'''),
    dict(cell="conv1d_backward", name="explicit sums over the full output", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    n, k = len(x), len(w)
    offset = {"full": 0, "valid": k - 1, "same": (k - 1) // 2}[mode]
    dx, dw = np.zeros(n), np.zeros(k)
    for t in range(len(dy)):
        m = t + offset  # y[t] is full[m] = sum_j w[j] x[m - j]
        for j in range(k):
            if 0 <= m - j < n:
                dx[m - j] += dy[t] * w[j]
                dw[j] += dy[t] * x[m - j]
    return dx, dw
'''),
    dict(cell="conv1d_backward", name="np.correlate (not banned here)", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    n, k = len(x), len(w)
    start = {"full": 0, "valid": k - 1, "same": (k - 1) // 2}[mode]
    g = np.zeros(n + k - 1)
    g[start:start + len(dy)] = dy
    return np.correlate(g, w, "valid"), np.correlate(g, x, "valid")
'''),
    dict(cell="conv1d_backward", name="transposed Toeplitz matrices", source='''
def conv1d_backward(dy, x, w, mode="valid"):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    n, k = len(x), len(w)
    rows = {"full": slice(0, n + k - 1), "valid": slice(k - 1, n), "same": slice((k - 1) // 2, (k - 1) // 2 + n)}[mode]
    by_x, by_w = np.zeros((n + k - 1, n)), np.zeros((n + k - 1, k))
    for i in range(n):
        by_x[i:i + k, i] = w  # full = by_x @ x
    for j in range(k):
        by_w[j:j + n, j] = x  # full = by_w @ w
    return by_x[rows].T @ dy, by_w[rows].T @ dy
'''),
    dict(cell="conv2d_backward", name="np.add.at, one output pixel at a time", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW, _, C_out = W.shape
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    dXp, dW = np.zeros_like(Xp), np.zeros_like(W)
    for i in range(dout.shape[1]):
        for j in range(dout.shape[2]):
            r, c = i * stride, j * stride
            patch = Xp[:, r:r + KH, c:c + KW, :]
            dW += np.tensordot(patch, dout[:, i, j, :], axes=([0], [0]))
            np.add.at(dXp, (slice(None), slice(r, r + KH), slice(c, c + KW), slice(None)),
                      np.tensordot(dout[:, i, j, :], W, axes=([1], [3])))
    return dXp[:, pad:pad + H_in, pad:pad + W_in, :], dW, dout.sum(axis=(0, 1, 2))
'''),
    dict(cell="conv2d_backward", name="transposed convolution with the student's conv2d", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW, _, C_out = W.shape
    H_out, W_out = dout.shape[1:3]
    # dX: insert stride - 1 zeros between the entries of dout, pad by the kernel size - 1, and
    # correlate with the flipped kernels whose input and output channels are swapped
    dilated = np.zeros((N, (H_out - 1) * stride + 1, (W_out - 1) * stride + 1, C_out))
    dilated[:, ::stride, ::stride, :] = dout
    dilated = np.pad(dilated, ((0, 0), (KH - 1, KH - 1), (KW - 1, KW - 1), (0, 0)))
    covered = conv2d(dilated, W[::-1, ::-1].transpose(0, 1, 3, 2), np.zeros(C_in))
    dXp = np.zeros((N, H_in + 2 * pad, W_in + 2 * pad, C_in))
    dXp[:, :covered.shape[1], :covered.shape[2], :] = covered
    # dW: the valid cross-correlation of the padded input with dout
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    windows = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    dW = np.einsum("nhwcuv,nhwo->uvco", windows, dout)
    return dXp[:, pad:pad + H_in, pad:pad + W_in], dW, np.einsum("nhwo->o", dout)
'''),
    dict(cell="conv2d_backward", name="im2col and col2im", source='''
def conv2d_backward(dout, X, W, b, stride=1, pad=0):
    N, H_in, W_in, C_in = X.shape
    KH, KW, _, C_out = W.shape
    H_out, W_out = dout.shape[1:3]
    Xp = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    cols = sliding_window_view(Xp, (KH, KW), axis=(1, 2))[:, ::stride, ::stride]
    cols = cols.transpose(0, 1, 2, 4, 5, 3).reshape(-1, KH * KW * C_in)      # one row per output pixel
    g = dout.reshape(-1, C_out)
    dW = (cols.T @ g).reshape(KH, KW, C_in, C_out)
    dcols = (g @ W.reshape(-1, C_out).T).reshape(N, H_out, W_out, KH, KW, C_in)
    n, i, j, u, v = np.indices((N, H_out, W_out, KH, KW))
    dXp = np.zeros(Xp.shape)
    np.add.at(dXp, (n, i * stride + u, j * stride + v), dcols)
    return dXp[:, pad:pad + H_in, pad:pad + W_in], dW, g.sum(axis=0)
'''),
    dict(cell="maxpool2d_backward", name="np.add.at at the argmax of each window", source='''
def maxpool2d_backward(dout, X, k=2, s=2):
    N, H_in, W_in, C = X.shape
    H_out, W_out = dout.shape[1:3]
    windows = sliding_window_view(X, (k, k), axis=(1, 2))[:, ::s, ::s].reshape(N, H_out, W_out, C, k * k)
    best = windows.argmax(axis=-1)                                            # (N, H_out, W_out, C)
    n, i, j, c = np.indices(best.shape)
    dX = np.zeros(X.shape)
    np.add.at(dX, (n, i * s + best // k, j * s + best % k, c), dout)
    return dX
'''),
    dict(cell="maxpool2d_backward", name="reshape one-hot when k == s, loops otherwise", source='''
def maxpool2d_backward(dout, X, k=2, s=2):
    N, H_in, W_in, C = X.shape
    H_out, W_out = dout.shape[1:3]
    dX = np.zeros_like(X, dtype=float)
    if k == s:
        blocks = X[:, :H_out * k, :W_out * k].reshape(N, H_out, k, W_out, k, C)
        is_max = blocks == blocks.max(axis=(2, 4), keepdims=True)
        dX[:, :H_out * k, :W_out * k] = (is_max * dout[:, :, None, :, None, :]).reshape(N, H_out * k, W_out * k, C)
        return dX
    for n in range(N):
        for i in range(H_out):
            for j in range(W_out):
                for c in range(C):
                    window = X[n, i * s:i * s + k, j * s:j * s + k, c]
                    u, v = np.unravel_index(np.argmax(window), window.shape)
                    dX[n, i * s + u, j * s + v, c] += dout[n, i, j, c]
    return dX
'''),
]
