"""Assertions for test cells: clear messages, the same verdict in a student's kernel and in grading.

Test cells call a student's function through :func:`call` and compare what comes back with
:func:`check_shape`, :func:`check_close`, :func:`check_rel_error`, ... Each check turns the
value into a plain float64 array first (:func:`as_array`) and raises :class:`CheckFailure`
(an ``AssertionError``) with a sentence a student can act on: what was called, what was
expected, the largest error and where, and -- when the wrong value matches a known common
mistake -- the targeted explanation of that mistake.

The same test cell runs in two places:

- in the student's own kernel (their JupyterLab, Validate): ``softmax`` is their function and
  :func:`call` calls it directly;
- when grading, in a trusted process of its own (``course.grading.runner``): ``softmax`` is
  then a *remote* function, and :func:`call` sends the arguments to the student's sandboxed
  kernel and gets plain data back (see :mod:`course.boundary`). Tests and expected values
  never enter the student's process.

Requirements about *how* a function works are decided from its source text
(:mod:`course.constraints`), never from a measurement the student's code could fake:
:func:`check_no_python_loop`, ``call(..., forbid=[...])``, ``call(..., warnings="forbid")``
(which also rejects silencing warnings). :func:`check_memory` measures the kernel's memory
from outside when grading, and :func:`check_inputs_unchanged` checks that arguments are left
as they were.
"""

import contextlib
import copy as _copy
import io
import types
import warnings as _warnings

import numpy as np

from course.boundary import Unsupported

__all__ = [
    "call", "as_array", "check_shape", "check_close", "check_rel_error", "check_finite", "check_equal",
    "check_scalar", "check_true", "forbidden", "CheckFailure", "check_no_python_loop", "check_memory",
    "check_inputs_unchanged", "upstream", "install",
]


class CheckFailure(AssertionError):
    """A failed check. Subclasses AssertionError so nbgrader and pytest treat it as one."""


def check_true(condition, message):
    """``assert condition, message`` that survives ``python -O``."""
    __tracebackhide__ = True
    if type(condition) is np.bool_:
        condition = bool(condition)
    if condition is not True:
        raise CheckFailure(message)


# --------------------------------------------------------------------------- calling code


def _is_remote(fn):
    """A student function living in the grading kernel (``course.grading.runner.Remote``)."""
    return getattr(type(fn), "__course_remote__", False) is True


def _function_name(fn):
    return fn.name if _is_remote(fn) else getattr(fn, "__name__", "your function")


@contextlib.contextmanager
def forbidden(*dotted_names, reason="it is not allowed in this exercise"):
    """Make each ``module.function`` raise while the block runs (e.g. ``"numpy.convolve"``).

    Only modules already imported are touched (code that has not imported a module cannot call
    it; importing SciPy just to ban it would cost seconds). Everything is put back afterwards.
    (The grader decides from the source text, :mod:`course.constraints`; this catches the call
    as it happens, with the same message, in the student's own kernel.)
    """
    __tracebackhide__ = True
    import sys

    saved = []
    for dotted in dotted_names:
        module_name, _, attr = dotted.rpartition(".")
        module = sys.modules.get(module_name)
        if module is None or not hasattr(module, attr):
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


def call(fn, *args, name=None, warnings="ignore", hint="", forbid=(), timeout=None, **kwargs):
    """Call student function ``fn(*args, **kwargs)`` and return its result.

    The function gets copies of the arguments, so the test's own data stay intact.

    Args:
        fn: the student's function (or, when grading, its remote stand-in).
        name: how messages refer to the call (default: the function's name).
        warnings: ``"ignore"`` (floating-point and Python warnings are silenced, so a correct
            solution's harmless ``RuntimeWarning`` costs nothing) or ``"forbid"`` (any warning
            fails the check, and so does code that silences warnings with ``np.errstate``,
            ``np.seterr`` or the ``warnings`` module; underflow to 0 is never a warning).
        hint: a sentence added to the failure when a forbidden warning was raised.
        forbid: dotted names of functions that must not be used, e.g. ``"numpy.convolve"``;
            decided from the source of ``fn`` and the helpers it calls.
        timeout: seconds the call may take when grading (default: the grader's setting).

    Raises:
        CheckFailure: if ``fn`` is not implemented, raises, returns something that is not
        data, or breaks a requirement above.
    """
    __tracebackhide__ = True
    return _invoke(fn, args, kwargs, name=name, warnings=warnings, hint=hint, forbid=forbid, timeout=timeout)[0]


