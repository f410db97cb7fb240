"""Deliberately wrong implementations for 05_mlp_gradients, one common mistake each.

The grading tests replace one solution cell with ``source`` and require that the function's
test cells lose points and that a failure message contains ``expect``; ``make demo`` hands
some of them to its demo students. Not shipped to students (they sit next to solutions).

Second edition (issue 15): a seed that is ignored, a loss recorded after the update, a softmax or
log-sum-exp shifted by the maximum of the whole batch instead of each row's, overflowing
derivatives, in-place changes of params / grads, and an mlp_backward that calls the course's own
numerical-gradient helper (which must earn nothing).
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
    dict(cell="init_mlp", name="ignores the seed", expect="same W1", source='''
def init_mlp(d, d_h, m, seed=0):
    rng = np.random.default_rng(0)
    return {"W1": rng.normal(0.0, 1.0 / np.sqrt(d), size=(d_h, d)), "b1": np.zeros(d_h),
            "W2": rng.normal(0.0, 1.0 / np.sqrt(d_h), size=(m, d_h)), "b2": np.zeros(m)}
'''),
    dict(cell="init_mlp", name="random biases", expect="biases start at zero", source='''
def init_mlp(d, d_h, m, seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0.0, 1.0 / np.sqrt(d), size=(d_h, d)), "b1": rng.normal(0.0, 0.1, size=d_h),
            "W2": rng.normal(0.0, 1.0 / np.sqrt(d_h), size=(m, d_h)), "b2": rng.normal(0.0, 0.1, size=m)}
'''),
    # ------------------------------------------------------------------ count_params
    dict(cell="count_params", name="forgets the biases", expect="biases", source='''
def count_params(d, d_h, m):
    return d_h * d + m * d_h
'''),
    dict(cell="count_params", name="returns a float", expect="integer", source='''
def count_params(d, d_h, m):
    return float(d_h * (d + 1) + m * (d_h + 1))
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
    dict(cell="mlp_forward", name="softmax shifted by the maximum of the whole batch", expect="each row", source='''
def mlp_forward(params, X):
    ha = X @ params["W1"].T + params["b1"]
    hs = softplus(ha)
    oa = hs @ params["W2"].T + params["b2"]
    e = np.exp(oa - oa.max())
    return {"ha": ha, "hs": hs, "oa": oa, "os": e / e.sum(axis=1, keepdims=True)}
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
    dict(cell="mlp_loss", name="log-sum-exp shifted by the maximum of the whole batch", expect="each row", source='''
def mlp_loss(params, X, y, lam=0.0):
    oa = mlp_forward(params, X)["oa"]
    top = oa.max()
    lse = top + np.log(np.exp(oa - top).sum(axis=1))
    nll = np.mean(lse - oa[np.arange(len(y)), y])
    return float(nll + lam * sum(np.sum(v ** 2) for v in params.values()))
'''),
    dict(cell="mlp_loss", name="penalty with a factor 1/2", expect="1/2", source='''
def mlp_loss(params, X, y, lam=0.0):
    oa = mlp_forward(params, X)["oa"]
    nll = np.mean(np.logaddexp.reduce(oa, axis=1) - oa[np.arange(len(y)), y])
    return float(nll + 0.5 * lam * sum(np.sum(v ** 2) for v in params.values()))
'''),
    # ------------------------------------------------------------------ mlp_backward
    dict(cell="mlp_backward", name="W2 where W2^T belongs", expect="transpose", source='''
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
    dict(cell="mlp_backward", name="db2 from the course's numerical gradient", expect="not allowed", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    delta_o = cache["os"].copy()
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    delta_h = (delta_o @ params["W2"]) * sigmoid(cache["ha"])
    grads = {"W1": delta_h.T @ X + 2 * lam * params["W1"], "b1": delta_h.sum(axis=0) + 2 * lam * params["b1"],
             "W2": delta_o.T @ cache["hs"] + 2 * lam * params["W2"]}
    # could not get db2 right: let the course's gradient checker compute it
    grads["b2"] = gradcheck.numerical_gradient(lambda b2: mlp_loss({**params, "b2": b2}, X, y, lam), params["b2"])
    return grads
'''),
    dict(cell="mlp_backward", name="modifies params in place (the penalty)", expect="in place", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    delta_o = cache["os"].copy()
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    delta_h = (delta_o @ params["W2"]) * sigmoid(cache["ha"])
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": delta_o.T @ cache["hs"], "b2": delta_o.sum(axis=0)}
    for k in grads:
        penalty = params[k]
        penalty *= 2 * lam
        grads[k] = grads[k] + penalty
    return grads
'''),
    dict(cell="mlp_backward", name="softplus' as exp(h)/(1 + exp(h)) overflows", expect="overflow", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    delta_o = cache["os"].copy()
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    e = np.exp(cache["ha"])
    delta_h = (delta_o @ params["W2"]) * (e / (1.0 + e))
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": delta_o.T @ cache["hs"], "b2": delta_o.sum(axis=0)}
    return {k: grads[k] + 2 * lam * params[k] for k in grads}
'''),
    dict(cell="mlp_backward", name="recomputes the softmax without the max-shift", expect="overflow", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    e = np.exp(cache["oa"])
    delta_o = e / e.sum(axis=1, keepdims=True)
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    delta_h = (delta_o @ params["W2"]) * sigmoid(cache["ha"])
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": delta_o.T @ cache["hs"], "b2": delta_o.sum(axis=0)}
    return {k: grads[k] + 2 * lam * params[k] for k in grads}
'''),
    dict(cell="mlp_backward", name="dW2 transposed", expect="transpose", source='''
def mlp_backward(params, X, y, cache, lam=0.0):
    N = X.shape[0]
    delta_o = cache["os"].copy()
    delta_o[np.arange(N), y] -= 1.0
    delta_o /= N
    delta_h = (delta_o @ params["W2"]) * sigmoid(cache["ha"])
    grads = {"W1": delta_h.T @ X, "b1": delta_h.sum(axis=0), "W2": cache["hs"].T @ delta_o, "b2": delta_o.sum(axis=0)}
    return {k: grads[k] + 2 * lam * params[k].reshape(grads[k].shape) for k in grads}
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
    dict(cell="gd_step", name="updates grads in place", expect="in place", source='''
def gd_step(params, grads, lr):
    for name in grads:
        grads[name] *= lr
    return {name: params[name] - grads[name] for name in params}
'''),
    dict(cell="gd_step", name="ignores the learning rate", expect="learning rate", source='''
def gd_step(params, grads, lr):
    return {name: params[name] - grads[name] for name in params}
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
    dict(cell="train_mlp", name="ignores the seed", expect="seed", source='''
def train_mlp(X, y, d_h, m, lr=0.5, lam=0.0, epochs=500, seed=0):
    params = init_mlp(X.shape[1], d_h, m)
    losses = []
    for _ in range(epochs):
        cache = mlp_forward(params, X)
        losses.append(mlp_loss(params, X, y, lam))
        params = gd_step(params, mlp_backward(params, X, y, cache, lam), lr)
    return params, np.array(losses)
'''),
    dict(cell="train_mlp", name="records the loss after the update", expect="before", source='''
def train_mlp(X, y, d_h, m, lr=0.5, lam=0.0, epochs=500, seed=0):
    params = init_mlp(X.shape[1], d_h, m, seed=seed)
    losses = []
    for _ in range(epochs):
        cache = mlp_forward(params, X)
        params = gd_step(params, mlp_backward(params, X, y, cache, lam), lr)
        losses.append(mlp_loss(params, X, y, lam))
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
    dict(cell="binary_mse_grad", name="sigma' as exp(-o)/(1 + exp(-o))^2 overflows", expect="overflow", source='''
def binary_mse_grad(o, y):
    s = sigmoid(o)
    return 2.0 * (s - y) * np.exp(-o) / (1.0 + np.exp(-o)) ** 2
'''),
    dict(cell="binary_mse_grad", name="sign flipped", expect="sign", source='''
def binary_mse_grad(o, y):
    s = sigmoid(o)
    return 2.0 * (y - s) * s * (1.0 - s)
'''),
    dict(cell="binary_ce_grad", name="the squared error's gradient", expect="squared error", source='''
def binary_ce_grad(o, y):
    s = sigmoid(o)
    return 2.0 * (s - y) * s * (1.0 - s)
'''),
]
