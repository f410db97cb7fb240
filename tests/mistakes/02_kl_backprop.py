"""Deliberately wrong implementations for 02_kl_backprop, one common mistake each.

The grading tests replace one solution cell with ``source`` and require that the function's
test cells lose points and that a failure message contains ``expect``; ``make demo`` hands
some of them to its demo students. Not shipped to students (they sit next to solutions).
"""

MISTAKES = [
    # ------------------------------------------------------------------ one_hot
    dict(cell="one_hot", name="labels counted from 1", expect="start at 0", source='''
def one_hot(y, num_classes):
    return np.eye(num_classes)[np.asarray(y) - 1]
'''),
    dict(cell="one_hot", name="width from the largest label", expect="num_classes", source='''
def one_hot(y, num_classes):
    y = np.asarray(y)
    return np.eye(y.max() + 1)[y]
'''),
    # ------------------------------------------------------------------ entropy
    dict(cell="entropy", name="0 * log 0 gives nan", expect="0 log 0", source='''
def entropy(p, axis=-1):
    p = np.asarray(p, dtype=np.float64)
    return -np.sum(p * np.log(p), axis=axis)
'''),
    dict(cell="entropy", name="np.where still warns", expect="still evaluates np.log(0)", source='''
def entropy(p, axis=-1):
    p = np.asarray(p, dtype=np.float64)
    return -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=axis)
'''),
    dict(cell="entropy", name="log base 2", expect="natural log", source='''
def entropy(p, axis=-1):
    p = np.asarray(p, dtype=np.float64)
    log_p = np.zeros_like(p)
    np.log2(p, out=log_p, where=p > 0)
    return -np.sum(p * log_p, axis=axis)
'''),
    dict(cell="entropy", name="sums over every axis", expect="along `axis`", source='''
def entropy(p, axis=-1):
    p = np.asarray(p, dtype=np.float64)
    log_p = np.zeros_like(p)
    np.log(p, out=log_p, where=p > 0)
    return -np.sum(p * log_p)
'''),
    dict(cell="entropy", name="axis ignored (always the last)", expect="axis you are given", source='''
def entropy(p, axis=-1):
    p = np.asarray(p, dtype=np.float64)
    log_p = np.zeros_like(p)
    np.log(p, out=log_p, where=p > 0)
    return -np.sum(p * log_p, axis=-1)
'''),
    dict(cell="entropy", name="warning silenced with np.errstate", expect="silencing a warning", source='''
def entropy(p, axis=-1):
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=axis)
'''),
    # ------------------------------------------------------------------ cross_entropy
    dict(cell="cross_entropy", name="arguments swapped", expect="swapped", source='''
def cross_entropy(p, q, axis=-1):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    log_p = np.zeros_like(p)
    np.log(p, out=log_p, where=q > 0)
    return -np.sum(q * log_p, axis=axis)
'''),
    dict(cell="cross_entropy", name="log(0) where p = q = 0", expect="0 log 0", source='''
def cross_entropy(p, q, axis=-1):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return -np.sum(p * np.log(q), axis=axis)
'''),
    dict(cell="cross_entropy", name="missing minus sign", expect="sign is wrong", source='''
def cross_entropy(p, q, axis=-1):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    log_q = np.zeros_like(q)
    np.log(q, out=log_q, where=p > 0)
    return np.sum(p * log_q, axis=axis)
'''),
    dict(cell="cross_entropy", name="axis ignored (always the last)", expect="axis you are given", source='''
def cross_entropy(p, q, axis=-1):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    log_q = np.zeros_like(q)
    np.log(q, out=log_q, where=p > 0)
    return -np.sum(p * log_q, axis=-1)
'''),
    dict(cell="cross_entropy", name="warning silenced with np.errstate", expect="silencing a warning", source='''
def cross_entropy(p, q, axis=-1):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.sum(np.where(p > 0, p * np.log(q), 0.0), axis=axis)
'''),
    # ------------------------------------------------------------------ kl_divergence
    dict(cell="kl_divergence", name="arguments in the wrong order", expect="wrong order", source='''
def kl_divergence(p, q, axis=-1):
    return cross_entropy(q, p, axis=axis) - entropy(q, axis=axis)
'''),
    dict(cell="kl_divergence", name="H(p) - H(p, q)", expect="never negative", source='''
def kl_divergence(p, q, axis=-1):
    return entropy(p, axis=axis) - cross_entropy(p, q, axis=axis)
'''),
    dict(cell="kl_divergence", name="p log(p / q) with zeros", expect="0 log 0", source='''
def kl_divergence(p, q, axis=-1):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return np.sum(p * np.log(p / q), axis=axis)
'''),
    dict(cell="kl_divergence", name="axis ignored (always the last)", expect="axis you are given", source='''
def kl_divergence(p, q, axis=-1):
    return cross_entropy(p, q) - entropy(p)
'''),
    dict(cell="kl_divergence", name="warning silenced with np.errstate", expect="silencing a warning", source='''
def kl_divergence(p, q, axis=-1):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(np.where(p > 0, p * np.log(p / q), 0.0), axis=axis)
'''),
    # ------------------------------------------------------------------ softmax_loss_naive
    dict(cell="softmax_loss_naive", name="sum instead of mean", expect="mean over the N examples", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N, D = X.shape
    C = W.shape[1]
    loss, dW = 0.0, np.zeros((D, C))
    for n in range(N):
        logits = X[n] @ W
        m = np.max(logits)
        lse = m + np.log(np.sum(np.exp(logits - m)))
        loss += lse - logits[y[n]]
        for k in range(C):
            dW[:, k] += (np.exp(logits[k] - lse) - (k == y[n])) * X[n]
    return loss + reg * np.sum(W * W), dW + 2 * reg * W
'''),
    dict(cell="softmax_loss_naive", name="regularization gradient reg * W", expect="2 * reg * W, not reg * W", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N, D = X.shape
    C = W.shape[1]
    loss, dW = 0.0, np.zeros((D, C))
    for n in range(N):
        logits = X[n] @ W
        m = np.max(logits)
        lse = m + np.log(np.sum(np.exp(logits - m)))
        loss += lse - logits[y[n]]
        for k in range(C):
            dW[:, k] += (np.exp(logits[k] - lse) - (k == y[n])) * X[n]
    return loss / N + reg * np.sum(W * W), dW / N + reg * W
'''),
    dict(cell="softmax_loss_naive", name="onehot(y) - S (sign)", expect="sign of the data gradient", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N, D = X.shape
    C = W.shape[1]
    loss, dW = 0.0, np.zeros((D, C))
    for n in range(N):
        logits = X[n] @ W
        m = np.max(logits)
        lse = m + np.log(np.sum(np.exp(logits - m)))
        loss += lse - logits[y[n]]
        for k in range(C):
            dW[:, k] += ((k == y[n]) - np.exp(logits[k] - lse)) * X[n]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_naive", name="log of an underflowed probability", expect="log-sum-exp", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N, D = X.shape
    C = W.shape[1]
    loss, dW = 0.0, np.zeros((D, C))
    for n in range(N):
        S = softmax(X[n] @ W)
        loss += -np.log(S[y[n]])
        for k in range(C):
            dW[:, k] += (S[k] - (k == y[n])) * X[n]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_naive", name="dW transposed", expect="transpose", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N, D = X.shape
    C = W.shape[1]
    loss, dW = 0.0, np.zeros((C, D))
    for n in range(N):
        logits = X[n] @ W
        m = np.max(logits)
        lse = m + np.log(np.sum(np.exp(logits - m)))
        loss += lse - logits[y[n]]
        for k in range(C):
            dW[k] += (np.exp(logits[k] - lse) - (k == y[n])) * X[n]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W.T
'''),
    dict(cell="softmax_loss_naive", name="epsilon added to S_y", expect="epsilon", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N, D = X.shape
    C = W.shape[1]
    loss, dW = 0.0, np.zeros((D, C))
    for n in range(N):
        S = softmax(X[n] @ W)
        loss += -np.log(S[y[n]] + 1e-12)
        for k in range(C):
            dW[:, k] += (S[k] - (k == y[n])) * X[n]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_naive", name="penalty 0.5 * reg * sum(W**2)", expect="without a factor 1/2", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N, D = X.shape
    C = W.shape[1]
    loss, dW = 0.0, np.zeros((D, C))
    for n in range(N):
        logits = X[n] @ W
        m = np.max(logits)
        lse = m + np.log(np.sum(np.exp(logits - m)))
        loss += lse - logits[y[n]]
        for k in range(C):
            dW[:, k] += (np.exp(logits[k] - lse) - (k == y[n])) * X[n]
    return loss / N + 0.5 * reg * np.sum(W * W), dW / N + reg * W
'''),
    dict(cell="softmax_loss_naive", name="batch maximum shared by all rows", expect="its own", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N, D = X.shape
    C = W.shape[1]
    m = np.max(X @ W)                     # one shift for the whole batch
    loss, dW = 0.0, np.zeros((D, C))
    for n in range(N):
        logits = X[n] @ W
        lse = m + np.log(np.sum(np.exp(logits - m)))
        loss += lse - logits[y[n]]
        for k in range(C):
            dW[:, k] += (np.exp(logits[k] - lse) - (k == y[n])) * X[n]
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W
'''),
    # ------------------------------------------------------------------ softmax_loss_vectorized
    dict(cell="softmax_loss_vectorized", name="loops over the batch", expect="a Python loop", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    loss, dW = 0.0, np.zeros_like(W)
    for n in range(N):
        logits = X[n] @ W
        m = np.max(logits)
        lse = m + np.log(np.sum(np.exp(logits - m)))
        loss += lse - logits[y[n]]
        g = np.exp(logits - lse)
        g[y[n]] -= 1.0
        dW += np.outer(X[n], g)
    return loss / N + reg * np.sum(W * W), dW / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_vectorized", name="sum instead of mean", expect="mean over the N examples", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    logits = X @ W
    shifted = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(shifted), axis=1))
    loss = np.sum(lse - shifted[np.arange(N), y]) + reg * np.sum(W * W)
    S = np.exp(shifted - lse[:, None])
    return loss, X.T @ (S - one_hot(y, W.shape[1])) + 2 * reg * W
'''),
    dict(cell="softmax_loss_vectorized", name="regularization gradient reg * W", expect="2 * reg * W, not reg * W", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    logits = X @ W
    shifted = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(shifted), axis=1))
    loss = np.mean(lse - shifted[np.arange(N), y]) + reg * np.sum(W * W)
    S = np.exp(shifted - lse[:, None])
    return loss, X.T @ (S - one_hot(y, W.shape[1])) / N + reg * W
