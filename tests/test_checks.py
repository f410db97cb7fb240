"""The assertion helpers test cells rely on: messages, warnings, and resistance to tricks."""

import sys
import warnings

import numpy as np
import pytest

from course import checks, guard
from course.checks import (CheckFailure, as_array, call, check_close, check_equal, check_no_python_loop,
                           check_rel_error, check_scalar, check_shape, peak_memory)


def test_not_implemented_becomes_a_sentence():
    def softmax(a):
        raise NotImplementedError()

    with pytest.raises(CheckFailure, match="softmax is not implemented yet"):
        call(softmax, np.zeros(2))


def test_other_exceptions_name_the_function():
    with pytest.raises(CheckFailure, match="f raised ZeroDivisionError"):
        def f():
            return 1 / 0
        call(f)


def test_harmless_warnings_and_stderr_are_silenced(capsys):
    def noisy(x):
        print("debug", file=sys.stderr)
        warnings.warn("careful")
        return np.log(x)  # RuntimeWarning: divide by zero

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = call(noisy, np.array([0.0, 1.0]))
    assert out[0] == -np.inf
    assert capsys.readouterr().err == ""


def test_forbidden_warnings_fail_with_a_reason():
    with pytest.raises(CheckFailure, match="requires none"):
        call(lambda x: 1 / (1 + np.exp(-x)), np.array([-1e4]), name="sigmoid", warnings="forbid")
    call(lambda x: np.exp(-np.abs(x)), np.array([-1e4]), warnings="forbid")


def test_a_forbidden_warning_carries_the_exercise_hint():
    hint = "Only ever exponentiate -|x|."
    with pytest.raises(CheckFailure, match=r"raised a warning \(RuntimeWarning: overflow.*Only ever exponentiate -\|x\|\.$"):
        call(lambda x: 1 / (1 + np.exp(-x)), np.array([-1e4]), name="sigmoid", warnings="forbid", hint=hint)
    with pytest.raises(CheckFailure, match="not implemented") as failure:  # the hint is for warnings only
        call(lambda x: exec("raise NotImplementedError"), 1.0, warnings="forbid", hint=hint)
    assert hint not in str(failure.value)
    assert call(lambda x: np.exp(x), np.array([-1e4]), warnings="forbid", hint=hint)[0] == 0.0  # underflow is fine


def test_forbidden_functions_raise_and_are_restored():
    original = np.convolve
    with pytest.raises(CheckFailure, match="called numpy.convolve"):
        call(lambda: np.convolve([1, 2], [1]), forbid=["numpy.convolve"])
    assert np.convolve is original


def test_arguments_are_copied_unless_asked():
    a = np.ones(3)

    def mutate(v):
        v += 1
        return v

    call(mutate, a)
    assert a.tolist() == [1, 1, 1]
    call(mutate, a, copy_args=False)
    assert a.tolist() == [2, 2, 2]


def test_check_close_passes_returns_none_and_explains_failures():
    assert check_close(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-12], "x") is None
    with pytest.raises(CheckFailure, match=r"x: values differ at index \(1,\): got 2.5, expected 2"):
        check_close([1.0, 2.5], [1.0, 2.0], "x")
    with pytest.raises(CheckFailure, match="NaN or inf"):
        check_close([np.nan, 1.0], [0.0, 1.0], "x")


def test_targeted_mistake_messages():
    W = np.arange(6.0).reshape(2, 3)
    with pytest.raises(CheckFailure, match="dW: you forgot to divide by N"):
        check_close(4 * W, W, "dW", mistakes=[(2 * W, "not this"), (4 * W, "you forgot to divide by N")])


def test_shape_messages_spot_transposes_and_scalars():
    with pytest.raises(CheckFailure, match="transpose of the expected shape"):
        check_shape(np.ones((3, 2)), (2, 3), "dW")
    with pytest.raises(CheckFailure, match=r"expected shape \(3,\), got \(2,\)"):
        check_shape(np.ones(2), (3,), "b")
    with pytest.raises(CheckFailure, match="returned None"):
        check_shape(None, (3,), "f(x)")
    with pytest.raises(CheckFailure, match="not an array of numbers"):
        as_array("hello", "f(x)")


