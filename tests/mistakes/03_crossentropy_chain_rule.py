"""Deliberately wrong implementations for 03_crossentropy_chain_rule, one common mistake each.

The grading tests replace one solution cell with ``source`` and require that the function's
test cells lose points and that a failure message contains ``expect``. Not shipped to
students (they sit next to solutions).
"""

MISTAKES = [
    # ---------------------------------------------------------------- dense_forward
    dict(cell="dense_forward", name="forgets the bias", expect="bias b is missing", source='''
def dense_forward(A, W, b):
    return A @ W
'''),
    dict(cell="dense_forward", name="multiplies by W transposed", expect="P and Q differ", source='''
def dense_forward(A, W, b):
    return A @ W.T + b
'''),
    # ---------------------------------------------------------------- dense_backward
    dict(cell="dense_backward", name="db not summed over the batch", expect="sum dZ over the batch", source='''
def dense_backward(dZ, A, W):
    return dZ @ W.T, A.T @ dZ, dZ
'''),
    dict(cell="dense_backward", name="dW transposed", expect="transpose", source='''
def dense_backward(dZ, A, W):
    return dZ @ W.T, dZ.T @ A, dZ.sum(axis=0)
'''),
    dict(cell="dense_backward", name="dA without the transpose of W", expect="P and Q differ", source='''
def dense_backward(dZ, A, W):
    return dZ @ W, A.T @ dZ, dZ.sum(axis=0)
'''),
    dict(cell="dense_backward", name="divides by N again", expect="already inside dZ", source='''
def dense_backward(dZ, A, W):
    N = A.shape[0]
    return dZ @ W.T, A.T @ dZ / N, dZ.mean(axis=0)
'''),
    # ---------------------------------------------------------------- softmax_cross_entropy
    dict(cell="softmax_cross_entropy", name="dZ without the 1/N", expect="forgot to divide by N", source='''
def softmax_cross_entropy(Z, Y):
    N = Z.shape[0]
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(Y * log_probs) / N), np.exp(log_probs) - Y
'''),
    dict(cell="softmax_cross_entropy", name="loss summed over the batch", expect="mean over the batch", source='''
def softmax_cross_entropy(Z, Y):
    N = Z.shape[0]
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(Y * log_probs)), (np.exp(log_probs) - Y) / N
'''),
    dict(cell="softmax_cross_entropy", name="log of underflowed probabilities", expect="log-softmax", source='''
def softmax_cross_entropy(Z, Y):
    N = Z.shape[0]
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    return float(-np.sum(Y * np.log(P)) / N), (P - Y) / N
'''),
    dict(cell="softmax_cross_entropy", name="soft targets treated as one-hot", expect="soft", source='''
def softmax_cross_entropy(Z, Y):
    N, C = Z.shape
    Y = np.eye(C)[Y.argmax(axis=1)]
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(Y * log_probs) / N), (np.exp(log_probs) - Y) / N
'''),
    # ---------------------------------------------------------------- softmax_loss_graph
    dict(cell="softmax_loss_graph", name="forgets the 1/N of the mean node", expect="forgot to divide by N", source='''
def softmax_loss_graph(S, y):
    N = S.shape[0]
    rows = np.arange(N)
    m = S.max(axis=1, keepdims=True)
    T = S - m
    E = np.exp(T)
    sigma = E.sum(axis=1, keepdims=True)
    logp = T[rows, y] - np.log(sigma[:, 0])
    loss = -logp.mean()
    dlogp = -np.ones(N)
    dT = E * (-dlogp / sigma[:, 0])[:, None]
    dT[rows, y] += dlogp
    dS = dT.copy()
    dS[rows, S.argmax(axis=1)] -= dT.sum(axis=1)
    return float(loss), dS
'''),
    dict(cell="softmax_loss_graph", name="no max-shift", expect="max-shift", source='''
def softmax_loss_graph(S, y):
    N = S.shape[0]
    rows = np.arange(N)
    E = np.exp(S)
    sigma = E.sum(axis=1, keepdims=True)
    p = E[rows, y] / sigma[:, 0]
    loss = -np.log(p).mean()
    dp = -1.0 / (N * p)
    dE = np.zeros_like(E)
    dE[rows, y] += dp / sigma[:, 0]
    dE += (-dp * p / sigma[:, 0])[:, None]
    return float(loss), dE * E
'''),
    dict(cell="softmax_loss_graph", name="divides by an underflowed probability", expect="underflow", source='''
def softmax_loss_graph(S, y):
    N = S.shape[0]
    rows = np.arange(N)
    m = S.max(axis=1, keepdims=True)
    T = S - m
    E = np.exp(T)
    sigma = E.sum(axis=1, keepdims=True)
    p = E[rows, y] / sigma[:, 0]
    loss = -np.log(p).mean()
    dlogp = np.full(N, -1.0 / N)
    dp = dlogp / p
    dE = np.zeros_like(E)
    dE[rows, y] += dp / sigma[:, 0]
    dE += (-dp * p / sigma[:, 0])[:, None]
    dT = dE * E
    dS = dT.copy()
    dS[rows, S.argmax(axis=1)] -= dT.sum(axis=1)
    return float(loss), dS
'''),
    dict(cell="softmax_loss_graph", name="max-node gradient overwrites the direct one", expect="not replace it", source='''
def softmax_loss_graph(S, y):
    N = S.shape[0]
    rows = np.arange(N)
    m = S.max(axis=1, keepdims=True)
    T = S - m
    E = np.exp(T)
    sigma = E.sum(axis=1, keepdims=True)
    logp = T[rows, y] - np.log(sigma[:, 0])
    loss = -logp.mean()
    dlogp = np.full(N, -1.0 / N)
    dT = E * (-dlogp / sigma[:, 0])[:, None]
    dT[rows, y] += dlogp
    dS = dT.copy()
    dS[rows, S.argmax(axis=1)] = -dT.sum(axis=1)
    return float(loss), dS
'''),
    dict(cell="softmax_loss_graph", name="(N,) times (N, C) broadcast along the columns", expect="broadcast", source='''
def softmax_loss_graph(S, y):
    N = S.shape[0]
    rows = np.arange(N)
    stable = S - np.max(S, axis=1, keepdims=True)
    softmax = np.exp(stable) / np.sum(np.exp(stable), axis=1, keepdims=True)
    loss = -np.mean(np.log(softmax[rows, y]))
    dsoftmax = -1 / (N * softmax[rows, y])
    dstable = -softmax[rows, y] * softmax
    dstable[rows, y] += softmax[rows, y]
    dstable *= dsoftmax
    dS = dstable.copy()
    dS[rows, np.argmax(S, axis=1)] -= np.sum(dstable, axis=1)
    return float(loss), dS
'''),
    dict(cell="softmax_loss_graph", name="forgets the path through the sum node", expect="sum node", source='''
def softmax_loss_graph(S, y):
    N = S.shape[0]
    rows = np.arange(N)
    T = S - S.max(axis=1, keepdims=True)
    logp = T[rows, y] - np.log(np.exp(T).sum(axis=1))
    dS = np.zeros_like(S)
    dS[rows, y] = -1.0 / N
    return float(-logp.mean()), dS
'''),
]
