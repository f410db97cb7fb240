"""``make bench``: plain sequential ``nbgrader autograde`` against ``python -m course autograde``.

On a generated cohort (default 60 submissions spread over every assignment: correct, wrong,
blank, plus one infinite loop) in two identical temporary courses, measured in the same run:

- ``serial``: one ``nbgrader autograde <assignment>`` command per assignment, one after the other;
- ``parallel``: ``python -m course autograde --jobs N`` (N long-lived workers);
- ``floor``: starting a kernel, running one empty cell and stopping it (nbclient), the cost
  no grader can avoid per notebook.

It checks that both runs give identical scores cell by cell and prints the ratios. A benchmark,
not a test: it asserts nothing about time.
"""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from course import notebooks, pipeline
from course.assignments import ROOT, assignment_ids, mistakes

BIN = pipeline.BIN


def _env():
    return {**pipeline.tool_env(), "MPLBACKEND": "Agg"}


def build(dest, n):
    """A course with every assignment released and ``n`` submissions; returns their kinds."""
    dest = Path(dest)
    dest.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", dest)
    ids = assignment_ids()
    for assignment_id in ids:
        shutil.copytree(ROOT / "source" / assignment_id, dest / "source" / assignment_id)
    pipeline.release(dest, ids)
    kinds = {}
    for i in range(n):
        assignment_id = ids[i % len(ids)]
        student = f"s{i:03d}"
        wrong = mistakes(assignment_id)
        kind = ["correct", "wrong", "blank"][(i // len(ids)) % 3] if i else "infinite loop"
        if kind == "blank":
            nb = notebooks.read(dest / "release" / assignment_id / f"{assignment_id}.ipynb")
        elif kind == "wrong" and wrong:
            m = wrong[i % len(wrong)]
            nb = pipeline.completed_submission(assignment_id, dest, replace={m["cell"]: m["source"]})
        else:
            nb = pipeline.completed_submission(assignment_id, dest)
            if kind == "infinite loop":
                nb.cells.append(notebooks.code("while True:\n    pass"))
        pipeline.submit(nb, student, assignment_id, dest)
        kinds[(student, assignment_id)] = kind
    return kinds


def floor(repeats=3):
    """Seconds to start a kernel, run one empty cell and shut it down (nbclient)."""
    import nbformat
    from nbclient import NotebookClient

    times = []
    for _ in range(repeats):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        nb.metadata["kernelspec"] = dict(notebooks.KERNELSPEC)
        start = time.perf_counter()
        NotebookClient(nb, kernel_name="python3").execute()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def notebook_floor(root, assignment_id):
    """Seconds to run the model-answer notebook once, kernel start to stop: the least any
    grader can spend on a submission of this assignment."""
    from nbclient import NotebookClient

    nb = pipeline.completed_submission(assignment_id, root)
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120,
                   resources={"metadata": {"path": tempfile.mkdtemp(prefix="course-floor-")}}).execute()
    return time.perf_counter() - start


def _all_cell_scores(root, kinds):
    return {key: pipeline.cell_scores(key[0], key[1], root) for key in kinds}


def run(n=60, jobs=2):
    work = Path(tempfile.mkdtemp(prefix="course-bench-"))
    try:
        print(f"building a cohort of {n} submissions over {len(assignment_ids())} assignments ...", flush=True)
        kinds = build(work / "serial", n)
        shutil.copytree(work / "serial", work / "parallel", symlinks=True)
        counts = {k: list(kinds.values()).count(k) for k in sorted(set(kinds.values()))}
        print("  " + ", ".join(f"{v} {k}" for k, v in counts.items()))

        empty = floor()
        print(f"floor (kernel start + empty cell + stop): {empty:.2f} s", flush=True)
        per_assignment = {a: notebook_floor(work / "serial", a) for a in assignment_ids()}
        print("floor per assignment (its model answer run once): "
              + ", ".join(f"{a.split('_')[0]} {t:.1f} s" for a, t in per_assignment.items()), flush=True)
        cohort_floor = statistics.mean(per_assignment[a] for _, a in kinds)

        start = time.perf_counter()
        for assignment_id in assignment_ids():
            run_ = subprocess.run([str(BIN / "nbgrader"), "autograde", assignment_id], cwd=work / "serial",
                                  env=_env(), capture_output=True, text=True)
            if run_.returncode != 0:
                print(f"  nbgrader autograde {assignment_id} exited {run_.returncode}")
        serial = time.perf_counter() - start
        print(f"serial   nbgrader autograde, one assignment after another: {serial:7.1f} s", flush=True)

        start = time.perf_counter()
        code = ("import sys; from course import autograde; "
                f"autograde.run(sys.argv[1], jobs={jobs}, progress=False)")
        subprocess.run([sys.executable, "-c", code, str(work / "parallel")], env=_env(), check=True,
                       capture_output=True, text=True)
        parallel = time.perf_counter() - start
        print(f"parallel python -m course autograde --jobs {jobs}:           {parallel:7.1f} s", flush=True)

        a, b = _all_cell_scores(work / "serial", kinds), _all_cell_scores(work / "parallel", kinds)
        differ = sorted(k for k in kinds if a[k] != b[k])
        print(f"scores identical cell by cell: {'yes' if not differ else 'NO: ' + str(differ[:5])}")
        per_notebook = parallel * jobs / n
        print(f"\nratio serial / parallel:        {serial / parallel:.2f}  (target >= 1.9 on 2 cores; limit {jobs}.0)")
        print(f"per-notebook cost (parallel):   {per_notebook:.2f} s = {per_notebook / empty:.2f} x the empty-notebook "
              f"floor, {per_notebook / cohort_floor:.2f} x the cohort's own floor of {cohort_floor:.2f} s (target <= 1.3)")
        return 0 if not differ else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(run(*(int(a) for a in sys.argv[1:3])))
