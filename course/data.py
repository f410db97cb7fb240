"""Small seeded toy data sets, as ``(X, y)`` with ``X (N, 2)`` float64 and ``y (N,)`` int64.

Every function takes a ``seed`` and uses its own ``numpy.random.default_rng``, so the same
call gives the same data on every machine and never touches global random state.
"""

import numpy as np

__all__ = ["blobs", "spirals", "xor", "circles"]


def _shuffled(X, y, rng):
    order = rng.permutation(len(y))
    return X[order], y[order]


def blobs(n_per_class=50, num_classes=3, spread=0.6, seed=0):
    """Gaussian blobs whose centres sit evenly on a circle of radius 2: linearly separable."""
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(num_classes) / num_classes
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    X = np.concatenate([c + spread * rng.standard_normal((n_per_class, 2)) for c in centres])
    y = np.repeat(np.arange(num_classes), n_per_class)
    return _shuffled(X, y, rng)


def spirals(n_per_class=100, num_classes=3, noise=0.2, seed=0):
    """Interleaved spiral arms (cs231n's classic): no linear model separates them."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for k in range(num_classes):
        r = np.linspace(0.05, 1.0, n_per_class)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n_per_class) + noise * rng.standard_normal(n_per_class)
        X.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        y.append(np.full(n_per_class, k))
    return _shuffled(np.concatenate(X), np.concatenate(y), rng)


def xor(n=200, noise=0.1, seed=0):
    """Four clusters at the corners of a square, labelled by the XOR of the signs: 2 classes."""
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(n, 2))
    X = (2.0 * corners - 1.0) + noise * rng.standard_normal((n, 2))
    y = (corners[:, 0] ^ corners[:, 1]).astype(np.int64)
    return X, y


def circles(n=200, noise=0.08, factor=0.45, seed=0):
    """A small circle (class 1) inside a large one (class 0): 2 classes, not linearly separable."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n).astype(np.int64)
    t = rng.uniform(0, 2 * np.pi, size=n)
    radius = np.where(y == 1, factor, 1.0)
    X = radius[:, None] * np.stack([np.cos(t), np.sin(t)], axis=1)
    return X + noise * rng.standard_normal((n, 2)), y