def test_rel_error_message_reads_like_cs231n():
    with pytest.raises(CheckFailure, match=r"dW1: relative error 4.8e-02 > 1e-07 \(shape \(2, 3\) ok\)"):
        check_rel_error(np.full((2, 3), 1.1), np.ones((2, 3)), "dW1")
    with pytest.raises(CheckFailure):
        check_rel_error(np.array([np.nan]), np.array([1.0]), "x")


def test_scalars_and_integers():
    check_scalar(np.float64(0.5), 0.5, "loss")
    check_scalar(np.array([[0.5]]), 0.5, "loss")
    with pytest.raises(CheckFailure, match="single number"):
        check_scalar(np.ones(2), 0.5, "loss")
    check_equal(np.array([0, 2, 1]), [0, 2, 1], "predict")
    with pytest.raises(CheckFailure, match="1 of 3 entries are wrong"):
        check_equal([0, 1, 1], [0, 2, 1], "predict")
    with pytest.raises(CheckFailure, match="returned None"):
        check_equal(None, 3, "count")


class Liar:
    """Claims to equal everything and to be arbitrarily close to anything."""

    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return np.zeros(3)

    __rsub__ = __sub__

    def __abs__(self):
        return np.zeros(3)

    def __array__(self, dtype=None, copy=None):
        return np.array([9.0, 9.0, 9.0])


class LyingArray(np.ndarray):
    def __sub__(self, other):
        return np.zeros(self.shape)

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)


def test_lying_return_values_cannot_pass():
    with pytest.raises(CheckFailure):
        check_close(Liar(), [1.0, 2.0, 3.0], "softmax(a)")
    lying = np.array([9.0, 9.0, 9.0]).view(LyingArray)
    with pytest.raises(CheckFailure):
        check_close(lying, [1.0, 2.0, 3.0], "softmax(a)")
    with pytest.raises(CheckFailure):
        check_equal(lying, [1, 2, 3], "predict")
    with pytest.raises(CheckFailure):
        check_rel_error(lying, np.array([1.0, 2.0, 3.0]), "dW")


def test_monkeypatched_numpy_does_not_fool_the_checks():
    def cheat(a):
        np.allclose = lambda *args, **kwargs: True
        np.abs = lambda x: np.zeros_like(x)
        np.isfinite = lambda x: np.ones_like(x, dtype=bool)
        return np.array([np.nan, 5.0])

    try:
        out = call(cheat, np.zeros(2))
        assert np.abs is guard._snapshots["numpy"][1]["abs"], "call() restores numpy"
        with pytest.raises(CheckFailure):
            check_close(out, [0.5, 0.5], "softmax")
    finally:
        guard.restore()


def test_patching_the_checks_module_is_undone():
    original = checks.check_close
    try:
        checks.check_close = lambda *a, **k: None
        call(lambda: None)
        assert checks.check_close is original
    finally:
        guard.restore()


def test_loops_are_detected_by_counting_python_lines():
    def vectorized(X):
        return (X ** 2).sum(axis=1)

    def looped(X):
        return np.array([np.sum(row ** 2) for row in X])

    check_no_python_loop(vectorized, lambda n: (np.ones((n, 3)),), "vectorized")
    with pytest.raises(CheckFailure, match="loops over the batch in Python"):
        check_no_python_loop(looped, lambda n: (np.ones((n, 3)),), "looped")


def test_peak_memory_sees_a_large_temporary():
    n = 2000
    _, small = peak_memory(lambda v: v * 2, np.ones(n))
    _, big = peak_memory(lambda v: np.outer(v, v).sum(axis=0), np.ones(n))
    assert small < 10 * n * 8 <= n * n * 8 <= big


def test_forbidding_a_python_function_also_catches_aliases():
    from course import gradcheck
    from course.gradcheck import numerical_jacobian as alias

    def student(f, a):
        return alias(f, a)

    with pytest.raises(CheckFailure, match="called course.gradcheck.numerical_jacobian"):
        call(student, np.sin, np.ones(2), forbid=["course.gradcheck.numerical_jacobian"])
    assert gradcheck.numerical_jacobian(np.sin, np.zeros(1)).shape == (1, 1)  # restored


def test_each_forbidden_function_names_itself():
    for name, fn in [("numpy.convolve", lambda: np.convolve([1.0], [1.0])),
                     ("numpy.correlate", lambda: np.correlate([1.0], [1.0]))]:
        with pytest.raises(CheckFailure, match=f"called {name},"):
            call(fn, forbid=["numpy.convolve", "numpy.correlate"])
