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
    dict(cell="dense_backward", name="db not summed over the batch", expect="shared by all N examples", source='''
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
    dict(cell="softmax_loss_graph", name="shifts by the batch's maximum", expect="each row's own maximum", source='''
def softmax_loss_graph(S, y):
    N = S.shape[0]
    rows = np.arange(N)
    T = S - S.max()
    E = np.exp(T)
    r = E.sum(axis=1, keepdims=True)
    logp = T[rows, y] - np.log(r[:, 0])
    dT = E / (N * r)
    dT[rows, y] -= 1.0 / N
    return float(-logp.mean()), dT
'''),
    # ---------------------------------------------------------------- softmax_cross_entropy (issue 15)
    dict(cell="softmax_cross_entropy", name="shifts by the batch's maximum", expect="each row's own maximum", source='''
def softmax_cross_entropy(Z, Y):
    N = Z.shape[0]
    shifted = Z - Z.max()
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(Y * log_probs) / N), (np.exp(log_probs) - Y) / N
'''),
    dict(cell="softmax_cross_entropy", name="log-sum-exp without the max-shift", expect="max-shift", source='''
def softmax_cross_entropy(Z, Y):
    N = Z.shape[0]
    log_probs = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return float(-np.sum(Y * log_probs) / N), (np.exp(log_probs) - Y) / N
'''),
    # ---------------------------------------------------------------- dense_backward (issue 15)
    dict(cell="dense_backward", name="uses the course's numerical gradient", expect="course.gradcheck", source='''
def dense_backward(dZ, A, W):
    b = np.zeros(W.shape[1])

    def loss(A_, W_, b_):
        return np.sum(dZ * (A_ @ W_ + b_))

    dA = gradcheck.numerical_gradient(lambda V: loss(V, W, b), A)
    dW = gradcheck.numerical_gradient(lambda V: loss(A, V, b), W)
    db = gradcheck.numerical_gradient(lambda V: loss(A, W, V), b)
    return dA, dW, db
'''),
    dict(cell="dense_backward", name="db summed over the output units", expect="one entry per output unit", source='''
def dense_backward(dZ, A, W):
    return dZ @ W.T, A.T @ dZ, dZ.sum(axis=1)
'''),
    # ---------------------------------------------------------------- worked_example
    dict(cell="worked_example", name="only the path through y_hat_1", expect="only the path through y_hat_1", source='''
def worked_example():
    y_hat1 = 1 / (1 + np.exp(-1.0))
    y_hat = np.array([y_hat1, 1 - y_hat1])
    loss = -(0.8 * np.log(y_hat[0]) + 0.2 * np.log(y_hat[1]))
    path1 = (-0.8 / y_hat[0]) * y_hat[0] * (1 - y_hat[0]) * 2.0
    path2 = (-0.2 / y_hat[1]) * (-y_hat[0] * y_hat[1]) * 2.0
    return {"y_hat": y_hat, "loss": loss, "path_via_y1": path1, "path_via_y2": path2,
            "dL_dw21": path1, "dL_db1": path1 / 2.0}
'''),
    dict(cell="worked_example", name="one-hot target (1, 0) instead of (0.8, 0.2)", expect="one-hot target", source='''
def worked_example():
    y = np.array([1.0, 0.0])
    y_hat1 = 1 / (1 + np.exp(-1.0))
    y_hat = np.array([y_hat1, 1 - y_hat1])
    loss = -np.log(y_hat[0])
    path1 = -y[0] * (1 - y_hat[0]) * 2.0
    path2 = y[1] * y_hat[0] * 2.0
    return {"y_hat": y_hat, "loss": loss, "path_via_y1": path1, "path_via_y2": path2,
            "dL_dw21": path1 + path2, "dL_db1": (path1 + path2) / 2.0}
'''),
    dict(cell="worked_example", name="forgets the biases", expect="without the biases", source='''
def worked_example():
    a = np.array([1.0, 2.0, -1.0])
    W = np.array([[0.5, -1.0], [-0.25, 0.75], [0.5, 1.0]])
    y = np.array([0.8, 0.2])
    z = a @ W
    y_hat = np.exp(z) / np.exp(z).sum()
    loss = -np.sum(y * np.log(y_hat))
    path1 = -y[0] * (1 - y_hat[0]) * a[1]
    path2 = y[1] * y_hat[0] * a[1]
    return {"y_hat": y_hat, "loss": loss, "path_via_y1": path1, "path_via_y2": path2,
            "dL_dw21": path1 + path2, "dL_db1": y_hat[0] - y[0]}
