"""What a function's source text says: loops, forbidden calls, silenced warnings, tampering.

Some requirements of an exercise are about *how* a function computes, not what it returns:
"no Python loop over the batch", "do not call ``np.convolve``", "raise no overflow warning".
A measurement taken inside the student's kernel could be faked by the code it measures, so
the grader decides these from the submitted source instead, with Python's own parser:

- :meth:`Program.loops` -- ``for``/``while`` loops, comprehensions and hidden loops
  (``map``, ``np.vectorize``, ``np.apply_along_axis``, recursion) in a function and every
  helper it calls that the notebook defines; loops over a fixed list, or over a kernel's
  own dimensions where an exercise allows that, do not count;
- :meth:`Program.uses` -- references to forbidden functions (``np.convolve``, the course's
  own gradient checker), through any alias or import;
- :meth:`Program.silencers` -- ``np.errstate``, ``np.seterr``, ``warnings.*``: silencing a
  warning does not avoid it;
- :meth:`Program.tampering` -- code that could interfere with grading: ``exec``/``eval``,
  computed ``getattr``, imports of the kernel's machinery, frame and code-object
  attributes, patching a module's attributes. When grading finds any, the requirements above
  cannot be verified and are not credited (values are still graded normally).

The same analysis runs in a student's own kernel (on the cells run so far), so the visible
tests give the verdict the grader will give.
"""

import ast
import builtins
import functools
from collections import namedtuple

__all__ = ["Program", "Finding", "python_source"]

Finding = namedtuple("Finding", "cell line code why")
_parsed = {}  # the last Program.from_ipython(), reused until another cell has run

# Calls that are Python loops in disguise.
HIDDEN_LOOPS = {
    "builtins.map": "map() calls a Python function once per element",
    "builtins.filter": "filter() calls a Python function once per element",
    "numpy.vectorize": "np.vectorize is a Python loop in disguise",
    "numpy.frompyfunc": "np.frompyfunc is a Python loop in disguise",
    "numpy.apply_along_axis": "np.apply_along_axis is a Python loop in disguise",
    "numpy.apply_over_axes": "np.apply_over_axes is a Python loop in disguise",
    "numpy.fromiter": "np.fromiter consumes a Python iterator element by element",
    "functools.reduce": "functools.reduce is a Python loop",
    "itertools.starmap": "itertools.starmap is a Python loop",
    "itertools.accumulate": "itertools.accumulate is a Python loop",
}
SILENCERS = ("numpy.errstate", "numpy.seterr", "numpy.seterrcall", "numpy.testing.suppress_warnings", "warnings",
             "contextlib.redirect_stderr", "sys.stderr")

# --- tampering: what honest code for this course never needs
DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "breakpoint", "globals", "locals", "vars"}
DENIED_MODULES = (
    "IPython", "ipykernel", "jupyter_client", "jupyter_core", "zmq", "tornado", "traitlets", "nbclient",
    "course.boundary", "course.constraints", "course.grading", "importlib", "imp", "ctypes", "cffi", "gc",
    "inspect", "threading", "_thread", "multiprocessing", "concurrent", "subprocess", "signal", "pty",
    "socket", "builtins", "__builtin__", "types", "dis", "marshal", "pickle", "dill", "cloudpickle", "code",
    "codeop", "runpy", "pkgutil", "site", "resource", "mmap", "faulthandler", "atexit", "sysconfig", "ast",
    "asyncio", "selectors", "select", "fcntl", "tracemalloc", "sys.monitoring",
)
DENIED_ATTRIBUTES = {
    "__globals__", "__code__", "__dict__", "__class__", "__bases__", "__base__", "__mro__", "__subclasses__",
    "__builtins__", "__import__", "__closure__", "__func__", "__self__", "__defaults__", "__kwdefaults__",
    "__getattribute__", "__setattr__", "__delattr__", "__loader__", "__spec__", "__reduce__", "__reduce_ex__",
    "__wrapped__", "__traceback__", "__array_interface__", "__array_struct__", "__init_subclass__",
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_trace", "tb_frame", "tb_next", "gi_frame",
    "gi_code", "cr_frame", "cr_code", "ag_frame", "co_code", "co_consts",
}
DENIED_NAMES = {
    "sys.settrace", "sys.setprofile", "sys.modules", "sys._getframe", "sys.monitoring", "sys.meta_path",
    "sys.path_hooks", "sys.path_importer_cache", "sys.addaudithook", "sys._current_frames",
    "sys.setswitchinterval", "sys.call_tracing", "os.fork", "os.forkpty", "os.kill", "os.killpg", "os.system",
    "os.popen", "os.dup2", "os.posix_spawn", "os.posix_spawnp", "os.setsid", "os.register_at_fork",
    "numpy.seterrcall", "builtins.input",
}
DENIED_PREFIXES = ("os.exec", "os.spawn")
ALLOWED_MAGICS = {"time", "timeit", "matplotlib", "capture"}
ALLOWED_SETTINGS = {"mpmath.mp.dps", "mpmath.mp.prec", "sympy.mpmath.mp.dps"}  # precision, not patching


