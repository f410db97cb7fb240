"""``python -m course autograde``: grade a cohort in parallel with nbgrader's own machinery.

- ``jobs`` long-lived worker processes, each holding one ``NbGraderAPI``; every submission is
  one ``api.autograde`` call (nbgrader's preprocessors and gradebook, not a re-implementation).
  A process per submission would pay nbgrader's ~3 s start-up every time.
- Before grading, each submission is checked (missing, invalid JSON, renamed or extra
  notebooks) and *copied* to a private staging folder; nbgrader grades the copy, so nothing a
  submission does can alter ``submitted/`` (its files are hashed before and after to prove it).
- Grading itself is :class:`course.grading.execute.GuardedExecute`'s, as in every other path:
  student cells in a bubblewrap sandbox that sees nothing of the course, test cells in a
  trusted process of their own, a time budget, crash recovery and an output cap. Each worker
  forks its kernels from a warm, sandboxed template (:mod:`course.grading.forkserver`) and
  keeps one trusted test runner.
- Submissions already graded are skipped unless ``force``: an interrupted run, run again,
  finishes the job without duplicating anything.
- Every submission gets a one-sentence report of what happened, and a static scan flags
  tampering patterns for the instructor (it never changes a score).
"""

import functools
import hashlib
import json
import os
import shutil
import signal
import tempfile
import time
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

from course.grading import execute, forkserver, notebooks, pipeline, sandbox
from course.grading.assignments import ROOT, assignment_ids, release_notebook
from course.grading.scan import scan_notebook


@dataclass
class Outcome:
    student: str
    assignment: str
    status: str = "graded"  # graded | failed | skipped
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    report: list = field(default_factory=list)  # sentences for the instructor (and student)
    flags: list = field(default_factory=list)  # static-scan findings, for review


# --------------------------------------------------------------------------- preflight


def _expected(student, assignment_id, root):
    return Path(root) / "submitted" / student / assignment_id / f"{assignment_id}.ipynb"


def preflight(student, assignment_id, root, stage):
    """Check one submission and copy it to ``stage``; returns ``(ok, report sentences)``."""
    folder = Path(root) / "submitted" / student / assignment_id
    expected = folder / f"{assignment_id}.ipynb"
    notebooks_found = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    report = []
    chosen = expected if expected.is_file() else None
    if chosen is None:
        if len(notebooks_found) == 1:
            chosen = notebooks_found[0]
            report.append(f"the notebook was renamed to {chosen.name}; it was graded as {expected.name}.")
        elif notebooks_found:
            names = ", ".join(p.name for p in notebooks_found)
            return False, [f"no {expected.name} was submitted, and the folder holds several notebooks ({names}): "
                           "nothing was graded; ask the student which one to grade."]
        else:
            return False, [f"no {expected.name} was submitted: nothing to grade."]
    extras = [p.name for p in notebooks_found if p != chosen]
    if extras:
        report.append(f"extra notebook(s) ignored: {', '.join(extras)}.")
    raw = chosen.read_bytes()
    try:
        nb = notebooks.nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:  # noqa: BLE001 -- any unreadable file is the same story
        return False, [f"{chosen.name} is not a valid notebook ({type(exc).__name__}: {str(exc)[:120]}); "
                       "it could not be graded. The file is unchanged in submitted/."]
    report += _cell_changes(nb, assignment_id, root)
    target = Path(stage) / "submitted" / student / assignment_id
    target.mkdir(parents=True, exist_ok=True)
    if _drop_duplicate_ids(nb):  # nbgrader 0.9.6 crashes on them (KeyError in OverwriteCells)
        notebooks.nbformat.write(nb, str(target / f"{assignment_id}.ipynb"))
    else:
        (target / f"{assignment_id}.ipynb").write_bytes(raw)
    timestamp = folder / "timestamp.txt"
    if timestamp.is_file():
        shutil.copy(timestamp, target / "timestamp.txt")
    return True, report


def _drop_duplicate_ids(nb):
    """Turn the second and later copies of a graded cell into plain cells (in the staged copy)."""
    seen, changed = set(), False
    for cell in nb.cells:
        grade_id = notebooks.nbgrader_meta(cell).get("grade_id")
        if grade_id in seen:
            del cell.metadata["nbgrader"]
            changed = True
        elif grade_id:
            seen.add(grade_id)
    return changed


@functools.lru_cache(maxsize=32)
def _release_cells(path, mtime_ns):
    """The release's cells by grade id, read once per file version (not once per submission)."""
    return notebooks.cells_by_grade_id(notebooks.read(path))


