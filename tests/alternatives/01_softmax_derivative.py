"""Correct implementations for 01_softmax_derivative, written differently from the model answer.

Each replaces one solution cell and must keep full marks: other stable formulas, shifts done
in place on a copy, einsum or index tricks instead of broadcasting, loops where no loop is
forbidden, other centred differences (steps h/2 and 2h, the 4-point stencil), and styles
common in public course code (cs231n-like shifted logits, the double-loop Jacobian and the
``diagflat`` one-liner often quoted for softmax), adapted to our signatures.
"""

ALTERNATIVES = [
    # ------------------------------------------------------------------ softmax
    dict(cell="softmax", name="log-sum-exp written out", source='''
def softmax(a, axis=-1):
    a = np.asarray(a, dtype=np.float64)
    m = np.max(a, axis=axis, keepdims=True)
    lse = m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))
    return np.exp(a - lse)
'''),
    dict(cell="softmax", name="shift a copy in place, exp and divide in place", source='''
def softmax(a, axis=-1):
    z = np.array(a, dtype=np.float64, copy=True)
    z -= z.max(axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=axis, keepdims=True)
    return z
'''),
    dict(cell="softmax", name="np.logaddexp.reduce", source='''
def softmax(a, axis=-1):
    return np.exp(a - np.logaddexp.reduce(a, axis=axis, keepdims=True))
'''),
    dict(cell="softmax", name="scipy.special.softmax", source='''
from scipy.special import softmax as _scipy_softmax

def softmax(a, axis=-1):
    return _scipy_softmax(a, axis=axis)
'''),
    dict(cell="softmax", name="cs231n style on rows, axis moved to the end", source='''
def softmax(a, axis=-1):
    x = np.moveaxis(np.asarray(a, dtype=float), axis, -1)
    rows = x.reshape(-1, x.shape[-1])
    shifted_logits = rows - np.max(rows, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted_logits), axis=1, keepdims=True)
    log_probs = shifted_logits - np.log(Z)
    probs = np.exp(log_probs)
    return np.moveaxis(probs.reshape(x.shape), -1, axis)
'''),
    dict(cell="softmax", name="expand_dims instead of keepdims", source='''
def softmax(a, axis=-1):
    exps = np.exp(a - np.expand_dims(np.max(a, axis=axis), axis))
    return exps / np.expand_dims(np.sum(exps, axis=axis), axis)
'''),
    # ------------------------------------------------------------------ softmax_jacobian
    dict(cell="softmax_jacobian", name="einsum", source='''
def softmax_jacobian(a):
    S = softmax(a)
    return np.einsum("i,ij->ij", S, np.eye(S.size)) - np.einsum("i,j->ij", S, S)
'''),
    dict(cell="softmax_jacobian", name="double loop over i and j", source='''
def softmax_jacobian(a):
    SM = softmax(a)
    D = np.zeros((len(SM), len(SM)))
    for i in range(len(SM)):
        for j in range(len(SM)):
            if i == j:
                D[i, j] = SM[i] * (1 - SM[i])
            else:
                D[i, j] = -SM[i] * SM[j]
    return D
'''),
    dict(cell="softmax_jacobian", name="diagflat with its own stable softmax", source='''
def softmax_jacobian(a):
    s = np.exp(a - np.logaddexp.reduce(a))
    SM = s.reshape((-1, 1))
    return np.diagflat(s) - np.dot(SM, SM.T)
'''),
    # ------------------------------------------------------------------ softmax_jacobian_batch
    dict(cell="softmax_jacobian_batch", name="einsum", source='''
def softmax_jacobian_batch(A):
    S = softmax(A, axis=-1)
    return np.einsum("bi,ij->bij", S, np.eye(S.shape[1])) - np.einsum("bi,bj->bij", S, S)
'''),
    dict(cell="softmax_jacobian_batch", name="diagonal by fancy indexing, outer product by matmul", source='''
def softmax_jacobian_batch(A):
    S = softmax(A, axis=-1)
    n = S.shape[1]
    J = -(S[:, :, None] @ S[:, None, :])
    idx = np.arange(n)
    J[:, idx, idx] += S
    return J
'''),
    dict(cell="softmax_jacobian_batch", name="S (I - S^T) by broadcasting", source='''
def softmax_jacobian_batch(A):
    S = softmax(A)
    return S[..., None] * (np.eye(S.shape[-1]) - S[:, None, :])
'''),
    # ------------------------------------------------------------------ numerical_jacobian
    dict(cell="numerical_jacobian", name="preallocated J, a copy restored by assignment", source='''
def numerical_jacobian(f, a, h=1e-5):
    x = np.array(a, dtype=float)
    m = np.asarray(f(x)).size
    J = np.zeros((m, x.size))
    for j in range(x.size):
        old = x[j]
        x[j] = old + h
        plus = np.asarray(f(x), dtype=float)
        x[j] = old - h
        minus = np.asarray(f(x), dtype=float)
        x[j] = old
        J[:, j] = (plus - minus) / (2 * h)
    return J
'''),
    dict(cell="numerical_jacobian", name="perturbs a in place and undoes it", source='''
def numerical_jacobian(f, a, h=1e-5):
    cols = []
    for j in range(len(a)):
        a[j] += h
        fp = np.array(f(a))
        a[j] -= 2 * h
        fm = np.array(f(a))
        a[j] += h
        cols.append((fp - fm) / (2 * h))
    return np.array(cols).T
'''),
    dict(cell="numerical_jacobian", name="4-point centred stencil, O(h^4)", source='''
def numerical_jacobian(f, a, h=1e-5):
    a = np.asarray(a, dtype=float)
    columns = []
    for e in np.eye(a.size):
        d = (-np.asarray(f(a + 2 * h * e)) + 8 * np.asarray(f(a + h * e))
             - 8 * np.asarray(f(a - h * e)) + np.asarray(f(a - 2 * h * e))) / (12 * h)
        columns.append(d)
    return np.column_stack(columns)
'''),
    dict(cell="numerical_jacobian", name="centred difference over 2h on each side", source='''
def numerical_jacobian(f, a, h=1e-5):
    a = np.asarray(a, dtype=float)
    return np.stack([(np.asarray(f(a + 2 * h * e)) - np.asarray(f(a - 2 * h * e))) / (4 * h)
                     for e in np.eye(a.size)], axis=1)
'''),
    dict(cell="numerical_jacobian", name="centred difference with half steps", source='''
def numerical_jacobian(f, a, h=1e-5):
    a = np.asarray(a, dtype=float)
    return np.stack([(np.asarray(f(a + 0.5 * h * e)) - np.asarray(f(a - 0.5 * h * e))) / h
                     for e in np.eye(a.size)], axis=1)
'''),
    dict(cell="numerical_jacobian", name="np.apply_along_axis over the scaled identity", source='''
def numerical_jacobian(f, a, h=1e-5):
    a = np.asarray(a, dtype=float)
    steps = h * np.eye(a.size)
    rows = np.apply_along_axis(lambda e: (np.asarray(f(a + e)) - np.asarray(f(a - e))) / (2 * h), 1, steps)
    return rows.T
'''),
    # ------------------------------------------------------------------ softmax_backward
    dict(cell="softmax_backward", name="S g minus S <g, S>, with einsum", source='''
def softmax_backward(a, grad_out):
    S = softmax(a)
    dot = np.einsum("...i,...i->...", grad_out, S)
    return S * grad_out - S * dot[..., None]
'''),
    dict(cell="softmax_backward", name="dot product by matmul", source='''
def softmax_backward(a, grad_out):
    S = softmax(a, axis=-1)
    dot = (grad_out[..., None, :] @ S[..., :, None])[..., 0]
    return S * (grad_out - dot)
'''),
    dict(cell="softmax_backward", name="rows of a 2-D view, its own log-sum-exp", source='''
def softmax_backward(a, grad_out):
    n = a.shape[-1]
    Z = np.reshape(a, (-1, n))
    G = np.reshape(grad_out, (-1, n))
    P = np.exp(Z - np.logaddexp.reduce(Z, axis=1, keepdims=True))
    dZ = P * (G - (P * G).sum(axis=1, keepdims=True))
    return dZ.reshape(np.shape(a))
'''),
]
