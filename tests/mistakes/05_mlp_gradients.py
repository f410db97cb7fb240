"""Deliberately wrong implementations for 05_mlp_gradients, one common mistake each.

The grading tests replace one solution cell with ``source`` and require that the function's
test cells lose points and that a failure message contains ``expect``; ``make demo`` hands
some of them to its demo students. Not shipped to students (they sit next to solutions).
"""

MISTAKES = [
    # ------------------------------------------------------------------ init_mlp
    dict(cell="init_mlp", name="W1 of shape (d, d_h)", expect="transpose", source='''
def init_mlp(d, d_h, m, seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0.0, 1.0 / np.sqrt(d), size=(d, d_h)), "b1": np.zeros(d_h),
            "W2": rng.normal(0.0, 1.0 / np.sqrt(d_h), size=(m, d_h)), "b2": np.zeros(m)}
'''),
    dict(cell="init_mlp", name="all-zero weights", expect="symmetry", source='''
def init_mlp(d, d_h, m, seed=0):
    return {"W1": np.zeros((d_h, d)), "b1": np.zeros(d_h), "W2": np.zeros((m, d_h)), "b2": np.zeros(m)}
'''),
    dict(cell="init_mlp", name="unseeded global random state", expect="default_rng", source='''
def init_mlp(d, d_h, m, seed=0):
    return {"W1": np.random.normal(0.0, 1.0 / np.sqrt(d), size=(d_h, d)), "b1": np.zeros(d_h),
            "W2": np.random.normal(0.0, 1.0 / np.sqrt(d_h), size=(m, d_h)), "b2": np.zeros(m)}
'''),
    dict(cell="init_mlp", name="standard deviation 1/fan_in", expect="1/sqrt(fan_in)", source='''
def init_mlp(d, d_h, m, seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0.0, 1.0 / d, size=(d_h, d)), "b1": np.zeros(d_h),
            "W2": rng.normal(0.0, 1.0 / d_h, size=(m, d_h)), "b2": np.zeros(m)}
'''),
    # ------------------------------------------------------------------ count_params
    dict(cell="count_params", name="forgets the biases", expect="biases", source='''
def count_params(d, d_h, m):
    return d_h * d + m * d_h
'''),
    # ------------------------------------------------------------------ mlp_forward
    dict(cell="mlp_forward", name="ReLU instead of softplus", expect="softplus", source='''
def mlp_forward(params, X):
    ha = X @ params["W1"].T + params["b1"]
    hs = np.maximum(ha, 0.0)
    oa = hs @ params["W2"].T + params["b2"]
    e = np.exp(oa - oa.max(axis=1, keepdims=True))
    return {"ha": ha, "hs": hs, "oa": oa, "os": e / e.sum(axis=1, keepdims=True)}
'''),
    dict(cell="mlp_forward", name="X @ W1 without the transpose", expect="transpose", source='''
def mlp_forward(params, X):
    ha = X @ params["W1"] + params["b1"]
    hs = softplus(ha)
    oa = hs @ params["W2"] + params["b2"]
    e = np.exp(oa - oa.max(axis=1, keepdims=True))
    return {"ha": ha, "hs": hs, "oa": oa, "os": e / e.sum(axis=1, keepdims=True)}
'''),
    dict(cell="mlp_forward", name="naive softplus and softmax overflow", expect="overflow", source='''
def mlp_forward(params, X):
    ha = X @ params["W1"].T + params["b1"]
    hs = np.log(1.0 + np.exp(ha))
    oa = hs @ params["W2"].T + params["b2"]
    e = np.exp(oa)
    return {"ha": ha, "hs": hs, "oa": oa, "os": e / e.sum(axis=1, keepdims=True)}
'''),
    dict(cell="mlp_forward", name="softmax over the batch axis", expect="wrong axis", source='''
def mlp_forward(params, X):
    ha = X @ params["W1"].T + params["b1"]
    hs = softplus(ha)
    oa = hs @ params["W2"].T + params["b2"]
    e = np.exp(oa - oa.max(axis=0, keepdims=True))
    return {"ha": ha, "hs": hs, "oa": oa, "os": e / e.sum(axis=0, keepdims=True)}
'''),
    # ------------------------------------------------------------------ mlp_loss
    dict(cell="mlp_loss", name="sum instead of mean", expect="mean", source='''
def mlp_loss(params, X, y, lam=0.0):
    oa = mlp_forward(params, X)["oa"]
    nll = np.sum(np.logaddexp.reduce(oa, axis=1) - oa[np.arange(len(y)), y])
    return float(nll + lam * sum(np.sum(v ** 2) for v in params.values()))
'''),
    dict(cell="mlp_loss", name="penalty on the weights only", expect="biases", source='''
def mlp_loss(params, X, y, lam=0.0):
    oa = mlp_forward(params, X)["oa"]
    nll = np.mean(np.logaddexp.reduce(oa, axis=1) - oa[np.arange(len(y)), y])
    return float(nll + lam * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2)))
'''),
    dict(cell="mlp_loss", name="log of the softmax underflows", expect="log-sum-exp", source='''
def mlp_loss(params, X, y, lam=0.0):
    probs = mlp_forward(params, X)["os"]
    nll = -np.mean(np.log(probs[np.arange(len(y)), y]))
    return float(nll + lam * sum(np.sum(v ** 2) for v in params.values()))
'''),
    # ------------------------------------------------------------------ mlp_backward
    dict(cell="mlp_backward", name="W2 where W2^T belongs", expect="W2^T", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    delta_o = cache["os"].copy()
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    delta_h = (delta_o @ params["W2"].T) * sigmoid(cache["ha"])
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": delta_o.T @ cache["hs"], "b2": delta_o.sum(axis=0)}
    return {k: grads[k] + 2 * lam * params[k] for k in grads}
'''),
    dict(cell="mlp_backward", name="db2 through an all-ones matrix", expect="all-ones", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N, m = cache["os"].shape
    delta_o = cache["os"].copy()
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    delta_h = (delta_o @ params["W2"]) * sigmoid(cache["ha"])
    db2 = np.ones((m, m)) @ delta_o.sum(axis=0)
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": delta_o.T @ cache["hs"], "b2": db2}
    return {k: grads[k] + 2 * lam * params[k] for k in grads}
'''),
    dict(cell="mlp_backward", name="sigma' instead of sigma for softplus'", expect="derivative of softplus", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    delta_o = cache["os"].copy()
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    s = sigmoid(cache["ha"])
    delta_h = (delta_o @ params["W2"]) * s * (1 - s)
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": delta_o.T @ cache["hs"], "b2": delta_o.sum(axis=0)}
    return {k: grads[k] + 2 * lam * params[k] for k in grads}
'''),
    dict(cell="mlp_backward", name="lam * theta instead of 2 * lam * theta", expect="factor 2", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    delta_o = cache["os"].copy()
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    delta_h = (delta_o @ params["W2"]) * sigmoid(cache["ha"])
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": delta_o.T @ cache["hs"], "b2": delta_o.sum(axis=0)}
    return {k: grads[k] + lam * params[k] for k in grads}
'''),
    dict(cell="mlp_backward", name="sum over the batch instead of mean", expect="divide by N", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    delta_o = cache["os"].copy()
    delta_o[np.arange(N), y] -= 1.0
    delta_h = (delta_o @ params["W2"]) * sigmoid(cache["ha"])
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": delta_o.T @ cache["hs"], "b2": delta_o.sum(axis=0)}
    return {k: grads[k] + 2 * lam * params[k] for k in grads}
'''),
    dict(cell="mlp_backward", name="modifies the cache in place", expect="in place", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    delta_o = cache["os"]
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    delta_h = (delta_o @ params["W2"]) * sigmoid(cache["ha"])
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": delta_o.T @ cache["hs"], "b2": delta_o.sum(axis=0)}
    return {k: grads[k] + 2 * lam * params[k] for k in grads}
'''),
    # ------------------------------------------------------------------ gd_step
    dict(cell="gd_step", name="updates params in place", expect="in place", source='''
def gd_step(params, grads, lr):
    for name in params:
        params[name] -= lr * grads[name]
    return params
'''),
    dict(cell="gd_step", name="gradient ascent", expect="sign", source='''
def gd_step(params, grads, lr):
    return {name: params[name] + lr * grads[name] for name in params}
'''),
    # ------------------------------------------------------------------ train_mlp
    dict(cell="train_mlp", name="never keeps the updated parameters", expect="decrease", source='''
def train_mlp(X, y, d_h, m, lr=0.5, lam=0.0, epochs=500, seed=0):
    params = init_mlp(X.shape[1], d_h, m, seed=seed)
    losses = []
    for _ in range(epochs):
        cache = mlp_forward(params, X)
        losses.append(mlp_loss(params, X, y, lam))
        gd_step(params, mlp_backward(params, X, y, cache, lam), lr)
    return params, np.array(losses)
'''),
    dict(cell="train_mlp", name="ignores lam", expect="lam", source='''
def train_mlp(X, y, d_h, m, lr=0.5, lam=0.0, epochs=500, seed=0):
    params = init_mlp(X.shape[1], d_h, m, seed=seed)
    losses = []
    for _ in range(epochs):
        cache = mlp_forward(params, X)
        losses.append(mlp_loss(params, X, y))
        params = gd_step(params, mlp_backward(params, X, y, cache), lr)
    return params, np.array(losses)
'''),
    # ------------------------------------------------------------------ binary gradients
    dict(cell="binary_mse_grad", name="without the sigmoid's derivative (the seed's 2(e))", expect="1 - sigma(o)",
         source='''
def binary_mse_grad(o, y):
    return 2.0 * (sigmoid(o) - y)
'''),
    dict(cell="binary_mse_grad", name="without the factor 2", expect="factor 2", source='''
def binary_mse_grad(o, y):
    s = sigmoid(o)
    return (s - y) * s * (1.0 - s)
'''),
    dict(cell="binary_ce_grad", name="sign flipped", expect="sign", source='''
def binary_ce_grad(o, y):
    return y - sigmoid(o)
'''),
    dict(cell="binary_ce_grad", name="unsimplified chain rule gives nan", expect="simplify", source='''
def binary_ce_grad(o, y):
    s = sigmoid(o)
    return (-y / s + (1.0 - y) / (1.0 - s)) * s * (1.0 - s)
'''),
]
