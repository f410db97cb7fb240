"""Assertions for test cells: clear messages, immune to warnings and to lying return values.

Test cells call a student's function through :func:`call` and compare what comes back with
:func:`check_shape`, :func:`check_close`, :func:`check_rel_error`, ... Each check

- first turns the returned value into a *plain float64 ndarray copy* (:func:`as_array`), so a
  returned object's own ``__eq__``, ``__sub__`` or ``__abs__`` never takes part;
- compares with ndarray methods and with numpy functions captured when this module was
  imported (before any student code ran), never with ``np.allclose`` looked up at test time;
- raises ``AssertionError`` with a sentence a student can act on: what was called, what was
  expected, the largest error and where, and -- when the wrong value matches a known common
  mistake -- the targeted explanation of that mistake.

:func:`call` silences harmless numpy warnings and captures stderr while student code runs
(nbgrader scores any stderr output in a test cell as 0), turns ``NotImplementedError`` into a
friendly message, can forbid functions (``forbid=["numpy.convolve"]``) and can require that no
warning is raised (``warnings="forbid"``).
"""

import builtins
import contextlib
import copy as _copy
import io
import sys
import types
import warnings as _warnings

import numpy as np

from course import guard

__all__ = [
    "call", "as_array", "check_shape", "check_close", "check_rel_error", "check_finite",
    "check_equal", "check_scalar", "check_true", "forbidden", "CheckFailure",
    "count_python_lines", "check_no_python_loop", "peak_memory",
]

# Captured now, before any student code can replace them.
_asarray, _array, _float64, _int64 = np.asarray, np.array, np.float64, np.int64
_abs, _maximum, _argmax, _isfinite, _unravel = np.abs, np.maximum, np.argmax, np.isfinite, np.unravel_index
_errstate, _ndarray = np.errstate, np.ndarray
_isinstance, _len, _tuple, _float, _repr = builtins.isinstance, builtins.len, builtins.tuple, builtins.float, builtins.repr


class CheckFailure(AssertionError):
    """A failed check. Subclasses AssertionError so nbgrader and pytest treat it as one."""


def check_true(condition, message):
    """``assert condition, message`` that survives ``python -O`` and lying ``__bool__``."""
    __tracebackhide__ = True
    if type(condition) is np.bool_:
        condition = bool(condition)
    if condition is not True:
        raise CheckFailure(message)


# --------------------------------------------------------------------------- calling code


def _copy_arg(value):
    if _isinstance(value, (_ndarray, list, dict, tuple)):
        return _copy.deepcopy(value)
    return value


@contextlib.contextmanager
def forbidden(*dotted_names, reason="it is not allowed in this exercise"):
    """Make each ``module.function`` raise while the block runs (e.g. ``"numpy.convolve"``).

    Modules that are not installed are skipped. Everything is put back afterwards.
    """
    __tracebackhide__ = True
    saved = []
    for dotted in dotted_names:
        module_name, _, attr = dotted.rpartition(".")
        try:
            module = __import__(module_name, fromlist=[attr])
        except ImportError:
            continue
        if not hasattr(module, attr):
            continue

        message = f"your code called {dotted}, but {reason}: implement it yourself."
        original = getattr(module, attr)
        if isinstance(original, types.FunctionType) and not original.__code__.co_freevars:
            # swap the code, not the name: an alias bound earlier (`from m import f as g`) is banned too
            # (the code runs with the original's globals: fetch CheckFailure by import)
            scope = {}
            exec(f"def banned(*args, **kwargs):\n    __tracebackhide__ = True\n"
                 f"    raise __import__('course.checks', fromlist=['x']).CheckFailure({message!r})", scope)
            saved.append((original, "__code__", original.__code__))
            original.__code__ = scope["banned"].__code__
        else:
            def banned(*args, _message=message, **kwargs):  # bind now: `message` changes per name
                __tracebackhide__ = True
                raise CheckFailure(_message)

            saved.append((module, attr, original))
            setattr(module, attr, banned)
    try:
        yield
    finally:
        for owner, attr, value in reversed(saved):
            setattr(owner, attr, value)


