"""Build temporary copies of the course and run the real nbgrader pipeline in them."""

import shutil
import subprocess
from pathlib import Path

from course import pipeline
from course.assignments import ROOT, mistakes

BIN = pipeline.BIN


def env():
    return {**pipeline.tool_env(), "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg"}


def make_course(dest, ids):
    """A fresh course directory holding the config and the source of ``ids``; release generated."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", dest)
    for assignment_id in ids:
        shutil.copytree(ROOT / "source" / assignment_id, dest / "source" / assignment_id)
    pipeline.release(dest, ids)
    return dest


def student_name(index):
    return f"mistake{index:02d}"


def submit_checks(root, assignment_id):
    """Submissions that exercise the tests: the untouched stub, the solution, every mistake."""
    release = pipeline.notebooks.read(root / "release" / assignment_id / f"{assignment_id}.ipynb")
    pipeline.submit(release, "stub", assignment_id, root)
    pipeline.submit(pipeline.completed_submission(assignment_id, root), "solution", assignment_id, root)
    for i, mistake in enumerate(mistakes(assignment_id)):
        nb = pipeline.completed_submission(assignment_id, root, replace={mistake["cell"]: mistake["source"]})
        pipeline.submit(nb, student_name(i), assignment_id, root)


def nbgrader(root, *args, timeout=900):
    """Run the real ``nbgrader`` command line in ``root``."""
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=root, env=env(), capture_output=True,
                          text=True, timeout=timeout)
