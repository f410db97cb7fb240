"""The trusted side of grading: runs a notebook's test cells in a process of its own.

:class:`course.grading.execute.GuardedExecute` starts this process (``python -m
course.grading.runner``) next to the student's sandboxed kernel and hands it each test cell.
The cell runs here, in a fresh namespace where every name the cell needs from the student
(``softmax``, a value such as ``y_hat``) is bound to a stand-in:

- a student *function* becomes a :class:`Remote`; calling it (directly or through
  ``course.checks.call``) sends the arguments, as data, to the executor, which runs the call in
  the kernel and sends the answer back, as data;
- a student *value* is fetched once, as data.

So the test's code, its expected values and the helpers it defines never enter the student's
process, and nothing the student's code does can change a check's verdict except the data its
functions return. Requirements about how a function works are decided from the submission's
source (:mod:`course.constraints`), which the executor sends along.

Protocol: one JSON object per line on stdin / stdout. The executor sends ``{"op": "run",
"cell", "source", "sources", "labels"}``; while the cell runs, this process may send
``{"op": "describe" | "call", ...}`` and read one ``{"op": "reply", ...}`` for each (with any
number of ``{"op": "callback", ...}`` requests in between, answered with ``{"op":
"callback_result", ...}``); it ends with ``{"op": "done", ...}``.
"""

import builtins
import contextlib
import functools
import io
import json
import os
import sys
import symtable
import traceback

from course import boundary
from course.checks import CheckFailure, _not_implemented

MAX_STDOUT = 5_000


class Session:
    """One test cell's conversation with the executor."""

    def __init__(self, wire_in, wire_out, sources, labels):
        self._in, self._out = wire_in, wire_out
        self._sources, self._labels = sources, labels
        self._program = None
        self.remotes = {}

    def send(self, message):
        self._out.write(json.dumps(message, allow_nan=True) + "\n")
        self._out.flush()

    def receive(self):
        line = self._in.readline()
        if not line:
            raise SystemExit(0)  # the executor went away
        return json.loads(line)

    def request(self, message, callbacks=()):
        """Send a request; answer callbacks until the reply comes."""
        self.send(message)
        while True:
            answer = self.receive()
            if answer.get("op") == "reply":
                return answer
            if answer.get("op") == "callback":
                self.send(self._callback(answer, callbacks))
            else:
                raise RuntimeError(f"unexpected message from the executor: {answer.get('op')!r}")

    def _callback(self, request, callbacks):
        """Run one of the test's own functions for the student's code (e.g. ``f`` in
        ``numerical_jacobian(f, a)``)."""
        try:
            fn = callbacks[request["id"]]
            args = boundary.decode(request["args"], parse_sympy=_parse_sympy)
            kwargs = boundary.decode(request["kwargs"], parse_sympy=_parse_sympy)
            return {"op": "callback_result", "ok": True, "value": boundary.encode(fn(*args, **kwargs))}
        except Exception as exc:  # noqa: BLE001 -- reported to the student's code as an error
            return {"op": "callback_result", "ok": False, "message": f"{type(exc).__name__}: {exc}"[:300]}

    def program(self):
        """The submission's code so far, for :mod:`course.constraints`."""
        if self._program is None:
            from course.constraints import Program

            self._program = Program(self._sources, self._labels)
        return self._program

    def refs(self):
        return [(remote, name) for name, remote in self.remotes.items()]


class Remote:
    """A student function, as the trusted side sees it: calls cross to the kernel as data."""

    __course_remote__ = True

    def __init__(self, name, session):
        self.name = name
        self.__name__ = name
        self._session = session

    def __call__(self, *args, **kwargs):
        from course.checks import call

        return call(self, *args, **kwargs)

    def __repr__(self):
        return f"<the student's function {self.name}>"

    def __course_program__(self):
        return self._session.program()

    def __course_invoke__(self, args, kwargs, label, warnings="ignore", forbid=(), timeout=None, memory=False):
        __tracebackhide__ = True
        callbacks = []
        refs = self._session.refs()
        try:
            message = {"op": "call", "name": self.name, "args": boundary.encode(list(args), refs, callbacks),
                       "kwargs": boundary.encode(dict(kwargs), refs, callbacks), "warnings": warnings,
                       "forbid": list(forbid), "timeout": timeout, "memory": bool(memory), "label": label}
        except boundary.BoundaryError as exc:
            raise RuntimeError(f"the test passes {label} an argument that cannot be sent: {exc}") from None
        reply = self._session.request(message, callbacks)
        if reply.get("failure"):  # the executor's own verdict: time limit, dead kernel, garbled answer
            raise CheckFailure(f"{label} {reply['failure']}")
        if reply.get("unreadable"):
            raise CheckFailure(f"{label} returned data that cannot be sent to the grader ({reply['unreadable']}): "
                               "return numbers, arrays, or lists, tuples and dicts of those.")
        if not reply.get("ok"):
            error = reply.get("error") or {}
            if error.get("not_implemented"):
                raise CheckFailure(_not_implemented(label, error.get("raised_in")))
            if error.get("banned"):
                raise CheckFailure(f"{label}: {error.get('message')}")
            raise CheckFailure(f"{label} raised {error.get('type', 'an error')}: {error.get('message', '')}")
        try:
            value = boundary.decode(reply.get("value"), parse_sympy=_parse_sympy)
        except (boundary.BoundaryError, ValueError, TypeError, SyntaxError) as exc:
            raise CheckFailure(f"{label} returned something the grader cannot read ({exc}).") from None
        info = {"mutated": list(reply.get("mutated") or []), "warnings": list(reply.get("warnings") or []),
                "memory": reply.get("memory")}
        return value, info


