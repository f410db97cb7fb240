"""`python -m course autograde` on a cohort of broken and dishonest submissions (real nbgrader runs).

One temporary course holds assignment 01 and a cohort where every student but two does
something a grader must survive. The cohort must finish; each offender's report must say
what happened; honest students keep their marks; no trick earns a point it did not earn;
every file in submitted/ is byte-identical afterwards; the static scan flags the cheats.
"""

import json

import nbformat
import pytest

from course.grading import autograde, notebooks, pipeline

from courseenv import environ, make_course

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("cohort")]
A = "01_softmax_derivative"


def _test_cells(function, hidden):
    """Grade ids of ``function``'s test cells in the source notebook, with or without hidden tests."""
    from course.grading.assignments import source_notebook

    from courseenv import graded_functions, own_cells

    nb = notebooks.read(source_notebook(A))
    tests = {notebooks.nbgrader_meta(c)["grade_id"]: c for c in nb.cells if notebooks.is_test_cell(c)}
    mine = own_cells(function, tests, graded_functions(A))
    return [g for g, c in tests.items() if g in mine and (notebooks.HIDDEN_BEGIN in c.source) == hidden]


VISIBLE = _test_cells("softmax", hidden=False)[0]
HIDDEN = _test_cells("softmax", hidden=True)[0]
SOFTMAX_CELLS = set(_test_cells("softmax", False) + _test_cells("softmax", True))
JACOBIAN_HIDDEN = _test_cells("numerical_jacobian", hidden=True)[0]
WRONG_SOFTMAX = "def softmax(a, axis=-1):\n    return np.zeros_like(a)\n"


def _with(root, *, replace=None, append=(), edit=None):
    nb = pipeline.completed_submission(A, root, replace=replace)
    for source in append:
        nb.cells.append(nbformat.v4.new_code_cell(source))
    if edit:
        edit(nb)
    return nb


def _edit(grade_id, change):
    """A notebook edit: ``change(nb, index)`` for the cell with ``grade_id``."""
    def edit(nb):
        index = next(i for i, c in enumerate(nb.cells) if notebooks.nbgrader_meta(c).get("grade_id") == grade_id)
        change(nb, index)
    return edit


def _drop(grade_id):
    return _edit(grade_id, lambda nb, i: nb.cells.pop(i))


def _gut(grade_id):
    return _edit(grade_id, lambda nb, i: setattr(nb.cells[i], "source", "pass"))


def _duplicate(grade_id):
    return _edit(grade_id, lambda nb, i: nb.cells.insert(i + 1, nbformat.from_dict(json.loads(json.dumps(nb.cells[i])))))


def _strip_nbgrader(grade_id):
    def change(nb, i):
        nb.cells[i].source = "pass"
        del nb.cells[i].metadata["nbgrader"]
    return _edit(grade_id, change)


SOFTMAX_SOURCE = "def softmax(a, axis=-1):\n    e = np.exp(a - a.max(axis=axis, keepdims=True))\n    return e / e.sum(axis=axis, keepdims=True)\n"

