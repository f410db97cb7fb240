"""Correct implementations for 05_mlp_gradients written differently from the model answer.

Each replaces one solution cell and must keep FULL marks on every test cell: other stable
formulas (np.logaddexp, log1p, tanh, SciPy's expit / logsumexp / softmax), einsum instead of
matrix products, the devoir's column vectors, loops over the batch (no requirement forbids
them), in-place updates of a copy (never of the caller's arrays), cs231n-style code adapted to
our signatures, other valid orders of drawing the initial weights, and a training loop that
records the loss its own way. Not shipped to students.
"""

ALTERNATIVES = [
    # ------------------------------------------------------------------ init_mlp
    dict(cell="init_mlp", name="standard normal scaled by 1/sqrt(fan_in)", source='''
def init_mlp(d, d_h, m, seed=0):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((d_h, d)) / np.sqrt(d)
    W2 = rng.standard_normal((m, d_h)) / np.sqrt(d_h)
    return {"W1": W1, "b1": np.zeros(d_h), "W2": W2, "b2": np.zeros(m)}
'''),
    dict(cell="init_mlp", name="W2 drawn before W1, with an explicit PCG64 generator", source='''
def init_mlp(d, d_h, m, seed=0):
    rng = np.random.Generator(np.random.PCG64(seed))
    params = {"W2": rng.normal(scale=np.sqrt(1.0 / d_h), size=(m, d_h)), "b2": np.zeros(m, dtype=float)}
    params["W1"] = rng.normal(scale=np.sqrt(1.0 / d), size=(d_h, d))
    params["b1"] = np.zeros(d_h, dtype=float)
    return params
'''),
    # ------------------------------------------------------------------ count_params
    dict(cell="count_params", name="factored formula", source='''
def count_params(d, d_h, m):
    return (d + 1) * d_h + (d_h + 1) * m
'''),
    dict(cell="count_params", name="sizes of init_mlp's arrays, as np.int64", source='''
def count_params(d, d_h, m):
    shapes = [(d_h, d), (d_h,), (m, d_h), (m,)]
    return np.int64(sum(np.prod(shape) for shape in shapes))
'''),
    # ------------------------------------------------------------------ mlp_forward
    dict(cell="mlp_forward", name="einsum and a log-sum-exp softmax", source='''
def mlp_forward(params, X):
    ha = np.einsum("nd,hd->nh", X, params["W1"]) + params["b1"]
    hs = np.logaddexp(0.0, ha)
    oa = np.einsum("nh,mh->nm", hs, params["W2"]) + params["b2"]
    os = np.exp(oa - np.logaddexp.reduce(oa, axis=1, keepdims=True))
    return {"ha": ha, "hs": hs, "oa": oa, "os": os}
'''),
    dict(cell="mlp_forward", name="the devoir's column vectors, then transposed", source='''
def mlp_forward(params, X):
    ha = (params["W1"] @ X.T + params["b1"][:, None]).T
    hs = np.maximum(ha, 0.0) + np.log1p(np.exp(-np.abs(ha)))   # stable softplus
    oa = (params["W2"] @ hs.T + params["b2"][:, None]).T
    shifted = oa - np.max(oa, axis=1, keepdims=True)           # a new array: shift it in place
    np.exp(shifted, out=shifted)
    shifted /= np.sum(shifted, axis=1, keepdims=True)
    return {"ha": ha, "hs": hs, "oa": oa, "os": shifted}
'''),
    dict(cell="mlp_forward", name="SciPy's softmax", source='''
from scipy.special import softmax as scipy_softmax


def mlp_forward(params, X):
    ha = X @ params["W1"].T + params["b1"]
    hs = softplus(ha)
    oa = hs @ params["W2"].T + params["b2"]
    return {"ha": ha, "hs": hs, "oa": oa, "os": scipy_softmax(oa, axis=1)}
'''),
    dict(cell="mlp_forward", name="np.dot, log1p softplus and SciPy's log_softmax", source='''
from scipy.special import log_softmax


def mlp_forward(params, X):
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    ha = np.dot(X, W1.T) + b1[np.newaxis, :]
    hs = np.log1p(np.exp(-np.abs(ha))) + np.maximum(ha, 0.0)
    oa = np.dot(hs, W2.T) + b2[np.newaxis, :]
    return {"ha": ha, "hs": hs, "oa": oa, "os": np.exp(log_softmax(oa, axis=1))}
'''),
    # ------------------------------------------------------------------ mlp_loss
    dict(cell="mlp_loss", name="SciPy's logsumexp, penalty with np.vdot", source='''
from scipy.special import logsumexp


def mlp_loss(params, X, y, lam=0.0):
    oa = mlp_forward(params, X)["oa"]
    nll = np.mean(logsumexp(oa, axis=1) - oa[np.arange(X.shape[0]), y])
    return float(nll + lam * sum(np.vdot(v, v) for v in params.values()))
'''),
    dict(cell="mlp_loss", name="log-softmax with one-hot labels, forward pass written out", source='''
def mlp_loss(params, X, y, lam=0.0):
    hs = softplus(X @ params["W1"].T + params["b1"])
    oa = hs @ params["W2"].T + params["b2"]
    log_probs = oa - oa.max(axis=1, keepdims=True)
    log_probs -= np.log(np.exp(log_probs).sum(axis=1, keepdims=True))
    Y = np.eye(oa.shape[1])[y]
    data = -np.sum(Y * log_probs) / X.shape[0]
    penalty = np.linalg.norm(params["W1"]) ** 2 + np.linalg.norm(params["b1"]) ** 2 \\
        + np.linalg.norm(params["W2"]) ** 2 + np.linalg.norm(params["b2"]) ** 2
    return data + lam * penalty
'''),
    dict(cell="mlp_loss", name="a loop over the examples", source='''
def mlp_loss(params, X, y, lam=0.0):
    oa = mlp_forward(params, X)["oa"]
    total = 0.0
    for i in range(len(y)):
        total += np.logaddexp.reduce(oa[i]) - oa[i, y[i]]
    penalty = 0.0
    for value in params.values():
        penalty += np.sum(value * value)
    return total / len(y) + lam * penalty
'''),
    # ------------------------------------------------------------------ mlp_backward
    dict(cell="mlp_backward", name="cs231n style: probabilities recomputed, changed in place", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    scores = cache["oa"]
    exp_scores = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    dscores = probs                    # a fresh array, not the cache's: changing it is fine
    dscores[range(N), y] -= 1
    dscores /= N
    grads = {"W2": dscores.T.dot(cache["hs"]) + 2 * lam * params["W2"],
             "b2": np.sum(dscores, axis=0) + 2 * lam * params["b2"]}
    dhidden = dscores.dot(params["W2"]) * sigmoid(cache["ha"])
    grads["W1"] = dhidden.T.dot(X) + 2 * lam * params["W1"]
    grads["b1"] = np.sum(dhidden, axis=0) + 2 * lam * params["b1"]
    return grads
'''),
    dict(cell="mlp_backward", name="one-hot matrix and einsum", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N, m = cache["os"].shape
    delta_o = (cache["os"] - np.eye(m)[y]) / N
    delta_h = np.einsum("nk,kj->nj", delta_o, params["W2"]) * (0.5 * (1.0 + np.tanh(cache["ha"] / 2)))
    grads = {"W2": np.einsum("nk,nj->kj", delta_o, cache["hs"]), "b2": np.einsum("nk->k", delta_o),
             "W1": np.einsum("nj,nd->jd", delta_h, X), "b1": np.einsum("nj->j", delta_h)}
    for name in grads:
        grads[name] += 2 * lam * params[name]   # grads holds new arrays: adding in place is fine
    return grads
'''),
    dict(cell="mlp_backward", name="one example at a time, with the devoir's column formulas", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N, m = cache["os"].shape
    grads = {name: np.zeros_like(value, dtype=float) for name, value in params.items()}
    for i in range(N):
        delta_o = cache["os"][i] - np.eye(m)[y[i]]                          # (m,)
        grads["W2"] += np.outer(delta_o, cache["hs"][i]) / N
        grads["b2"] += delta_o / N
        delta_h = sigmoid(cache["ha"][i]) * (params["W2"].T @ delta_o)      # (d_h,)
        grads["W1"] += np.outer(delta_h, X[i]) / N
        grads["b1"] += delta_h / N
    return {name: grads[name] + 2 * lam * params[name] for name in grads}
'''),
    dict(cell="mlp_backward", name="copy of the cache, np.add.at, SciPy's expit", source='''
from scipy.special import expit


def mlp_backward(params, X, y, cache, lam=0.0):
    N = len(y)
    delta = np.array(cache["os"], dtype=float, copy=True)
    np.add.at(delta, (np.arange(N), y), -1.0)
    delta /= N
    d_hs = delta @ params["W2"]
    d_ha = d_hs * expit(cache["ha"])
    out = {"W1": d_ha.T @ X, "b1": d_ha.sum(0), "W2": delta.T @ cache["hs"], "b2": delta.sum(0)}
    return {k: v + 2.0 * lam * params[k] for k, v in out.items()}
'''),
    dict(cell="mlp_backward", name="forward pass recomputed, cache ignored", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    fresh = mlp_forward(params, X)
    N = X.shape[0]
    delta_o = fresh["os"]
    delta_o[np.arange(N), y] -= 1.0          # our own fresh cache: changing it harms nobody
    delta_o = delta_o / N
    delta_h = (delta_o @ params["W2"]) * sigmoid(fresh["ha"])
    return {"W1": delta_h.T @ X + 2 * lam * params["W1"], "b1": delta_h.sum(axis=0) + 2 * lam * params["b1"],
            "W2": delta_o.T @ fresh["hs"] + 2 * lam * params["W2"], "b2": delta_o.sum(axis=0) + 2 * lam * params["b2"]}
'''),
    # ------------------------------------------------------------------ gd_step
    dict(cell="gd_step", name="items() comprehension", source='''
def gd_step(params, grads, lr):
    return {k: v - lr * grads[k] for k, v in params.items()}
'''),
    dict(cell="gd_step", name="copies updated in place", source='''
import copy


def gd_step(params, grads, lr):
    new = copy.deepcopy(params)
    for k in new:
        new[k] -= lr * grads[k]
    return new
'''),
    dict(cell="gd_step", name="np.subtract into a new dict", source='''
def gd_step(params, grads, lr):
    new = {}
    for name, value in params.items():
        new[name] = np.subtract(value, np.multiply(lr, grads[name]))
    return new
'''),
    # ------------------------------------------------------------------ train_mlp
    dict(cell="train_mlp", name="while loop, list of losses, update written inline", source='''
def train_mlp(X, y, d_h, m, lr=0.5, lam=0.0, epochs=500, seed=0):
    params = init_mlp(X.shape[1], d_h, m, seed)
    losses = []
    epoch = 0
    while epoch < epochs:
        losses.append(mlp_loss(params, X, y, lam=lam))
        grads = mlp_backward(params, X, y, mlp_forward(params, X), lam=lam)
        params = {k: params[k] - lr * grads[k] for k in params}
        epoch += 1
    return params, losses
'''),
    dict(cell="train_mlp", name="the loss computed from the cache", source='''
def train_mlp(X, y, d_h, m, lr=0.5, lam=0.0, epochs=500, seed=0):
    params = init_mlp(X.shape[1], d_h, m, seed=seed)
    history = np.zeros(epochs)
    for epoch in range(epochs):
        cache = mlp_forward(params, X)
        oa = cache["oa"]
        nll = np.mean(np.logaddexp.reduce(oa, axis=1) - oa[np.arange(len(y)), y])
        history[epoch] = nll + lam * sum(np.sum(p ** 2) for p in params.values())
        params = gd_step(params, mlp_backward(params, X, y, cache, lam=lam), lr=lr)
    return params, history
'''),
    # ------------------------------------------------------------------ binary gradients
    dict(cell="binary_mse_grad", name="sigma(o) sigma(-o) for sigma'", source='''
def binary_mse_grad(o, y):
    return 2.0 * (sigmoid(o) - y) * sigmoid(o) * sigmoid(-o)
'''),
    dict(cell="binary_mse_grad", name="tanh sigmoid and a stable exp(-|o|) derivative", source='''
def binary_mse_grad(o, y):
    o = np.asarray(o, dtype=float)
    s = 0.5 * (1.0 + np.tanh(0.5 * o))
    e = np.exp(-np.abs(o))
    return -2.0 * (y - s) * e / (1.0 + e) ** 2
'''),
    dict(cell="binary_ce_grad", name="unsimplified but stable, -y sigma(-o) + (1 - y) sigma(o)", source='''
def binary_ce_grad(o, y):
    return -y * sigmoid(-o) + (1.0 - y) * sigmoid(o)
'''),
    dict(cell="binary_ce_grad", name="SciPy's expit", source='''
from scipy.special import expit


def binary_ce_grad(o, y):
    return expit(o) - y
'''),
    dict(cell="binary_ce_grad", name="np.where on the label", source='''
def binary_ce_grad(o, y):
    return np.where(np.asarray(y) == 1, -sigmoid(-np.asarray(o, dtype=float)), sigmoid(o))
'''),
]
