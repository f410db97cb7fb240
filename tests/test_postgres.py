"""A PostgreSQL gradebook (``COURSE_DB_URL``) works end to end: release, parallel autograde, regrade.

Courses with several graders point nbgrader_config.py's ``db_url`` at PostgreSQL. This module
starts a throwaway PostgreSQL server of its own (Debian's ``postgresql`` binaries, installed
with apt-get when missing; the Debian cluster service is not used): ``initdb`` into a temp dir,
``pg_ctl start`` listening only on 127.0.0.1 at a free port, as the unprivileged ``postgres``
user when we are root. A temporary course is released and a small cohort autograded by
``course.grading.autograde.run`` (parallel spawn workers) against it; the scores must read back
through ``course.grading.pipeline``, every submission must have exactly one row, a forced regrade
must not duplicate anything, and no SQLite gradebook may appear. The module is skipped only
when the ``postgresql`` package cannot be installed, and the skip says why.
"""

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from course.grading import autograde, notebooks, pipeline
from course.grading.assignments import mistakes

from courseenv import environ, free_port, make_course

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("postgres")]
A = "01_softmax_derivative"
DB = "gradebook"
CORRECT = ["right1", "right2", "right3"]
BLANK = ["blank1", "blank2"]
MISTAKE = "wrong1"
SNOOP = "snoop"  # a correct submission whose extra cell looks for the gradebook from the kernel
STUDENTS = CORRECT + BLANK + [MISTAKE, SNOOP]
SNOOP_CELL = """
import os
url = os.environ.get("COURSE_DB_URL", "")
print("KERNEL-SEES-DB-URL:", bool(url))
try:
    import psycopg2
    with psycopg2.connect(url.replace("+psycopg2", "", 1), connect_timeout=5) as db, db.cursor() as cur:
        cur.execute("SELECT count(*) FROM source_cell WHERE name LIKE '%hidden%'")
        print("KERNEL-READ-HIDDEN-TESTS:", cur.fetchone()[0])
except Exception as exc:
    print("gradebook unreachable:", type(exc).__name__)
"""


# --------------------------------------------------------------------------- the server


def _initdb():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]) if found else None  # the newest major version


def _server_binaries():
    """The bin/ folder of Debian's PostgreSQL, installing the package when it is missing."""
    initdb = _initdb()
    if initdb is None:
        command = ("apt-get update && DEBIAN_FRONTEND=noninteractive "
                   "apt-get install -y --no-install-recommends postgresql")
        try:
            done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=900)
            failure = None if done.returncode == 0 else (done.stdout + done.stderr).strip()[-600:]
        except (OSError, subprocess.TimeoutExpired) as exc:
            failure = f"{type(exc).__name__}: {exc}"
        initdb = _initdb()
        if initdb is None:
            if failure is None:
                failure = "it installed, but no initdb is under /usr/lib/postgresql/*/bin"
            pytest.skip("Debian's postgresql package could not be installed, so there is no PostgreSQL "
                        f"server to test against (`{command}`{' as non-root' if os.geteuid() else ''}): {failure}")
    return initdb.parent


