"""Data sets, as ``(X, y)`` with ``X (N, D)`` float64 and ``y (N,)`` int64.

- Seeded toy sets in two dimensions (:func:`blobs`, :func:`spirals`, :func:`xor`,
  :func:`circles`): every function takes a ``seed`` and uses its own
  ``numpy.random.default_rng``, so the same call gives the same data on every machine and
  never touches global random state.
- A real one, :func:`digits`: scikit-learn's 1,797 handwritten digits (8 x 8 pixels, UCI),
  read from the file scikit-learn ships, so nothing is downloaded. :func:`split` holds out a
  test set; :func:`minibatches` walks a training set in random minibatches.
"""

import gzip
import importlib.util
from pathlib import Path

import numpy as np

__all__ = ["blobs", "spirals", "xor", "circles", "digits", "split", "minibatches"]


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


def digits():
    """scikit-learn's handwritten digits: ``X (1797, 64)`` with pixels scaled to [0, 1] (8 x 8
    images, row by row) and ``y (1797,)`` in 0 ... 9.

    The file comes with scikit-learn (``sklearn/datasets/data/digits.csv.gz``, the UCI "Optical
    Recognition of Handwritten Digits" test set); it is read directly, without importing
    scikit-learn, which takes a second and is not needed for 1,797 rows of numbers.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the digits data set ships with scikit-learn: pip install scikit-learn")
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data" / "digits.csv.gz"
    with gzip.open(path, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",")
    return table[:, :-1] / 16.0, table[:, -1].astype(np.int64)


def split(X, y, test_fraction=0.25, seed=0):
    """``X_train, y_train, X_test, y_test``: a seeded random split, stratified by class so
    every class keeps its share in both parts."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test[members[:int(round(test_fraction * len(members)))]] = True
    return X[~test], y[~test], X[test], y[test]


def minibatches(X, y, batch_size, seed=0):
    """Yield ``(X_batch, y_batch)`` covering ``X`` once in a seeded random order (one epoch);
    the last batch may be smaller."""
    order = np.random.default_rng(seed).permutation(len(y))
    for start in range(0, len(y), batch_size):
        chosen = order[start:start + batch_size]
        yield X[chosen], y[chosen]