def call(fn, *args, name=None, warnings="ignore", hint="", forbid=(), copy_args=True, **kwargs):
    """Call student function ``fn(*args, **kwargs)`` and return its result.

    Args:
        fn: the student's function.
        name: how messages refer to the call (default: the function's name).
        warnings: ``"ignore"`` (numpy floating-point warnings and Python warnings are
            silenced, so a correct solution's harmless ``RuntimeWarning`` costs nothing) or
            ``"forbid"`` (any warning fails the check, for exercises that require none;
            underflow to 0 is never a warning: it is the correctly rounded result).
        hint: a sentence added to the failure when a forbidden warning was raised (how to
            avoid it in this exercise).
        forbid: dotted names of functions that must not be used (they raise meanwhile).
        copy_args: pass deep copies of array/list/dict arguments, so code that modifies its
            inputs cannot corrupt the test's data.

    Raises:
        CheckFailure: if ``fn`` is not implemented, raises, or warns when warnings are forbidden.
    """
    __tracebackhide__ = True
    label = name or getattr(fn, "__name__", "your function")
    if not callable(fn):
        raise CheckFailure(f"{label} is not a function (got {type(fn).__name__}): did you overwrite it?")
    if copy_args:
        args = [_copy_arg(a) for a in args]
        kwargs = {k: _copy_arg(v) for k, v in kwargs.items()}
    guard.restore()
    stderr = io.StringIO()
    caught = []
    try:
        with contextlib.ExitStack() as stack:
            caught = stack.enter_context(_warnings.catch_warnings(record=True))
            _warnings.simplefilter("always")
            # underflow to 0 is the correctly rounded answer, never worth a warning
            stack.enter_context(_errstate(all="ignore") if warnings != "forbid"
                                else _errstate(over="warn", divide="warn", invalid="warn", under="ignore"))
            stack.enter_context(contextlib.redirect_stderr(stderr))
            stack.enter_context(forbidden(*forbid))
            result = fn(*args, **kwargs)
    except NotImplementedError:
        raise CheckFailure(
            f"{label} is not implemented yet (it raised NotImplementedError): replace "
            "`raise NotImplementedError()` with your code."
        ) from None
    except CheckFailure:
        raise
    except Exception as exc:
        raise CheckFailure(f"{label} raised {type(exc).__name__}: {exc}") from exc
    finally:
        guard.restore()
    if warnings == "forbid" and caught:
        first = caught[0]
        raise CheckFailure(
            f"{label} raised a warning ({first.category.__name__}: {first.message}), "
            "and this exercise requires none: compute it in a numerically stable way." + (f" {hint}" if hint else "")
        )
    return result


# --------------------------------------------------------------------------- converting values


def as_array(value, name, dtype=_float64):
    """``value`` as a fresh plain ndarray of ``dtype``; a clear failure if it is not numeric."""
    __tracebackhide__ = True
    if value is None:
        raise CheckFailure(f"{name} returned None: did you forget the `return` statement?")
    try:
        with _errstate(all="ignore"):
            arr = _array(value, dtype=dtype, copy=True, subok=False)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CheckFailure(
            f"{name} returned a {type(value).__name__} that is not an array of numbers ({exc})."
        ) from None
    if type(arr) is not _ndarray:  # pragma: no cover -- subok=False guarantees it
        arr = arr.view(_ndarray)
    return arr


def _fmt_shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if _len(shape) == 1 else "") + ")"


def check_shape(value, shape, name, hint=""):
    """``value`` as a float64 array of exactly ``shape``; a message that names the mismatch."""
    __tracebackhide__ = True
    arr = as_array(value, name)
    shape = _tuple(int(s) for s in shape)
    if arr.shape != shape:
        msg = f"{name}: expected shape {_fmt_shape(shape)}, got {_fmt_shape(arr.shape)}"
        if _len(shape) >= 2 and arr.shape == shape[::-1]:
            msg += " -- the transpose of the expected shape (a missing or extra transpose)"
        elif arr.size == 1 and _len(shape) == 0:
            msg += " -- return a plain number, e.g. with float(...)"
        raise CheckFailure(msg + (f". {hint}" if hint else "."))
    return arr


