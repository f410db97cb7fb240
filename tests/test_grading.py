"""Real grading, per assignment, in a temporary course directory.

For every assignment one cohort -- the untouched release, the solution, every deliberately
wrong implementation (tests/mistakes/<id>.py; mistakes in unrelated functions share a notebook)
and every correct alternative (tests/alternatives/<id>.py) -- is graded by the parallel runner (`course autograde`: nbgrader's
preprocessors, the sandbox and the trusted test runner). The release scores 0 on every
autograded cell, the solution and every alternative full marks, each mistake loses points on
its function's test cells with its targeted message, every test cell is failed by some mistake
(none is vacuous), and the feedback never shows hidden test code. (Plain `nbgrader autograde`
is exercised by tests/test_attacks.py.)
"""

import html
import re

import pytest

from course.grading import autograde, notebooks, pipeline
from course.grading.assignments import alternatives, assignment_ids, mistakes, source_notebook

from courseenv import (alternative_rounds, graded_functions, make_course, mistake_rounds, own_cells, student_name,
                       submit_checks)

pytestmark = pytest.mark.grading
IDS = assignment_ids()
_graded = {}


def grouped(values, key=lambda v: v):
    return [pytest.param(v, marks=pytest.mark.xdist_group(key(v))) for v in values]


def graded(assignment_id, tmp_path_factory):
    """Build, submit and autograde once per assignment (per xdist worker: tests are grouped)."""
    if assignment_id not in _graded:
        root = make_course(tmp_path_factory.mktemp(assignment_id), [assignment_id])
        submit_checks(root, assignment_id)
        outcomes = autograde.run(root, [assignment_id], jobs=1, progress=False)
        failed = [(o.student, o.report) for o in outcomes if o.status != "graded"]
        assert not failed, f"grading failed: {failed}"
        _graded[assignment_id] = root
    return _graded[assignment_id]


def autograded_cells(root, student, assignment_id):
    nb = notebooks.read(root / "autograded" / student / assignment_id / f"{assignment_id}.ipynb")
    return {notebooks.nbgrader_meta(c)["grade_id"]: c for c in nb.cells if notebooks.is_test_cell(c)}


def failure_text(cell):
    return "\n".join(f"{o.get('ename', '')}: {o.get('evalue', '')}" for o in cell.get("outputs", [])
                     if o.get("output_type") == "error")


@pytest.mark.parametrize("assignment_id", grouped(IDS))
def test_release_is_what_nbgrader_generates(assignment_id, tmp_path_factory):
    root = graded(assignment_id, tmp_path_factory)
    fresh = (root / "release" / assignment_id / f"{assignment_id}.ipynb").read_text()
    committed = (pipeline.release_notebook(assignment_id)).read_text()
    assert committed == fresh, f"release/{assignment_id} is stale: run `make release` and commit the result"


@pytest.mark.parametrize("assignment_id", grouped(IDS))
def test_untouched_release_scores_zero(assignment_id, tmp_path_factory):
    root = graded(assignment_id, tmp_path_factory)
    scores = pipeline.cell_scores("stub", assignment_id, root)
    assert scores, "no autograded cells were recorded"
    earning = {k: v for k, v in scores.items() if v[0] != 0}
    assert not earning, f"the untouched stub earns points on {earning}"


@pytest.mark.parametrize("assignment_id", grouped(IDS))
def test_solution_scores_full_marks(assignment_id, tmp_path_factory):
    root = graded(assignment_id, tmp_path_factory)
    scores = pipeline.cell_scores("solution", assignment_id, root)
    cells = autograded_cells(root, "solution", assignment_id)
    short = {k: v for k, v in scores.items() if v[0] != v[1]}
    assert not short, "the solution loses points: " + "; ".join(
        f"{k} {v[0]:g}/{v[1]:g}: {failure_text(cells[k])[-500:] or 'stderr output'}" for k, v in short.items())
    for grade_id, cell in cells.items():
        kinds = {o["output_type"] for o in cell.outputs}
        assert "execute_result" not in kinds, (
            f"{grade_id} displays a value: nbgrader would read it as a partial grade")


def _mistake_params():
    return [pytest.param(a, i, marks=pytest.mark.xdist_group(a), id=f"{a}-{m['cell']}-{m['name'].replace(' ', '_')}")
            for a in IDS for i, m in enumerate(mistakes(a))]