'''),
    dict(cell="softmax_loss_vectorized", name="no max-shift", expect="max-shift", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    logits = X @ W
    E = np.exp(logits)
    S = E / E.sum(axis=1, keepdims=True)
    loss = np.mean(-np.log(S[np.arange(N), y])) + reg * np.sum(W * W)
    return loss, X.T @ (S - one_hot(y, W.shape[1])) / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_vectorized", name="batch maximum instead of row maximum", expect="its own", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    logits = X @ W
    shifted = logits - logits.max()
    lse = np.log(np.sum(np.exp(shifted), axis=1))
    loss = np.mean(lse - shifted[np.arange(N), y]) + reg * np.sum(W * W)
    S = np.exp(shifted - lse[:, None])
    return loss, X.T @ (S - one_hot(y, W.shape[1])) / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_vectorized", name="log of an underflowed probability", expect="log-sum-exp", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    S = softmax(X @ W, axis=1)
    loss = np.mean(-np.log(S[np.arange(N), y])) + reg * np.sum(W * W)
    return loss, X.T @ (S - one_hot(y, W.shape[1])) / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_vectorized", name="S_y clipped away from 0", expect="epsilon", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    S = softmax(X @ W, axis=1)
    loss = np.mean(-np.log(np.clip(S[np.arange(N), y], 1e-15, 1.0))) + reg * np.sum(W * W)
    return loss, X.T @ (S - one_hot(y, W.shape[1])) / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_vectorized", name="loop over the classes", expect="a Python loop", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N, C = X.shape[0], W.shape[1]
    logits = X @ W
    shifted = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(shifted), axis=1))
    loss = np.mean(lse - shifted[np.arange(N), y]) + reg * np.sum(W * W)
    G = np.exp(shifted - lse[:, None])
    for k in range(C):
        G[:, k] -= (y == k)
    return loss, X.T @ G / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_vectorized", name="one-hot by a comprehension", expect="comprehension", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N, C = X.shape[0], W.shape[1]
    logits = X @ W
    shifted = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(shifted), axis=1))
    loss = np.mean(lse - shifted[np.arange(N), y]) + reg * np.sum(W * W)
    Y = np.array([[1.0 if k == label else 0.0 for k in range(C)] for label in y])
    return loss, X.T @ (np.exp(shifted - lse[:, None]) - Y) / N + 2 * reg * W
'''),
    dict(cell="softmax_loss_vectorized", name="onehot(y) - S (sign)", expect="sign of the data gradient", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    logits = X @ W
    shifted = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.sum(np.exp(shifted), axis=1))
    loss = np.mean(lse - shifted[np.arange(N), y]) + reg * np.sum(W * W)
    S = np.exp(shifted - lse[:, None])
    return loss, X.T @ (one_hot(y, W.shape[1]) - S) / N + 2 * reg * W
