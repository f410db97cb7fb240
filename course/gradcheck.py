"""Numerical derivatives by centred differences, and the relative error used to compare them.

Everything is computed in float64: with ``h = 1e-5`` a centred difference has a truncation
error of order ``h**2 = 1e-10`` and a rounding error of order ``eps / h = 1e-11``, so an
analytic gradient that is right agrees to about 1e-7 in relative error (cs231n's notes).
"""

import numpy as np

__all__ = ["numerical_gradient", "numerical_jacobian", "rel_error"]


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function ``f`` at ``x`` by centred differences.

    Args:
        f: callable taking an array shaped like ``x`` and returning a scalar.
        x: array of any shape (copied to float64; never modified).
        h: step.

    Returns:
        float64 array of ``x.shape`` with ``grad[i] = (f(x + h e_i) - f(x - h e_i)) / 2h``.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    flat_x, flat_g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        old = flat_x[i]
        flat_x[i] = old + h
        f_plus = float(f(x))
        flat_x[i] = old - h
        f_minus = float(f(x))
        flat_x[i] = old
        flat_g[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_jacobian(f, x, h=1e-5):
    """Jacobian of ``f: R^n -> R^m`` at ``x`` by centred differences.

    Args:
        f: callable taking an ``(n,)`` array and returning an array of ``m`` values
           (any shape; it is flattened).
        x: ``(n,)`` array (copied to float64; never modified).
        h: step.

    Returns:
        ``(m, n)`` float64 array with ``J[i, j] = d f_i / d x_j``.
    """
    x = np.array(x, dtype=np.float64).reshape(-1)
    columns = []
    for j in range(x.size):
        step = np.zeros_like(x)
        step[j] = h
        f_plus = np.asarray(f(x + step), dtype=np.float64).reshape(-1)
        f_minus = np.asarray(f(x - step), dtype=np.float64).reshape(-1)
        columns.append((f_plus - f_minus) / (2 * h))
    return np.stack(columns, axis=1)


def rel_error(a, b, floor=1e-12):
    """Largest symmetric relative error ``|a - b| / max(|a| + |b|, floor)`` over all entries.

    The floor keeps entries where both values are (nearly) zero from dividing by zero:
    there the error is measured in absolute terms instead.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))
