"""Deliberately wrong implementations for 01_softmax_derivative, one common mistake each.

The grading tests replace one solution cell with ``source`` and require that the function's
test cells lose points and that a failure message contains ``expect``; ``make demo`` hands
some of them to its demo students. Not shipped to students (they sit next to solutions).
"""

MISTAKES = [
    dict(cell="softmax", name="no max-shift", expect="max-shift", source='''
def softmax(a, axis=-1):
    e = np.exp(a)
    return e / e.sum(axis=axis, keepdims=True)
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
    dict(cell="softmax_jacobian", name="diag(a) - a a^T from the logits", expect="from the logits", source='''
def softmax_jacobian(a):
    return np.diag(a) - np.outer(a, a)
'''),
    dict(cell="softmax_jacobian", name="diagonal only", expect="kept only", source='''
def softmax_jacobian(a):
    S = softmax(a)
    return np.diag(S * (1 - S))
'''),
    dict(cell="softmax_jacobian_batch", name="loops over the batch", expect="a Python loop", source='''
def softmax_jacobian_batch(A):
    return np.stack([softmax_jacobian(row) for row in A])
'''),
    dict(cell="softmax_jacobian_batch", name="built from the logits", expect="from the logits", source='''
def softmax_jacobian_batch(A):
    n = A.shape[-1]
    return A[:, :, None] * np.eye(n) - A[:, :, None] * A[:, None, :]
'''),
    dict(cell="numerical_jacobian", name="transposed (n, m)", expect="transpose", source='''
def numerical_jacobian(f, a, h=1e-5):
    rows = []
    for j in range(a.size):
        step = np.zeros_like(a)
        step[j] = h
        rows.append((f(a + step) - f(a - step)) / (2 * h))
    return np.array(rows)
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
    dict(cell="softmax_backward", name="dot product over the whole batch", expect="per example", source='''
def softmax_backward(a, grad_out):
    S = softmax(a, axis=-1)
    return S * (grad_out - np.sum(grad_out * S))
'''),
]

MISTAKES.append(dict(cell="numerical_jacobian", name="calls the course's own checker", expect="implement it yourself",
                     source='''
from course.gradcheck import numerical_jacobian as _course_jacobian

def numerical_jacobian(f, a, h=1e-5):
    return _course_jacobian(f, a, h)
'''))
