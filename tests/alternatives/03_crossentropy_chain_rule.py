"""Correct implementations for 03_crossentropy_chain_rule written differently from the model answer.

Each replaces one solution cell and must keep FULL marks on every test cell: other stable
formulas (np.logaddexp.reduce, scipy's log_softmax), einsum and np.add.at, loops where no loop
is banned, numbers typed by hand to four decimals, other but correct node-by-node chains (with
keepdims, one-hot masks, per-row loops, ties split between maxima, a max node that returns its
exact zero), and extra dict keys. Not shipped to students.
"""

ALTERNATIVES = [
    # ---------------------------------------------------------------- softmax_cross_entropy
    dict(cell="softmax_cross_entropy", name="log-sum-exp with np.logaddexp.reduce, loss by einsum", source='''
def softmax_cross_entropy(Z, Y):
    N = Z.shape[0]
    log_probs = Z - np.logaddexp.reduce(Z, axis=1, keepdims=True)
    loss = -np.einsum("nc,nc->", Y, log_probs) / N
    return loss, (np.exp(log_probs) - Y) / N
'''),
    dict(cell="softmax_cross_entropy", name="in-place shift on a copy and a private softmax helper", source='''
def softmax_cross_entropy(Z, Y):
    Z = np.array(Z, dtype=float)
    Z -= Z.max(axis=1, keepdims=True)
    log_norm = np.log(np.sum(np.exp(Z), axis=1))
    losses = log_norm - np.sum(Y * Z, axis=1)
    return float(np.mean(losses)), (_softmax(Z) - Y) / len(Z)


def _softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)
'''),
    dict(cell="softmax_cross_entropy", name="scipy.special.log_softmax", source='''
def softmax_cross_entropy(Z, Y):
    from scipy.special import log_softmax
    log_probs = log_softmax(Z, axis=1)
    return -(Y * log_probs).sum() / Z.shape[0], (np.exp(log_probs) - Y) / Z.shape[0]
'''),
    dict(cell="softmax_cross_entropy", name="loop over the examples", source='''
def softmax_cross_entropy(Z, Y):
    N, C = Z.shape
    loss, dZ = 0.0, np.zeros((N, C))
    for n in range(N):
        z = Z[n] - np.max(Z[n])
        lse = np.log(np.sum(np.exp(z)))
        loss += -np.dot(Y[n], z - lse) / N
        dZ[n] = (np.exp(z - lse) - Y[n]) / N
    return loss, dZ
'''),
    # ---------------------------------------------------------------- dense_forward
    dict(cell="dense_forward", name="einsum", source='''
def dense_forward(A, W, b):
    return np.einsum("np,pq->nq", A, W) + b
'''),
    dict(cell="dense_forward", name="np.dot with the bias as a row, and a loop over the examples", source='''
def dense_forward(A, W, b):
    Z = np.empty((A.shape[0], W.shape[1]))
    for n in range(A.shape[0]):
        Z[n] = np.dot(A[n], W) + b[None, :]
    return Z
'''),
    # ---------------------------------------------------------------- dense_backward
    dict(cell="dense_backward", name="einsum, and np.add.at for db", source='''
def dense_backward(dZ, A, W):
    N, Q = dZ.shape
    dA = np.einsum("nq,pq->np", dZ, W)
    dW = np.einsum("np,nq->pq", A, dZ)
    db = np.zeros(Q)
    np.add.at(db, np.tile(np.arange(Q), N), dZ.ravel())
    return dA, dW, db
'''),
    dict(cell="dense_backward", name="sum of per-example outer products, db with a ones vector, a list", source='''
def dense_backward(dZ, A, W):
    dW = np.zeros(W.shape)
    for n in range(A.shape[0]):
        dW += np.outer(A[n], dZ[n])
    db = np.ones(dZ.shape[0]) @ dZ
    dA = (W @ dZ.T).T
    return [dA, dW, db]
'''),
    dict(cell="dense_backward", name="np.tensordot and np.dot", source='''
def dense_backward(dZ, A, W):
    return np.dot(dZ, W.T), np.tensordot(A, dZ, axes=([0], [0])), np.add.reduce(dZ, axis=0)
'''),
    # ---------------------------------------------------------------- worked_example
    dict(cell="worked_example", name="numbers typed by hand to four decimals", source='''
def worked_example():
    return {"y_hat": [0.7311, 0.2689], "loss": 0.5133, "path_via_y1": -0.4303, "path_via_y2": 0.2924,
            "dL_dw21": -0.1379, "dL_db1": -0.0689}
'''),
    dict(cell="worked_example", name="the simplified formulas, with a sigmoid and numpy scalars", source='''
def worked_example():
    a2, y1, y2 = 2.0, 0.8, 0.2
    z1 = 0.5 * 1.0 + (-0.25) * 2.0 + 0.5 * (-1.0) + 1.5
    z2 = -1.0 * 1.0 + 0.75 * 2.0 + 1.0 * (-1.0) + 0.5
    p1 = 1.0 / (1.0 + np.exp(-(z1 - z2)))
    p2 = 1.0 - p1
    return dict(y_hat=np.array([p1, p2]), loss=np.array(-(y1 * np.log(p1) + y2 * np.log(p2))),
                path_via_y1=np.float64(-y1 * (1 - p1) * a2), path_via_y2=np.float64(y2 * p1 * a2),
                dL_dw21=a2 * (p1 - y1), dL_db1=p1 - y1)
'''),
    # ---------------------------------------------------------------- softmax_loss_graph_nodes
    dict(cell="softmax_loss_graph_nodes", name="keepdims throughout, raveled at the end; the max node's exact zero",
         source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    m = np.max(S, axis=1, keepdims=True)
    T = S - m
    E = np.exp(T)
    r = np.sum(E, axis=1, keepdims=True)
    P = E / r
    d_l = -np.ones((N, 1)) / N
    onehot = np.zeros((N, C))
    onehot[rows, y] = 1.0
    d_P = onehot * d_l / np.sum(onehot * P, axis=1, keepdims=True)
    d_r = np.sum(d_P * (-E / r ** 2), axis=1, keepdims=True)
    d_E = d_P / r + d_r
    d_T = d_E * E
    d_m = np.zeros((N, 1))  # -sum_j d_T = -(sum_j P - 1) / N, which is exactly 0
    d_S = d_T + (S == m) * d_m
    return {"logprob": d_l.ravel(), "prob": d_P, "sum": d_r.ravel(), "exp": d_E, "shifted": d_T,
            "max": d_m.ravel(), "scores": d_S}
'''),
    dict(cell="softmax_loss_graph_nodes", name="one example at a time, with extra keys in the dict", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    out = {key: np.zeros((N, C)) for key in ("prob", "exp", "shifted", "scores")}
    out.update({key: np.zeros(N) for key in ("logprob", "sum", "max")})
    loss = 0.0
    for i in range(N):
        j_max = int(np.argmax(S[i]))
        t = S[i] - S[i, j_max]
        e = np.exp(t)
        r = e.sum()
        p = e / r
        loss -= np.log(p[y[i]]) / N
        out["logprob"][i] = -1.0 / N
        out["prob"][i, y[i]] = out["logprob"][i] / p[y[i]]
        out["sum"][i] = out["prob"][i, y[i]] * (-e[y[i]] / r ** 2)
        out["exp"][i] = out["sum"][i]
        out["exp"][i, y[i]] += out["prob"][i, y[i]] / r
        out["shifted"][i] = out["exp"][i] * e
        out["max"][i] = -out["shifted"][i].sum()
        out["scores"][i] = out["shifted"][i]
        out["scores"][i, j_max] += out["max"][i]
    out["loss"] = loss
    out["S"] = S
    return out
'''),
    dict(cell="softmax_loss_graph_nodes", name="log-sum-exp forward, one-hot masks, ties split between maxima", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    Y = np.eye(C)[y]
    m = S.max(axis=1)
    T = S - m[:, None]
    log_r = np.logaddexp.reduce(T, axis=1)
    r = np.exp(log_r)
    E = np.exp(T)
    P = np.exp(T - log_r[:, None])
    d_l = np.full(N, -1 / N)
    p_y = (P * Y).sum(axis=1)
    d_P = np.where(Y == 1, (d_l / p_y)[:, None], 0.0)
    d_r = np.einsum("ij,ij->i", d_P, -E) / r ** 2
    d_E = d_P / r[:, None] + d_r[:, None]
    d_T = d_E * E
    d_m = -np.sum(d_T, axis=1)
    ties = (S == m[:, None]).astype(float)
    d_S = d_T + ties / ties.sum(axis=1, keepdims=True) * d_m[:, None]
    return {"logprob": d_l, "prob": d_P, "sum": d_r, "exp": d_E, "shifted": d_T, "max": d_m, "scores": d_S}
'''),
    dict(cell="softmax_loss_graph_nodes", name="the denominator gradient simplified by hand before evaluating", source='''
def softmax_loss_graph_nodes(S, y):
    N, C = S.shape
    rows = np.arange(N)
    shifted = S - S.max(axis=1, keepdims=True)
    E = np.exp(shifted)
    r = E.sum(axis=1)
    P = E / r[:, None]
    grads = {"logprob": -np.ones(N) / N}
    grads["prob"] = np.zeros_like(S, dtype=float)
    grads["prob"][rows, y] = -1.0 / (N * P[rows, y])
    grads["sum"] = 1.0 / (N * r)                      # (-1 / (N p)) * (-e_iy / r^2) = 1 / (N r)
    grads["exp"] = np.tile(grads["sum"][:, None], (1, C))
    grads["exp"][rows, y] -= 1.0 / (N * E[rows, y])   # (-1 / (N p)) * (1 / r)
    grads["shifted"] = grads["exp"] * E
    grads["max"] = -grads["shifted"].sum(axis=1)
    grads["scores"] = grads["shifted"].copy()
    np.add.at(grads["scores"], (rows, S.argmax(axis=1)), grads["max"])
    return grads
'''),
    # ---------------------------------------------------------------- softmax_loss_graph
    dict(cell="softmax_loss_graph", name="closed form with np.logaddexp.reduce", source='''
def softmax_loss_graph(S, y):
    N, C = S.shape
    log_probs = S - np.logaddexp.reduce(S, axis=1, keepdims=True)
    loss = -np.mean(log_probs[np.arange(N), y])
    return loss, (np.exp(log_probs) - np.eye(C)[y]) / N
'''),
    dict(cell="softmax_loss_graph", name="take_along_axis, without the (zero) max-node correction", source='''
def softmax_loss_graph(S, y):
    N = len(y)
    T = S - np.max(S, axis=1, keepdims=True)
    log_r = np.log(np.exp(T).sum(axis=1, keepdims=True))
    logp = np.take_along_axis(T, y[:, None], axis=1) - log_r
    dT = np.exp(T - log_r) / N
    np.put_along_axis(dT, y[:, None], np.take_along_axis(dT, y[:, None], axis=1) - 1.0 / N, axis=1)
    return -logp.mean(), dT
'''),
    dict(cell="softmax_loss_graph", name="loop over the rows with scipy's logsumexp", source='''
def softmax_loss_graph(S, y):
    from scipy.special import logsumexp
    N, C = S.shape
    loss, dS = 0.0, np.zeros((N, C))
    for i in range(N):
        lse = logsumexp(S[i])
        loss += (lse - S[i, y[i]]) / N
        dS[i] = np.exp(S[i] - lse) / N
        dS[i, y[i]] -= 1.0 / N
    return loss, dS
'''),
    dict(cell="softmax_loss_graph", name="calls the student's own softmax_cross_entropy", source='''
def softmax_loss_graph(S, y):
    return softmax_cross_entropy(S, np.eye(S.shape[1])[y])
'''),
]
