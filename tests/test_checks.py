"""The assertion helpers test cells rely on: messages, warnings, and resistance to tricks."""

import sys
import warnings

import numpy as np
import pytest

from course.boundary import Unsupported
from course.checks import (CheckFailure, as_array, call, check_close, check_equal, check_inputs_unchanged, check_memory,
                           check_no_python_loop, check_rel_error, check_scalar, check_shape)


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


def naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def stable_part(x):
    return np.exp(-np.abs(x))


def exp_only(x):
    return np.exp(x)


def silenced_sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def not_yet(x):
    raise NotImplementedError()


def test_forbidden_warnings_fail_with_a_reason():
    with pytest.raises(CheckFailure, match="requires none"):
        call(naive_sigmoid, np.array([-1e4]), name="sigmoid", warnings="forbid")
    call(stable_part, np.array([-1e4]), warnings="forbid")


def test_silencing_a_warning_is_not_avoiding_it():
    with pytest.raises(CheckFailure, match="silences warnings with numpy.errstate.*does not avoid it"):
        call(silenced_sigmoid, np.array([-1e4]), name="sigmoid", warnings="forbid")
    call(silenced_sigmoid, np.array([-1e4]))  # only when the exercise forbids warnings


def test_a_forbidden_warning_carries_the_exercise_hint():
    hint = "Only ever exponentiate -|x|."
    with pytest.raises(CheckFailure, match=r"raised a warning \(RuntimeWarning: overflow.*Only ever exponentiate -\|x\|\.$"):
        call(naive_sigmoid, np.array([-1e4]), name="sigmoid", warnings="forbid", hint=hint)
    with pytest.raises(CheckFailure, match="not implemented") as failure:  # the hint is for warnings only
        call(not_yet, 1.0, warnings="forbid", hint=hint)
    assert hint not in str(failure.value)
    assert call(exp_only, np.array([-1e4]), warnings="forbid", hint=hint)[0] == 0.0  # underflow is fine


def convolves(x):
    return np.convolve(x, [1.0])


def test_forbidden_functions_are_found_in_the_source_and_banned_while_running():
    original = np.convolve
    with pytest.raises(CheckFailure, match="convolves uses numpy.convolve"):
        call(convolves, np.ones(2), forbid=["numpy.convolve"])
    assert np.convolve is original
    with pytest.raises(CheckFailure, match="called numpy.convolve"):  # hidden from the parser, caught running
        with checks_forbidden("numpy.convolve"):
            np.convolve([1.0], [1.0])


def checks_forbidden(*names):
    from course.checks import forbidden

    return forbidden(*names)


def mutate(v):
    v += 1
    return v


def test_arguments_are_copied_and_mutation_is_reported():
    a = np.ones(3)
    call(mutate, a)
    assert a.tolist() == [1, 1, 1]
    with pytest.raises(CheckFailure, match="mutate modified its argument 1 in place"):
        check_inputs_unchanged(mutate, a)
    assert a.tolist() == [1, 1, 1]
    params = {"W": np.ones(2), "b": np.zeros(1)}

    def step(p):
        p["W"] -= 1
        return p

    with pytest.raises(CheckFailure, match=r"argument 1\['W'\]"):
        check_inputs_unchanged(step, params)
    assert check_inputs_unchanged(stable_part, a).shape == (3,)


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


def vectorized(X):
    return (X ** 2).sum(axis=1)


def looped(X):
    return np.array([np.sum(row ** 2) for row in X])


def helper_loops(X):
    return looped(X) + 1


def test_loops_are_found_in_the_function_and_its_helpers():
    check_no_python_loop(vectorized)
    with pytest.raises(CheckFailure, match=r"looped: a comprehension in looped .* is a Python loop"):
        check_no_python_loop(looped)
    with pytest.raises(CheckFailure, match="a comprehension in looped"):
        check_no_python_loop(helper_loops, name="helper_loops")


def test_memory_is_measured_and_bounded():
    n = 2000
    assert check_memory(vectorized, np.ones((n, 3)), limit=n * n * 8 // 4).shape == (n,)
    with pytest.raises(CheckFailure, match="needed 32 MB of memory at its peak, more than the 8 MB allowed"):
        check_memory(lambda v: np.outer(v, v).sum(axis=0), np.ones(n), limit=n * n * 8 // 4, name="outer")


def test_data_that_could_not_cross_says_what_it_was():
    with pytest.raises(CheckFailure, match="softmax returned an object of type Foo, expected an array"):
        check_close(Unsupported("Foo"), [1.0], "softmax")


def test_forbidding_a_python_function_also_catches_aliases():
    from course import gradcheck
    from course.gradcheck import numerical_jacobian as alias

    def student(f, a):
        return alias(f, a)

    with pytest.raises(CheckFailure, match="called course.gradcheck.numerical_jacobian"):  # caught as it runs
        call(student, np.sin, np.ones(2), forbid=["course.gradcheck.numerical_jacobian"])
    assert gradcheck.numerical_jacobian(np.sin, np.zeros(1)).shape == (1, 1)  # restored


def correlates():
    return np.correlate([1.0], [1.0])


def test_each_forbidden_function_names_itself():
    for name, fn in [("numpy.convolve", convolves), ("numpy.correlate", correlates)]:
        with pytest.raises(CheckFailure, match=f"uses {name} .*not allowed"):
            call(fn, *([np.ones(1)] if fn is convolves else []), forbid=["numpy.convolve", "numpy.correlate"])


def uses_helper(X):
    return vectorized(X) * 2


def test_upstream_names_the_graded_function_a_failure_may_come_from():
    from course.checks import upstream

    assert upstream(uses_helper, "vectorized", "looped") == (
        "uses_helper calls your vectorized: if vectorized's own tests fail, fix it first.")
    assert upstream(vectorized, "looped") == ""


def stubbed_upstream(x):
    raise NotImplementedError()


def downstream(x):
    return stubbed_upstream(x) * 2


def test_a_stub_upstream_is_named_not_its_caller():
    with pytest.raises(CheckFailure, match="downstream could not run: stubbed_upstream, which it calls, is not implemented"):
        call(downstream, 1.0)
    with pytest.raises(CheckFailure, match="stubbed_upstream is not implemented yet"):
        call(stubbed_upstream, 1.0)