def _invoke(fn, args, kwargs, name=None, warnings="ignore", hint="", forbid=(), timeout=None, memory=False):
    """``(result, info)`` with ``info = {"mutated": [...], "memory": bytes or None}``."""
    __tracebackhide__ = True
    label = name or _function_name(fn)
    if not callable(fn):
        raise CheckFailure(f"{label} is not a function (got {type(fn).__name__}): did you overwrite it?")
    if forbid:
        _static_check(fn, label, "uses", list(forbid),
                      "which is not allowed in this exercise: implement it yourself")
    if warnings == "forbid":
        _static_check(fn, label, "silencers", None,
                      "silencing a warning does not avoid it: compute it in a way that raises none")
    if _is_remote(fn):
        result, info = fn.__course_invoke__(args, kwargs, label=label, warnings=warnings, forbid=list(forbid),
                                            timeout=timeout, memory=memory)
    else:
        result, info = _invoke_here(fn, args, kwargs, label, warnings, forbid, memory)
    if warnings == "forbid" and info.get("warnings"):
        raise CheckFailure(
            f"{label} raised a warning ({info['warnings'][0]}), and this exercise requires none: "
            "compute it in a numerically stable way." + (f" {hint}" if hint else ""))
    return result, info


def _invoke_here(fn, args, kwargs, label, warnings, forbid, memory):
    """Call a function of this process (the student's own kernel, or a unit test)."""
    __tracebackhide__ = True
    pristine = _copy.deepcopy((args, kwargs))
    args, kwargs = _copy.deepcopy(pristine)
    stderr = io.StringIO()
    peak = None
    with contextlib.ExitStack() as stack:
        caught = stack.enter_context(_warnings.catch_warnings(record=True))
        _warnings.simplefilter("always")
        stack.enter_context(np.errstate(all="ignore") if warnings != "forbid"
                            else np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"))
        stack.enter_context(contextlib.redirect_stderr(stderr))
        stack.enter_context(forbidden(*forbid))
        if memory:
            tracer = stack.enter_context(_traced_memory())
        try:
            result = fn(*args, **kwargs)
        except NotImplementedError as exc:
            from course.boundary import raised_in

            raise CheckFailure(_not_implemented(label, raised_in(exc, getattr(fn, "__globals__", {}), _function_name(fn)))) from None
        except CheckFailure:
            raise
        except Exception as exc:
            raise CheckFailure(f"{label} raised {type(exc).__name__}: {exc}") from exc
        if memory:
            peak = tracer()
    from course.boundary import _changed

    info = {"mutated": _changed(pristine, (args, kwargs)), "memory": peak,
            "warnings": [f"{w.category.__name__}: {w.message}" for w in caught]}
    return result, info


def _not_implemented(label, upstream=None):
    if upstream:
        return (f"{label} could not run: {upstream}, which it calls, is not implemented yet (it raised "
                f"NotImplementedError). Write {upstream} first.")
    return (f"{label} is not implemented yet (it raised NotImplementedError): replace "
            "`raise NotImplementedError()` with your code.")


@contextlib.contextmanager
def _traced_memory():
    """Peak bytes allocated while the block runs (numpy reports its buffers to tracemalloc)."""
    import tracemalloc

    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    try:
        yield lambda: tracemalloc.get_traced_memory()[1] - base
    finally:
        if not was_tracing:
            tracemalloc.stop()


# --------------------------------------------------------------------------- decided from the source


def _program(fn):
    """The code :mod:`course.constraints` reads for ``fn``: the submission when grading, the
    cells run so far in a student's kernel, or the function's own source elsewhere."""
    from course.constraints import Program

    if _is_remote(fn):
        return fn.__course_program__()
    program = Program.from_ipython()
    if program is not None and program.function(_function_name(fn)) is not None:
        return program
    import inspect
    import textwrap

    try:  # its module, so that imports resolve
        module = Program([inspect.getsource(inspect.getmodule(fn))])
        if module.function(_function_name(fn)) is not None:
            return module
    except (OSError, TypeError):
        pass
    try:  # else the function alone
        return Program([textwrap.dedent(inspect.getsource(fn))])
    except (OSError, TypeError):
        return None


def _static_check(fn, label, question, argument, reason):
    """Fail if ``program.<question>(fn, argument)`` finds anything (or cannot be answered)."""
    __tracebackhide__ = True
    program = _program(fn)
    fname = _function_name(fn)
    if program is None or program.function(fname) is None:
        raise CheckFailure(f"{label}: the grader cannot find the source of {fname}; define it with `def {fname}(...)` "
                           "in its answer cell.")
    stubs = program.stubbed(fname)
    if stubs:
        culprit = stubs[0].why.split(" is not implemented")[0]
        raise CheckFailure(_not_implemented(label, culprit if culprit != fname else None))
    tampering = program.tampering() if _is_remote(fn) else []
    if tampering:
        first = tampering[0]
        raise CheckFailure(
            f"{label}: this requirement cannot be checked, because the notebook {first.why} "
            f"({first.cell}, line {first.line}: `{first.code}`). Remove that code to be credited.")
    ask = getattr(program, question)
    found = ask(fname) if argument is None else ask(fname, argument)
    if found:
        first = found[0]
        raise CheckFailure(f"{label}: {first.why} ({first.cell}, line {first.line}: `{first.code}`) is {reason}."
                           if question == "loops" else
                           f"{label}: {first.why} ({first.cell}, line {first.line}: `{first.code}`), {reason}.")


def upstream(fn, *names):
    """A sentence for a failure of ``fn`` that may come from another graded function it calls.

    ``upstream(softmax_jacobian, "softmax")`` is ``"softmax_jacobian calls your softmax: if
    softmax's own tests fail, fix it first."`` when the source of ``softmax_jacobian`` (or of a
    helper) calls ``softmax``, and ``""`` otherwise. Pass it as ``hint=`` to a check.
    """
    program = _program(fn)
    fname = _function_name(fn)
    if program is None:
        return ""
    reached = [n for n, _, _ in program.reached(fname)]
    used = [n for n in names if n in reached and n != fname]
    if not used:
        return ""
    listed = ", ".join(used)
    return (f"{fname} calls your {listed}: if {listed}'s own tests fail, fix it first." if len(used) == 1 else
            f"{fname} calls your {listed}: if their own tests fail, fix them first.")


def check_no_python_loop(fn, name=None, allow_shape_of=(), hint=""):
    """Fail if ``fn`` or a notebook function it calls contains a Python loop.

    ``for``/``while`` loops, comprehensions, ``map``, ``np.vectorize``, ``np.apply_along_axis``
    and recursion all count; a loop over a fixed literal list does not, nor a loop over the
    dimensions of a parameter named in ``allow_shape_of`` (e.g. ``("W",)`` lets a convolution
    loop over its kernel's offsets). Decided from the source text.
    """
    __tracebackhide__ = True
    label = name or _function_name(fn)
    reason = "a Python loop, and this exercise asks for none: let numpy do the looping (broadcasting, einsum, matrix products)"
    _static_check(fn, label, "loops", tuple(allow_shape_of), reason + (f". {hint}" if hint else ""))


def check_memory(fn, *args, limit, name=None, hint="", **kwargs):
    """Call ``fn`` and fail if it needed more than ``limit`` bytes of memory at its peak.

    When grading, the kernel's peak resident memory is read from outside its sandbox; in a
    student's own kernel, numpy's allocations are traced. Returns the result.
    """
    __tracebackhide__ = True
    label = name or _function_name(fn)
    result, info = _invoke(fn, args, kwargs, name=label, memory=True)
    peak = info.get("memory")
    if peak is None:
        raise CheckFailure(f"{label}: the memory it used could not be measured.")
    if peak > limit:
        raise CheckFailure(f"{label} needed {peak / 1e6:.0f} MB of memory at its peak, more than the "
                           f"{limit / 1e6:.0f} MB allowed." + (f" {hint}" if hint else ""))
    return result


def check_inputs_unchanged(fn, *args, name=None, hint="", message=None, **kwargs):
    """Call ``fn`` and fail if it modified any of its array arguments in place. Returns the result.

    ``message`` replaces the whole failure sentence; ``hint`` is added to the default one.
    """
    __tracebackhide__ = True
    label = name or _function_name(fn)
    result, info = _invoke(fn, args, kwargs, name=label)
    if info.get("mutated"):
        raise CheckFailure(message or (f"{label} modified its {info['mutated'][0]} in place; leave the caller's "
                                       "arrays as they were (work on a copy or build new arrays)."
                                       + (f" {hint}" if hint else "")))
    return result


# --------------------------------------------------------------------------- tracebacks


def install():
    """In a notebook: show a failed check as the test line that failed and the sentence that
    says why, without the frames of the course's own helpers."""
    try:
        shell = get_ipython()  # noqa: F821 -- defined by IPython
    except NameError:
        return
    shell.set_custom_exc((CheckFailure,), _short_traceback)


def _short_traceback(shell, etype, value, tb, tb_offset=None):
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    kept = []
    while tb is not None:
        if not os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(here + os.sep):
            kept.append(tb)
        tb = tb.tb_next
    short = None
    for entry in reversed(kept):
        short = types.TracebackType(short, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    try:
        stb = shell.InteractiveTB.structured_traceback(etype, value, short, tb_offset=tb_offset)
    except Exception:  # noqa: BLE001 -- never let the pretty-printer hide a failure
        stb = [f"{etype.__name__}: {value}"]
    shell._showtraceback(etype, value, stb)  # IPython ignores a custom handler's return value


# --------------------------------------------------------------------------- converting values


def as_array(value, name, dtype=np.float64):
    """``value`` as a fresh plain ndarray of ``dtype``; a clear failure if it is not numeric."""
    __tracebackhide__ = True
    if value is None:
        raise CheckFailure(f"{name} returned None: did you forget the `return` statement?")
    if isinstance(value, Unsupported):
        raise CheckFailure(f"{name} returned an object of type {value.typename}, expected an array of numbers.")
    try:
        with np.errstate(all="ignore"):
            arr = np.array(value, dtype=dtype, copy=True, subok=False)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CheckFailure(
            f"{name} returned a {type(value).__name__} that is not an array of numbers ({exc})."
        ) from None
    if type(arr) is not np.ndarray:  # pragma: no cover -- subok=False guarantees it
        arr = arr.view(np.ndarray)
    return arr


def _fmt_shape(shape):
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def check_shape(value, shape, name, hint=""):
    """``value`` as a float64 array of exactly ``shape``; a message that names the mismatch."""
    __tracebackhide__ = True
    arr = as_array(value, name)
    shape = tuple(int(s) for s in shape)
    if arr.shape != shape:
        msg = f"{name}: expected shape {_fmt_shape(shape)}, got {_fmt_shape(arr.shape)}"
        if len(shape) >= 2 and arr.shape == shape[::-1]:
            msg += " -- the transpose of the expected shape (a missing or extra transpose)"
        elif arr.size == 1 and len(shape) == 0:
            msg += " -- return a plain number, e.g. with float(...)"
        raise CheckFailure(msg + (f". {hint}" if hint else "."))
    return arr


def check_finite(value, name, hint=""):
    """Fail if any entry is NaN or infinite (the usual sign of overflow)."""
    __tracebackhide__ = True
    arr = as_array(value, name)
    bad = ~np.isfinite(arr)
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
    with np.errstate(all="ignore"):
        ok = np.abs(arr - cand) <= atol + rtol * np.abs(cand)
    return bool(ok.all())


def _diagnose(arr, expected, name, mistakes, rtol, atol, hint, what):
    __tracebackhide__ = True
    for candidate, message in mistakes:
        if _matches(arr, candidate, rtol, atol):
            raise CheckFailure(f"{name}: {message}")
    with np.errstate(all="ignore"):
        err = np.abs(arr - expected)
        err = np.where(np.isfinite(err), err, np.inf)
    where = np.unravel_index(int(np.argmax(err)), arr.shape) if arr.ndim else ()
    got_v, exp_v = arr[where], expected[where]
    at = f" at index {tuple(int(i) for i in where)}" if arr.ndim else ""
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
    if not np.isfinite(arr).all():
        hint = (hint + " " if hint else "") + "Your result contains NaN or inf: look for overflow."
    _diagnose(arr, expected, name, mistakes, rtol, atol, hint, "values differ")


def check_rel_error(value, expected, name, tol=1e-7, floor=1e-12, mistakes=(), hint=""):
    """Fail unless the symmetric relative error ``|a-b| / max(|a|+|b|, floor)`` is <= ``tol``.

    The message reads like ``dW: relative error 3.2e-02 > 1e-07 (shape (5, 3) ok)``.
    """
    __tracebackhide__ = True
    expected = as_array(expected, "expected")
    arr = check_shape(value, expected.shape, name)
    with np.errstate(all="ignore"):
        rel = np.abs(arr - expected) / np.maximum(np.abs(arr) + np.abs(expected), floor)
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
    expected = as_array(expected, "expected", dtype=np.int64)
    got = check_shape(value, expected.shape, name)
    if not (got == got.round()).all():
        raise CheckFailure(f"{name}: expected whole numbers, got non-integer values.")
    got = got.astype(np.int64)
    if (got == expected).all():
        return None
    for candidate, message in mistakes:
        cand = as_array(candidate, "candidate", dtype=np.int64)
        if cand.shape == got.shape and (cand == got).all():
            raise CheckFailure(f"{name}: {message}")
    if got.ndim == 0:
        raise CheckFailure(f"{name}: got {int(got)}, expected {int(expected)}." + (f" {hint}" if hint else ""))
    wrong = int((got != expected).sum())
    raise CheckFailure(f"{name}: {wrong} of {got.size} entries are wrong." + (f" {hint}" if hint else ""))