'''),
    # ------------------------------------------------------------------ softmax_loss_input_grad
    dict(cell="softmax_loss_input_grad", name="W instead of W.T", expect="W.T", source='''
def softmax_loss_input_grad(W, X, y):
    G = softmax(X @ W, axis=1) - one_hot(y, W.shape[1])
    return G @ W / X.shape[0]
'''),
    dict(cell="softmax_loss_input_grad", name="sum instead of mean", expect="summed over the batch", source='''
def softmax_loss_input_grad(W, X, y):
    G = softmax(X @ W, axis=1) - one_hot(y, W.shape[1])
    return G @ W.T
'''),
    dict(cell="softmax_loss_input_grad", name="onehot(y) - S (sign)", expect="sign is flipped", source='''
def softmax_loss_input_grad(W, X, y):
    G = one_hot(y, W.shape[1]) - softmax(X @ W, axis=1)
    return G @ W.T / X.shape[0]
'''),
    dict(cell="softmax_loss_input_grad", name="batch maximum instead of row maximum", expect="its own maximum", source='''
def softmax_loss_input_grad(W, X, y):
    Z = X @ W
    E = np.exp(Z - Z.max())
    G = E / E.sum(axis=1, keepdims=True) - one_hot(y, W.shape[1])
    return G @ W.T / X.shape[0]
