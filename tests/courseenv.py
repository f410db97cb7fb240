"""Build temporary copies of the course and run the real nbgrader pipeline in them."""

import atexit
import functools
import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from course.grading import pipeline
from course.grading.assignments import ROOT, alternatives, graded_functions, mistakes

BIN = pipeline.BIN


def env():
    return {**pipeline.tool_env(), "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}


@contextmanager
def environ(**values):
    """``os.environ`` with ``values`` set, then put back as it was (for module-scoped fixtures,
    where pytest's monkeypatch is not available). Spawned grading workers inherit it."""
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_course(dest, ids):
    """A fresh course directory holding the config and the source of ``ids``; release generated."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", dest)
    if pipeline.db_url(dest) == f"sqlite:///{dest / 'gradebook.db'}":
        shutil.copy(_empty_gradebook(), dest / "gradebook.db")
    for assignment_id in ids:
        shutil.copytree(ROOT / "source" / assignment_id, dest / "source" / assignment_id)
    pipeline.release(dest, ids)
    return dest


@functools.lru_cache(maxsize=1)
def _empty_gradebook():
    """A new, empty gradebook made by nbgrader, once per test process: nbgrader runs an
    ``alembic heads`` subprocess (1.6 s) for every gradebook it creates, and every test course
    starts from an empty one."""
    from nbgrader.api import Gradebook

    folder = Path(tempfile.mkdtemp(prefix="course-empty-gradebook-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    course_id = str(pipeline.load_config(ROOT).CourseDirectory.course_id)
    pipeline._venv_on_path()  # nbgrader shells out to the venv's alembic, as pipeline.api() arranges
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}", course_id=course_id):
        pass
    return folder / "gradebook.db"


def student_name(index, kind="mistake"):
    return f"{kind}{index:02d}"


def submit_checks(root, assignment_id):
    """Submissions that exercise the tests: the untouched stub, the solution, every mistake
    (``mistakeNN``, several unrelated functions each, see ``mistake_rounds``), the correct alternatives (``alternativesNN``, several functions each) and a
    notebook whose every function runs but computes nothing (``nothing``)."""
    release = pipeline.notebooks.read(root / "release" / assignment_id / f"{assignment_id}.ipynb")
    pipeline.submit(release, "stub", assignment_id, root)
    pipeline.submit(pipeline.completed_submission(assignment_id, root), "solution", assignment_id, root)
    cases = mistakes(assignment_id)
    for i, indices in enumerate(mistake_rounds(assignment_id)):  # unrelated functions cannot spoil each other
        nb = pipeline.completed_submission(assignment_id, root, replace={cases[k]["cell"]: cases[k]["source"] for k in indices})
        pipeline.submit(without_demos(nb), student_name(i, "mistake"), assignment_id, root)
    for i, cases in enumerate(alternative_rounds(assignment_id)):  # correct answers cannot spoil each other
        nb = pipeline.completed_submission(assignment_id, root, replace={c["cell"]: c["source"] for c in cases})
        pipeline.submit(without_demos(nb), student_name(i, "alternatives"), assignment_id, root)
    nothing = {c["cell"]: c["source"] for c in constants(assignment_id, root)}
    pipeline.submit(without_demos(pipeline.completed_submission(assignment_id, root, replace=nothing)), "nothing",
                    assignment_id, root)


def alternative_rounds(assignment_id):
    """The correct alternatives grouped into submissions: round k holds the k-th alternative of
    every function that has one (a notebook of correct functions grades each of them alone)."""
    rounds = []
    for case in alternatives(assignment_id):
        for cases in rounds:
            if case["cell"] not in {c["cell"] for c in cases}:
                cases.append(case)
                break
        else:
            rounds.append([case])
    return rounds


def without_demos(nb):
    """``nb`` without its plain code cells (figures, timings, training demos): grading never
    depends on them (test cells use only graded functions), and the many variants of a notebook
    grade much faster without them. The stub and the solution are graded whole."""
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or pipeline.notebooks.nbgrader_meta(c)]
    return nb


def own_cells(function, cells, functions):
    """The test cells of ``function`` among ``cells`` (grade ids): ``test_<function>*``, but not
    those of a graded function with a longer name (``test_softmax_jacobian*`` is not softmax's)."""
    longer = [g for g in functions if g != function and g.startswith(function)]
    return {c for c in cells if c.startswith(f"test_{function}") and not any(c.startswith(f"test_{g}") for g in longer)}


def constants(assignment_id, root=ROOT):
    """For every graded function, a version that runs but computes nothing (returns None): it
    must earn nothing on its own cells, side requirements included (a side-requirement cell that
    checks no value of its own function would pay it, whatever the other functions do)."""
    return [dict(cell=f, name="returns None", source=f"def {f}(*args, **kwargs):\n    return None\n")
            for f in graded_functions(assignment_id, root)]


def nbgrader(root, *args, timeout=900):
    """Run the real ``nbgrader`` command line in ``root``."""
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=root, env=env(), capture_output=True,
                          text=True, timeout=timeout)


# --------------------------------------------------------------------------- mistake rounds
# Grading one notebook per mistake made `make test` slow (some 300 notebooks). Mistakes in
# functions that do not reach each other -- neither calls the other, nor does either's test
# cells use the other -- cannot change each other's scores, so one submission carries several.
# A mistake that could reach beyond its function (warning filters, global state, new top-level
# names) is graded alone.
_SOLO_MARKERS = ("seterr", "filterwarnings", "simplefilter", "np.random.seed", "global ", "sys.", "setattr",
                 "builtins", "__")


def _names(source):
    import ast
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return ({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            | {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)})


def _top_level(source):
    import ast
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        else:
            return None  # a statement with effects beyond a definition
    return names


def reaches(assignment_id, root=ROOT):
    """For each graded function, the graded functions its solution cell or its test cells use,
    transitively."""
    nb = pipeline.notebooks.read(Path(root) / "source" / assignment_id / f"{assignment_id}.ipynb")
    functions = graded_functions(assignment_id, root)
    direct = {f: set() for f in functions}
    for cell in nb.cells:
        meta = pipeline.notebooks.nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta:
            continue
        gid = meta.get("grade_id", "")
        owners = [gid] if gid in direct and pipeline.notebooks.is_solution_cell(cell) else [
            f for f in functions if own_cells(f, [gid], functions)]
        for owner in owners:
            direct[owner] |= (_names(cell.source) & set(functions)) - {owner}
    closure = {}
    for f in functions:
        seen, todo = set(), list(direct[f])
        while todo:
            g = todo.pop()
            if g not in seen:
                seen.add(g)
                todo.extend(direct[g])
        closure[f] = seen - {f}
    return closure


def mistake_rounds(assignment_id, root=ROOT):
    """The mistakes grouped into submissions (lists of indices into ``mistakes(assignment_id)``):
    no two in one submission touch related functions."""
    closure = reaches(assignment_id, root)
    cases = mistakes(assignment_id)
    rounds = []  # [indices, cells, related, alone]
    for i, case in enumerate(cases):
        f = case["cell"]
        own = _top_level(case["source"])
        alone = own is None or bool(own - {f}) or any(m in case["source"] for m in _SOLO_MARKERS)
        related = {f} | closure.get(f, set()) | {g for g, r in closure.items() if f in r}
        related |= _names(case["source"]) & set(closure)
        for r in rounds:
            if not alone and not r[3] and not (r[1] & related) and f not in r[2]:
                r[0].append(i)
                r[1].add(f)
                r[2] |= related
                break
        else:
            rounds.append([[i], {f}, set(related), alone])
    return [r[0] for r in rounds]
