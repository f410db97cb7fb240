"""Build temporary copies of the course and run the real nbgrader pipeline in them."""

import os
import shutil
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

from course.grading import pipeline
from course.grading.assignments import ROOT, alternatives, mistakes

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
    for assignment_id in ids:
        shutil.copytree(ROOT / "source" / assignment_id, dest / "source" / assignment_id)
    pipeline.release(dest, ids)
    return dest


def student_name(index, kind="mistake"):
    return f"{kind}{index:02d}"


def submit_checks(root, assignment_id):
    """Submissions that exercise the tests: the untouched stub, the solution, every mistake
    (``mistakeNN``), the correct alternatives (``alternativesNN``, several functions each) and a
    notebook whose every function runs but computes nothing (``nothing``)."""
    release = pipeline.notebooks.read(root / "release" / assignment_id / f"{assignment_id}.ipynb")
    pipeline.submit(release, "stub", assignment_id, root)
    pipeline.submit(pipeline.completed_submission(assignment_id, root), "solution", assignment_id, root)
    for i, case in enumerate(mistakes(assignment_id)):
        nb = pipeline.completed_submission(assignment_id, root, replace={case["cell"]: case["source"]})
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


def graded_functions(assignment_id, root=ROOT):
    nb = pipeline.notebooks.read(Path(root) / "source" / assignment_id / f"{assignment_id}.ipynb")
    return [pipeline.notebooks.nbgrader_meta(c)["grade_id"] for c in nb.cells
            if pipeline.notebooks.is_solution_cell(c) and c.cell_type == "code"]


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
