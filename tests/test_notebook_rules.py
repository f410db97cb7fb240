"""Static checks of source/ and release/: structure the spec requires, clean storage, no leaks."""

import ast
import json
import re

import pytest

from course.grading import notebooks
from course.grading.assignments import (POINTS, alternatives, assignment_ids, mistakes, release_notebook,
                                       source_notebook)

IDS = assignment_ids()
MARKERS = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
           "BEGIN MARK SCHEME", "Model answer", "Rubric ("]


def test_every_assignment_of_the_spec_is_known():
    assert set(IDS) <= set(POINTS), f"unknown assignments: {set(IDS) - set(POINTS)}"
    assert "01_softmax_derivative" in IDS


@pytest.fixture(params=IDS)
def assignment(request):
    return request.param


def _cells(assignment_id):
    return notebooks.read(source_notebook(assignment_id)).cells


def test_points_add_up_to_the_spec(assignment):
    points = sum(float(notebooks.nbgrader_meta(c).get("points", 0)) for c in _cells(assignment)
                 if notebooks.nbgrader_meta(c).get("grade"))
    assert points == POINTS[assignment], f"{assignment}: {points:g} points, the spec says {POINTS[assignment]}"


def test_metadata_is_nbgrader_schema_3_with_unique_ids(assignment):
    seen = set()
    for cell in _cells(assignment):
        meta = notebooks.nbgrader_meta(cell)
        if not meta:
            continue
        assert meta.get("schema_version") == 3, meta
        assert meta["grade_id"] not in seen, f"duplicate grade_id {meta['grade_id']}"
        seen.add(meta["grade_id"])


def test_each_graded_function_has_its_cell_tests_and_mistakes(assignment):
    cells = _cells(assignment)
    functions = [notebooks.nbgrader_meta(c)["grade_id"] for c in cells
                 if notebooks.is_solution_cell(c) and c.cell_type == "code"]
    assert functions, "no graded functions"
    test_cells = [c for c in cells if notebooks.is_test_cell(c)]
    from courseenv import own_cells

    ids = [notebooks.nbgrader_meta(c)["grade_id"] for c in test_cells]
    by_function = {f: [c for c in test_cells if notebooks.nbgrader_meta(c)["grade_id"] in own_cells(f, ids, functions)]
                   for f in functions}
    covered = {m["cell"] for m in mistakes(assignment)}
    for cell in cells:
        if notebooks.is_solution_cell(cell) and cell.cell_type == "code":
            name = notebooks.nbgrader_meta(cell)["grade_id"]
            tree = ast.parse(notebooks.strip_markers(cell.source))
            top = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
            assert top and top[0] == name, f"solution cell {name} must define {name}() first, got {top}"
            assert "BEGIN SOLUTION" in cell.source, f"{name}: mark the body with ### BEGIN/END SOLUTION"
    for function, own in by_function.items():
        assert own, f"{function} has no test cell named test_{function}*"
        visible = [c for c in own if "BEGIN HIDDEN TESTS" not in c.source]
        assert visible, f"{function} has no visible test a student can run"
        assert any("BEGIN HIDDEN TESTS" in c.source for c in own), f"{function} has no hidden tests"
        assert function in covered, f"tests/mistakes/{assignment}.py has no wrong {function}"
    for cell in test_cells:
        grade_id = notebooks.nbgrader_meta(cell)["grade_id"]
        assert any(grade_id.startswith(f"test_{f}") for f in functions), f"{grade_id} tests no graded function"
        body = ast.parse(cell.source).body
        assert body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant), (
            f"{grade_id} must open with a docstring saying what it checks")
    for mistake in mistakes(assignment):
        assert mistake["cell"] in functions, f"mistake for unknown cell {mistake['cell']}"


def test_written_answers_have_a_model_answer_and_rubric(assignment):
    answers = [c for c in _cells(assignment) if notebooks.is_solution_cell(c) and c.cell_type == "markdown"]
    assert answers, "at least one manually graded written answer"
    for cell in answers:
        meta = notebooks.nbgrader_meta(cell)
        assert meta.get("grade") and meta.get("points", 0) > 0, f"{meta['grade_id']} is not manually graded"
        assert "Rubric" in cell.source and "BEGIN SOLUTION" in cell.source, f"{meta['grade_id']}: model answer + rubric"


