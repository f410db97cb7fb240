"""The instructor pipeline on top of nbgrader's own API: release, autograde, feedback, grades.

Every function takes the course ``root`` (default: this repository), so the tests can run the
real pipeline in a temporary copy of the course.
"""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from course.grading import notebooks
from course.grading.assignments import ROOT, assignment_ids, release_notebook, source_notebook


BIN = Path(sys.executable).parent


def tool_env(environ=None):
    """``environ`` (default: this process's) with this interpreter's bin/ first on PATH:
    nbgrader runs ``alembic`` through PATH, and subprocesses must find the venv's tools."""
    environ = dict(os.environ if environ is None else environ)
    path = environ.get("PATH", "")
    if not path.startswith(f"{BIN}{os.pathsep}"):
        environ["PATH"] = f"{BIN}{os.pathsep}{path}"
    return environ


def _venv_on_path():
    os.environ["PATH"] = tool_env()["PATH"]


def load_config(root=ROOT):
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return config


def api(root=ROOT, log_level="WARNING"):
    """An ``NbGraderAPI`` for the course at ``root``, configured by its nbgrader_config.py."""
    import logging
    import warnings

    from sqlalchemy.exc import SAWarning

    # nbgrader 0.9 with SQLAlchemy 2.1 warns "Object ... not in session" once per process: harmless
    warnings.filterwarnings("ignore", category=SAWarning)

    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    _venv_on_path()
    config = load_config(root)
    coursedir = CourseDirectory(config=config)
    app = NbGraderAPI(coursedir=coursedir, config=config)
    app.log.setLevel(getattr(logging, log_level))
    return app


def db_url(root=ROOT):
    return str(load_config(root).CourseDirectory.db_url)


@contextmanager
def gradebook(root=ROOT):
    from nbgrader.api import Gradebook

    with Gradebook(db_url(root)) as gb:
        yield gb


class PipelineError(RuntimeError):
    pass


def _check(result, what):
    if not result.get("success"):
        raise PipelineError(f"{what} failed:\n{result.get('error') or result.get('log', '')}")
    return result


# --------------------------------------------------------------------------- release


def release(root=ROOT, ids=None, nbgrader_api=None):
    """Regenerate ``release/<id>/`` from ``source/<id>/`` with nbgrader, then store it clean."""
    app = nbgrader_api or api(root)
    for assignment_id in ids or assignment_ids(root):
        _check(app.generate_assignment(assignment_id, force=True, create=True),
               f"generate_assignment {assignment_id}")
        path = release_notebook(assignment_id, root)
        notebooks.write(notebooks.read(path), path)
    return ids or assignment_ids(root)


# --------------------------------------------------------------------------- submissions


def completed_submission(assignment_id, root=ROOT, replace=None):
    """The release notebook with every answer cell filled from the source's model answer.

    ``replace`` maps a grade id to the source that cell should hold instead (a mistake).
    """
    release_nb = notebooks.read(release_notebook(assignment_id, root))
    model = notebooks.cells_by_grade_id(notebooks.read(source_notebook(assignment_id, root)))
    for cell in release_nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        if not meta.get("solution"):
            continue
        grade_id = meta["grade_id"]
        if replace and grade_id in replace:
            cell.source = replace[grade_id].strip("\n")
        else:
            cell.source = notebooks.strip_markers(model[grade_id].source)
    return release_nb


def submit(nb, student, assignment_id, root=ROOT):
    """Place ``nb`` as ``submitted/<student>/<assignment>/<assignment>.ipynb``."""
    path = Path(root) / "submitted" / student / assignment_id / f"{assignment_id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    notebooks.write(nb, path)
    return path


# --------------------------------------------------------------------------- grading


def submissions(root=ROOT, ids=None):
    """``(student, assignment)`` pairs found in ``submitted/``, sorted."""
    base = Path(root) / "submitted"
    wanted = set(ids or assignment_ids(root))
    if not base.is_dir():
        return []
    return sorted((s.name, a.name) for s in base.iterdir() if s.is_dir()
                  for a in s.iterdir() if a.is_dir() and a.name in wanted)


def generate_feedback(root=ROOT, ids=None, nbgrader_api=None):
    app = nbgrader_api or api(root)
    for assignment_id in ids or assignment_ids(root):
        app.generate_feedback(assignment_id, force=True)


def scores(root=ROOT):
    """``{(student, assignment): (autograded score, autograded max, manually graded max)}``."""
    table = {}
    with gradebook(root) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                grades = [g for nb in submission.notebooks for g in nb.grades]
                auto = [g for g in grades if g.cell_type == "code"]
                table[(submission.student.id, assignment.name)] = (
                    float(sum(g.score for g in auto)),
                    float(sum(g.max_score for g in auto)),
                    float(sum(g.max_score for g in grades if g.cell_type != "code")),
                )
    return table


def cell_scores(student, assignment_id, root=ROOT):
    """``{grade_id: (score, max_score)}`` of one submission's autograded test cells."""
    with gradebook(root) as gb:
        submission = gb.find_submission_notebook(assignment_id, assignment_id, student)
        return {g.name: (float(g.score), float(g.max_score)) for g in submission.grades if g.cell_type == "code"}
