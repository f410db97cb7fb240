"""Deliberately wrong implementations for 04_activation_functions, one common mistake each.

The grading tests replace one solution cell with ``source`` and require that the function's
test cells lose points and that a failure message contains ``expect``. Not shipped to students
(they sit next to solutions).
"""

MISTAKES = [
    # --- Part A: sign, Heaviside, ReLU
    dict(cell="sign_from_indicators", name="uses np.sign", expect="numpy.sign", source='''
def sign_from_indicators(x):
    return np.sign(np.asarray(x, dtype=np.float64))
'''),
    dict(cell="sign_from_indicators", name="sign(0) = -1", expect="sign(0) must be 0", source='''
def sign_from_indicators(x):
    x = np.asarray(x, dtype=np.float64)
    return (x > 0).astype(np.float64) - (x <= 0).astype(np.float64)
'''),
    dict(cell="heaviside", name="H(0) = 0 as the plain indicator 1{x > 0}", expect="H(0) must be 1/2", source='''
def heaviside(x):
    return (np.asarray(x, dtype=np.float64) > 0).astype(np.float64)
'''),
    dict(cell="heaviside", name="H(0) = 0 via np.heaviside(x, 0)", expect="H(0) must be 1/2", source='''
def heaviside(x):
    return np.heaviside(np.asarray(x, dtype=np.float64), 0.0)
'''),
    dict(cell="heaviside", name="H(0) = 1 via x >= 0", expect="H(0) must be 1/2", source='''
def heaviside(x):
    return (np.asarray(x, dtype=np.float64) >= 0).astype(np.float64)
'''),
    dict(cell="relu", name="clips the caller's array in place", expect="in place", source='''
def relu(x):
    if isinstance(x, np.ndarray):
        x[x < 0] = 0.0
        return x
    return np.float64(max(float(x), 0.0))
'''),
    dict(cell="relu", name="absolute value", expect="|x|", source='''
def relu(x):
    return np.abs(np.asarray(x, dtype=np.float64))
'''),
    dict(cell="relu_grad", name="returns ReLU itself", expect="ReLU itself", source='''
def relu_grad(x):
    return relu(x)
'''),
    dict(cell="relu_grad", name="sign instead of the step", expect="sign(x)", source='''
def relu_grad(x):
    return sign_from_indicators(x)
'''),
    dict(cell="relu_from_heaviside", name="returns H(x)", expect="H(x) itself", source='''
def relu_from_heaviside(x):
    return heaviside(x)
'''),
    # --- Part B: sigmoid
    dict(cell="sigmoid", name="naive formula overflows", expect="overflow encountered", source='''
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))
'''),
    dict(cell="sigmoid", name="naive formula, warning silenced with np.errstate", expect="silences warnings", source='''
def sigmoid(x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))
'''),
    dict(cell="sigmoid", name="naive formula silenced with the warnings module: 0 in the subnormal range",
         expect="overflowed to inf", source='''
import warnings as _w

def sigmoid(x):
    with _w.catch_warnings():
        _w.simplefilter("ignore")
        with np.errstate(all="ignore"):
            return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))
'''),
    dict(cell="sigmoid", name="clips x to avoid the overflow", expect="rather than clipping", source='''
def sigmoid(x):
    x = np.clip(np.asarray(x, dtype=np.float64), -700.0, 700.0)
    return 1.0 / (1.0 + np.exp(-x))
'''),
    dict(cell="sigmoid", name="tanh form cancels to 0 in the left tail", expect="1 + tanh(x/2)", source='''
def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=np.float64)))
'''),
    dict(cell="sigmoid", name="np.where computes both branches", expect="np.where evaluates both", source='''
def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))
'''),
    dict(cell="sigmoid", name="sigma(-x) = 1/(1 + e^x)", expect="sigma(-x)", source='''
def sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, z / (1.0 + z), 1.0 / (1.0 + z))
'''),
    dict(cell="heaviside_approx", name="ignores k", expect="k is ignored", source='''
def heaviside_approx(x, k):
    return sigmoid(x)
'''),
    dict(cell="heaviside_approx", name="divides by k", expect="divided by k", source='''
def heaviside_approx(x, k):
    return sigmoid(np.asarray(x, dtype=np.float64) / k)
'''),
    dict(cell="sigmoid_prime_expr", name="sigma' with exp, as a function of x", expect="written with exp", source='''
def sigmoid_prime_expr(s):
    x = sp.Symbol("x")
    return sp.exp(-x) / (1 + sp.exp(-x)) ** 2
'''),
    dict(cell="sigmoid_prime_expr", name="sigma' with exp of s", expect="written with exp", source='''
def sigmoid_prime_expr(s):
    return sp.exp(-s) / (1 + sp.exp(-s)) ** 2
'''),
    dict(cell="sigmoid_prime_expr", name="another symbol, no exp", expect="from the symbol s your function receives", source='''
def sigmoid_prime_expr(s):
    y = sp.Symbol("y")
    return y * (1 - y)
'''),
    dict(cell="sigmoid_prime_expr", name="ignores the symbol it receives", expect="in terms of t", source='''
_own_s = sp.Symbol("s")

def sigmoid_prime_expr(s):
    return _own_s * (1 - _own_s)
'''),
    dict(cell="sigmoid_prime_expr", name="sign error s(s - 1)", expect="right answer is", source='''
def sigmoid_prime_expr(s):
    return s * (s - 1)
'''),
    dict(cell="sigmoid_grad", name="sigma' written with exp (NaN at -1e4)", expect="written with exp", source='''
def sigmoid_grad(x):
    x = np.asarray(x, dtype=np.float64)
    return np.exp(-x) / (1.0 + np.exp(-x)) ** 2
'''),
    dict(cell="sigmoid_grad", name="returns sigma itself", expect="not its derivative", source='''
def sigmoid_grad(x):
    return sigmoid(x)
'''),
    dict(cell="sigmoid_jacobian", name="a vector instead of a matrix", expect="n x n matrix", source='''
def sigmoid_jacobian(x):
    return sigmoid_grad(x)
'''),
    dict(cell="sigmoid_jacobian", name="full outer product", expect="off-diagonal", source='''
def sigmoid_jacobian(x):
    s = sigmoid(x)
    return np.outer(s, 1.0 - s)
'''),
    # --- Part C: softplus, log-sigmoid
    dict(cell="softplus", name="naive log(1 + exp(x)) underflows at -40", expect="log1p", source='''
def softplus(x):
    return np.log(1.0 + np.exp(np.asarray(x, dtype=np.float64)))
'''),
    dict(cell="softplus", name="log1p(exp(x)) overflows at 1e4", expect="overflow encountered", source='''
def softplus(x):
    return np.log1p(np.exp(np.asarray(x, dtype=np.float64)))
'''),
    dict(cell="softplus", name="log1p(exp(x)) overflows: inf at 710", expect="overflows for x > 709.78", source='''
def softplus(x):
    return np.log1p(np.exp(np.asarray(x, dtype=np.float64)))
'''),
    dict(cell="softplus", name="log1p(exp(x)) with the warning silenced", expect="silences warnings", source='''
def softplus(x):
    with np.errstate(all="ignore"):
        return np.log1p(np.exp(np.asarray(x, dtype=np.float64)))
'''),
    dict(cell="softplus", name="np.where with an overflowing branch", expect="overflow encountered", source='''
def softplus(x):
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 30, x, np.log1p(np.exp(x)))
'''),
    dict(cell="softplus", name="stable shape but np.log instead of log1p", expect="log1p", source='''
def softplus(x):
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(x, 0.0) + np.log(1.0 + np.exp(-np.abs(x)))
'''),
    dict(cell="softplus", name="softplus(-x)", expect="softplus(-x)", source='''
def softplus(x):
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(-x, 0.0) + np.log1p(np.exp(-np.abs(x)))
'''),
    dict(cell="log_sigmoid", name="log of the sigmoid", expect="log(0) = -inf", source='''
def log_sigmoid(x):
    return np.log(sigmoid(x))
'''),
    dict(cell="log_sigmoid", name="log of a rounded sigmoid for x >= 0", expect="rounds to 1", source='''
def log_sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(x < 0, x - np.log1p(np.exp(np.minimum(x, 0.0))), np.log(sigmoid(x)))
'''),
    dict(cell="log_sigmoid", name="-softplus(x) instead of -softplus(-x)", expect="-softplus(-x)", source='''
def log_sigmoid(x):
    return -softplus(x)
'''),
    dict(cell="log_sigmoid", name="-log1p(exp(-x)) overflows at -1e4", expect="overflows for x < -709.78", source='''
def log_sigmoid(x):
    return -np.log1p(np.exp(-np.asarray(x, dtype=np.float64)))
'''),
    dict(cell="softplus_grad", name="e^x / (1 + e^x) is NaN at 1e4", expect="inf/inf", source='''
def softplus_grad(x):
    x = np.asarray(x, dtype=np.float64)
    return np.exp(x) / (1.0 + np.exp(x))
'''),
    dict(cell="softplus_grad", name="sigma(-x)", expect="decreases as x grows", source='''
def softplus_grad(x):
    return sigmoid(-np.asarray(x, dtype=np.float64))
'''),
    dict(cell="softplus_prime_expr", name="sigma(-x) = 1/(1 + e^x)", expect="decreases as x grows", source='''
def softplus_prime_expr(x):
    return 1 / (1 + sp.exp(x))
'''),
    dict(cell="softplus_prime_expr", name="second derivative", expect="second derivative", source='''
def softplus_prime_expr(x):
    return sp.exp(-x) / (1 + sp.exp(-x)) ** 2
'''),
    # --- Part D: softmax
    dict(cell="softmax", name="no max-shift", expect="largest logit", source='''
def softmax(x):
    e = np.exp(np.asarray(x, dtype=np.float64))
    return e / e.sum(axis=-1, keepdims=True)
'''),
    dict(cell="softmax", name="shifted by the global max of the batch", expect="each row's own maximum", source='''
def softmax(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max())
    return e / e.sum(axis=-1, keepdims=True)
'''),
    dict(cell="softmax", name="normalizes over axis 0", expect="wrong axis", source='''
def softmax(x):
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
'''),
    dict(cell="softmax_scaled", name="scales the output", expect="multiplied the output", source='''
def softmax_scaled(x, c):
    return c * softmax(x)
'''),
    dict(cell="softmax_scaled", name="ignores c", expect="c is ignored", source='''
def softmax_scaled(x, c):
    return softmax(x)
'''),
    dict(cell="softmax_jacobian", name="diag(S) only", expect="kept only diag(S)", source='''
def softmax_jacobian(x):
    return np.diag(softmax(x))
'''),
    dict(cell="softmax_jacobian", name="diagonal entries only", expect="kept only the diagonal", source='''
def softmax_jacobian(x):
    S = softmax(x)
    return np.diag(S * (1.0 - S))
'''),
    dict(cell="softmax_jacobian", name="built from the logits", expect="from the logits", source='''
def softmax_jacobian(x):
    x = np.asarray(x, dtype=np.float64)
    return np.diag(x) - np.outer(x, x)
'''),
    # --- Part E: log-softmax, cross-entropy
    dict(cell="log_softmax", name="log of the softmax", expect="np.log(softmax(z))", source='''
def log_softmax(x):
    return np.log(softmax(x))
'''),
    dict(cell="log_softmax", name="shift not added back", expect="not the maximum m itself", source='''
def log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    m = x.max(axis=-1, keepdims=True)
    return x - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
'''),
    dict(cell="log_softmax", name="log-sum-exp without max-shift", expect="overflows", source='''
def log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    return x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True))
'''),
    dict(cell="log_softmax", name="shifted by the global max of the batch", expect="not of the whole batch", source='''
def log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    m = x.max()
    return x - m - np.log(np.sum(np.exp(x - m), axis=-1, keepdims=True))
'''),
    dict(cell="grad_log_softmax", name="sign reversed", expect="sign is reversed", source='''
def grad_log_softmax(x, i):
    grad = softmax(x)
    grad[i] -= 1.0
    return grad
'''),
    dict(cell="grad_log_softmax", name="gradient of S_i instead of log S_i", expect="gradient of S_i", source='''
def grad_log_softmax(x, i):
    S = softmax(x)
    e = np.zeros_like(S)
    e[i] = 1.0
    return S[i] * (e - S)
'''),
    dict(cell="grad_log_softmax", name="class index counted from 1", expect="counts from 0", source='''
def grad_log_softmax(x, i):
    grad = -softmax(x)
    grad[i - 1] += 1.0
    return grad
'''),
    dict(cell="cross_entropy_grad", name="sign reversed", expect="sign is reversed", source='''
def cross_entropy_grad(x, c):
    return np.asarray(c, dtype=np.float64) - softmax(x)
'''),
    dict(cell="cross_entropy_grad", name="gradient w.r.t. the softmax output", expect="softmax output", source='''
def cross_entropy_grad(x, c):
    return -np.asarray(c, dtype=np.float64) / softmax(x)
'''),
    dict(cell="cross_entropy_grad", name="target missing", expect="target is missing", source='''
def cross_entropy_grad(x, c):
    return softmax(x)
'''),
    dict(cell="cross_entropy_grad", name="its own softmax without the max-shift", expect="stable softmax", source='''
def cross_entropy_grad(x, c):
    e = np.exp(np.asarray(x, dtype=np.float64))
    return e / e.sum() - np.asarray(c, dtype=np.float64)
'''),
]
