"""``make demo``: release every assignment, submit a demo cohort, grade it, show the grades.

The cohort, for every assignment in source/:

- ``alice`` submits the model answers (full marks on every autograded cell);
- ``bob`` submits the release untouched (zero);
- ``carol``, ``dave``, ``erin``, ``frank``, ``grace`` each make one typical mistake from
  ``tests/mistakes/<assignment>.py`` (a different one per student) and are right elsewhere.

Only these students' folders in ``submitted/`` are (re)written; anybody else's are left alone.
"""

import os
import shutil
import time
from pathlib import Path

from course.grading import autograde, grades, notebooks, pipeline, report
from course.grading.assignments import ROOT, assignment_ids, mistakes, release_notebook

CORRECT, BLANK = "alice", "bob"
MISTAKEN = ["carol", "dave", "erin", "frank", "grace"]
STUDENTS = [CORRECT, BLANK, *MISTAKEN]


def build_cohort(root=ROOT, ids=None):
    """Write the demo submissions; returns ``{student: {assignment: description}}``."""
    story = {s: {} for s in STUDENTS}
    for assignment_id in ids or assignment_ids(root):
        pipeline.submit(pipeline.completed_submission(assignment_id, root), CORRECT, assignment_id, root)
        story[CORRECT][assignment_id] = "model answers"
        pipeline.submit(notebooks.read(release_notebook(assignment_id, root)), BLANK, assignment_id, root)
        story[BLANK][assignment_id] = "untouched release"
        wrong = mistakes(assignment_id, root)
        for k, student in enumerate(MISTAKEN):
            if not wrong:
                break
            mistake = wrong[(k * max(1, len(wrong) // len(MISTAKEN))) % len(wrong)]
            nb = pipeline.completed_submission(assignment_id, root, replace={mistake["cell"]: mistake["source"]})
            pipeline.submit(nb, student, assignment_id, root)
            story[student][assignment_id] = f"{mistake['cell']}: {mistake['name']}"
    return story


def _reset(root):
    """Forget earlier demo runs (only the demo students' files)."""
    for folder in ("submitted", "autograded", "feedback"):
        for student in STUDENTS:
            shutil.rmtree(Path(root) / folder / student, ignore_errors=True)


def run(root=ROOT, jobs=None):
    start = time.perf_counter()
    ids = assignment_ids(root)
    print(f"1/5 release: generating release/ for {len(ids)} assignments with nbgrader")
    app = pipeline.api(root)
    pipeline.release(root, ids, nbgrader_api=app)
    _reset(root)
    story = build_cohort(root, ids)
    print(f"2/5 cohort: {len(STUDENTS)} demo students x {len(ids)} assignments in submitted/")
    for student in MISTAKEN:
        print(f"      {student:<6} " + "; ".join(f"{a.split('_')[0]} {d}" for a, d in story[student].items()))
    print(f"3/5 autograde: nbgrader in {jobs or os.cpu_count()} parallel workers")
    graded = time.perf_counter()
    outcomes = autograde.run(root, ids, jobs=jobs, force=True, students=STUDENTS)
    print(autograde.summary(outcomes, time.perf_counter() - graded))
    failed = [o for o in outcomes if o.status == "failed"]
    print("4/5 feedback: feedback/<student>/<assignment>/*.html (scores and messages, no hidden test code)")
    pipeline.generate_feedback(root, ids, nbgrader_api=app)
    csv_path = grades.write_csv(Path(root) / "reports" / "grades.csv", root)
    grades.write_lms_csv(Path(root) / "reports" / "lms.csv", root)
    histogram, rates = report.write(root)
    print(f"5/5 grades: {csv_path.relative_to(root)}, {histogram.relative_to(root)}, {rates.relative_to(root)}\n")
    print(grades.format_table(root))
    print()
    print(report.summarize(root))
    print(f"\ndemo finished in {time.perf_counter() - start:.0f} s")
    return 1 if failed else 0
