"""Where the course's files are, and what the specification fixes about each assignment."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# Points per assignment (COURSE_SPEC.md); the tests check each notebook adds up to this.
POINTS = {
    "01_softmax_derivative": 20,
    "02_kl_backprop": 25,
    "03_crossentropy_chain_rule": 25,
    "04_activation_functions": 20,
    "05_mlp_gradients": 35,
    "06_cnn": 16,
}


def assignment_ids(root=ROOT):
    """Ids of the assignments that exist in ``root/source``, in reading order."""
    source = Path(root) / "source"
    return sorted(p.name for p in source.iterdir() if (p / f"{p.name}.ipynb").is_file())


def source_notebook(assignment_id, root=ROOT):
    return Path(root) / "source" / assignment_id / f"{assignment_id}.ipynb"


def release_notebook(assignment_id, root=ROOT):
    return Path(root) / "release" / assignment_id / f"{assignment_id}.ipynb"


def graded_functions(assignment_id, root=ROOT):
    """The grade ids of the source notebook's solution code cells (each the name of the
    function the student writes there), in notebook order."""
    from course.grading import notebooks

    nb = notebooks.read(source_notebook(assignment_id, root))
    return [notebooks.nbgrader_meta(c)["grade_id"] for c in nb.cells
            if c.cell_type == "code" and notebooks.is_solution_cell(c)]


def _cases(assignment_id, root, folder, name):
    import runpy

    path = Path(root) / "tests" / folder / f"{assignment_id}.py"
    if not path.is_file():
        return []
    return list(runpy.run_path(str(path))[name])


def alternatives(assignment_id, root=ROOT):
    """Correct implementations written differently from the model answer
    (``tests/alternatives/<id>.py``): each must keep full marks. Same format as :func:`mistakes`,
    without ``expect``."""
    return _cases(assignment_id, root, "alternatives", "ALTERNATIVES")


def mistakes(assignment_id, root=ROOT):
    """The deliberately wrong implementations for an assignment (``tests/mistakes/<id>.py``).

    Each is a dict with ``cell`` (the grade id of the solution cell it replaces), ``name``,
    ``source`` (the whole replacement cell) and ``expect`` (a phrase the targeted failure
    message must contain, or None). They live with the tests, not in ``course/``, because a
    one-line-wrong solution is nearly a solution: students must not get them.
    """
    return _cases(assignment_id, root, "mistakes", "MISTAKES")