def _parse_sympy(text):
    from course.symbolic import parse_expression

    return parse_expression(text)


# --------------------------------------------------------------------------- running a cell


def free_names(source):
    """Names a cell uses without defining them (its globals that are not builtins)."""
    names = set()

    def visit(table, top):
        for symbol in table.get_symbols():
            name = symbol.get_name()
            if top:
                if symbol.is_referenced() and not (symbol.is_assigned() or symbol.is_imported()):
                    names.add(name)
            elif symbol.is_global() and symbol.is_referenced():
                names.add(name)
        for child in table.get_children():
            visit(child, False)

    table = symtable.symtable(source, "<cell>", "exec")
    visit(table, True)
    assigned = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()}
    return sorted(n for n in names - assigned if not hasattr(builtins, n))


@functools.lru_cache(maxsize=256)
def _compiled(source, label):
    """A test cell's code object and the notebook names it needs, once per cell (the same
    test cells run for every submission a worker grades)."""
    return compile(source, f"<{label}>", "exec"), free_names(source)


def run_cell(session, label, source):
    """Run one test cell; returns the ``done`` message."""
    stdout = io.StringIO()
    namespace = {"__name__": "__test__", "__builtins__": builtins}
    try:
        code, needed = _compiled(source, label)
        if needed:
            described = session.request({"op": "describe", "names": needed})
            if not described.get("ok"):
                raise CheckFailure(f"the grader could not read your notebook's names ({described.get('failure') or described.get('error')})")
            for name, what in (described.get("names") or {}).items():
                if name not in needed:
                    continue
                if what.get("kind") == "function":
                    namespace[name] = session.remotes[name] = Remote(name, session)
                elif what.get("kind") == "value":
                    try:
                        namespace[name] = boundary.decode(what.get("value"), parse_sympy=_parse_sympy)
                    except (boundary.BoundaryError, ValueError, TypeError, SyntaxError) as exc:
                        namespace[name] = boundary.Unsupported(f"unreadable value ({exc})")
        with contextlib.redirect_stdout(stdout):
            exec(code, namespace)  # noqa: S102 -- the instructor's test code, on the trusted side
    except BaseException as exc:  # noqa: BLE001 -- every failure becomes the cell's error output
        if isinstance(exc, NameError) and getattr(exc, "name", None):
            exc = CheckFailure(f"{exc.name} is not defined in your notebook: did you rename or delete its cell, "
                               "or does an error above stop it from being defined?")
        return {"op": "done", "ok": False, "ename": type(exc).__name__, "evalue": str(exc),
                "traceback": _traceback(exc, label, source), "stdout": stdout.getvalue()[:MAX_STDOUT]}
    return {"op": "done", "ok": True, "stdout": stdout.getvalue()[:MAX_STDOUT]}


def _traceback(exc, label, source):
    """The test's own lines that led to the failure, then the one sentence that says why."""
    lines = source.split("\n")
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == f"<{label}>"]
    shown = ["Traceback (most recent call last):"] if frames else []
    for frame in frames:
        code = lines[frame.lineno - 1].strip() if 0 < frame.lineno <= len(lines) else ""
        shown.append(f"  {label}, line {frame.lineno}:\n    {code}")
    shown.append(f"{type(exc).__name__}: {exc}")
    return shown


def main():
    wire_in = sys.stdin
    wire_out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # anything else printing to stdout goes to stderr, never into the protocol
    sys.stdout = sys.__stdout__ = os.fdopen(1, "w")
    import numpy  # noqa: F401 -- loaded once, before the first cell

    for line in wire_in:
        message = json.loads(line)
        if message.get("op") != "run":
            continue
        session = Session(wire_in, wire_out, message.get("sources", []), message.get("labels"))
        session.send(run_cell(session, message["cell"], message["source"]))


if __name__ == "__main__":
    main()