'''),
    dict(cell="softmax_loss_input_grad", name="no max-shift", expect="subtracts the largest logit", source='''
def softmax_loss_input_grad(W, X, y):
    E = np.exp(X @ W)
    G = E / E.sum(axis=1, keepdims=True) - one_hot(y, W.shape[1])
    return G @ W.T / X.shape[0]
'''),
    # ------------------------------------------------------------------ train_linear_softmax
    dict(cell="train_linear_softmax", name="gradient ascent (the seed's + sign)", expect="gradient ascent", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    rng = np.random.default_rng(seed)
    W = 0.001 * rng.standard_normal((X.shape[1], num_classes))
    losses = []
    for _ in range(epochs):
        loss, dW = softmax_loss_vectorized(W, X, y, reg=reg)
        losses.append(loss)
        W = W + lr * dW
    return W, np.array(losses)
'''),
    dict(cell="train_linear_softmax", name="reg not passed to the loss", expect="pass reg", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    rng = np.random.default_rng(seed)
    W = 0.001 * rng.standard_normal((X.shape[1], num_classes))
    losses = []
    for _ in range(epochs):
        loss, dW = softmax_loss_vectorized(W, X, y)
        losses.append(loss)
        W = W - lr * dW
    return W, np.array(losses)
'''),
    dict(cell="train_linear_softmax", name="one loss too many", expect="one entry per epoch", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    rng = np.random.default_rng(seed)
    W = 0.001 * rng.standard_normal((X.shape[1], num_classes))
    losses = []
    for _ in range(epochs):
        loss, dW = softmax_loss_vectorized(W, X, y, reg=reg)
        losses.append(loss)
        W = W - lr * dW
    losses.append(softmax_loss_vectorized(W, X, y, reg=reg)[0])
    return W, np.array(losses)
'''),
    dict(cell="train_linear_softmax", name="learning rate ignored", expect="lr you are given", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    rng = np.random.default_rng(seed)
    W = 0.001 * rng.standard_normal((X.shape[1], num_classes))
    losses = []
    for _ in range(epochs):
        loss, dW = softmax_loss_vectorized(W, X, y, reg=reg)
        losses.append(loss)
        W = W - dW
    return W, np.array(losses)
'''),
    dict(cell="train_linear_softmax", name="seed ignored (fixed generator)", expect="different seeds", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    rng = np.random.default_rng(0)
    W = 0.001 * rng.standard_normal((X.shape[1], num_classes))
    losses = []
    for _ in range(epochs):
        loss, dW = softmax_loss_vectorized(W, X, y, reg=reg)
        losses.append(loss)
        W = W - lr * dW
    return W, np.array(losses)
'''),
    dict(cell="train_linear_softmax", name="zero initialisation ignores the seed", expect="constant initialisation", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    W = np.zeros((X.shape[1], num_classes))
    losses = []
    for _ in range(epochs):
        loss, dW = softmax_loss_vectorized(W, X, y, reg=reg)
        losses.append(loss)
        W = W - lr * dW
    return W, np.array(losses)
'''),
    dict(cell="train_linear_softmax", name="unseeded global random state", expect="unseeded", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    W = 0.001 * np.random.standard_normal((X.shape[1], num_classes))
    losses = []
    for _ in range(epochs):
        loss, dW = softmax_loss_vectorized(W, X, y, reg=reg)
        losses.append(loss)
        W = W - lr * dW
    return W, np.array(losses)
'''),
    dict(cell="train_linear_softmax", name="loss recorded after the update", expect="after the update", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    rng = np.random.default_rng(seed)
    W = 0.001 * rng.standard_normal((X.shape[1], num_classes))
    losses = []
    for _ in range(epochs):
        dW = softmax_loss_vectorized(W, X, y, reg=reg)[1]
        W = W - lr * dW
        losses.append(softmax_loss_vectorized(W, X, y, reg=reg)[0])
    return W, np.array(losses)
'''),
    dict(cell="train_linear_softmax", name="penalty left out of the recorded loss", expect="penalty reg * sum(W**2)", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    rng = np.random.default_rng(seed)
    W = 0.001 * rng.standard_normal((X.shape[1], num_classes))
    losses = []
    for _ in range(epochs):
        losses.append(softmax_loss_vectorized(W, X, y)[0])
        W = W - lr * softmax_loss_vectorized(W, X, y, reg=reg)[1]
    return W, np.array(losses)
'''),
    # ------------------------------------------------------------------ predict
    dict(cell="predict", name="argmax over the examples", expect="axis 1", source='''
def predict(W, X):
    return np.argmax(X @ W, axis=0)
'''),
    dict(cell="predict", name="labels counted from 1", expect="start at 0", source='''
def predict(W, X):
    return np.argmax(X @ W, axis=1) + 1
'''),
    dict(cell="predict", name="float labels", expect="labels are integers", source='''
def predict(W, X):
    return np.argmax(X @ W, axis=1).astype(float)
'''),
]
