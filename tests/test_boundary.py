"""What crosses the grading boundary (course.boundary) and how the trusted side reads it."""

import math

import numpy as np
import pytest
import sympy as sp

from course import boundary
from course.boundary import BoundaryError, Unsupported, decode, encode
from course.symbolic import parse_expression


def roundtrip(value, **kwargs):
    return decode(boundary.loads(boundary.dumps(encode(value))), **kwargs)


def test_plain_data_crosses_unchanged():
    value = {"W": np.arange(6.0).reshape(2, 3), "labels": np.array([0, 2, 1]), "mask": np.array([True, False]),
             "loss": 0.25, "n": 3, "name": "softmax", "nothing": None, "pair": (1.5, [2, 3]),
             "special": [math.inf, -math.inf]}
    back = roundtrip(value)
    assert back.keys() == value.keys()
    assert back["W"].dtype == np.float64 and np.array_equal(back["W"], value["W"])
    assert back["labels"].dtype == np.int64 and back["mask"].dtype == bool
    assert back["pair"] == (1.5, [2, 3]) and back["special"] == [math.inf, -math.inf]
    assert math.isnan(roundtrip(float("nan")))
    assert roundtrip(np.float32(0.5)) == 0.5 and roundtrip(np.array(np.float32(2.0))).dtype == np.float64


def test_anything_else_is_named_not_sent():
    class Foo:
        def __array__(self, dtype=None, copy=None):
            raise SystemExit("never called")

    assert isinstance(roundtrip(Foo()), Unsupported) and roundtrip(Foo()).typename == "Foo"
    assert roundtrip(np.array(["a"], dtype=object)).typename.startswith("ndarray of dtype")
    assert isinstance(roundtrip({1: len})[1], Unsupported)


def test_limits_are_enforced_on_both_sides():
    deep = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(BoundaryError, match="levels deep"):
        encode(deep)
    with pytest.raises(BoundaryError, match="characters"):
        encode("x" * (boundary.MAX_TEXT + 1))
    forged = {"ndarray": {"dtype": "float64", "shape": [10 ** 9], "data": ""}}
    with pytest.raises(BoundaryError):
        decode(forged)
    with pytest.raises(BoundaryError, match="does not match"):
        decode({"ndarray": {"dtype": "float64", "shape": [2], "data": "AAAA"}})
    for bad in [{"pickle": "..."}, {"dict": [[[1], 2]]}, {"ndarray": {"dtype": "object", "shape": [1], "data": ""}},
                {"ref": "softmax"}, {"callback": 0}, {"a": 1, "b": 2}]:
        with pytest.raises(BoundaryError):
            decode(bad)  # references and callbacks only where the caller allows them


def test_sympy_crosses_as_text_and_is_parsed_without_eval():
    s = sp.Symbol("s")
    back = roundtrip(s * (1 - s), parse_sympy=parse_expression)
    assert sp.simplify(back - s * (1 - s)) == 0
    for hostile in ["__import__('os').system('true')", "s.__class__", "(lambda: 1)()", "9**9**9**9", "exp.__globals__"]:
        with pytest.raises((ValueError, SyntaxError)):
            parse_expression(hostile)


def test_references_and_callbacks_resolve_only_where_allowed():
    f = object()
    data = encode([f, len], refs=[(f, "softmax")], callbacks=(callbacks := []))
    assert data == [{"ref": "softmax"}, {"callback": 0}] and callbacks == [len]
    assert decode(data, resolve_ref={"softmax": "S"}.__getitem__, make_callback=lambda i: f"cb{i}") == ["S", "cb0"]


def test_the_kernel_reads_sympy_arguments():
    import base64
    import json

    from IPython.testing.globalipapp import start_ipython

    shell = start_ipython()
    shell.user_ns["derivative"] = lambda expr, symbol: sp.diff(expr, symbol)
    x = sp.Symbol("x")
    published = []
    import IPython.display

    original = IPython.display.publish_display_data
    IPython.display.publish_display_data = lambda data, **kwargs: published.append(data)
    try:
        boundary.serve(boundary.dumps({"op": "call", "name": "derivative", "args": encode([x ** 3, x]),
                                       "kwargs": encode({}), "warnings": "ignore", "forbid": []}))
    finally:
        IPython.display.publish_display_data = original
    answer = json.loads(base64.b64decode(published[-1][boundary.MIME]))
    assert answer["ok"], answer
    assert sp.simplify(decode(answer["value"], parse_sympy=parse_expression) - 3 * x ** 2) == 0
