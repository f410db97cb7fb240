"""``make bench``: plain sequential ``nbgrader autograde`` against ``python -m course autograde``.

On a generated cohort (default 60 submissions spread over every assignment: correct, wrong,
blank, plus one infinite loop) in two identical temporary courses, measured in the same run:

- ``floor``: starting a kernel, running one empty cell and stopping it (nbclient), the cost
  no grader can avoid per notebook;
- ``bare``: every submission executed by nbclient alone, ``jobs`` at a time, with the same
  per-cell timeout -- running the students' cells and nothing else;
- ``serial``: one ``nbgrader autograde <assignment>`` command per assignment, one after the other;
- ``parallel``: ``python -m course autograde --jobs N`` (N long-lived workers), and the same
  with one worker, which separates what the workers gain from what the forked kernels gain.

It checks that the three grading runs give identical scores cell by cell and prints the ratios: the
speed-up, the per-notebook cost against the bare run, and grading's own per-notebook overhead
(the cost minus the time the cells themselves take) against the floor.

It also prices the grading boundary (test cells in a trusted process, student code in a
sandboxed kernel, only data in between): the round trip of one call of a trivial student
function, measured on its own, and, from the parallel run, how many calls a notebook makes and
what share of its grading time the test cells take. The ``bare`` run is what a grader that
shared one process with the student would pay for running the cells. A benchmark, not a test:
it asserts nothing about time.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path

from course.grading import notebooks, pipeline
from course.grading.assignments import ROOT, assignment_ids, mistakes

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


def _run_bare(nb, folder):
    """Execute ``nb`` in ``folder`` with nbclient alone, over IPC like the graders' kernels (no TCP
    warning), the kernel's stdout and stderr sent to /dev/null as the graders' are (each bare
    kernel would print ipykernel's "Parent appears to have exited" on the terminal)."""
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient

    km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(folder, "kernel"))
    client = NotebookClient(nb, km=km, allow_errors=True, interrupt_on_timeout=True,
                            timeout=int(os.environ.get("COURSE_CELL_TIMEOUT", "15")),
                            resources={"metadata": {"path": folder}})
    client.execute(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def floor(repeats=3):
    """Seconds to start a kernel, run one empty cell and shut it down (nbclient)."""
    import nbformat

    times = []
    for _ in range(repeats):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        nb.metadata["kernelspec"] = dict(notebooks.KERNELSPEC)
        with tempfile.TemporaryDirectory(prefix="course-floor-") as folder:
            start = time.perf_counter()
            _run_bare(nb, folder)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def _execute_bare(path):
    """Run one notebook with nbclient alone, as grading would (same timeout, errors allowed)."""
    with tempfile.TemporaryDirectory(prefix="course-bare-") as folder:
        _run_bare(notebooks.read(path), folder)


def bare(root, kinds, jobs):
    """Seconds to execute every submission with nbclient alone, ``jobs`` at a time."""
    paths = [str(Path(root) / "submitted" / s / a / f"{a}.ipynb") for s, a in kinds]
    with get_context("spawn").Pool(jobs) as pool:
        start = time.perf_counter()
        list(pool.imap_unordered(_execute_bare, paths))
        return time.perf_counter() - start


def _course_autograde(root, jobs):
    """Seconds for ``python -m course autograde --jobs <jobs>`` on ``root`` (a fresh process)."""
    code = f"import sys; from course.grading import autograde; autograde.run(sys.argv[1], jobs={jobs}, progress=False)"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(root)], env=_env(), check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def round_trip(calls=500):
    """Seconds per call of an identity function across the boundary (GuardedExecute, one notebook)."""
    import nbformat

    from course.grading.execute import GuardedExecute

    test = ("from course.checks import call\nimport numpy as np\nx = np.ones(10)\n"
            f"for _ in range({calls}):\n    call(identity, x)")
    cells = [nbformat.v4.new_code_cell("def identity(x):\n    return x"), nbformat.v4.new_code_cell(test)]
    cells[1].metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "test_identity",
                                     "points": 1, "schema_version": 3}
    nb = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": dict(notebooks.KERNELSPEC)})
    with tempfile.TemporaryDirectory(prefix="course-trip-") as folder:
        executor = GuardedExecute(timeout=60)
        executor.test_timeout = 300
        executor.preprocess(nb, {"metadata": {"path": folder}})
    assert not [o for o in nb.cells[1].outputs if o.get("output_type") == "error"], nb.cells[1].outputs
    return executor.stats["call_seconds"] / executor.stats["calls"], executor.stats["test_seconds"] / calls


