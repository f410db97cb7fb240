import numpy as np
import pytest

from course import data

MAKERS = [data.blobs, data.spirals, data.xor, data.circles]


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(seed=3)
    X2, y2 = make(seed=3)
    X3, _ = make(seed=4)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", MAKERS)
def test_shapes_and_types(make):
    X, y = make()
    assert X.dtype == np.float64 and X.ndim == 2 and X.shape[1] == 2
    assert y.dtype == np.int64 and y.shape == (X.shape[0],)
    assert y.min() == 0 and len(np.unique(y)) >= 2


def test_global_random_state_is_untouched():
    np.random.seed(123)
    expected = np.random.rand()
    np.random.seed(123)
    data.blobs()
    data.spirals()
    assert np.random.rand() == expected


def test_blobs_has_the_requested_classes():
    X, y = data.blobs(n_per_class=10, num_classes=4)
    assert X.shape == (40, 2) and np.bincount(y).tolist() == [10] * 4


def _best_linear_accuracy(X, y):
    """Least-squares linear classifier: a quick lower bound on linear separability."""
    Xb = np.hstack([X, np.ones((len(X), 1))])
    w, *_ = np.linalg.lstsq(Xb, 2.0 * y - 1.0, rcond=None)
    return np.mean((Xb @ w > 0) == (y == 1))


@pytest.mark.parametrize("make", [data.xor, data.circles])
def test_nonlinear_sets_defeat_a_linear_model(make):
    X, y = make()
    assert _best_linear_accuracy(X, y) < 0.75
