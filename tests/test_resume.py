"""Interrupting `python -m course autograde` (Ctrl-C or kill) and running it again finishes the
job: nothing graded twice, nothing lost, nothing left private."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from course.grading import autograde, pipeline

from courseenv import env, make_course, without_demos

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("resume")]
A = "01_softmax_derivative"
STUDENTS = [f"s{i}" for i in range(8)]


def _start(root):
    code = f"from course.grading import autograde; autograde.run({str(root)!r}, [{A!r}], jobs=2, progress=False)"
    return subprocess.Popen([sys.executable, "-c", code], env=env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _graded(root):
    return [s for s in STUDENTS if autograde._already_graded(s, A, root)]


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_an_interrupted_run_is_finished_by_the_next(tmp_path, how):
    root = make_course(tmp_path / "course", [A])
    for student in STUDENTS:  # (without the demo cells: the run is what is tested, not the notebook)
        pipeline.submit(without_demos(pipeline.completed_submission(A, root)), student, A, root)
    modes = {name: (root / name).stat().st_mode for name in ("source", "submitted")}
    process = _start(root)
    deadline = time.monotonic() + 300
    while len(_graded(root)) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
    assert process.poll() is None, "the run finished before it could be interrupted"
    if how == "ctrl-c":
        os.kill(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C sends to the command
    else:
        os.killpg(process.pid, signal.SIGKILL)  # the command, its workers and their kernels
    process.wait(timeout=120)
    done_before = set(_graded(root))
    assert 0 < len(done_before) < len(STUDENTS), done_before

    outcomes = {o.student: o for o in autograde.run(root, [A], jobs=2, progress=False)}
    assert {s for s, o in outcomes.items() if o.status == "skipped"} == done_before
    assert all(o.status in ("graded", "skipped") for o in outcomes.values()), outcomes
    table = pipeline.scores(root)
    assert sorted(s for s, _ in table) == STUDENTS, "a submission is missing or duplicated"
    assert all(score == maximum > 0 for score, maximum, _ in table.values()), table
    with pipeline.gradebook(root) as gb:
        assert len(gb.find_assignment(A).submissions) == len(STUDENTS)
    assert {name: (root / name).stat().st_mode for name in modes} == modes, "modes not restored"
    left = list(Path(tempfile.gettempdir()).glob(f"course-grading-{process.pid}-*"))
    assert not left, f"the interrupted run's staging copy of the submissions is still there: {left}"
