"""The instructor report: score distributions and the pass rate of every test cell.

The pass rates are the most useful teaching signal a cohort gives: the test the most
students fail is the idea the lecture did not land. Written to ``reports/`` (git-ignored):
``score_distribution.png`` and ``test_pass_rates.csv``; :func:`summarize` prints the essentials.
"""

import csv
from pathlib import Path

from course.grading import grades, pipeline
from course.grading.assignments import ROOT, assignment_ids


def pass_rates(root=ROOT):
    """``{(assignment, grade_id): (passed, graded)}`` over every graded submission."""
    rates = {}
    with pipeline.gradebook(root) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.cell_type != "code":
                            continue
                        passed, total = rates.get((assignment.name, grade.name), (0, 0))
                        rates[(assignment.name, grade.name)] = (passed + (grade.score >= grade.max_score), total + 1)
    return rates


def write(root=ROOT, out=None):
    """Write the histogram PNG and the pass-rate CSV; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out or Path(root) / "reports")
    out.mkdir(parents=True, exist_ok=True)
    rows = grades.collect(root)
    ids = [a for a in assignment_ids(root) if any(g.assignment == a for g in rows)]
    fig, axes = plt.subplots(1, max(1, len(ids)), figsize=(3.2 * max(1, len(ids)), 2.8),
                             squeeze=False, layout="constrained")
    for ax, assignment_id in zip(axes[0], ids):
        mine = [g for g in rows if g.assignment == assignment_id]
        top = max(g.max for g in mine) or 1
        bins = min(10, int(top) + 1)
        ax.hist([g.total for g in mine], bins=bins, range=(0, top), color="tab:blue", edgecolor="white",
                label="total (with written answers)")
        ax.hist([g.autograded for g in mine], bins=bins, range=(0, top), histtype="step", color="tab:orange",
                linewidth=1.5, label="autograded only")
        ax.set_title(assignment_id, fontsize=9)
        ax.set_xlabel(f"points (of {top:g})")
    axes[0][0].set_ylabel("students")
    axes[0][0].legend(fontsize=7, loc="upper left")
    histogram = out / "score_distribution.png"
    fig.savefig(histogram, dpi=110)
    plt.close(fig)
    rates = pass_rates(root)
    csv_path = out / "test_pass_rates.csv"
    with open(csv_path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["assignment", "test_cell", "passed", "graded", "pass_rate"])
        for (assignment_id, grade_id), (passed, total) in sorted(rates.items()):
            writer.writerow([assignment_id, grade_id, passed, total, f"{passed / total:.3f}"])
    return histogram, csv_path


def summarize(root=ROOT, worst=8):
    """Lines for the terminal: the test cells the cohort fails most."""
    rates = sorted(pass_rates(root).items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0]))
    lines = [f"test cells the cohort fails most (of {len(rates)}):"]
    for (assignment_id, grade_id), (passed, total) in rates[:worst]:
        lines.append(f"  {passed / total:6.0%} passed  {assignment_id}/{grade_id}  ({passed}/{total})")
    return "\n".join(lines)
