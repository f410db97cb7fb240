"""Grades include everything, match `nbgrader export`, survive regrading, and know who was late.

One temporary course with assignment 01: a student with the model answers, one with the
untouched release, and one who submits the model answers two days after the due date. A
grader scores a written answer in the gradebook (as the formgrader does); then the course's
grades (reports/grades.csv, the LMS file, the table) must agree with `nbgrader export` to the
point, a regrade must leave the manual grade and comment alone, and the late student loses
the configured penalty.
"""

import csv
from datetime import datetime, timedelta, timezone

import pytest

from course.grading import autograde, grades, pipeline
from course.grading.preprocessors import PerDayLatePenalty

from courseenv import make_course, nbgrader

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("grades")]
A = "01_softmax_derivative"
ANSWER = "softmax_derivation"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("grades"), [A])
    pipeline.submit(pipeline.completed_submission(A, root), "ada", A, root)
    pipeline.submit(pipeline.notebooks.read(root / "release" / A / f"{A}.ipynb"), "bob", A, root)
    late = pipeline.submit(pipeline.completed_submission(A, root), "cyd", A, root)
    with pipeline.gradebook(root) as gb:
        due = gb.find_assignment(A).duedate
    assert due is not None, "the due date of nbgrader_config.py did not reach the gradebook"
    stamp = due.replace(tzinfo=timezone.utc) + timedelta(days=1, hours=3)
    (late.parent / "timestamp.txt").write_text(stamp.strftime("%Y-%m-%d %H:%M:%S.%f %Z"))
    autograde.run(root, [A], jobs=2, progress=False)
    with pipeline.gradebook(root) as gb:  # what the formgrader does when a grader scores the answer
        grade = gb.find_grade(ANSWER, A, A, "ada")
        grade.manual_score = 2.5
        grade.needs_manual_grade = False
        comment = gb.find_comment(ANSWER, A, A, "ada")
        comment.manual_comment = "Both cases right; the combined formula is missing."
        gb.db.commit()
    return root


def _export(root):
    run = nbgrader(root, "export", "--to", str(root / "export.csv"))
    assert run.returncode == 0, run.stderr[-2000:]
    return {(r["student_id"], r["assignment"]): r for r in csv.DictReader((root / "export.csv").open())}


def test_grades_include_manual_points_and_match_nbgrader_export(course):
    exported = _export(course)
    rows = {(g.student, g.assignment): g for g in grades.collect(course)}
    assert set(rows) == set(exported)
    for key, g in rows.items():
        assert g.total == pytest.approx(float(exported[key]["score"]), abs=1e-9), key
        assert g.raw == pytest.approx(float(exported[key]["raw_score"]), abs=1e-9), key
        assert g.max == pytest.approx(float(exported[key]["max_score"])), key
    ada = rows[("ada", A)]
    assert ada.manual == 2.5 and ada.total == ada.autograded + 2.5
    assert ada.ungraded == ada.max - ada.autograded - 3.0  # the other written answers
    written = pytest.approx(ada.max - ada.autograded - ada.manual - ada.ungraded)
    assert written == 0.5  # 3-point answer graded 2.5: what is neither manual nor ungraded is what was lost


def test_reports_files_and_table(course):
    path = grades.write_csv(course / "reports" / "grades.csv", course)
    rows = {r["student"]: r for r in csv.DictReader(path.open())}
    assert rows["ada"]["manual"] == "2.5" and rows["cyd"]["late"] == "yes" and rows["ada"]["late"] == "no"
    lms = list(csv.reader(grades.write_lms_csv(course / "reports" / "lms.csv", course).open()))
    assert lms[0] == ["Student", "SIS Login ID", A]
    exported = _export(course)
    assert {r[1]: float(r[2]) for r in lms[1:]} == {s: float(r["score"]) for (s, _), r in exported.items()}
    table = grades.format_table(course)
    assert "L" in table.split("cyd")[1].split("\n")[0] and "*" in table.split("ada")[1].split("\n")[0]


def test_late_work_loses_the_configured_penalty(course):
    cyd = next(g for g in grades.collect(course) if g.student == "cyd")
    assert cyd.late and 86400 < cyd.seconds_late < 2 * 86400
    per_day = PerDayLatePenalty.percent_per_day.default_value
    assert cyd.penalty == pytest.approx(cyd.raw * per_day * 2 / 100)  # two started days
    assert cyd.total == pytest.approx(cyd.raw - cyd.penalty)


def test_regrading_keeps_finished_manual_grading(course):
    autograde.run(course, [A], jobs=1, force=True, progress=False)
    with pipeline.gradebook(course) as gb:
        grade = gb.find_grade(ANSWER, A, A, "ada")
        comment = gb.find_comment(ANSWER, A, A, "ada")
        assert grade.manual_score == 2.5 and not grade.needs_manual_grade
        assert comment.manual_comment.startswith("Both cases right")
        assert gb.find_grade(ANSWER, A, A, "cyd").needs_manual_grade  # nobody graded cyd's answer yet
        assert not gb.find_grade(ANSWER, A, A, "bob").needs_manual_grade  # bob left it blank: 0, nothing to grade
    assert next(g for g in grades.collect(course) if g.student == "ada").manual == 2.5
