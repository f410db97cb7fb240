"""Grades as the gradebook holds them: autograded and manual points, penalties, what is left to grade.

Every figure comes from nbgrader's gradebook, computed the way ``nbgrader export`` computes
its ``score`` column (the submission's score minus its late penalty, never below 0), so this
module and ``nbgrader export`` always agree; the tests compare them. Per student and
assignment:

- ``autograded``: points of the test cells (a grader's override counts instead of the
  autograder's score, as in nbgrader);
- ``manual``: points the graders gave the written answers so far;
- ``ungraded``: the points of written answers nobody has graded yet (``needs_manual_grade``);
- ``penalty``, ``total`` (what the student gets), ``max``, and whether the work was late.

Files (``reports/``): ``grades.csv`` (one row per student and assignment, every column above),
``lms.csv`` (one row per student, one column per assignment: the format Canvas and Moodle
import, see :func:`write_lms_csv`).
"""

import csv
from dataclasses import asdict, dataclass
from pathlib import Path

from course.grading import pipeline
from course.grading.assignments import ROOT, assignment_ids


@dataclass
class Grade:
    student: str
    assignment: str
    autograded: float
    manual: float
    ungraded: float
    raw: float
    penalty: float
    total: float
    max: float
    late: bool
    seconds_late: float
    timestamp: str


def collect(root=ROOT):
    """A :class:`Grade` for every submission in the gradebook, sorted by student and assignment."""
    rows = []
    with pipeline.gradebook(root) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                grades = [g for nb in submission.notebooks for g in nb.grades]
                auto = sum(g.score for g in grades if g.cell_type == "code")
                written = [g for g in grades if g.cell_type != "code"]
                raw = float(submission.score)
                penalty = float(submission.late_submission_penalty or 0.0)
                seconds_late = float(submission.total_seconds_late or 0.0)
                rows.append(Grade(
                    student=submission.student.id, assignment=assignment.name, autograded=float(auto),
                    manual=float(sum(g.score for g in written if not g.needs_manual_grade)),
                    ungraded=float(sum(g.max_score for g in written if g.needs_manual_grade)),
                    raw=raw, penalty=penalty, total=max(0.0, raw - penalty), max=float(assignment.max_score),
                    late=seconds_late > 0, seconds_late=seconds_late,
                    timestamp="" if submission.timestamp is None else str(submission.timestamp)))
    return sorted(rows, key=lambda g: (g.student, g.assignment))


def write_csv(path, root=ROOT):
    """``grades.csv``: one row per student and assignment, every column of :class:`Grade`."""
    rows = collect(root)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(Grade.__dataclass_fields__))
        writer.writeheader()
        for row in rows:
            writer.writerow({k: (f"{v:g}" if isinstance(v, float) else ("yes" if v is True else "no" if v is False else v))
                             for k, v in asdict(row).items()})
    return path


def write_lms_csv(path, root=ROOT):
    """``lms.csv``, for a learning management system's gradebook import.

    Columns: ``Student``, ``SIS Login ID`` (the nbgrader student id, i.e. the login), then one
    column per assignment holding the total (penalty applied), empty where nothing was
    submitted. Canvas imports it as is (Grades > Import; new columns become new assignments);
    Moodle imports it with Grades > Import > CSV file, mapping ``SIS Login ID`` to the username.
    """
    rows = collect(root)
    ids = assignment_ids(root)
    names = {}
    with pipeline.gradebook(root) as gb:
        for student in gb.students:
            names[student.id] = ", ".join(x for x in (student.last_name, student.first_name) if x) or student.id
    totals = {(g.student, g.assignment): g.total for g in rows}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "SIS Login ID", *ids])
        for student in sorted({g.student for g in rows}):
            writer.writerow([names.get(student, student), student,
                             *(f"{totals[(student, a)]:g}" if (student, a) in totals else "" for a in ids)])
    return path


def format_table(root=ROOT):
    """A readable students x assignments table of totals; ``*`` marks written answers still to
    grade, ``L`` late work (its penalty is already taken off)."""
    rows = collect(root)
    ids = assignment_ids(root)
    students = sorted({g.student for g in rows})
    by = {(g.student, g.assignment): g for g in rows}
    maxima = {a: next((g.max for g in rows if g.assignment == a), 0.0) for a in ids}
    short = [a.split("_", 1)[0] for a in ids]
    width = max([len("student")] + [len(s) for s in students])
    lines = ["points per assignment: autograded + manual - late penalty (* = written answers still to grade, "
             "L = late)",
             f"{'student':<{width}}  " + "  ".join(f"{s:>9}" for s in short) + "      total",
             f"{'(max)':<{width}}  " + "  ".join(f"{maxima[a]:>9g}" for a in ids) + f"  {sum(maxima.values()):>9g}"]
    for student in students:
        cells, total = [], 0.0
        for a in ids:
            g = by.get((student, a))
            if g is None:
                cells.append(f"{'-':>9}")
                continue
            total += g.total
            mark = ("*" if g.ungraded else "") + ("L" if g.late else "")
            cells.append(f"{g.total:g}{mark}".rjust(9))
        lines.append(f"{student:<{width}}  " + "  ".join(cells) + f"  {total:>9g}")
    return "\n".join(lines)
