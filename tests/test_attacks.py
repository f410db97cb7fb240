"""The threat model, tried in both grading paths: `nbgrader autograde` and `python -m course autograde`.

Every attack in tests/attacks.py is submitted next to honest students (graded after the
attackers), and graded through real nbgrader. None may earn a point it did not earn, show a
hidden test line or expected value in its feedback, change another student's score or files,
touch the gradebook or the course, or leave a process running.
"""

import html
import json
import re

import nbformat
import pytest

from course.grading import autograde, notebooks, pipeline, sandbox
from course.grading.assignments import source_notebook

from attacks import ATTACKS, HONEST, WRONG_SOFTMAX
from courseenv import environ, graded_functions, make_course, nbgrader, own_cells, without_demos

pytestmark = pytest.mark.grading
A = "01_softmax_derivative"
PATHS = ["nbgrader", "cohort"]


def _submission(root, how, code):
    code = code.strip("\n").replace("{root}", str(root))
    if how == "stub":
        nb = notebooks.read(root / "release" / A / f"{A}.ipynb")
        nb.cells.insert(2, nbformat.v4.new_code_cell(code))  # right after the setup cell
        return nb
    if how == "wrong":
        return without_demos(pipeline.completed_submission(A, root, replace={"softmax": WRONG_SOFTMAX + code}))
    nb = without_demos(pipeline.completed_submission(A, root))
    nb.cells.append(nbformat.v4.new_code_cell(code))
    return nb


def _build(tmp_path_factory, path):
    root = make_course(tmp_path_factory.mktemp(f"attacks-{path}"), [A])
    for name, (how, code, _) in ATTACKS.items():
        pipeline.submit(_submission(root, how, code), f"a_{name}", A, root)
    for student in HONEST:
        pipeline.submit(pipeline.completed_submission(A, root), student, A, root)
    before = autograde.hash_tree(root / "submitted")
    source_before = autograde.hash_tree(root / "source")
    with environ(COURSE_CALL_TIMEOUT="5", COURSE_CELL_TIMEOUT="10", COURSE_NOTEBOOK_BUDGET="60"):
        if path == "nbgrader":
            run = nbgrader(root, "autograde", A)
            assert "Traceback" not in run.stdout, run.stdout[-3000:]
        else:
            outcomes = autograde.run(root, [A], jobs=2, progress=False)
            assert all(o.status == "graded" for o in outcomes), [(o.student, o.report) for o in outcomes]
    pipeline.generate_feedback(root, [A])
    return {"root": root, "submitted": before, "source": source_before}


@pytest.fixture(scope="module", params=[pytest.param(p, marks=pytest.mark.xdist_group(f"attacks-{p}")) for p in PATHS])
def graded(request, tmp_path_factory):
    return _build(tmp_path_factory, request.param)


def _scores(root, student):
    return pipeline.cell_scores(student, A, root)


def _outputs(root, student):
    nb = json.loads((root / "autograded" / student / A / f"{A}.ipynb").read_text())
    text = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            raw = output.get("text") or output.get("evalue") or ""
            text.append("".join(raw) if isinstance(raw, list) else raw)
    return "\n".join(text)


def _own_cells(function, cells):
    return own_cells(function, cells, graded_functions(A))


@pytest.mark.parametrize("attack", [a for a, (how, _, _) in ATTACKS.items() if how != "append"])
def test_no_trick_earns_a_point(graded, attack):
    how = ATTACKS[attack][0]
    scores = _scores(graded["root"], f"a_{attack}")
    cheated = set(scores) if how == "stub" else _own_cells("softmax", scores)
    earned = {k: v for k, v in scores.items() if v[0] > 0 and k in cheated}
    assert not earned, f"{attack} ({ATTACKS[attack][2]}) earned {earned}"


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_no_attack_sees_or_does_what_it_should_not(graded, attack):
    text = _outputs(graded["root"], f"a_{attack}")
    assert "FOUND" not in text, f"{attack}: " + "; ".join(l for l in text.split("\n") if "FOUND" in l)[:500]