@pytest.mark.parametrize("assignment_id,index", _mistake_params())
def test_mistake_loses_points_with_its_message(assignment_id, index, tmp_path_factory):
    root = graded(assignment_id, tmp_path_factory)
    mistake = mistakes(assignment_id)[index]
    student = next(student_name(i) for i, indices in enumerate(mistake_rounds(assignment_id)) if index in indices)
    scores = pipeline.cell_scores(student, assignment_id, root)
    mine = own_cells(mistake["cell"], scores, graded_functions(assignment_id, root))
    own = {k: v for k, v in scores.items() if k in mine}
    assert own, f"no test cells named test_{mistake['cell']}*"
    lost = {k: v for k, v in own.items() if v[0] < v[1]}
    assert lost, f"mistake {mistake['name']!r} in {mistake['cell']} keeps full marks on {sorted(own)}"
    if mistake.get("expect"):
        cells = autograded_cells(root, student, assignment_id)
        messages = "\n".join(failure_text(cells[k]) for k in lost)
        assert mistake["expect"].lower() in messages.lower(), (
            f"mistake {mistake['name']!r}: no failure message mentions {mistake['expect']!r}; got:\n{messages}")


def _alternative_params():
    return [pytest.param(a, i, marks=pytest.mark.xdist_group(a), id=f"{a}-{m['cell']}-{m['name'].replace(' ', '_')}")
            for a in IDS for i, m in enumerate(alternatives(a))]


@pytest.mark.parametrize("assignment_id,index", _alternative_params())
def test_correct_alternative_keeps_full_marks(assignment_id, index, tmp_path_factory):
    root = graded(assignment_id, tmp_path_factory)
    case = alternatives(assignment_id)[index]
    student = next(student_name(i, "alternatives") for i, cases in enumerate(alternative_rounds(assignment_id))
                   if any(c is case or c == case for c in cases))
    scores = pipeline.cell_scores(student, assignment_id, root)
    cells = autograded_cells(root, student, assignment_id)
    short = {k: v for k, v in scores.items() if v[0] < v[1]}
    assert not short, f"the correct alternative {case['name']!r} of {case['cell']} loses points: " + "; ".join(
        f"{k} {v[0]:g}/{v[1]:g}: {failure_text(cells[k])[-400:]}" for k, v in short.items())


@pytest.mark.parametrize("assignment_id", grouped(IDS))
def test_a_function_that_computes_nothing_earns_nothing(assignment_id, tmp_path_factory):
    """Side requirements (no mutation, no loop, no warning, memory) pay only for a function that
    works: each side-requirement cell also checks a value."""
    root = graded(assignment_id, tmp_path_factory)
    functions = graded_functions(assignment_id, root)
    scores = pipeline.cell_scores("nothing", assignment_id, root)
    earned = {}
    for function in functions:
        own = own_cells(function, scores, functions)
        earned.update({k: v for k, v in scores.items() if k in own and v[0] > 0})
    assert not earned, f"a function that returns None still earns {earned}: check a value in these cells"


@pytest.mark.parametrize("assignment_id", grouped(IDS))
def test_every_test_cell_fails_some_mistake(assignment_id, tmp_path_factory):
    root = graded(assignment_id, tmp_path_factory)
    all_cells = set(pipeline.cell_scores("solution", assignment_id, root))
    failed = set()
    for i, _ in enumerate(mistake_rounds(assignment_id)):
        failed |= {k for k, v in pipeline.cell_scores(student_name(i), assignment_id, root).items() if v[0] < v[1]}
    assert not all_cells - failed, (
        f"no mistake in tests/mistakes/{assignment_id}.py fails {sorted(all_cells - failed)}: "
        "add one, or the cell may test nothing")


def _hidden_lines(assignment_id):
    """Lines of hidden tests that appear nowhere public in the source notebook."""
    nb = notebooks.read(source_notebook(assignment_id))
    tests_only = notebooks.new_notebook([c for c in nb.cells if notebooks.is_test_cell(c)])
    return notebooks.secret_lines(tests_only, min_length=12) & notebooks.secret_lines(nb, min_length=12)


def _page_text(path):
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


@pytest.mark.parametrize("assignment_id", grouped(IDS))
def test_feedback_never_shows_hidden_tests(assignment_id, tmp_path_factory):
    root = graded(assignment_id, tmp_path_factory)
    pipeline.generate_feedback(root, [assignment_id])
    pages = sorted((root / "feedback").glob(f"*/{assignment_id}/*.html"))
    expected = 3 + len(mistake_rounds(assignment_id)) + len(alternative_rounds(assignment_id))
    assert len(pages) == expected, f"feedback pages: {pages}"
    hidden = _hidden_lines(assignment_id)
    assert hidden, "the source has no hidden tests"
    for page in pages:
        page_lines = {line.strip() for line in _page_text(page).split("\n")}
        student = page.parent.parent.name
        submitted = notebooks.read(root / "submitted" / student / assignment_id / f"{assignment_id}.ipynb")
        own = {line.strip() for c in submitted.cells if not notebooks.is_test_cell(c) for line in c.source.split("\n")}
        shown = sorted((hidden - own) & page_lines)  # the student's own code may share a line with a test
        assert not shown, f"{page.relative_to(root)} shows hidden test code: {shown[:3]}"
    # ... but it does show the student why a hidden test failed
    stub_page = _page_text(root / "feedback" / "stub" / assignment_id / f"{assignment_id}.html")
    assert "not implemented yet" in stub_page