def _server_user():
    """``(prefix for commands, uid, gid)``: as root, run the server as ``postgres`` (initdb refuses root)."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        if shutil.which("setpriv"):
            prefix = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups"]
        else:
            prefix = ["runuser", "-u", name, "--"]
        return prefix, entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root, but neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL")


class Server:
    def __init__(self, bindir):
        self.bindir = Path(bindir)
        self.prefix, self.uid, self.gid = _server_user()
        # not under pytest's tmp_path: its parents are 0700 root, unreachable for postgres
        self.base = Path(tempfile.mkdtemp(prefix="course-pg-"))
        self.data, self.sockets, self.log = self.base / "data", self.base / "sockets", self.base / "server.log"
        self.sockets.mkdir()
        if self.uid is not None:
            for path in (self.base, self.sockets):
                os.chown(path, self.uid, self.gid)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.env.update({"LC_ALL": "C", "LANG": "C"})
        self.port = None
        self.started = False

    def run(self, program, *args, timeout=60, check=True):
        done = subprocess.run([*self.prefix, str(self.bindir / program), *args], cwd=self.base, env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} exited {done.returncode}:\n"
                               f"{done.stdout}{done.stderr}\n{self._log_tail()}")
        return done

    def _log_tail(self):
        try:
            return "server log:\n" + self.log.read_text()[-2000:]
        except OSError:
            return ""

    def start(self):
        """initdb, start, create the database; returns the libpq URL (with the password)."""
        password = secrets.token_hex(16)
        pwfile = self.base / "pwfile"
        pwfile.write_text(password + "\n")
        if self.uid is not None:
            os.chown(pwfile, self.uid, self.gid)
        # TCP needs the password (as a real multi-grader server would); the private socket is trusted
        self.run("initdb", "-D", str(self.data), "-U", "postgres", f"--pwfile={pwfile}", "--auth-local=trust",
                 "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", timeout=180)
        pwfile.unlink()
        for attempt in range(3):  # the free port may be taken between choosing and binding it
            self.port = free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.sockets} -c fsync=off"
            done = self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                            "-w", "-t", "60", "start", timeout=90, check=False)
            self.started = True  # whatever happened, stop() must try
            if done.returncode == 0:
                break
            self.stop()
            if attempt == 2:
                raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}{done.stderr}\n{self._log_tail()}")
        deadline = time.monotonic() + 60
        while self.run("pg_isready", "-h", "127.0.0.1", "-p", str(self.port), "-t", "5",
                       timeout=30, check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not accept connections within 60 s\n{self._log_tail()}")
            time.sleep(0.3)
        self.run("createdb", "-h", str(self.sockets), "-p", str(self.port), "-U", "postgres", DB, timeout=60)
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/{DB}"  # libpq form, for psycopg2

    def stop(self):
        if not self.started or not (self.data / "postmaster.pid").exists():
            return
        try:
            self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop", timeout=60, check=False)
        except subprocess.TimeoutExpired:
            pass
        pidfile = self.data / "postmaster.pid"
        if pidfile.exists():  # pg_ctl could not stop it: end the postmaster we started, by its id
            try:
                os.kill(int(pidfile.read_text().split("\n")[0]), 9)
            except (OSError, ValueError):
                pass

    def cleanup(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres_url():
    server = Server(_server_binaries())
    try:
        yield server.start()
    finally:
        server.cleanup()


# --------------------------------------------------------------------------- the course


def sqlalchemy_url(libpq_url):
    """The gradebook URL to give nbgrader: SQLAlchemy 2.1's bare ``postgresql://`` means psycopg 3."""
    return libpq_url.replace("postgresql://", "postgresql+psycopg2://", 1)


@pytest.fixture(scope="module")
def course(postgres_url, tmp_path_factory):
    """A temporary course whose gradebook is the PostgreSQL database, graded once."""
    # nbgrader_config.py reads COURSE_DB_URL when the config loads; spawn workers inherit it
    with environ(COURSE_DB_URL=sqlalchemy_url(postgres_url)):
        root = make_course(tmp_path_factory.mktemp("postgres"), [A])
        pipeline.release(root, [A])  # again: a second release must update, not duplicate, the gradebook
        release = notebooks.read(root / "release" / A / f"{A}.ipynb")
        for student in CORRECT:
            pipeline.submit(pipeline.completed_submission(A, root), student, A, root)
        for student in BLANK:
            pipeline.submit(release, student, A, root)
        snoop = pipeline.completed_submission(A, root)
        snoop.cells.append(nbformat.v4.new_code_cell(SNOOP_CELL))
        pipeline.submit(snoop, SNOOP, A, root)
        mistake = mistakes(A)[0]
        pipeline.submit(pipeline.completed_submission(A, root, replace={mistake["cell"]: mistake["source"]}),
                        MISTAKE, A, root)
        outcomes = autograde.run(root, [A], jobs=2, progress=False)
        yield root, postgres_url, {o.student: o for o in outcomes}


def _query(url, sql):
    import psycopg2

    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    connection.close()
    return rows


