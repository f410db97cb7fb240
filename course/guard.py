"""Undo a submission's monkeypatching of the modules the tests rely on.

Student code and test cells share one kernel, so a solution cell could write
``np.allclose = lambda *a, **k: True`` or replace one of our checks and "pass" every test.
This module snapshots the attribute dictionaries of numpy (and the submodules tests use),
``builtins``, ``math`` and the ``course`` helpers when it is first imported -- in the
notebook's locked setup cell, before any student code -- and :func:`restore` puts back every
attribute that has been replaced since.  :func:`install` makes IPython call it before every
cell, and :func:`course.checks.call` calls it around every call of student code.

This is defence in depth, not a sandbox: the instructor CLI also scans submissions for
tampering patterns and flags them for review.
"""

import importlib
import sys

_MISSING = object()
_WATCHED = (
    "numpy", "numpy.linalg", "numpy.random", "numpy.fft", "numpy.lib", "numpy.lib.stride_tricks",
    "builtins", "math", "warnings", "contextlib", "io",
    "course.gradcheck", "course.checks", "course.guard",
)
_snapshots = {}  # module name -> (module object, copy of its __dict__)
_original_module = {}  # module name -> module object that sys.modules must hold


def snapshot(names=_WATCHED):
    """Record the current attributes of the named modules (imported here if needed)."""
    for name in names:
        if name in _snapshots:
            continue
        module = sys.modules.get(name) or importlib.import_module(name)
        _snapshots[name] = (module, dict(vars(module)))
        _original_module[name] = module


def restore():
    """Put back every snapshotted attribute and ``sys.modules`` entry that has changed.

    Returns the sorted list of ``module.attribute`` names that were restored, so callers
    can report tampering.  Attributes added since the snapshot are left alone.
    """
    changed = []
    modules = vars(sys)["modules"]
    for name, module in _original_module.items():
        if modules.get(name) is not module:
            modules[name] = module
            changed.append(f"sys.modules[{name!r}]")
    for name, (module, saved) in _snapshots.items():
        current = vars(module)
        for key, value in saved.items():
            if current.get(key, _MISSING) is not value:
                current[key] = value
                changed.append(f"{name}.{key}")
    return sorted(changed)


def install():
    """Snapshot now (the setup cell runs before any student code) and restore before every
    cell IPython runs. Outside IPython only the snapshot is taken."""
    import course.checks  # noqa: F401 -- captures pristine numpy functions and snapshots
    import course.gradcheck  # noqa: F401

    snapshot()
    try:
        ip = get_ipython()  # noqa: F821 -- defined by IPython
    except NameError:
        return
    if _restore_before_cell not in ip.events.callbacks["pre_run_cell"]:
        ip.events.register("pre_run_cell", _restore_before_cell)
    ip.set_custom_exc((course.checks.CheckFailure,), _short_traceback)


def _short_traceback(shell, etype, value, tb, tb_offset=None):
    """Show a failed check without the frames of the course's own helpers: the student sees
    the test line that failed and the sentence that says why."""
    import os
    import types

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


def _restore_before_cell(*_):
    restore()


snapshot(("builtins", "math"))
