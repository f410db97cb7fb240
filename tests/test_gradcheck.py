import numpy as np
import pytest

from course.gradcheck import numerical_gradient, numerical_jacobian, rel_error


def test_numerical_gradient_matches_a_closed_form_on_a_non_square_matrix():
    rng = np.random.default_rng(0)
    A, X = rng.normal(size=(3, 5)), rng.normal(size=(5, 2))

    def f(Z):
        return np.sum(np.sin(A @ Z))

    analytic = A.T @ np.cos(A @ X)
    assert rel_error(numerical_gradient(f, X), analytic) < 1e-8


def test_numerical_gradient_leaves_its_input_alone():
    x = np.array([1.0, -2.0, 3.0])
    before = x.copy()
    numerical_gradient(lambda v: np.sum(v ** 3), x)
    assert np.array_equal(x, before)


def test_numerical_jacobian_is_outputs_by_inputs():
    W = np.arange(6.0).reshape(2, 3)
    J = numerical_jacobian(lambda v: W @ v, np.ones(3))
    assert J.shape == (2, 3)
    assert rel_error(J, W) < 1e-9


def test_centred_differences_are_second_order():
    errors = [abs(numerical_gradient(lambda v: np.exp(v[0]), np.array([0.5]), h=h)[0] - np.exp(0.5))
              for h in (1e-2, 1e-3)]
    assert 50 < errors[0] / errors[1] < 200  # O(h^2): a tenfold smaller step, ~100x smaller error


def test_rel_error_is_symmetric_scale_free_and_floored():
    a, b = np.array([1.0, 2.0]), np.array([1.1, 2.0])
    assert rel_error(a, b) == pytest.approx(rel_error(b, a))
    assert rel_error(1e6 * a, 1e6 * b) == pytest.approx(rel_error(a, b))
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert rel_error(np.array([0.0]), np.array([1e-20])) < 1e-7  # the floor
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.zeros(2), np.zeros(3))