def _cell_changes(nb, assignment_id, root):
    """Sentences about locked cells a student deleted, edited or duplicated (nbgrader restores them)."""
    path = release_notebook(assignment_id, root)
    release = _release_cells(str(path), path.stat().st_mtime_ns)
    seen, report = {}, []
    for cell in nb.cells:
        grade_id = notebooks.nbgrader_meta(cell).get("grade_id")
        if grade_id:
            seen[grade_id] = seen.get(grade_id, 0) + 1
    for grade_id, count in seen.items():
        if count > 1:
            report.append(f"cell {grade_id} appears {count} times; only the first copy was graded.")
    for grade_id, cell in release.items():
        meta = notebooks.nbgrader_meta(cell)
        if not (meta.get("locked") or meta.get("grade")) or meta.get("solution"):
            continue
        mine = [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade_id") == grade_id]
        if not mine:
            report.append(f"locked cell {grade_id} was deleted; it was restored before grading.")
        elif mine[0].source.strip() != cell.source.strip():
            report.append(f"locked cell {grade_id} was edited; the original was restored before grading.")
    return report


# --------------------------------------------------------------------------- workers

_api = None


def _init_worker(root, stage, run_dir):
    global _api
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    os.environ["COURSE_GRADING_RUN"] = run_dir
    # kernels are forked from a warm, sandboxed template (course.grading.forkserver); one BLAS
    # thread each, as the workers already use every core (and a threaded template cannot fork)
    os.environ.update({"COURSE_KERNEL_FORKSERVER": "1", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                       "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"})
    _api = pipeline.api(root)
    _api.coursedir.submitted_directory = str(Path(stage) / "submitted")
    if not sandbox.unsandboxed():
        forkserver.start()  # its imports overlap with the parent's preflight
    execute.trusted_runner()  # and so do the test runner's


def _grade(task):
    student, assignment_id, root = task
    start = time.perf_counter()
    result = {}
    for attempt in range(3):  # SQLite may be busy for a moment when many workers commit
        result = _api.autograde(assignment_id, student, force=True, create=True)
        if result.get("success") or "database is locked" not in (result.get("error", "") + result.get("log", "")):
            break
        time.sleep(0.5 * (attempt + 1))
    return student, assignment_id, result, time.perf_counter() - start


# --------------------------------------------------------------------------- reading results


def _already_graded(student, assignment_id, root):
    done = Path(root) / "autograded" / student / assignment_id / f"{assignment_id}.ipynb"
    if not done.is_file():
        return False
    # nbgrader writes a sanitized copy before it executes it: only saved auto-scores mean done
    try:
        with pipeline.gradebook(root) as gb:
            grades = [g for g in gb.find_submission_notebook(assignment_id, assignment_id, student).grades
                      if g.cell_type == "code"]
            return bool(grades) and all(g.auto_score is not None for g in grades)
    except Exception:  # noqa: BLE001 -- not in the gradebook yet
        return False


def describe_run(student, assignment_id, root):
    """Sentences about what happened while the notebook ran (from its autograded outputs)."""
    path = Path(root) / "autograded" / student / assignment_id / f"{assignment_id}.ipynb"
    if not path.is_file():
        return []
    report = []
    for cell in notebooks.read(path).cells:
        label = notebooks.nbgrader_meta(cell).get("grade_id") or "a cell"
        for output in cell.get("outputs", []):
            name, value = output.get("ename"), str(output.get("evalue", ""))
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            if name == "CellTimeoutError":
                report.append(f"{label} ran past the per-cell time limit and was interrupted (an infinite loop?).")
            elif name == "KernelDied":
                report.append(f"the kernel died in {label} (sys.exit/os._exit, a crash or the memory limit); "
                              "it was restarted and grading continued.")
            elif name == "CellNotRun" and "budget" in value:
                report.append(f"the notebook used up its time budget; {label} and the cells after it were not run.")
                break
            elif name == "MemoryError":
                report.append(f"{label} ran out of memory (the kernel's limit is {sandbox.DEFAULT_LIMITS['memory'] // 1024**3} GiB).")
            elif name in ("SystemExit",):
                report.append(f"{label} called sys.exit(); the exit was stopped and grading continued.")
            if "output truncated" in text:
                report.append(f"{label} printed too much; its output was truncated.")
    return list(dict.fromkeys(report))


# --------------------------------------------------------------------------- the command


def hash_tree(folder):
    """``{relative path: sha256}`` of every file below ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(root=ROOT, ids=None, jobs=None, force=False, progress=True, students=None):
    """Grade every submission of ``ids`` (default: all assignments) -- or only those of
    ``students`` -- and return the outcomes, sorted by student and assignment."""
    from tqdm import tqdm

    root = Path(root)
    ids = ids or assignment_ids(root)
    jobs = max(1, jobs or os.cpu_count() or 1)
    if sandbox.unsandboxed():
        sandbox.warn_unsandboxed()
    else:
        sandbox.require()  # fail closed, before anything is touched
    pairs = [p for p in pipeline.submissions(root, ids) if students is None or p[0] in students]
    outcomes = {}
    todo = []
    for student, assignment_id in pairs:
        if not force and _already_graded(student, assignment_id, root):
            outcomes[(student, assignment_id)] = Outcome(student, assignment_id, "skipped", report=["already graded (use --force to regrade)."])
        else:
            todo.append((student, assignment_id))
    before = hash_tree(root / "submitted")
    stage = Path(tempfile.mkdtemp(prefix=f"course-grading-{os.getpid()}-"))
    _remove_stale_stages(stage.parent)
    run_dir = Path(tempfile.mkdtemp(prefix="r-", dir=sandbox.runtime_dir()))  # the workers' kernel folders
    pool = None
    try:
        if todo:  # the workers start up (nbgrader, the kernel template) while we check submissions
            pool = get_context("spawn").Pool(min(jobs, len(todo)), initializer=_init_worker,
                                             initargs=(str(root), str(stage), str(run_dir)))
        ready = []
        for student, assignment_id in todo:
            ok, report = preflight(student, assignment_id, root, stage)
            outcome = Outcome(student, assignment_id, "graded" if ok else "failed", report=report)
            outcome.flags = [f"{cell} line {line}: {why}: {text}" for cell, line, why, text
                             in scan_notebook(_expected(student, assignment_id, root))]
            outcomes[(student, assignment_id)] = outcome
            if ok:
                ready.append((student, assignment_id, str(root)))
        with pipeline.gradebook(root) as gb:  # create students up front: no races between workers
            for student in sorted({s for s, _, _ in ready}):
                gb.update_or_create_student(student)
        _grade_all(pool, ready, outcomes, root, progress and tqdm)
    finally:
        if pool is not None:
            pool.terminate()  # a no-op after a finished run; stops the workers after Ctrl-C
            pool.join()
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(run_dir, ignore_errors=True)
    after = hash_tree(root / "submitted")
    if after != before:  # never expected: submissions are graded from copies
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        raise RuntimeError(f"submitted/ changed during grading: {changed[:5]}")
    table = pipeline.scores(root)
    for key, outcome in outcomes.items():
        if outcome.status == "graded" and key in table:
            outcome.score, outcome.max_score = table[key][0], table[key][1]
    _save(root, outcomes)
    return [outcomes[k] for k in sorted(outcomes)]


def _remove_stale_stages(folder):
    """Remove the staging copies of runs that were killed (SIGKILL leaves no time to clean up):
    ``course-grading-<pid>-*`` folders of this user whose process is gone."""
    for path in Path(folder).glob("course-grading-*-*"):
        pid = path.name.split("-")[2]
        try:
            if not pid.isdigit() or path.is_symlink() or path.stat().st_uid != os.geteuid():
                continue
            os.kill(int(pid), 0)  # still running (or another process has its pid): keep it
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue


def _grade_all(pool, ready, outcomes, root, bar):
    if not ready:
        return
    progress = bar(total=len(ready), unit="nb", desc="autograde", dynamic_ncols=True) if bar else None
    try:
        for student, assignment_id, result, seconds in pool.imap_unordered(_grade, ready):
            outcome = outcomes[(student, assignment_id)]
            outcome.seconds = seconds
            if result.get("success"):
                outcome.report += describe_run(student, assignment_id, root)
            else:
                outcome.status = "failed"
                outcome.report.append("nbgrader could not grade it: " + _last_error(result))
            if progress:
                progress.update(1)
        pool.close()
        pool.join()
    finally:
        if progress:
            progress.close()


def _last_error(result):
    text = (result.get("error") or result.get("log") or "unknown error").strip().split("\n")
    lines = [line for line in text if line.strip()]
    return lines[-1][:300] if lines else "unknown error"


def _save(root, outcomes):
    path = Path(root) / "reports" / "autograde.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = {}
    if path.is_file():
        try:
            merged = {(o["student"], o["assignment"]): o for o in json.loads(path.read_text())}
        except ValueError:
            merged = {}
    for key, outcome in outcomes.items():
        if outcome.status != "skipped" or key not in merged:
            merged[key] = asdict(outcome)
    path.write_text(json.dumps([merged[k] for k in sorted(merged)], indent=1))
    return path


def summary(outcomes, seconds=None):
    """Per assignment: graded / failed / flagged and time; then the sentences worth reading."""
    lines = [f"{'assignment':<28} {'graded':>6} {'skipped':>7} {'failed':>6} {'flagged':>7} {'time':>8}"]
    for assignment_id in sorted({o.assignment for o in outcomes}):
        mine = [o for o in outcomes if o.assignment == assignment_id]
        lines.append(f"{assignment_id:<28} {sum(o.status == 'graded' for o in mine):>6} "
                     f"{sum(o.status == 'skipped' for o in mine):>7} {sum(o.status == 'failed' for o in mine):>6} "
                     f"{sum(bool(o.flags) for o in mine):>7} {sum(o.seconds for o in mine):>7.1f}s")
    notes = [o for o in outcomes if o.status != "skipped" and (o.report or o.flags or o.status == "failed")]
    if notes:
        lines.append("")
    for o in notes:
        head = f"{o.student}/{o.assignment} [{o.status}]"
        for sentence in o.report:
            lines.append(f"  {head}: {sentence}")
        if o.flags:
            lines.append(f"  {head}: FLAGGED for review ({len(o.flags)} pattern(s)), e.g. {o.flags[0]}")
    if seconds is not None:
        lines.append(f"\n{len(outcomes)} submission(s) in {seconds:.1f} s")
    return "\n".join(lines)