def check_finite(value, name, hint=""):
    """Fail if any entry is NaN or infinite (the usual sign of overflow)."""
    __tracebackhide__ = True
    arr = as_array(value, name)
    bad = ~_isfinite(arr)
    if bad.any():
        count = int(bad.sum())
        msg = f"{name}: {count} of {arr.size} entries are NaN or infinite"
        raise CheckFailure(msg + (f" -- {hint}" if hint else "."))
    return arr


def _matches(arr, candidate, rtol, atol):
    try:
        cand = as_array(candidate, "candidate")
    except CheckFailure:
        return False
    if cand.shape != arr.shape:
        return False
    with _errstate(all="ignore"):
        ok = _abs(arr - cand) <= atol + rtol * _abs(cand)
    return bool(ok.all())


def _diagnose(arr, expected, name, mistakes, rtol, atol, hint, what):
    __tracebackhide__ = True
    for candidate, message in mistakes:
        if _matches(arr, candidate, rtol, atol):
            raise CheckFailure(f"{name}: {message}")
    with _errstate(all="ignore"):
        err = _abs(arr - expected)
        err = np.where(_isfinite(err), err, np.inf)
    where = _unravel(int(_argmax(err)), arr.shape) if arr.ndim else ()
    got_v, exp_v = arr[where], expected[where]
    at = f" at index {_tuple(int(i) for i in where)}" if arr.ndim else ""
    msg = f"{name}: {what}{at}: got {got_v:.8g}, expected {exp_v:.8g}"
    raise CheckFailure(msg + (f". {hint}" if hint else "."))


def check_close(value, expected, name, rtol=1e-7, atol=1e-10, mistakes=(), hint=""):
    """Fail unless ``|value - expected| <= atol + rtol * |expected|`` everywhere.

    Args:
        value: what the student's code returned (any array-like).
        expected: the reference (array-like of the same shape).
        name: how the message refers to the value, e.g. ``"softmax([1, 2, 3])"``.
        mistakes: ``(candidate, message)`` pairs: if ``value`` matches ``candidate`` the
            failure says ``message`` -- the targeted explanation of a common mistake.
        hint: a sentence added to the generic failure.

    Returns None, so a test cell that ends with a check displays nothing (nbgrader would read
    a displayed number as a partial grade).
    """
    __tracebackhide__ = True
    expected = as_array(expected, "expected")
    arr = check_shape(value, expected.shape, name)
    if _matches(arr, expected, rtol, atol):
        return None
    if not _isfinite(arr).all():
        hint = (hint + " " if hint else "") + "Your result contains NaN or inf: look for overflow."
    _diagnose(arr, expected, name, mistakes, rtol, atol, hint, "values differ")


def check_rel_error(value, expected, name, tol=1e-7, floor=1e-12, mistakes=(), hint=""):
    """Fail unless the symmetric relative error ``|a-b| / max(|a|+|b|, floor)`` is <= ``tol``.

    The message reads like ``dW: relative error 3.2e-02 > 1e-07 (shape (5, 3) ok)``.
    """
    __tracebackhide__ = True
    expected = as_array(expected, "expected")
    arr = check_shape(value, expected.shape, name)
    with _errstate(all="ignore"):
        rel = _abs(arr - expected) / _maximum(_abs(arr) + _abs(expected), floor)
        worst = float(rel.max()) if rel.size else 0.0
    if worst <= tol:  # NaN compares False, so it fails too
        return None
    for candidate, message in mistakes:
        if _matches(arr, candidate, tol, floor):
            raise CheckFailure(f"{name}: {message}")
    worst = worst if worst == worst else float("nan")
    msg = f"{name}: relative error {worst:.1e} > {tol:.0e} (shape {_fmt_shape(arr.shape)} ok)"
    raise CheckFailure(msg + (f". {hint}" if hint else "."))


