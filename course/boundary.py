"""What crosses the grading boundary, and the student side of it.

When a submission is autograded, its cells run in a sandboxed kernel and the test cells in a
separate, trusted process (``course.grading.runner``). A test calls a student function by
sending *data* to the kernel, which runs :func:`serve`; the answer comes back as data. Only
these kinds cross, in both directions (:func:`encode` / :func:`decode`):

- ``None``, ``bool``, ``int``, ``float`` (NaN and infinities included), ``str``;
- NumPy arrays of booleans, integers or floats (sent as ``bool``, ``int64`` or ``float64``);
- lists, tuples and dicts (string or integer keys) of those;
- SymPy expressions, sent as their text and parsed on the trusted side by
  :func:`course.symbolic.parse_expression`, which accepts arithmetic and a fixed list of
  functions only -- never ``eval``;
- in calls, references to a student's own function (by name) and *callbacks*: a function
  of the test that the student's code may call (for example the ``f`` handed to
  ``numerical_jacobian``); each call of it is a round trip to the trusted side.

Everything else (an object of the student's own class, a module, a generator, ...) crosses
as ``{"unsupported": "<type name>"}`` and the test reports it. Nothing is ever pickled, and
the trusted side never calls a method of an object that came from the student.

:func:`serve` runs in the student's kernel, so a student can replace it; that only changes
what their own functions appear to return, which is no more than writing those functions
differently. Nothing secret is ever sent to the kernel: not the tests, not expected values.
"""

import base64
import builtins
import contextlib
import copy
import io
import json
import math
import warnings

import numpy as np

MIME = "application/vnd.course.boundary+json"
CALLBACK_PROMPT = "\x00course-callback:"
REQUEST_PROMPT = "\x00course-request"
INLINE_REQUEST = 4096  # characters: a longer request is read from stdin, not written into the code
MAX_DEPTH = 24
MAX_ITEMS = 2_000_000  # array elements and container items per message
MAX_TEXT = 200_000  # characters per string
_DTYPES = {"b": "bool", "i": "int64", "u": "int64", "f": "float64"}


class BoundaryError(ValueError):
    """Data that may not cross the boundary (too big, too deep, or of an unknown kind)."""


# --------------------------------------------------------------------------- encoding


def encode(value, refs=None, callbacks=None, _depth=0, _budget=None):
    """``value`` as JSON-ready data. ``refs`` maps objects to names sent as references,
    ``callbacks`` collects test-side callables (their position becomes their id)."""
    budget = _budget if _budget is not None else [MAX_ITEMS]
    if _depth > MAX_DEPTH:
        raise BoundaryError(f"nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _float(float(value))
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise BoundaryError(f"a string of {len(value):,} characters")
        return value
    if isinstance(value, np.ndarray):
        return _encode_array(value, budget)
    if refs is not None:
        for obj, name in refs:
            if value is obj:
                return {"ref": name}
    if isinstance(value, (list, tuple)):
        _spend(budget, len(value))
        items = [encode(v, refs, callbacks, _depth + 1, budget) for v in value]
        return items if isinstance(value, list) else {"tuple": items}
    if isinstance(value, dict):
        _spend(budget, len(value))
        pairs = []
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise BoundaryError(f"a dict key of type {type(key).__name__}")
            pairs.append([key, encode(item, refs, callbacks, _depth + 1, budget)])
        return {"dict": pairs}
    if _is_sympy(value):
        text = str(value)
        if len(text) > MAX_TEXT:
            raise BoundaryError("a SymPy expression too long to send")
        return {"sympy": text}
    if callable(value) and callbacks is not None:
        callbacks.append(value)
        return {"callback": len(callbacks) - 1}
    return {"unsupported": type(value).__name__}


def _float(x):
    return x if math.isfinite(x) else {"float": repr(x)}


def _spend(budget, n):
    budget[0] -= n
    if budget[0] < 0:
        raise BoundaryError(f"more than {MAX_ITEMS:,} values")


def _encode_array(arr, budget):
    kind = arr.dtype.kind
    if kind not in _DTYPES:
        return {"unsupported": f"ndarray of dtype {arr.dtype}"}
    _spend(budget, arr.size)
    plain = np.ascontiguousarray(arr, dtype=_DTYPES[kind])
    return {"ndarray": {"dtype": _DTYPES[kind], "shape": list(plain.shape),
                        "data": base64.b64encode(plain.tobytes()).decode("ascii")}}


def _is_sympy(value):
    module = type(value).__module__ or ""
    return module.startswith("sympy.") and hasattr(value, "free_symbols")


# --------------------------------------------------------------------------- decoding


def decode(data, resolve_ref=None, make_callback=None, parse_sympy=None, _depth=0, _budget=None):
    """Plain Python / NumPy values from :func:`encode`'s data; anything else is refused.

    ``resolve_ref(name)``, ``make_callback(id)`` and ``parse_sympy(text)`` say what
    references, callbacks and SymPy expressions become; without them they are refused.
    """
    budget = _budget if _budget is not None else [MAX_ITEMS]
    if _depth > MAX_DEPTH:
        raise BoundaryError(f"nested more than {MAX_DEPTH} levels deep")
    if data is None or isinstance(data, bool):
        return data
    if isinstance(data, int):
        return data
    if isinstance(data, float):
        return data
    if isinstance(data, str):
        if len(data) > MAX_TEXT:
            raise BoundaryError(f"a string of {len(data):,} characters")
        return data
    if isinstance(data, list):
        _spend(budget, len(data))
        return [decode(v, resolve_ref, make_callback, parse_sympy, _depth + 1, budget) for v in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise BoundaryError("malformed data")
    (tag, body), = data.items()
    if tag == "float" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "tuple" and isinstance(body, list):
        _spend(budget, len(body))
        return tuple(decode(v, resolve_ref, make_callback, parse_sympy, _depth + 1, budget) for v in body)
    if tag == "dict" and isinstance(body, list):
        _spend(budget, len(body))
        out = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))
                    and not isinstance(pair[0], bool)):
                raise BoundaryError("malformed dict")
            out[pair[0]] = decode(pair[1], resolve_ref, make_callback, parse_sympy, _depth + 1, budget)
        return out
    if tag == "ndarray" and isinstance(body, dict):
        return _decode_array(body, budget)
    if tag == "unsupported" and isinstance(body, str):
        return Unsupported(body[:200])
    if tag == "sympy" and isinstance(body, str) and parse_sympy is not None:
        return parse_sympy(body)
    if tag == "ref" and isinstance(body, str) and resolve_ref is not None:
        return resolve_ref(body)
    if tag == "callback" and isinstance(body, int) and make_callback is not None:
        return make_callback(body)
    raise BoundaryError(f"data of kind {tag!r} is not accepted here")


