"""The suite's own machinery: grading cohorts are built once per test group, which needs
pytest-xdist's ``--dist loadgroup`` to keep a group on one worker. pytest 9.2 broke that
silently (pytest-xdist#1386): every cohort was graded on both workers and `make test` took
twice as long. This test notices such a regression in a few seconds."""

import os
import subprocess
import sys
import textwrap


def test_xdist_keeps_a_group_on_one_worker(tmp_path):
    (tmp_path / "test_groups.py").write_text(textwrap.dedent("""
        import os, pytest
        @pytest.mark.parametrize("g,i", [pytest.param(g, i, marks=pytest.mark.xdist_group(g))
                                         for g in "ab" for i in range(4)])
        def test_one(g, i, tmp_path_factory):
            with open(os.environ["GROUP_LOG"], "a") as log:
                log.write(f"{g} {os.environ['PYTEST_XDIST_WORKER']}\\n")
    """))
    log = tmp_path / "log"
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2",
                           "--dist", "loadgroup", "test_groups.py"], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "GROUP_LOG": str(log)}, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    workers = {}
    for group, worker in (line.split() for line in log.read_text().splitlines()):
        workers.setdefault(group, set()).add(worker)
    split = {g: sorted(w) for g, w in workers.items() if len(w) > 1}
    assert not split, f"xdist split groups across workers: {split} (check the pytest/pytest-xdist pins)"