'''),
    dict(cell="worked_example", name="reports dL/dw_12 for dL/dw_21", expect="dL/dw_12", source='''
def worked_example():
    return {"y_hat": [0.7311, 0.2689], "loss": 0.5133, "path_via_y1": -0.4303, "path_via_y2": 0.2924,
            "dL_dw21": 0.0689, "dL_db1": -0.0689}
'''),
    dict(cell="worked_example", name="sign of dy_hat_2/dz_1", expect="is negative", source='''
def worked_example():
    y_hat1 = 1 / (1 + np.exp(-1.0))
    y_hat = np.array([y_hat1, 1 - y_hat1])
    loss = -(0.8 * np.log(y_hat[0]) + 0.2 * np.log(y_hat[1]))
    path1 = (-0.8 / y_hat[0]) * y_hat[0] * (1 - y_hat[0]) * 2.0
    path2 = (-0.2 / y_hat[1]) * (y_hat[0] * y_hat[1]) * 2.0
    return {"y_hat": y_hat, "loss": loss, "path_via_y1": path1, "path_via_y2": path2,
            "dL_dw21": path1 + path2, "dL_db1": (path1 + path2) / 2.0}
'''),
    # ---------------------------------------------------------------- softmax_loss_graph_nodes
    dict(cell="softmax_loss_graph_nodes", name="closed form at every node", expect="shortcut", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    T = S - S.max(axis=1, keepdims=True)
    P = np.exp(T) / np.exp(T).sum(axis=1, keepdims=True)
    dS = (P - np.eye(C)[y]) / N
    return {"logprob": np.full(N, -1.0 / N), "prob": dS, "sum": np.zeros(N), "exp": dS,
            "shifted": dS, "max": np.zeros(N), "scores": dS}
'''),
    dict(cell="softmax_loss_graph_nodes", name="no max node in the dict", expect="['max']", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    T = S - S.max(axis=1, keepdims=True)
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = d_logprob / P[rows, y]
    d_sum = np.sum(d_prob * (-E / r[:, None] ** 2), axis=1)
    d_exp = d_prob / r[:, None] + d_sum[:, None]
    d_shifted = d_exp * E
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "scores": d_shifted}
'''),
    dict(cell="softmax_loss_graph_nodes", name="forgets the 1/N at the log node", expect="N times too large", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max(axis=1)
    T = S - m[:, None]
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = -1.0 / P[rows, y]
    d_sum = np.sum(d_prob * (-E / r[:, None] ** 2), axis=1)
    d_exp = d_prob / r[:, None] + d_sum[:, None]
    d_shifted = d_exp * E
    d_max = -d_shifted.sum(axis=1)
    d_scores = d_shifted.copy()
    d_scores[rows, S.argmax(axis=1)] += d_max
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="'prob' only for the label's column, shape (N,)", expect="whole (N, C) matrix",
         source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max(axis=1)
    T = S - m[:, None]
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_p = d_logprob / P[rows, y]
    d_sum = d_p * (-E[rows, y] / r ** 2)
    d_exp = np.repeat(d_sum[:, None], C, axis=1)
    d_exp[rows, y] += d_p / r
    d_shifted = d_exp * E
    d_max = -d_shifted.sum(axis=1)
    d_scores = d_shifted.copy()
    d_scores[rows, S.argmax(axis=1)] += d_max
    return {"logprob": d_logprob, "prob": d_p, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="sign of the divide node's denominator gradient", expect="is negative", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max(axis=1)
    T = S - m[:, None]
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = d_logprob / P[rows, y]
    d_sum = np.sum(d_prob * (E / r[:, None] ** 2), axis=1)
    d_exp = d_prob / r[:, None] + d_sum[:, None]
    d_shifted = d_exp * E
    d_max = -d_shifted.sum(axis=1)
    d_scores = d_shifted.copy()
    d_scores[rows, S.argmax(axis=1)] += d_max
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="exp without the numerator path", expect="only the path through the sum node",
         source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max(axis=1)
    T = S - m[:, None]
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = d_logprob / P[rows, y]
    d_sum = np.sum(d_prob * (-E / r[:, None] ** 2), axis=1)
    d_exp = np.repeat(d_sum[:, None], C, axis=1)
    d_shifted = d_exp * E
    d_max = -d_shifted.sum(axis=1)
    d_scores = d_shifted.copy()
    d_scores[rows, S.argmax(axis=1)] += d_max
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="shifted: forgets the exp node's local gradient", expect="local gradient e_ij",
         source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max(axis=1)
    T = S - m[:, None]
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = d_logprob / P[rows, y]
    d_sum = np.sum(d_prob * (-E / r[:, None] ** 2), axis=1)
    d_exp = d_prob / r[:, None] + d_sum[:, None]
    d_shifted = d_exp.copy()
    d_max = -d_shifted.sum(axis=1)
    d_scores = d_shifted.copy()
    d_scores[rows, S.argmax(axis=1)] += d_max
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="max node gradient replaces the direct one", expect="not replace it", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max(axis=1)
    T = S - m[:, None]
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = d_logprob / P[rows, y]
    d_sum = np.sum(d_prob * (-E / r[:, None] ** 2), axis=1)
    d_exp = d_prob / r[:, None] + d_sum[:, None]
    d_shifted = d_exp * E
    d_max = -d_shifted.sum(axis=1)
    d_scores = d_shifted.copy()
    d_scores[rows, S.argmax(axis=1)] = d_max
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="max node fed from the exp gradient", expect="sums the gradient at 'exp'",
         source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max(axis=1)
    T = S - m[:, None]
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = d_logprob / P[rows, y]
    d_sum = np.sum(d_prob * (-E / r[:, None] ** 2), axis=1)
    d_exp = d_prob / r[:, None] + d_sum[:, None]
    d_shifted = d_exp * E
    d_max = -d_exp.sum(axis=1)
    d_scores = d_shifted.copy()
    d_scores[rows, S.argmax(axis=1)] += d_max
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="no max-shift in the forward pass", expect="max-shift", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    E = np.exp(S)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = d_logprob / P[rows, y]
    d_sum = np.sum(d_prob * (-E / r[:, None] ** 2), axis=1)
    d_exp = d_prob / r[:, None] + d_sum[:, None]
    d_shifted = d_exp * E
    d_max = -d_shifted.sum(axis=1)
    d_scores = d_shifted.copy()
    d_scores[rows, S.argmax(axis=1)] += d_max
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="one maximum for the whole batch", expect="each row", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max()
    T = S - m
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = d_logprob / P[rows, y]
    d_sum = np.sum(d_prob * (-E / r[:, None] ** 2), axis=1)
    d_exp = d_prob / r[:, None] + d_sum[:, None]
    d_shifted = d_exp * E
    d_max = -d_shifted.sum()
    d_scores = d_shifted.copy()
    d_scores[np.unravel_index(S.argmax(), S.shape)] += d_max
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="(N,) vectors broadcast along the columns", expect="broadcast", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max(axis=1)
    T = S - m[:, None]
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    d_logprob = np.full(N, -1.0 / N)
    d_prob = np.zeros((N, C))
    d_prob[rows, y] = d_logprob / P[rows, y]
    d_sum = np.sum(d_prob * (-E / r[:, None] ** 2), axis=1)
    d_exp = d_prob / r + d_sum
    d_shifted = d_exp * E
    d_max = -d_shifted.sum(axis=1)
    d_scores = d_shifted.copy()
    d_scores[rows, S.argmax(axis=1)] += d_max
    return {"logprob": d_logprob, "prob": d_prob, "sum": d_sum, "exp": d_exp, "shifted": d_shifted,
            "max": d_max, "scores": d_scores}
'''),
    dict(cell="softmax_loss_graph_nodes", name="measures every node with the course's numerical gradient",
         expect="course.gradcheck", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = S.max(axis=1)
    T = S - m[:, None]
    E = np.exp(T)
    r = E.sum(axis=1)
    P = E / r[:, None]
    num = gradcheck.numerical_gradient
    return {"logprob": num(lambda v: -v.mean(), np.log(P[rows, y])),
            "prob": num(lambda v: -np.log(v[rows, y]).mean(), P),
            "sum": num(lambda v: -np.log(E[rows, y] / v).mean(), r),
            "exp": num(lambda v: -np.log(v[rows, y] / v.sum(axis=1)).mean(), E),
            "shifted": num(lambda v: -(v[rows, y] - np.log(np.exp(v).sum(axis=1))).mean(), T),
            "max": np.zeros(N),
            "scores": num(lambda v: -(v[rows, y] - np.logaddexp.reduce(v, axis=1)).mean(), S)}
'''),
]