def check_scalar(value, expected, name, rtol=1e-7, atol=1e-10, mistakes=(), hint=""):
    """Like :func:`check_close` for one number; accepts a Python or numpy scalar or 0-d array."""
    __tracebackhide__ = True
    arr = as_array(value, name)
    if arr.size != 1:
        raise CheckFailure(f"{name}: expected a single number, got an array of shape {_fmt_shape(arr.shape)}.")
    check_close(arr.reshape(()), expected, name, rtol, atol, mistakes, hint)


def check_equal(value, expected, name, mistakes=(), hint=""):
    """Exact equality for integer results (labels, sizes, counts)."""
    __tracebackhide__ = True
    expected = as_array(expected, "expected", dtype=_int64)
    got = check_shape(value, expected.shape, name)
    if not (got == got.round()).all():
        raise CheckFailure(f"{name}: expected whole numbers, got non-integer values.")
    got = got.astype(_int64)
    if (got == expected).all():
        return None
    for candidate, message in mistakes:
        cand = as_array(candidate, "candidate", dtype=_int64)
        if cand.shape == got.shape and (cand == got).all():
            raise CheckFailure(f"{name}: {message}")
    if got.ndim == 0:
        raise CheckFailure(f"{name}: got {int(got)}, expected {int(expected)}." + (f" {hint}" if hint else ""))
    wrong = int((got != expected).sum())
    raise CheckFailure(f"{name}: {wrong} of {got.size} entries are wrong." + (f" {hint}" if hint else ""))


guard.snapshot()


# --------------------------------------------------------------------------- how code runs


def count_python_lines(fn, *args, **kwargs):
    """Run ``call(fn, *args)`` and count the Python lines executed in the notebook's own code.

    Only frames from the same place as ``fn`` (the notebook's cells) are counted, never numpy
    internals, so the count measures Python-level loops and not the size of array work.
    Returns ``(result, lines)``.
    """
    __tracebackhide__ = True
    code = getattr(fn, "__code__", None)
    home = code.co_filename.rsplit("/", 1)[0] if code is not None else None
    counter = [0]

    def local(frame, event, arg):
        if event == "line":
            counter[0] += 1
        return local

    def global_(frame, event, arg):
        if home is not None and frame.f_code.co_filename.rsplit("/", 1)[0] == home:
            return local
        return None

    previous = sys.gettrace()
    sys.settrace(global_)
    try:
        result = call(fn, *args, **kwargs)
    finally:
        sys.settrace(previous)
    return result, counter[0]


def check_no_python_loop(fn, make_args, name, sizes=(2, 40), what="the batch", slack=5):
    """Fail if ``fn`` executes more Python lines on a larger input: it loops in Python.

    Args:
        make_args: ``size -> tuple of arguments``.
        sizes: a small and a larger size; a vectorized function runs the same lines for both.
    """
    __tracebackhide__ = True
    small, large = sizes
    _, lines_small = count_python_lines(fn, *make_args(small), name=name)
    _, lines_large = count_python_lines(fn, *make_args(large), name=name)
    if lines_large > lines_small + slack:
        raise CheckFailure(
            f"{name} runs {lines_large} Python lines when {what} has size {large} but "
            f"{lines_small} when it has size {small}: it loops over {what} in Python. "
            "Use numpy broadcasting (or einsum) so the work happens inside numpy."
        )


def peak_memory(fn, *args, **kwargs):
    """Run ``call(fn, *args)`` under tracemalloc; return ``(result, peak bytes allocated)``.

    numpy reports its array buffers to tracemalloc, so this measures memory, not time:
    deterministic, and independent of the machine's speed.
    """
    __tracebackhide__ = True
    import tracemalloc

    args = [_copy_arg(a) for a in args]
    kwargs = {k: _copy_arg(v) for k, v in kwargs.items()}
    kwargs["copy_args"] = False
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        result = call(fn, *args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return result, peak - base