def test_honest_students_graded_after_the_attackers_keep_full_marks(graded):
    for student in HONEST:
        scores = _scores(graded["root"], student)
        assert scores and all(s == m for s, m in scores.values()), (student, scores)


def test_files_the_gradebook_and_the_course_are_untouched(graded):
    root = graded["root"]
    assert autograde.hash_tree(root / "submitted") == graded["submitted"]
    assert autograde.hash_tree(root / "source") == graded["source"]
    table = pipeline.scores(root)
    assert table[("z_honest_1", A)][0] == table[("z_honest_1", A)][1]
    assert all(score <= maximum for score, maximum, _ in table.values()), "a score above its maximum"


@pytest.mark.parametrize("attack", ["daemon", "fork_bomb"])
def test_no_process_outlives_grading(graded, attack):
    text = _outputs(graded["root"], f"a_{attack}")
    uids = {int(u) for u in re.findall(r"SANDBOX UID (\d+)", text)}
    assert uids, f"{attack} did not run: {text[-500:]}"
    for uid in uids:
        if uid >= sandbox.UID_BASE:  # a uid of the sandbox's own (grading as root)
            assert not sandbox.processes_of(uid), f"{attack} left processes running as uid {uid}"


def _hidden_lines():
    nb = notebooks.read(source_notebook(A))
    tests_only = notebooks.new_notebook([c for c in nb.cells if notebooks.is_test_cell(c)])
    return notebooks.secret_lines(tests_only, min_length=12) & notebooks.secret_lines(nb, min_length=12)


@pytest.mark.parametrize("attack", ["print_callers", "stack_walker", "gc_snoop", "reference_helpers"])
def test_feedback_carries_no_test_internals(graded, attack):
    page = graded["root"] / "feedback" / f"a_{attack}" / A / f"{A}.html"
    text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))
    lines = {line.strip() for line in text.split("\n")}
    shown = sorted(_hidden_lines() & lines)
    assert not shown, f"{attack}'s feedback shows hidden test code: {shown[:3]}"
    assert "course.grading.runner" not in text and "<test_softmax" not in text


def test_the_boundary_refuses_what_cannot_cross(graded):
    text = _outputs(graded["root"], "a_huge_answer")
    assert "cannot read" in text or "cannot be sent" in text or "too" in text, text[-2000:]


def test_no_submission_can_run_script_in_the_grading_view(graded):
    """The formgrader shows the autograded notebook through nbconvert's HTML exporter with the
    course's configuration: everything the submission displayed is cleaned first. (The attack's
    own source is shown too, escaped as text: only parsed elements and attributes count.)"""
    from html.parser import HTMLParser

    from nbconvert import HTMLExporter

    class Elements(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.in_script = [], False

        def handle_starttag(self, tag, attrs):
            self.in_script = tag == "script"
            if tag in ("iframe", "object", "embed"):
                self.found.append(f"<{tag}>")
            for name, value in attrs:
                if name.startswith("on"):
                    self.found.append(f"{tag} {name}=")
                if name in ("href", "src", "xlink:href") and (value or "").strip().lower().startswith("javascript:"):
                    self.found.append(f"{tag} {name}={value}")

        def handle_endtag(self, tag):
            self.in_script = False

        def handle_data(self, data):
            if self.in_script and ("pwned" in data or "alert(" in data):
                self.found.append(f"<script>{data.strip()[:60]}")

    root = graded["root"]
    exporter = HTMLExporter(config=pipeline.load_config(root))
    page, _ = exporter.from_filename(str(root / "autograded" / "a_script_in_the_grading_view" / A / f"{A}.ipynb"))
    parser = Elements()
    parser.feed(page)
    assert not parser.found, f"the grading view would run: {parser.found}"
    assert "<b>bold</b>" in page  # formatting survives