# student -> (how to build the submission, phrase its report must contain or None)
def cohort(root):
    course_root = str(root)
    return {
        "honest": (_with(root), None),
        "blank": (notebooks.read(root / "release" / A / f"{A}.ipynb"), None),
        "loop_top": (_with(root, replace={"softmax": SOFTMAX_SOURCE + "while True:\n    pass\n"}), "time"),
        "loop_fn": (_with(root, replace={"softmax": "def softmax(a, axis=-1):\n    while True:\n        pass\n"}), "time"),
        "deleted_test": (_with(root, edit=_drop(VISIBLE)), "deleted"),
        "edited_test": (_with(root, replace={"softmax": WRONG_SOFTMAX}, edit=_gut(HIDDEN)), "edited"),
        "unmarked_test": (_with(root, replace={"softmax": WRONG_SOFTMAX}, edit=_strip_nbgrader(VISIBLE)), "deleted"),
        "duplicated": (_with(root, edit=_duplicate("softmax")), "appears 2 times"),
        "flood": (_with(root, append=["print('x' * 100_000_000)"]), "printed too much"),
        "memory_bomb": (_with(root, append=["hog = bytearray(6 * 1024 ** 3)  # 6 GiB: more than a kernel may have"]), "memory"),
        "sys_exit": (_with(root, append=["import sys\nsys.exit(3)"]), "sys.exit"),
        "os_exit": (_with(root, replace={"softmax": SOFTMAX_SOURCE + "import os\nos._exit(1)\n"}), "kernel died"),
        "segfault": (_with(root, append=["import ctypes\nctypes.string_at(0)"]), "kernel died"),
        # the kernel's parent is the worker's kernel template (course.grading.forkserver): killing it
        # may cost this kernel, never the students graded after it
        "kill_parent": (_with(root, append=["import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"]), None),
        "vandal": (_with(root, append=[
            f"import os, shutil\nfor p in ['{course_root}/submitted/honest/{A}/{A}.ipynb', '{course_root}/source']:\n"
            "    try:\n        os.remove(p) if p.endswith('.ipynb') else shutil.rmtree(p)\n    except OSError as e:\n        print('blocked:', e)\n"
            f"try:\n    open('{course_root}/submitted/vandal/{A}/extra.txt', 'w').write('x')\nexcept OSError as e:\n    print('blocked:', e)\n"
            "open('scratch.txt', 'w').write('x')"]), None),
        # dishonest: each pairs a wrong softmax with a trick; none may earn softmax's points
        "patch_numpy": (_with(root, replace={"softmax": WRONG_SOFTMAX + "np.allclose = lambda *a, **k: True\nnp.abs = lambda x: 0 * x\n"}), None),
        "patch_checks": (_with(root, replace={"softmax": WRONG_SOFTMAX + "import course.checks\ncourse.checks.check_close = lambda *a, **k: None\ncourse.checks.check_finite = lambda *a, **k: None\n"}), None),
        "liar": (_with(root, replace={"softmax": "class Anything:\n    def __eq__(self, other):\n        return True\n    def __sub__(self, other):\n        return 0.0\n    __rsub__ = __sub__\n    def __abs__(self):\n        return 0.0\n    def __array__(self, dtype=None, copy=None):\n        return np.zeros(3)\n\ndef softmax(a, axis=-1):\n    return Anything()\n"}), None),
        "no_traceback": (_with(root, replace={"softmax": WRONG_SOFTMAX + "get_ipython().showtraceback = lambda *a, **k: None\nget_ipython()._showtraceback = lambda *a, **k: None\n"}), None),
        "steal": (_with(root, replace={"softmax": (
            "import json\nsrc = None\nfor p in ['../../../../source/{A}/{A}.ipynb', '{root}/source/{A}/{A}.ipynb']:\n"
            "    try:\n        src = json.load(open(p))\n        break\n    except OSError:\n        pass\n"
            "if src:\n    for c in src['cells']:\n        if c.get('metadata', {{}}).get('nbgrader', {{}}).get('grade_id') == 'softmax':\n"
            "            exec(''.join(c['source']).replace('### BEGIN SOLUTION', '').replace('### END SOLUTION', ''))\n"
            "else:\n    def softmax(a, axis=-1):\n        return np.zeros_like(a)\n").format(A=A, root=course_root)}), None),
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("cohort"), [A])
    plan = cohort(root)
    for student, (nb, _) in plan.items():
        pipeline.submit(nb, student, A, root)
    folder = root / "submitted"
    (folder / "bad_json" / A).mkdir(parents=True)
    (folder / "bad_json" / A / f"{A}.ipynb").write_text('{"cells": [ this is not json')
    (folder / "missing" / A).mkdir(parents=True)
    (folder / "missing" / A / "notes.txt").write_text("forgot the notebook")
    (folder / "renamed" / A).mkdir(parents=True)
    nbformat.write(_with(root), str(folder / "renamed" / A / "my_softmax.ipynb"))
    pipeline.submit(_with(root), "extra", A, root)
    nbformat.write(_with(root), str(folder / "extra" / A / "scratch.ipynb"))
    before = autograde.hash_tree(folder)
    with environ(COURSE_CELL_TIMEOUT="4", COURSE_NOTEBOOK_BUDGET="20", COURSE_CALL_TIMEOUT="3"):
        outcomes = autograde.run(root, [A], jobs=2, progress=False)
    return root, {o.student: o for o in outcomes}, before, plan


def _cells(root, student):
    return pipeline.cell_scores(student, A, root)


def _points(root, student, cells=None):
    return sum(s for k, (s, _) in _cells(root, student).items() if cells is None or k in cells)


def test_the_cohort_finishes_and_submitted_is_untouched(graded):
    root, outcomes, before, plan = graded
    assert autograde.hash_tree(root / "submitted") == before
    assert set(outcomes) == set(plan) | {"bad_json", "missing", "renamed", "extra"}
    assert (root / "source" / A / f"{A}.ipynb").is_file(), "the vandal deleted source/"


