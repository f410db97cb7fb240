"""Deliberately wrong implementations for 01_softmax_derivative, one common mistake each.

The grading tests replace one solution cell with ``source`` and require that the function's
test cells lose points and that a failure message contains ``expect``; ``make demo`` hands
some of them to its demo students. Not shipped to students (they sit next to solutions).
"""

MISTAKES = [
    # ------------------------------------------------------------------ softmax
    dict(cell="softmax", name="no max-shift", expect="overflows to inf", source='''
def softmax(a, axis=-1):
    e = np.exp(a)
    return e / e.sum(axis=axis, keepdims=True)
'''),
    dict(cell="softmax", name="forgets to divide by the sum", expect="divide the exponentials by their sum", source='''
def softmax(a, axis=-1):
    return np.exp(a - a.max(axis=axis, keepdims=True))
'''),
    dict(cell="softmax", name="normalizes over axis 0", expect="wrong axis", source='''
def softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
'''),
    dict(cell="softmax", name="shifts the caller's array in place", expect="in place", source='''
def softmax(a, axis=-1):
    a -= a.max(axis=axis, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=axis, keepdims=True)
'''),
    dict(cell="softmax", name="np.asarray is not a copy: shifts in place", expect="in place", source='''
def softmax(a, axis=-1):
    z = np.asarray(a, dtype=np.float64)
    z -= np.max(z, axis=axis, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)
'''),
    dict(cell="softmax", name="shifts by the global max of the batch", expect="not once for the whole array", source='''
def softmax(a, axis=-1):
    e = np.exp(a - np.max(a))
    return e / e.sum(axis=axis, keepdims=True)
'''),
    dict(cell="softmax", name="shifts by the mean (overflows only when logits are far apart)", expect="max-shift", source='''
def softmax(a, axis=-1):
    e = np.exp(a - a.mean(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
'''),
    dict(cell="softmax", name="hides the overflow with nan_to_num", expect="sums to 1", source='''
def softmax(a, axis=-1):
    e = np.exp(a)
    return np.nan_to_num(e / e.sum(axis=axis, keepdims=True))
'''),
    dict(cell="softmax", name="clips the logits to +-700", expect="clipping the logits", source='''
def softmax(a, axis=-1):
    e = np.exp(np.clip(a, -700.0, 700.0))
    return e / e.sum(axis=axis, keepdims=True)
'''),
    dict(cell="softmax", name="shifts along the last axis, normalizes along axis", expect="every reduction", source='''
def softmax(a, axis=-1):
    e = np.exp(a - a.max(axis=-1, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
'''),
    # ------------------------------------------------------------------ softmax_jacobian
    dict(cell="softmax_jacobian", name="diag(a) - a a^T from the logits", expect="from the logits", source='''
def softmax_jacobian(a):
    return np.diag(a) - np.outer(a, a)
'''),
    dict(cell="softmax_jacobian", name="diagonal only", expect="kept only", source='''
def softmax_jacobian(a):
    S = softmax(a)
    return np.diag(S * (1 - S))
'''),
    dict(cell="softmax_jacobian", name="sign flipped", expect="sign is flipped", source='''
def softmax_jacobian(a):
    S = softmax(a)
    return np.outer(S, S) - np.diag(S)
'''),
    dict(cell="softmax_jacobian", name="its own softmax without the max-shift", expect="cannot overflow", source='''
def softmax_jacobian(a):
    e = np.exp(a)
    S = e / e.sum()
    return np.diag(S) - np.outer(S, S)
'''),
    # ------------------------------------------------------------------ softmax_jacobian_batch
    dict(cell="softmax_jacobian_batch", name="loops over the batch", expect="a Python loop", source='''
def softmax_jacobian_batch(A):
    return np.stack([softmax_jacobian(row) for row in A])
'''),
    dict(cell="softmax_jacobian_batch", name="built from the logits", expect="from the logits", source='''
def softmax_jacobian_batch(A):
    n = A.shape[-1]
    return A[:, :, None] * np.eye(n) - A[:, :, None] * A[:, None, :]
'''),
    dict(cell="softmax_jacobian_batch", name="softmax over axis 0", expect="wrong axis", source='''
def softmax_jacobian_batch(A):
    S = softmax(A, axis=0)
    n = S.shape[-1]
    return S[:, :, None] * np.eye(n) - S[:, :, None] * S[:, None, :]
'''),
    # ------------------------------------------------------------------ numerical_jacobian
    dict(cell="numerical_jacobian", name="transposed (n, m)", expect="transpose", source='''
def numerical_jacobian(f, a, h=1e-5):
    rows = []
    for j in range(a.size):
        step = np.zeros_like(a)
        step[j] = h
        rows.append((f(a + step) - f(a - step)) / (2 * h))
    return np.array(rows)
'''),
    dict(cell="numerical_jacobian", name="reshape instead of transpose", expect="reshape", source='''
def numerical_jacobian(f, a, h=1e-5):
    rows = []
    for j in range(a.size):
        step = np.zeros_like(a)
        step[j] = h
        rows.append((f(a + step) - f(a - step)) / (2 * h))
    rows = np.array(rows)
    return rows.reshape(rows.shape[1], rows.shape[0])
'''),
    dict(cell="numerical_jacobian", name="one-sided differences", expect="one-sided", source='''
def numerical_jacobian(f, a, h=1e-5):
    columns = []
    for j in range(a.size):
        step = np.zeros_like(a)
        step[j] = h
        columns.append((f(a + step) - f(a)) / h)
    return np.stack(columns, axis=1)
'''),
    dict(cell="numerical_jacobian", name="divides by h instead of 2h", expect="instead of 2h", source='''
def numerical_jacobian(f, a, h=1e-5):
    columns = []
    for j in range(a.size):
        step = np.zeros_like(a)
        step[j] = h
        columns.append((f(a + step) - f(a - step)) / h)
    return np.stack(columns, axis=1)
'''),
    dict(cell="numerical_jacobian", name="ignores the step h", expect="use the h you are given", source='''
def numerical_jacobian(f, a, h=1e-5):
    columns = []
    for j in range(a.size):
        step = np.zeros_like(a)
        step[j] = 1e-6
        columns.append((f(a + step) - f(a - step)) / 2e-6)
    return np.stack(columns, axis=1)
'''),
    dict(cell="numerical_jacobian", name="perturbs the caller's point", expect="changed the point", source='''
def numerical_jacobian(f, a, h=1e-5):
    columns = []
    for j in range(a.size):
        a[j] += h
        plus = np.array(f(a))
        a[j] -= 2 * h
        minus = np.array(f(a))
        columns.append((plus - minus) / (2 * h))
    return np.stack(columns, axis=1)
'''),
    dict(cell="numerical_jacobian", name="calls the course's own numerical_jacobian", expect="implement it yourself", source='''
from course.gradcheck import numerical_jacobian as _course_jacobian

def numerical_jacobian(f, a, h=1e-5):
    return _course_jacobian(f, a, h)
'''),
    dict(cell="numerical_jacobian", name="calls the course's numerical_gradient per output", expect="implement it yourself", source='''
from course import gradcheck

def numerical_jacobian(f, a, h=1e-5):
    m = np.asarray(f(a)).size
    return np.stack([gradcheck.numerical_gradient(lambda x, i=i: f(x)[i], a, h) for i in range(m)])
'''),
    # ------------------------------------------------------------------ softmax_backward
    dict(cell="softmax_backward", name="diagonal of the Jacobian only", expect="diagonal", source='''
def softmax_backward(a, grad_out):
    S = softmax(a, axis=-1)
    return grad_out * S * (1 - S)
'''),
    dict(cell="softmax_backward", name="builds the n x n Jacobian", expect="memory at its peak", source='''
def softmax_backward(a, grad_out):
    S = softmax(a, axis=-1)
    J = S[..., :, None] * np.eye(S.shape[-1]) - S[..., :, None] * S[..., None, :]
    return np.einsum("...ij,...i->...j", J, grad_out)
'''),
    dict(cell="softmax_backward", name="dot product over the whole batch", expect="gives alone", source='''
def softmax_backward(a, grad_out):
    S = softmax(a, axis=-1)
    return S * (grad_out - np.sum(grad_out * S))
'''),
    dict(cell="softmax_backward", name="the logits where the probabilities belong", expect="logits", source='''
def softmax_backward(a, grad_out):
    return a * (grad_out - np.sum(grad_out * a, axis=-1, keepdims=True))
'''),
    dict(cell="softmax_backward", name="S_j missing on the subtracted term", expect="multiplied by S_j", source='''
def softmax_backward(a, grad_out):
    S = softmax(a, axis=-1)
    return S * grad_out - np.sum(grad_out * S, axis=-1, keepdims=True)
'''),
    dict(cell="softmax_backward", name="its own softmax without the max-shift", expect="cannot overflow", source='''
def softmax_backward(a, grad_out):
    e = np.exp(a)
    S = e / e.sum(axis=-1, keepdims=True)
    return S * (grad_out - np.sum(grad_out * S, axis=-1, keepdims=True))
'''),
]