def python_source(source):
    """A cell's source as plain Python: IPython syntax (``%timeit``, ``!ls``) translated."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover -- IPython is always there in a kernel
        return "\n".join("" if line.lstrip()[:1] in ("%", "!") else line for line in source.split("\n"))
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 -- leave it to ast.parse to fail
        return source


@functools.lru_cache(maxsize=1024)
def _cell_tree(source):
    """``(plain Python text, AST or None)`` of one cell. Remembered: the grader rebuilds the
    program for every test cell, from cells that are mostly the same in every submission
    (nothing here changes a tree once it is built)."""
    text = python_source(source)
    try:
        return text, ast.parse(text)
    except SyntaxError:
        return text, None


class Program:
    """The module-level bindings of a notebook's cells, in the order they ran.

    Args:
        sources: cell sources, in execution order (later definitions win).
        labels: a name per cell for findings (default ``cell 1``, ``cell 2``...).
    """

    def __init__(self, sources, labels=None):
        self.cells = []
        self.bindings = {}  # name -> ("def" | "class" | "module" | "ref" | "alias" | "value", payload, cell)
        self.star = []  # modules imported with *
        self.unparsed = []  # labels of cells that are not valid Python
        for index, source in enumerate(sources):
            label = labels[index] if labels else f"cell {index + 1}"
            text, tree = _cell_tree(source)
            if tree is None:
                self.unparsed.append(label)
                continue
            self.cells.append((label, text, tree))
            self._bind(tree.body, label)

    @classmethod
    def from_ipython(cls):
        """The cells run so far in this IPython kernel, or None outside IPython.

        They come from ``In``, or, when cells ran without history (nbval, Validate), from the
        sources IPython keeps for tracebacks, in the order they ran. Parsed once per new cell.
        """
        try:
            shell = get_ipython()  # noqa: F821 -- defined by IPython
        except NameError:
            return None
        history = [s for s in shell.user_ns.get("In", [])[1:] if s.strip()]
        if not history:
            import linecache

            names = list(getattr(shell.compile, "_filename_map", {}))
            history = ["".join(linecache.cache[n][2]) for n in names if n in linecache.cache]
        key = (len(history), hash(history[-1]) if history else 0)
        if _parsed.get("key") != key:
            _parsed.update(key=key, program=cls(history))
        return _parsed["program"]

    # ----------------------------------------------------------------- bindings

    def _bind(self, body, label):
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.bindings[stmt.name] = ("def", stmt, label)
            elif isinstance(stmt, ast.ClassDef):
                self.bindings[stmt.name] = ("class", stmt, label)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for name, dotted in _imported(stmt):
                    if name == "*":
                        self.star.append(dotted)
                    elif name:
                        self.bindings[name] = ("module" if isinstance(stmt, ast.Import) else "ref", dotted, label)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.bindings[target.id] = self._value_binding(stmt.value, label)
                    elif isinstance(target, (ast.Tuple, ast.List)):
                        for node in target.elts:
                            node = node.value if isinstance(node, ast.Starred) else node
                            if isinstance(node, ast.Name):
                                self.bindings[node.id] = ("value", None, label)
            else:
                for field in ("body", "orelse", "finalbody"):
                    self._bind(getattr(stmt, field, []) or [], label)
                for handler in getattr(stmt, "handlers", []) or []:
                    self._bind(handler.body, label)

    def _value_binding(self, value, label):
        if isinstance(value, ast.Lambda):
            return ("def", value, label)
        if isinstance(value, ast.Name) and self.bindings.get(value.id, ("",))[0] in ("def", "alias", "class"):
            return ("alias", value.id, label)
        dotted = self.resolve(value, {})
        return ("ref", dotted, label) if dotted else ("value", None, label)

    def resolve(self, node, local):
        """The dotted name an expression refers to (``np.convolve`` -> ``numpy.convolve``), or None."""
        if isinstance(node, ast.Name):
            if node.id in local:
                return local[node.id]
            kind, payload, _ = self.bindings.get(node.id, (None, None, None))
            if kind in ("module", "ref"):
                return payload
            if kind in ("def", "class", "alias"):
                return f"__main__.{node.id}"
            if kind is None and hasattr(builtins, node.id):
                return f"builtins.{node.id}"
            return None
        if isinstance(node, ast.Attribute):
            base = self.resolve(node.value, local)
            return f"{base}.{node.attr}" if base else None
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                and len(node.args) >= 2 and _literal_str(node.args[1])):
            base = self.resolve(node.args[0], local)
            return f"{base}.{node.args[1].value}" if base else None
        return None

    def function(self, name):
        """The ``def`` (or lambda) node ``name`` is bound to, following aliases; None if unknown."""
        seen = set()
        while name not in seen:
            seen.add(name)
            kind, payload, _ = self.bindings.get(name, (None, None, None))
            if kind in ("def", "class"):
                return payload
            if kind != "alias":
                return None
            name = payload
        return None

    def reached(self, name):
        """``[(name, node, cell)]``: the function and every notebook function it may call."""
        order, todo = [], [name]
        while todo:
            current = todo.pop(0)
            node = self.function(current)
            if node is None or any(node is n for _, n, _ in order):
                continue
            order.append((getattr(node, "name", current), node, self._cell_of(current)))
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and self.function(sub.id) is not None:
                    todo.append(sub.id)
        return order

    def _cell_of(self, name):
        seen = set()
        while name not in seen:
            seen.add(name)
            kind, payload, label = self.bindings.get(name, (None, None, None))
            if kind != "alias":
                return label
            name = payload
        return None

    # ----------------------------------------------------------------- questions

    def loops(self, name, allow_shape_of=()):
        """Python loops in ``name`` and its helpers (a loop over the dimensions of a parameter
        in ``allow_shape_of``, or over a fixed literal list, does not count)."""
        found = []
        for fname, node, cell in self.reached(name):
            local = _local_aliases(node)
            sizes = _shape_names(node, allow_shape_of)
            for sub in ast.walk(node):
                if isinstance(sub, (ast.For, ast.AsyncFor)) and not _fixed_iteration(sub.iter, sizes, allow_shape_of):
                    found.append(self._finding(cell, sub, f"a for loop in {fname}"))
                elif isinstance(sub, ast.While):
                    found.append(self._finding(cell, sub, f"a while loop in {fname}"))
                elif isinstance(sub, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                    if not all(_fixed_iteration(g.iter, sizes, allow_shape_of) for g in sub.generators):
                        found.append(self._finding(cell, sub, f"a comprehension in {fname}"))
                elif isinstance(sub, ast.Call):
                    dotted = self.resolve(sub.func, local)
                    if dotted in HIDDEN_LOOPS:
                        found.append(self._finding(cell, sub, HIDDEN_LOOPS[dotted]))
                    elif dotted == f"__main__.{fname}" and sub is not node:
                        found.append(self._finding(cell, sub, f"{fname} calls itself (recursion is a loop)"))
        return found

    def uses(self, name, forbidden):
        """References to any of the dotted names in ``forbidden`` (or below them) in ``name``
        and its helpers, and dynamic lookups that could hide one."""
        found = []
        for fname, node, cell in self.reached(name):
            local = _local_aliases(node)
            for sub in ast.walk(node):
                dotted = None
                if isinstance(sub, (ast.Attribute, ast.Name)) and isinstance(sub.ctx, ast.Load):
                    dotted = self.resolve(sub, local)
                    if dotted is None and isinstance(sub, ast.Name) and sub.id not in local:
                        dotted = next((f"{m}.{sub.id}" for m in self.star
                                       if any(f"{m}.{sub.id}" == f or f.startswith(f"{m}.{sub.id}.") for f in forbidden)), None)
                elif isinstance(sub, ast.Call) and _dynamic_call(sub):
                    found.append(self._finding(cell, sub, f"{fname} looks a name up dynamically; the grader cannot check what it calls"))
                    continue
                if dotted and any(dotted == f or dotted.startswith(f + ".") for f in forbidden):
                    found.append(self._finding(cell, sub, f"{fname} uses {dotted}"))
        return _dedupe(found)

    def stubbed(self, name):
        """Functions among ``name`` and its helpers that are still the release's stub: a body that
        does nothing but ``raise NotImplementedError`` (a function that raises it only in some
        case, e.g. for an unknown option, is not a stub)."""
        found = []
        for fname, node, cell in self.reached(name):
            body = list(getattr(node, "body", []))
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                body = body[1:]  # the docstring
            if len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None:
                target = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
                if isinstance(target, ast.Name) and target.id == "NotImplementedError":
                    found.append(self._finding(cell, body[0], f"{fname} is not implemented yet"))
        return found

    def silencers(self, name):
        """Places where ``name`` or its helpers silence warnings instead of avoiding them."""
        return [f._replace(why=f.why.replace(" uses ", " silences warnings with ")) for f in self.uses(name, SILENCERS)]

    def tampering(self):
        """Code anywhere in the program that could interfere with grading (see module doc)."""
        found = []
        for label, text, tree in self.cells:
            allowed = {id(n.func.value.func) for n in ast.walk(tree) if isinstance(n, ast.Call)
                       and _ipython_call(n) and _magic_name(n) in ALLOWED_MAGICS}
            for node in ast.walk(tree):
                why = None if id(node) in allowed else self._tampers(node)
                if why:
                    found.append(self._finding(label, node, why, text))
        return _dedupe(found)

    def _tampers(self, node):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for _, dotted in _imported(node):
                if any(dotted == m or dotted.startswith(m + ".") for m in DENIED_MODULES):
                    return f"imports {dotted}"
            return None
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in DYNAMIC_CALLS:
                return f"calls {func.id}()"
            if _dynamic_call(node):
                return f"calls {func.id}() with a computed name"
            if isinstance(func, ast.Name) and func.id in ("setattr", "delattr") and self.resolve(node.args[0], {}):
                return f"uses {func.id}() on {self.resolve(node.args[0], {})}"
            if _ipython_call(node):
                magic = _magic_name(node)
                return None if magic in ALLOWED_MAGICS else f"runs IPython's {magic or 'shell'} machinery"
            return None
        if isinstance(node, ast.Attribute):
            if node.attr in DENIED_ATTRIBUTES:
                return f"uses the attribute {node.attr}"
            dotted = self.resolve(node, {})
            if dotted and (dotted in DENIED_NAMES or dotted.startswith(DENIED_PREFIXES)):
                return f"uses {dotted}"
            if dotted and isinstance(node.ctx, (ast.Store, ast.Del)) and dotted not in ALLOWED_SETTINGS:
                return f"changes {dotted} (patching a module)"
            return None
        if isinstance(node, ast.Name) and node.id in ("get_ipython", "__builtins__", "__import__"):
            return f"uses {node.id}"
        return None

    def _finding(self, cell, node, why, text=None):
        text = text if text is not None else next((t for label, t, _ in self.cells if label == cell), "")
        lines = text.split("\n")
        line = getattr(node, "lineno", 1)
        code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        return Finding(cell, line, code[:120], why)


# --------------------------------------------------------------------------- helpers


def _imported(stmt):
    """``[(bound name, dotted name)]`` for an import statement (``*`` for a star import)."""
    out = []
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                out.append((alias.asname, alias.name))
            else:
                top = alias.name.split(".")[0]
                out.append((top, top))
                if alias.name != top:  # `import numpy.linalg` binds numpy; remember the submodule too
                    out.append(("", alias.name))
    elif stmt.level == 0 and stmt.module:
        for alias in stmt.names:
            if alias.name == "*":
                out.append(("*", stmt.module))
            else:
                out.append((alias.asname or alias.name, f"{stmt.module}.{alias.name}"))
    else:
        out.append(("", "." * stmt.level + (stmt.module or "")))
    return out


def _local_aliases(func):
    """Names a function binds by import or by assigning a module attribute (flow-insensitive)."""
    local = {}
    params = func.args if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else None
    if params is not None:
        for arg in [*params.posonlyargs, *params.args, *params.kwonlyargs, params.vararg, params.kwarg]:
            if arg is not None:
                local[arg.arg] = None
    for node in ast.walk(func):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, dotted in _imported(node):
                if name and name != "*":
                    local[name] = dotted
    return local


def _literal_str(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _dynamic_call(node):
    func = node.func
    return (isinstance(func, ast.Name) and func.id in ("getattr", "setattr", "delattr", "hasattr")
            and len(node.args) >= 2 and not _literal_str(node.args[1]))


def _ipython_call(node):
    func = node.func
    return (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython")


def _magic_name(node):
    if node.func.attr in ("run_line_magic", "run_cell_magic") and node.args and _literal_str(node.args[0]):
        return node.args[0].value
    return None


def _shape_names(func, params):
    """Names holding a dimension of a parameter in ``params`` (``kh, kw = W.shape[:2]``)."""
    names = set()
    if not params:
        return names
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and _is_shape_of(node.value, params, names):
            for target in node.targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.add(sub.id)
    return names


def _is_shape_of(node, params, names):
    if isinstance(node, ast.Attribute) and node.attr == "shape":
        return isinstance(node.value, ast.Name) and node.value.id in params
    if isinstance(node, ast.Subscript):
        return _is_shape_of(node.value, params, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
        return len(node.args) == 1 and isinstance(node.args[0], ast.Name) and node.args[0].id in params
    return False


def _size_expr(node, sizes, params):
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return True
    if isinstance(node, ast.Name):
        return node.id in sizes
    if isinstance(node, ast.BinOp):
        return _size_expr(node.left, sizes, params) and _size_expr(node.right, sizes, params)
    if isinstance(node, ast.UnaryOp):
        return _size_expr(node.operand, sizes, params)
    return _is_shape_of(node, params, sizes)


def _fixed_iteration(it, sizes, params):
    """Does this loop run over a fixed literal list or the allowed dimensions only?"""
    if isinstance(it, (ast.Tuple, ast.List, ast.Set)):
        return all(isinstance(e, ast.Constant) for e in it.elts)
    if isinstance(it, ast.Call) and isinstance(it.func, (ast.Name, ast.Attribute)):
        fname = it.func.id if isinstance(it.func, ast.Name) else it.func.attr
        if fname in ("range", "ndindex"):
            return bool(params) and all(_size_expr(a, sizes, params) for a in it.args)
        if fname in ("product", "zip", "enumerate"):
            return bool(it.args) and all(_fixed_iteration(a, sizes, params) for a in it.args)
    return False


def _dedupe(findings):
    seen, out = set(), []
    for f in findings:
        if (f.cell, f.line, f.why) not in seen:
            seen.add((f.cell, f.line, f.why))
            out.append(f)
    return out