def test_honest_students_keep_full_marks(graded):
    root, outcomes, _, _ = graded
    full = sum(m for _, m in _cells(root, "honest").values())
    for student in ["honest", "renamed", "extra", "duplicated", "deleted_test", "flood", "memory_bomb",
                    "sys_exit", "segfault", "vandal", "kill_parent"]:
        assert outcomes[student].status == "graded", (student, outcomes[student].report)
        assert _points(root, student) == full, (student, _cells(root, student), outcomes[student].report)
    assert _points(root, "blank") == 0


@pytest.mark.parametrize("student", ["loop_top", "loop_fn", "deleted_test", "edited_test", "unmarked_test",
                                     "duplicated", "flood", "memory_bomb", "sys_exit", "os_exit", "segfault"])
def test_each_offender_is_told_what_happened(graded, student):
    _, outcomes, _, plan = graded
    phrase = plan[student][1]
    text = " ".join(outcomes[student].report).lower()
    assert phrase.lower() in text, f"{student}: {outcomes[student].report}"


@pytest.mark.parametrize("student,phrase", [("bad_json", "not a valid notebook"), ("missing", "no 01_softmax"),
                                            ("renamed", "renamed"), ("extra", "extra notebook")])
def test_file_problems_are_explained(graded, student, phrase):
    _, outcomes, _, _ = graded
    assert phrase in " ".join(outcomes[student].report), outcomes[student].report
    if student in ("bad_json", "missing"):
        assert outcomes[student].status == "failed"


def test_an_infinite_loop_costs_only_its_own_tests(graded):
    root, _, _, _ = graded
    assert _points(root, "loop_fn", SOFTMAX_CELLS) == 0
    assert _points(root, "loop_top") > 0  # the top-level loop is interrupted; the functions exist


def test_a_dying_kernel_is_restarted_and_grading_continues(graded):
    root, _, _, _ = graded
    scores = _cells(root, "os_exit")
    # softmax died with the kernel, but a later function that does not need it still earns
    assert scores[JACOBIAN_HIDDEN][0] > 0, scores


@pytest.mark.parametrize("student", ["patch_numpy", "patch_checks", "liar", "no_traceback", "steal",
                                     "edited_test", "unmarked_test"])
def test_no_trick_earns_points(graded, student):
    root, outcomes, _, _ = graded
    assert _points(root, student, SOFTMAX_CELLS) == 0, (student, _cells(root, student))


@pytest.mark.parametrize("student", ["patch_numpy", "patch_checks", "liar", "no_traceback", "steal", "vandal", "os_exit"])
def test_the_scan_flags_tampering_for_review(graded, student):
    _, outcomes, _, _ = graded
    assert outcomes[student].flags, f"{student} was not flagged"


def test_honest_work_is_not_flagged(graded):
    _, outcomes, _, _ = graded
    assert not outcomes["honest"].flags, outcomes["honest"].flags


def test_a_second_run_skips_what_is_already_graded(graded):
    root, _, _, _ = graded
    again = {o.student: o for o in autograde.run(root, [A], jobs=2, progress=False)}
    assert all(o.status in ("skipped", "failed") for o in again.values())
    assert again["honest"].status == "skipped"


def test_grades_csv_and_instructor_report(graded):
    import csv

    from course.grading import grades, report

    root, outcomes, _, _ = graded
    path = grades.write_csv(root / "reports" / "grades.csv", root)
    rows = {r["student"]: r for r in csv.DictReader(path.open())}
    assert float(rows["honest"]["autograded"]) == float(rows["honest"]["total"]) == _points(root, "honest")
    assert float(rows["honest"]["ungraded"]) > 0  # the written answers await a grader
    assert float(rows["blank"]["total"]) == 0 and "bad_json" not in rows  # never graded: no row, not a zero
    histogram, rates_csv = report.write(root)
    assert histogram.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rates = {r["test_cell"]: r for r in csv.DictReader(rates_csv.open())}
    assert set(rates) == set(_cells(root, "honest"))
    graded_count = len(pipeline.scores(root))
    assert all(int(r["graded"]) == graded_count for r in rates.values())
    passed = sum(_cells(root, s)[VISIBLE][0] == _cells(root, s)[VISIBLE][1] for s, _ in pipeline.scores(root))
    assert int(rates[VISIBLE]["passed"]) == passed
    assert "fails most" in report.summarize(root)