def _row_counts(url):
    """Every table's row count, and the rows per (student, assignment) in submitted_assignment."""
    tables = [t for (t,) in _query(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    counts = {t: _query(url, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}
    per_submission = _query(url, """
        SELECT s.student_id, a.name, count(*) FROM submitted_assignment s
        JOIN assignment a ON a.id = s.assignment_id GROUP BY s.student_id, a.name""")
    return counts, {(student, name): n for student, name, n in per_submission}


def _points(root, student):
    cells = pipeline.cell_scores(student, A, root)
    return sum(s for s, _ in cells.values()), sum(m for _, m in cells.values())


# --------------------------------------------------------------------------- tests


def test_a_bare_postgresql_url_needs_psycopg3():
    """Why COURSE_DB_URL must say ``postgresql+psycopg2://`` with the pinned drivers.

    SQLAlchemy 2.1 maps a bare ``postgresql://`` to the psycopg (3) driver, which is not in
    requirements.txt; nbgrader then fails with "No module named 'psycopg'".
    """
    from sqlalchemy.engine import make_url

    assert make_url("postgresql://u@h/db").get_dialect().driver == "psycopg"
    assert make_url(sqlalchemy_url("postgresql://u@h/db")).get_dialect().driver == "psycopg2"
    import psycopg2  # noqa: F401 -- the driver the gradebook URL names is installed


def test_the_course_really_uses_postgresql(course):
    root, url, _ = course
    assert pipeline.db_url(root) == sqlalchemy_url(url)
    assert not list(root.rglob("*.db")), "a SQLite gradebook was created: COURSE_DB_URL was not used"
    assert _query(url, "SELECT name FROM assignment") == [(A,)]
    assert _query(url, "SELECT count(*) FROM alembic_version")[0][0] == 1


def test_every_submission_is_graded(course):
    _, _, outcomes = course
    assert set(outcomes) == set(STUDENTS)
    for student, outcome in outcomes.items():
        assert outcome.status == "graded", (student, outcome.report)


def test_scores_read_back_through_the_pipeline(course):
    root, _, outcomes = course
    table = pipeline.scores(root)
    assert set(table) == {(s, A) for s in STUDENTS}
    full = table[(CORRECT[0], A)][1]
    assert full > 0
    for student in CORRECT + [SNOOP]:
        assert table[(student, A)][:2] == (full, full), student
        assert _points(root, student) == (full, full), student
        assert outcomes[student].score == full
    for student in BLANK:
        assert table[(student, A)][:2] == (0.0, full), student
    score, maximum = _points(root, MISTAKE)
    assert maximum == full and 0 < score < full, pipeline.cell_scores(MISTAKE, A, root)
    assert table[(MISTAKE, A)][0] == score


def test_one_row_per_submission(course):
    _, url, _ = course
    counts, per_submission = _row_counts(url)
    assert per_submission == {(s, A): 1 for s in STUDENTS}
    assert counts["student"] == len(STUDENTS)
    assert counts["assignment"] == 1 and counts["notebook"] == 1
    assert counts["submitted_notebook"] == len(STUDENTS)
    assert counts["grade"] == len(STUDENTS) * counts["grade_cells"]  # one grade per graded cell each


def test_a_forced_regrade_duplicates_nothing(course):
    root, url, _ = course
    before = _row_counts(url)
    scores_before = pipeline.scores(root)
    again = autograde.run(root, [A], jobs=2, force=True, progress=False)
    assert sorted(o.student for o in again) == sorted(STUDENTS)
    assert all(o.status == "graded" for o in again), [(o.student, o.status, o.report) for o in again]
    assert _row_counts(url) == before
    assert pipeline.scores(root) == scores_before
    assert not list(root.rglob("*.db"))


def test_student_kernels_cannot_reach_the_gradebook(course):
    """The kernel's environment carries no credentials (course.grading.execute strips them)."""
    root, _, _ = course
    nb = notebooks.read(root / "autograded" / SNOOP / A / f"{A}.ipynb")
    text = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []))
    assert "KERNEL-SEES-DB-URL: False" in text, text
    assert "KERNEL-READ-HIDDEN-TESTS" not in text, text
