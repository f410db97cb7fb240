"""Symbolic answers: check a student's SymPy expression against the expected one.

Any equivalent form earns full marks: the check first asks SymPy whether the difference
simplifies to zero, and otherwise compares the two expressions numerically at sample
points; only a numerical disagreement fails, and the message names the point where the
student's expression is wrong. A student writes an answer like::

    import sympy as sp
    def cube_prime_expr(x):
        return 3 * x**2

and a test calls ``check_expr_equal(call(cube_prime_expr, x), 3 * x**2, x, "the derivative")``.
When grading, the expression crosses from the student's kernel as text and
:func:`parse_expression` reads it without ``eval``.
"""

import ast

import sympy as sp

from course.checks import CheckFailure

__all__ = ["check_expr_equal", "parse_expression"]

# What an answer may contain when it crosses the grading boundary as text (course.boundary).
FUNCTIONS = {name: getattr(sp, name) for name in (
    "exp", "log", "sqrt", "Abs", "sign", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "asin", "acos", "atan", "Heaviside", "Max", "Min", "Rational", "Integer", "Float",
    "Piecewise", "Eq", "Ne", "Lt", "Le", "Gt", "Ge", "And", "Or", "Not", "LambertW", "erf", "floor", "ceiling")}
FUNCTIONS.update(log1p=lambda x: sp.log(1 + x), expm1=lambda x: sp.exp(x) - 1)
CONSTANTS = {"E": sp.E, "pi": sp.pi, "I": sp.I, "oo": sp.oo, "zoo": sp.zoo, "nan": sp.nan,
             "True": sp.true, "False": sp.false}
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}
_COMPARE = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge, ast.Eq: sp.Eq, ast.NotEq: sp.Ne}
MAX_NODES = 5000


def parse_expression(text):
    """A SymPy expression from its printed form, accepting arithmetic, numbers, symbols and
    the functions in :data:`FUNCTIONS` only: the trusted side's parser for answers that come
    from a student's kernel (``sympify`` would ``eval`` the text)."""
    tree = ast.parse(text.strip(), mode="eval")
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ValueError(f"the expression is too large ({nodes} nodes)")
    return _build(tree.body)


def _build(node):
    if isinstance(node, ast.Constant) and type(node.value) is bool:
        return sp.true if node.value else sp.false
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        if abs(node.value) > 1e12:
            raise ValueError(f"the number {node.value:.3g} is too large for an answer")
        return sp.Integer(node.value) if isinstance(node.value, int) else sp.Float(node.value)
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise ValueError(f"{node.id} is used as a symbol")
        return sp.Symbol(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _build(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _build(node.left), _build(node.right)
        if isinstance(node.op, ast.Pow) and right.is_number and not (abs(right) <= 64):
            raise ValueError("an exponent larger than 64 is not allowed in an answer")
        value = _BINARY[type(node.op)](left, right)
        if value.is_Rational and (abs(value.p) > 10 ** 300 or value.q > 10 ** 300):
            raise ValueError("a number too large for an answer")
        return value
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        return _COMPARE[type(node.ops[0])](_build(node.left), _build(node.comparators[0]))
    if isinstance(node, ast.Tuple):
        return tuple(_build(e) for e in node.elts)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
            and not node.keywords):
        return FUNCTIONS[node.func.id](*[_build(a) for a in node.args])
    raise ValueError(f"{ast.unparse(node)[:60]!r} is not allowed in an answer")

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