@pytest.mark.parametrize("kind", ["source", "release"])
def test_stored_without_outputs_or_per_user_metadata(assignment, kind):
    path = source_notebook(assignment) if kind == "source" else release_notebook(assignment)
    assert path.is_file(), f"{path} is missing: run `make release`"
    raw = json.loads(path.read_text())
    for cell in raw["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: outputs stored"
    nb = notebooks.read(path)
    assert notebooks.canonical_json(nb) == notebooks.canonical_json(notebooks.read(path)), path
    cleaned = notebooks.clean(notebooks.read(path))
    assert json.dumps(cleaned.metadata, sort_keys=True) == json.dumps(nb.metadata, sort_keys=True), (
        f"{path.name} keeps per-user notebook metadata")


def test_release_leaks_no_solution_hidden_test_or_marker(assignment):
    source = notebooks.read(source_notebook(assignment))
    text = release_notebook(assignment).read_text()
    release_lines = {line.strip() for c in notebooks.read(release_notebook(assignment)).cells
                     for line in c.source.split("\n")}
    leaked = sorted(notebooks.secret_lines(source) & release_lines)
    assert not leaked, f"release/{assignment} contains solution or hidden-test lines: {leaked[:5]}"
    for marker in MARKERS:
        assert marker not in text, f"release/{assignment} contains the marker {marker!r}"


def test_release_cells_match_source_cells(assignment):
    source = [notebooks.nbgrader_meta(c).get("grade_id") for c in _cells(assignment)]
    release = [notebooks.nbgrader_meta(c).get("grade_id")
               for c in notebooks.read(release_notebook(assignment)).cells]
    assert source == release


def test_seeded_randomness_only(assignment):
    """Notebooks are deterministic: no unseeded global random state."""
    for cell in _cells(assignment):
        if cell.cell_type == "code":
            assert not re.search(r"np\.random\.(rand|randn|random|normal|uniform|randint|choice)\(", cell.source), (
                f"use np.random.default_rng(seed) instead of the global random state:\n{cell.source[:200]}")


def test_the_course_package_ships_no_graded_function(assignment):
    """Students get course/ with the release. Where it must define a graded function (01's
    numerical_jacobian is also the course's gradient checker), that function's tests forbid it."""
    from course.grading.assignments import ROOT

    cells = _cells(assignment)
    functions = [notebooks.nbgrader_meta(c)["grade_id"] for c in cells
                 if notebooks.is_solution_cell(c) and c.cell_type == "code"]
    test_source = "\n".join(c.source for c in cells if notebooks.is_test_cell(c))
    for path in sorted((ROOT / "course").glob("*.py")):
        defined = {n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)}
        for function in sorted(defined & set(functions)):
            dotted = f"course.{path.stem}.{function}"
            assert dotted in test_source, (
                f"course/{path.name} defines {function}, which {assignment} grades: its tests must "
                f"call it with forbid=[{dotted!r}] so the course's copy earns nothing")


def test_test_cells_use_nothing_of_the_student_but_graded_names(assignment):
    """When grading, a test cell runs in a trusted process of its own, in a fresh namespace:
    every name it does not define itself is fetched from the student's kernel, so it may only
    use the graded names (the solution cells' grade ids)."""
    from course.grading.runner import free_names

    cells = _cells(assignment)
    graded = {notebooks.nbgrader_meta(c)["grade_id"] for c in cells if notebooks.is_solution_cell(c)}
    for cell in cells:
        if notebooks.is_test_cell(cell):
            other = [n for n in free_names(cell.source) if n not in graded]
            assert not other, (f"{notebooks.nbgrader_meta(cell)['grade_id']} uses {other}, which it neither defines "
                               "nor grades: import or define it in the cell")


def test_hidden_test_cells_say_that_the_grader_runs_them(assignment):
    for cell in _cells(assignment):
        if notebooks.is_test_cell(cell) and notebooks.HIDDEN_BEGIN in cell.source:
            public = cell.source.split(notebooks.HIDDEN_BEGIN)[0]
            assert notebooks.HIDDEN_NOTICE in public, (
                f"{notebooks.nbgrader_meta(cell)['grade_id']}: put notebooks.HIDDEN_NOTICE before its hidden tests")


def test_every_notebook_carries_the_notation_card(assignment):
    card = notebooks.notation_card()
    assert any(c.cell_type == "markdown" and c.source.strip() == card for c in _cells(assignment)), (
        f"{assignment}: add course/notation.md, verbatim, as a markdown cell")


def test_the_course_own_cells_never_look_like_tampering(assignment):
    """The static checks void side requirements when a notebook tampers with grading; the
    instructor's own cells and model answers must never trip them."""
    from course.constraints import Program

    cells = [c for c in _cells(assignment) if c.cell_type == "code" and not notebooks.is_test_cell(c)]
    sources = [notebooks.strip_markers(c.source) for c in cells]
    labels = [notebooks.nbgrader_meta(c).get("grade_id") or f"cell {i}" for i, c in enumerate(cells)]
    found = Program(sources, labels).tampering()
    assert not found, f"{assignment}: {found[:3]}"


def test_alternatives_replace_graded_functions(assignment):
    functions = {notebooks.nbgrader_meta(c)["grade_id"] for c in _cells(assignment)
                 if notebooks.is_solution_cell(c) and c.cell_type == "code"}
    for case in alternatives(assignment):
        assert case["cell"] in functions, f"alternative for unknown cell {case['cell']}"
        assert "NotImplementedError" not in case["source"], case["name"]
