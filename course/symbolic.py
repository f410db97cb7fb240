"""Symbolic answers: check a student's SymPy expression against the expected one.

Any equivalent form earns full marks: the check first asks SymPy whether the difference
simplifies to zero, and otherwise compares the two expressions numerically at sample
points; only a numerical disagreement fails, and the message names the point where the
student's expression is wrong. A student writes an answer like::

    import sympy as sp
    s = sp.Symbol("s")
    def sigmoid_prime_expr(s):
        return s * (1 - s)
"""

import sympy as sp

from course.checks import CheckFailure

__all__ = ["check_expr_equal"]

DEFAULT_SAMPLES = (-2.5, -1.0, -0.3, 0.0, 0.2, 0.5, 0.9, 1.7, 3.0)


def _value(expr, symbol, x):
    try:
        return complex(sp.N(expr.subs(symbol, x), 30))
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def check_expr_equal(expr, expected, symbol, name, samples=DEFAULT_SAMPLES, tol=1e-9, hint=""):
    """Fail unless SymPy expression ``expr`` equals ``expected`` as a function of ``symbol``.

    Args:
        expr: what the student's function returned.
        expected: the reference SymPy expression.
        symbol: the ``sympy.Symbol`` both are functions of.
        name: how the message refers to the answer.
        samples: points where the two are compared if SymPy cannot decide symbolically.
    """
    __tracebackhide__ = True
    if expr is None:
        raise CheckFailure(f"{name} returned None: did you forget the `return` statement?")
    try:
        expr = sp.sympify(expr)
    except (sp.SympifyError, TypeError) as exc:
        raise CheckFailure(f"{name} must return a SymPy expression, got {type(expr).__name__} ({exc}).") from None
    extra = expr.free_symbols - {symbol}
    if extra:
        names = ", ".join(sorted(str(s) for s in extra))
        msg = f"{name} uses the symbol(s) {names}; write it in terms of {symbol} only"
        raise CheckFailure(msg + (f". {hint}" if hint else "."))
    try:
        if sp.simplify(expr - expected) == 0:
            return None
    except Exception:  # noqa: BLE001 -- simplify can fail on odd input; fall back to numbers
        pass
    compared = 0
    for x in samples:
        want, got = _value(expected, symbol, x), _value(expr, symbol, x)
        if want is None:
            continue
        if got is None or abs(got - want) > tol * max(1.0, abs(want)):
            shown = "undefined" if got is None else f"{got.real:.6g}"
            msg = (f"{name} is not equal to the expected expression: at {symbol} = {x:g} it gives "
                   f"{shown}, but the right answer is {want.real:.6g}")
            raise CheckFailure(msg + (f". {hint}" if hint else "."))
        compared += 1
    if compared == 0:
        raise CheckFailure(f"{name}: could not evaluate the expected expression at any sample point.")
    return None