def _all_cell_scores(root, kinds):
    return {key: pipeline.cell_scores(key[0], key[1], root) for key in kinds}


def run(n=60, jobs=2):
    work = Path(tempfile.mkdtemp(prefix="course-bench-"))
    try:
        print(f"building a cohort of {n} submissions over {len(assignment_ids())} assignments ...", flush=True)
        kinds = build(work / "serial", n)
        for copy in ("parallel", "one"):
            shutil.copytree(work / "serial", work / copy, symlinks=True)
        counts = {k: list(kinds.values()).count(k) for k in sorted(set(kinds.values()))}
        print("  " + ", ".join(f"{v} {k}" for k, v in counts.items()))

        os.environ.update(_env())  # the floors run as kernels run when grading (Agg backend)
        empty = floor()
        print(f"floor (kernel start + empty cell + stop): {empty:.2f} s", flush=True)
        bare_run = bare(work / "serial", kinds, jobs)
        print(f"bare     nbclient alone, {jobs} at a time, no grading:       {bare_run:7.1f} s", flush=True)

        start = time.perf_counter()
        for assignment_id in assignment_ids():
            run_ = subprocess.run([str(BIN / "nbgrader"), "autograde", assignment_id], cwd=work / "serial",
                                  env=_env(), capture_output=True, text=True)
            if run_.returncode != 0:
                print(f"  nbgrader autograde {assignment_id} exited {run_.returncode}")
        serial = time.perf_counter() - start
        print(f"serial   nbgrader autograde, one assignment after another: {serial:7.1f} s", flush=True)

        stats_path = work / "boundary.jsonl"
        os.environ["COURSE_BOUNDARY_STATS"] = str(stats_path)
        parallel = _course_autograde(work / "parallel", jobs)
        del os.environ["COURSE_BOUNDARY_STATS"]
        print(f"parallel python -m course autograde --jobs {jobs}:           {parallel:7.1f} s", flush=True)
        one = _course_autograde(work / "one", 1)
        print(f"         python -m course autograde --jobs 1:           {one:7.1f} s", flush=True)

        a, b, c = (_all_cell_scores(work / name, kinds) for name in ("serial", "parallel", "one"))
        differ = sorted(k for k in kinds if not a[k] == b[k] == c[k])
        print(f"scores identical cell by cell: {'yes' if not differ else 'NO: ' + str(differ[:5])}")
        per_notebook, bare_notebook = parallel * jobs / n, bare_run * jobs / n
        overhead = per_notebook - (bare_notebook - empty)  # the cost minus the cells' own run time
        print(f"\nratio serial / parallel:          {serial / parallel:.2f}  (target >= 1.9 on 2 cores)")
        print(f"  of which {jobs} workers:             {one / parallel:.2f}  (--jobs 1 / --jobs {jobs}; at most {jobs}.0)")
        print(f"  and forked kernels:              {serial / one:.2f}  (nbgrader / --jobs 1)")
        print(f"per-notebook cost (parallel):     {per_notebook:.2f} s = {per_notebook / bare_notebook:.2f} x running the "
              f"same notebooks bare ({bare_notebook:.2f} s; target <= 1.3)")
        print(f"grading overhead per notebook:    {overhead:.2f} s = {overhead / empty:.2f} x the empty-notebook floor "
              f"(target <= 1.3): the cost minus the {bare_notebook - empty:.2f} s its cells take")
        trip_kernel, trip_total = round_trip()
        stats = [json.loads(line) for line in stats_path.read_text().splitlines()] if stats_path.is_file() else []
        calls = sum(x["calls"] for x in stats) / max(1, len(stats))
        share = sum(x["test_seconds"] for x in stats) / max(1e-9, sum(x["seconds"] for x in stats))
        crossing = sum(x["call_seconds"] for x in stats) / max(1, sum(x["calls"] for x in stats))
        print(f"\nthe boundary: one call of a trivial student function costs {trip_total * 1e3:.2f} ms "
              f"({trip_kernel * 1e3:.2f} ms of it in the kernel round trip)")
        print(f"  per graded notebook: {calls:.0f} calls on average, {crossing * 1e3:.2f} ms each including the "
              f"student's own work; test cells take {share:.0%} of the notebook's grading time")
        print(f"  so the boundary costs about {calls * trip_total:.2f} s per notebook = "
              f"{calls * trip_total / per_notebook:.0%} of the per-notebook cost")
        return 0 if not differ else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(run(*(int(a) for a in sys.argv[1:3])))
