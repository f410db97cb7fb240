"""Correct implementations for 02_kl_backprop written differently from the model answer.

Each replaces one solution cell (``cell``) with ``source`` and must keep FULL marks on every
autograded cell: other stable formulas (np.logaddexp.reduce, scipy's logsumexp, log_softmax,
xlogy, rel_entr), einsum instead of matrix products, np.add.at instead of a one-hot matrix,
loops where loops are allowed, other valid seeded initialisations, and the code style of public
cs231n solutions (e.g. the seed's own GitHub repository) adapted to our signatures.
"""

ALTERNATIVES = [
    # ------------------------------------------------------------------ one_hot
    dict(cell="one_hot", name="rows of the identity", source='''
def one_hot(y, num_classes):
    return np.eye(num_classes)[np.asarray(y)]
'''),
    dict(cell="one_hot", name="broadcast comparison", source='''
def one_hot(y, num_classes):
    y = np.asarray(y)
    return (y[:, None] == np.arange(num_classes)[None, :]).astype(np.float64)
'''),
    # ------------------------------------------------------------------ entropy
    dict(cell="entropy", name="log of a safe copy (np.where on the argument)", source='''
def entropy(p, axis=-1):
    p = np.asarray(p, dtype=np.float64)
    safe = np.where(p > 0, p, 1.0)          # log(1) = 0 where p = 0: no log(0) is ever evaluated
    return -np.sum(p * np.log(safe), axis=axis)
'''),
    dict(cell="entropy", name="scipy.special.xlogy", source='''
from scipy.special import xlogy

def entropy(p, axis=-1):
    return -np.sum(xlogy(p, p), axis=axis)
'''),
    dict(cell="entropy", name="masked logarithm, axis moved last", source='''
def entropy(p, axis=-1):
    p = np.moveaxis(np.asarray(p, dtype=np.float64), axis, -1)
    log_p = np.ma.log(p).filled(0.0)
    return -(p * log_p).sum(axis=-1)
'''),
    dict(cell="entropy", name="scipy.stats.entropy", source='''
import scipy.stats

def entropy(p, axis=-1):
    return scipy.stats.entropy(p, axis=axis)
'''),
    # ------------------------------------------------------------------ cross_entropy
    dict(cell="cross_entropy", name="scipy.special.xlogy", source='''
from scipy.special import xlogy

def cross_entropy(p, q, axis=-1):
    return -np.sum(xlogy(p, q), axis=axis)
'''),
    dict(cell="cross_entropy", name="log of q replaced by 1 where p = 0", source='''
def cross_entropy(p, q, axis=-1):
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    return -(p * np.log(np.where(p > 0, q, 1.0))).sum(axis=axis)
'''),
    dict(cell="cross_entropy", name="boolean mask on a copy", source='''
def cross_entropy(p, q, axis=-1):
    p = np.array(p, dtype=np.float64)
    q = np.array(q, dtype=np.float64)
    terms = np.zeros_like(p)
    mask = p > 0
    terms[mask] = p[mask] * np.log(q[mask])
    return -terms.sum(axis=axis)
'''),
    # ------------------------------------------------------------------ kl_divergence
    dict(cell="kl_divergence", name="scipy.special.rel_entr", source='''
from scipy.special import rel_entr

def kl_divergence(p, q, axis=-1):
    return np.sum(rel_entr(p, q), axis=axis)
'''),
    dict(cell="kl_divergence", name="ratio with safe numerator and denominator", source='''
def kl_divergence(p, q, axis=-1):
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    positive = p > 0
    return np.sum(p * np.log(np.where(positive, p, 1.0) / np.where(positive, q, 1.0)), axis=axis)
'''),
    dict(cell="kl_divergence", name="xlogy difference", source='''
from scipy.special import xlogy

def kl_divergence(p, q, axis=-1):
    return np.sum(xlogy(p, p) - xlogy(p, q), axis=axis)
'''),
    # ------------------------------------------------------------------ softmax_loss_naive
    dict(cell="softmax_loss_naive", name="cs231n style (shifted scores, in place)", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    loss = 0.0
    dW = np.zeros_like(W)
    num_train = X.shape[0]
    num_classes = W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores -= np.max(scores)
        sum_exp = np.sum(np.exp(scores))
        loss += -scores[y[i]] + np.log(sum_exp)
        for j in range(num_classes):
            p = np.exp(scores[j]) / sum_exp
            dW[:, j] += (p - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    return loss, dW
'''),
    dict(cell="softmax_loss_naive", name="loops over features too, logaddexp", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N, D = X.shape
    C = W.shape[1]
    loss = 0.0
    dW = np.zeros((D, C))
    for n in range(N):
        z = np.zeros(C)
        for k in range(C):
            for j in range(D):
                z[k] += X[n, j] * W[j, k]
        lse = np.logaddexp.reduce(z)
        loss += lse - z[y[n]]
        for k in range(C):
            g = np.exp(z[k] - lse) - (1.0 if k == y[n] else 0.0)
            for j in range(D):
                dW[j, k] += g * X[n, j]
    penalty = 0.0
    for j in range(D):
        for k in range(C):
            penalty += W[j, k] ** 2
            dW[j, k] = dW[j, k] / N + 2 * reg * W[j, k]
    return loss / N + reg * penalty, dW
'''),
    dict(cell="softmax_loss_naive", name="per-example vector gradient with np.outer", source='''
def softmax_loss_naive(W, X, y, reg=0.0):
    N = X.shape[0]
    total, grad = 0.0, np.zeros(W.shape)
    for x_n, y_n in zip(X, y):
        z = x_n @ W
        log_probs = z - z.max() - np.log(np.exp(z - z.max()).sum())
        total -= log_probs[y_n]
        g = np.exp(log_probs)
        g[y_n] -= 1.0
        grad += np.outer(x_n, g)
    return total / N + reg * (W ** 2).sum(), grad / N + 2.0 * reg * W
'''),
    # ------------------------------------------------------------------ softmax_loss_vectorized
    dict(cell="softmax_loss_vectorized", name="einsum, logaddexp.reduce and np.add.at", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    Z = np.einsum("nd,dc->nc", X, W)
    lse = np.logaddexp.reduce(Z, axis=1)
    loss = np.mean(lse - Z[np.arange(N), y]) + reg * np.sum(W ** 2)
    G = np.exp(Z - lse[:, None])
    np.add.at(G, (np.arange(N), y), -1.0)
    dW = np.einsum("nd,nc->dc", X, G) / N + 2 * reg * W
    return loss, dW
'''),
    dict(cell="softmax_loss_vectorized", name="scipy log_softmax", source='''
from scipy.special import log_softmax

def softmax_loss_vectorized(W, X, y, reg=0.0):
    N = X.shape[0]
    log_S = log_softmax(X @ W, axis=1)
    loss = -np.mean(log_S[np.arange(N), y]) + reg * np.sum(np.square(W))
    G = np.exp(log_S)
    G[np.arange(N), y] -= 1
    return loss, X.T.dot(G) / N + reg * 2 * W
'''),
    dict(cell="softmax_loss_vectorized", name="cs231n style (in-place shift, range indexing)", source='''
def softmax_loss_vectorized(W, X, y, reg=0.0):
    num_train = X.shape[0]
    scores = X.dot(W)
    scores -= scores.max(axis=1, keepdims=True)
    exp_scores = np.exp(scores)
    sums = exp_scores.sum(axis=1, keepdims=True)
    loss = np.sum(np.log(sums).ravel() - scores[range(num_train), y]) / num_train + reg * np.sum(W * W)
    dscores = exp_scores / sums
    dscores[range(num_train), y] -= 1
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    return loss, dW
'''),
    dict(cell="softmax_loss_vectorized", name="scipy logsumexp and a comparison one-hot", source='''
from scipy.special import logsumexp

def softmax_loss_vectorized(W, X, y, reg=0.0):
    N, C = X.shape[0], W.shape[1]
    Z = X @ W
    lse = logsumexp(Z, axis=1, keepdims=True)
    Y = (y[:, None] == np.arange(C)).astype(float)
    loss = np.sum(Y * (lse - Z)) / N + reg * np.vdot(W, W)
    dW = X.T @ (np.exp(Z - lse) - Y) / N + 2 * reg * W
    return float(loss), dW
'''),
    # ------------------------------------------------------------------ softmax_loss_input_grad
    dict(cell="softmax_loss_input_grad", name="einsum and scipy softmax", source='''
from scipy.special import softmax as scipy_softmax

def softmax_loss_input_grad(W, X, y):
    N = X.shape[0]
    G = scipy_softmax(X @ W, axis=1)
    G[np.arange(N), y] -= 1.0
    return np.einsum("nc,dc->nd", G, W) / N
'''),
    dict(cell="softmax_loss_input_grad", name="(W G^T)^T with log-sum-exp probabilities", source='''
def softmax_loss_input_grad(W, X, y):
    Z = X @ W
    S = np.exp(Z - np.logaddexp.reduce(Z, axis=1, keepdims=True))
    G = S - np.eye(W.shape[1])[y]
    return (W @ G.T).T / len(y)
'''),
    dict(cell="softmax_loss_input_grad", name="own row-wise shift, np.add.at", source='''
def softmax_loss_input_grad(W, X, y):
    scores = X.dot(W)
    scores = scores - np.max(scores, axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= np.sum(probs, axis=1, keepdims=True)
    np.add.at(probs, (np.arange(X.shape[0]), y), -1)
    return probs.dot(W.T) / X.shape[0]
'''),
    # ------------------------------------------------------------------ train_linear_softmax
    dict(cell="train_linear_softmax", name="legacy global seeding, in-place update", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    np.random.seed(seed)
    W = 0.01 * np.random.randn(X.shape[1], num_classes)
    losses = np.empty(epochs)
    for epoch in range(epochs):
        losses[epoch], dW = softmax_loss_vectorized(W, X, y, reg=reg)
        W -= lr * dW
    return W, losses
'''),
    dict(cell="train_linear_softmax", name="uniform init, list of losses, inline gradient", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    rng = np.random.default_rng(seed)
    N, D = X.shape
    W = rng.uniform(-0.01, 0.01, size=(D, num_classes))
    losses = []
    for _ in range(epochs):
        Z = X @ W
        Z = Z - Z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(Z).sum(axis=1))
        losses.append(float(np.mean(lse - Z[np.arange(N), y]) + reg * np.sum(W * W)))
        G = np.exp(Z - lse[:, None])
        G[np.arange(N), y] -= 1
        W = W - lr * (X.T @ G / N + 2 * reg * W)
    return W, losses
'''),
    dict(cell="train_linear_softmax", name="normal init from rng.normal, while loop", source='''
def train_linear_softmax(X, y, num_classes, lr=1.0, epochs=200, reg=0.0, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 1e-2, size=(num_classes, X.shape[1])).T.copy()
    history = []
    epoch = 0
    while epoch < epochs:
        loss, grad = softmax_loss_vectorized(W, X, y, reg)
        history.append(loss)
        W = W - lr * grad
        epoch += 1
    return W, np.asarray(history)
'''),
    # ------------------------------------------------------------------ predict
    dict(cell="predict", name="argmax of the probabilities", source='''
def predict(W, X):
    return np.argmax(softmax(X @ W, axis=1), axis=1)
'''),
    dict(cell="predict", name="method call on the last axis", source='''
def predict(W, X):
    return X.dot(W).argmax(axis=-1)
'''),
]
