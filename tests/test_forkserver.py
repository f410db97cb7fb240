"""Kernels forked from a warm template (course.grading.forkserver) keep every guarantee of a launched one:
the sandbox (memory limit, unprivileged user, no credentials, no way back to the template),
a fresh state per kernel, and a template that a hostile kernel can kill but not break."""

import asyncio
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest

from course.grading import autograde, forkserver
from course.grading.execute import SandboxKernelManager

pytestmark = pytest.mark.xdist_group("forkserver")
SECRET = "postgresql+psycopg2://grader:hunter2@db.example/backprop"
MEMORY = 3 * 1024 ** 3


@pytest.fixture
def worker_env(monkeypatch):
    """The environment a grading worker gives its kernels (sandboxed when we are root), and a
    folder the unprivileged kernel can reach (pytest's tmp_path is private to root)."""
    base = Path(tempfile.mkdtemp(prefix="course-forkserver-"))
    home = base / "home"
    home.mkdir()
    monkeypatch.setenv("COURSE_KERNEL_FORKSERVER", "1")
    monkeypatch.setenv("COURSE_KERNEL_MEMORY", str(MEMORY))
    monkeypatch.setenv("COURSE_DB_URL", SECRET)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("HOME", str(home))
    user = autograde.sandbox_user()
    if user:
        base.chmod(0o755)
        shutil.chown(home, *user)
        monkeypatch.setenv("COURSE_SANDBOX_UID", str(user[0]))
        monkeypatch.setenv("COURSE_SANDBOX_GID", str(user[1]))
    yield user, base
    forkserver._stop_template()
    shutil.rmtree(base, ignore_errors=True)


def run_kernels(*sources, cwd):
    """Run each source in its own kernel (one after the other); returns their stdout texts."""
    async def one(source):
        km = SandboxKernelManager(kernel_name="python3")
        await km.start_kernel(cwd=str(cwd))
        kc = km.client()
        kc.start_channels()
        out = []
        try:
            await kc.wait_for_ready(timeout=60)
            await kc.execute_interactive(source, timeout=60, output_hook=lambda msg: out.append(_text(msg)))
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        return "".join(out)

    async def all_():
        return [await one(source) for source in sources]

    return asyncio.run(all_())


def _text(msg):
    if msg["msg_type"] == "error":
        return f"{msg['content']['ename']}: {msg['content']['evalue']}\n"
    return msg["content"].get("text", "") if msg["msg_type"] == "stream" else ""


def test_kernels_are_forks_of_one_warm_template(worker_env):
    first, second = run_kernels(*["import os, sys\nprint(os.getppid(), os.getpid(), 'numpy' in sys.modules)"] * 2,
                                cwd=worker_env[1])
    (parent1, pid1, warm1), (parent2, pid2, warm2) = first.split(), second.split()
    assert parent1 == parent2 == str(forkserver._template.pid) and pid1 != pid2
    assert warm1 == warm2 == "True"  # numpy was already imported when the kernel started


def test_a_forked_kernel_keeps_the_sandbox(worker_env):
    (out,) = run_kernels(
        "import os, resource\n"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0])\n"
        "print(os.getuid())\n"
        "print(os.getsid(0) == os.getpid())\n"
        "print(os.readlink('/proc/self/fd/0'))\n"
        "print('hunter2' in open('/proc/self/environ').read() + repr(dict(os.environ)))\n"
        "inodes = set()\n"
        "for fd in range(1024):\n"
        "    try:\n"
        "        inodes.add(os.fstat(fd).st_ino)\n"
        "    except OSError:\n"
        "        pass\n"
        "print(*sorted(inodes))\n",
        cwd=worker_env[1])
    limit, uid, own_session, stdin, leaked, inodes = out.strip().split("\n")
    template = forkserver._template
    pipes = {os.fstat(template.stdin.fileno()).st_ino, os.fstat(template.stdout.fileno()).st_ino}
    assert int(limit) == MEMORY
    assert int(uid) == (worker_env[0][0] if worker_env[0] else os.getuid())
    assert own_session == "True", "an interrupt for this kernel would reach the template"
    assert stdin == "/dev/null", "the kernel still holds the template's request pipe"
    assert leaked == "False", "the grader's database password reached the kernel"
    assert not pipes & {int(i) for i in inodes.split()}, "the kernel can talk to the template (root's worker)"


def test_no_kernel_changes_the_next_one(worker_env):
    cheat, honest = run_kernels(
        "import numpy as np, course.checks\n"
        "np.allclose = lambda *a, **k: True\n"
        "course.checks.check_close = None\n"
        "print(np.random.rand())",
        "import numpy as np, course.checks\n"
        "print(np.allclose(1.0, 2.0), course.checks.check_close is None)\n"
        "print(np.random.rand())",
        cwd=worker_env[1])
    assert honest.split("\n")[0] == "False False"
    assert cheat.strip() != honest.split("\n")[1].strip(), "every fork starts from the same random state"


def test_a_kernel_that_kills_the_template_only_hurts_itself(worker_env):
    killer, after = run_kernels(
        "import os, signal\nparent = os.getppid()\nprint(parent)\nos.kill(parent, signal.SIGKILL)",
        "import os\nprint(os.getppid())", cwd=worker_env[1])
    assert killer.strip() and after.strip() and killer.strip() != after.strip()  # a new template


def test_forked_kernel_handle_polls_signals_and_waits(worker_env):
    pid = forkserver.spawn(["-f", str(worker_env[1] / "kernel.json")], {"PATH": os.environ["PATH"]}, "/",
                           launcher=["prlimit", f"--as={MEMORY}", "--"])
    kernel = forkserver.ForkedKernel(pid)
    assert kernel.poll() is None
    kernel.send_signal(signal.SIGKILL)
    assert kernel.wait(timeout=10) == -1 and kernel.poll() == -1
    kernel.kill()  # a dead kernel is no error


def test_only_this_interpreters_ipykernel_is_forked():
    python = os.path.realpath(sys.executable)
    assert forkserver.ipykernel_args(["env", "-u", "X", "prlimit", "--", python, "-m", "ipykernel_launcher",
                                      "-f", "k.json"]) == ["-f", "k.json"]
    assert forkserver.ipykernel_args(["/usr/bin/other-python", "-m", "ipykernel_launcher", "-f", "k.json"]) is None
    assert forkserver.ipykernel_args(["R", "--slave", "-e", "IRkernel::main()"]) is None