def _decode_array(body, budget):
    dtype, shape, text = body.get("dtype"), body.get("shape"), body.get("data")
    if dtype not in ("bool", "int64", "float64") or not isinstance(shape, list) or not isinstance(text, str):
        raise BoundaryError("malformed array")
    if not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape) or len(shape) > 32:
        raise BoundaryError("malformed array shape")
    size = math.prod(shape)
    _spend(budget, size)
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if len(raw) != size * np.dtype(dtype).itemsize:
        raise BoundaryError("array data does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


class Unsupported:
    """Stands for a value of a kind that cannot cross (its type name is all that is known)."""

    __slots__ = ("typename",)

    def __init__(self, typename):
        self.typename = typename

    def __repr__(self):
        return f"<an object of type {self.typename}>"


def dumps(obj):
    return base64.b64encode(json.dumps(obj, allow_nan=True).encode()).decode("ascii")


def loads(text):
    return json.loads(base64.b64decode(text.encode("ascii"), validate=True))


# --------------------------------------------------------------------------- the kernel's side


def serve(request_text=None):
    """Answer one request of the trusted side (runs in the student's kernel).

    Requests: ``{"op": "describe", "names": [...]}`` -- what each name is (a function, a
    value, missing); ``{"op": "call", "name", "args", "kwargs", "warnings", "forbid"}`` --
    call the student's function. The answer is published as display data of type
    :data:`MIME`, which the trusted side reads.

    A short request comes as the argument, written into the code the kernel runs. A long one
    (arrays of images or weights) is asked for on stdin (``request_text=None``): in the code,
    every character costs IPython's input transformer and ipykernel's pure-Python cell hash,
    ~0.2 ms per kilobyte -- a tenth of a second for one 128 x 128 RGB image.
    """
    from IPython import get_ipython
    from IPython.display import publish_display_data

    namespace = get_ipython().user_ns
    try:
        request = loads(builtins.input(REQUEST_PROMPT) if request_text is None else request_text)
        answer = _describe(namespace, request) if request["op"] == "describe" else _call(namespace, request)
    except BaseException as exc:  # noqa: BLE001 -- anything at all becomes a failed answer
        answer = {"ok": False, "error": {"type": type(exc).__name__, "message": _text(exc)}}
    publish_display_data({MIME: dumps(answer)})


def _text(exc):
    try:
        return str(exc)[:500]
    except BaseException:  # noqa: BLE001 -- a lying __str__
        return "(no message)"


def _describe(namespace, request):
    found = {}
    for name in request["names"]:
        if name not in namespace:
            found[name] = {"kind": "missing"}
        elif callable(namespace[name]) and not isinstance(namespace[name], type):
            found[name] = {"kind": "function"}
        else:
            try:
                found[name] = {"kind": "value", "value": encode(namespace[name])}
            except BoundaryError as exc:
                found[name] = {"kind": "value", "value": {"unsupported": f"{type(namespace[name]).__name__} ({exc})"}}
    return {"ok": True, "names": found}


def _sympy(text):
    from course.symbolic import parse_expression

    return parse_expression(text)


def _callback(index):
    def callback(*args, **kwargs):
        reply = builtins.input(CALLBACK_PROMPT + dumps({"id": index, "args": encode(list(args)),
                                                        "kwargs": encode(kwargs)}))
        answer = loads(reply)
        if not answer.get("ok"):
            raise RuntimeError(answer.get("message", "the test's function failed"))
        return decode(answer["value"], parse_sympy=_sympy)
    callback.__name__ = f"test_function_{index}"
    return callback


def _call(namespace, request):
    name = request["name"]
    if name not in namespace:
        return {"ok": False, "error": {"type": "NameError", "message": f"name {name!r} is not defined"}}
    fn = namespace[name]
    args = decode(request["args"], resolve_ref=namespace.__getitem__, make_callback=_callback, parse_sympy=_sympy)
    kwargs = decode(request["kwargs"], resolve_ref=namespace.__getitem__, make_callback=_callback, parse_sympy=_sympy)
    before = copy.deepcopy((args, kwargs))
    printed = io.StringIO()
    with contextlib.ExitStack() as stack:
        caught = stack.enter_context(warnings.catch_warnings(record=True))
        warnings.simplefilter("always")
        if request.get("warnings") == "forbid":  # underflow to 0 is the correctly rounded result
            stack.enter_context(np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"))
        else:
            stack.enter_context(np.errstate(all="ignore"))
        stack.enter_context(contextlib.redirect_stdout(printed))
        stack.enter_context(contextlib.redirect_stderr(printed))
        if request.get("forbid"):
            from course.checks import forbidden

            stack.enter_context(forbidden(*request["forbid"]))
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 -- SystemExit and KeyboardInterrupt included
            error = {"type": type(exc).__name__, "message": _text(exc),
                     "not_implemented": isinstance(exc, NotImplementedError),
                     "raised_in": raised_in(exc, namespace, name),
                     "banned": type(exc).__name__ == "CheckFailure" and "your code called" in _text(exc)}
            return {"ok": False, "error": error, "printed": len(printed.getvalue()),
                    "warnings": _warning_list(caught)}
    try:
        value = encode(result)
    except BoundaryError as exc:
        return {"ok": False, "unreadable": str(exc)}
    return {"ok": True, "value": value, "warnings": _warning_list(caught),
            "mutated": _changed(before, (args, kwargs)), "printed": len(printed.getvalue())}


def raised_in(exc, namespace, called):
    """The notebook function (other than ``called``) where ``exc`` was raised, if any: a stub that
    a graded function calls should be named, not the caller."""
    tb, where = exc.__traceback__, None
    while tb is not None:
        name = tb.tb_frame.f_code.co_name
        if name != called and callable(namespace.get(name)) and getattr(namespace[name], "__code__", None) is tb.tb_frame.f_code:
            where = name
        tb = tb.tb_next
    return where


def _warning_list(caught):
    return [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:5]]


def _changed(before, after, path="arguments"):
    """Paths of arrays (or containers) among the arguments that the call modified."""
    old_args, old_kwargs = before
    new_args, new_kwargs = after
    changed = []
    for i, (old, new) in enumerate(zip(old_args, new_args)):
        changed += _diff(old, new, f"argument {i + 1}")
    for key in old_kwargs:
        changed += _diff(old_kwargs[key], new_kwargs.get(key), f"argument {key}")
    return changed


def _diff(old, new, where):
    if isinstance(old, np.ndarray):
        same = isinstance(new, np.ndarray) and old.shape == new.shape and np.array_equal(old, new, equal_nan=True)
        return [] if same else [where]
    if isinstance(old, dict):
        out = []
        for key in old:
            out += _diff(old[key], new.get(key) if isinstance(new, dict) else None, f"{where}[{key!r}]")
        return out
    if isinstance(old, (list, tuple)):
        if not isinstance(new, (list, tuple)) or len(old) != len(new):
            return [where]
        return [d for i, (a, b) in enumerate(zip(old, new)) for d in _diff(a, b, f"{where}[{i}]")]
    if isinstance(old, (int, float)):
        same = type(old) is type(new) and (old == new or (old != old and new != new))
        return [] if same else [where]
    return []
