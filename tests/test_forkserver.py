"""Kernels forked from a warm template (course.grading.forkserver) keep every guarantee of a
kernel started in a fresh sandbox: never root, no credentials, nothing of the course, their own
process namespace and private /tmp, no way back to the template, a fresh state per kernel, and
nothing that outlives them."""

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from course.grading import forkserver, sandbox
from course.grading.execute import SandboxKernelManager

from courseenv import environ

pytestmark = pytest.mark.xdist_group("forkserver")
SECRET = "postgresql+psycopg2://grader:hunter2@db.example/backprop"


@pytest.fixture
def forked():
    with environ(COURSE_KERNEL_FORKSERVER="1", COURSE_DB_URL=SECRET, OPENBLAS_NUM_THREADS="1"):
        yield
    forkserver._stop()


def run_kernels(*sources):
    """Run each source in its own forked kernel (one after the other); returns their stdouts."""
    async def one(source):
        km = SandboxKernelManager(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        out = []
        try:
            await kc.wait_for_ready(timeout=60)
            await kc.execute_interactive(source, timeout=60, output_hook=lambda msg: out.append(_text(msg)))
            assert isinstance(km.provisioner.process, forkserver.ForkedKernel), "the kernel was not forked"
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


def test_kernels_are_warm_forks_each_in_namespaces_of_its_own(forked):
    first, second = run_kernels(*["import os, sys\nprint(os.getpid(), 'numpy' in sys.modules, os.listdir('/tmp'))\n"
                                  "open('/tmp/left-behind', 'w').write('x')"] * 2)
    assert first.split()[:2] == second.split()[:2] == ["1", "True"]  # PID 1 of its own namespace, numpy preloaded
    assert "left-behind" not in second, "the second kernel sees the first one's /tmp"


def test_a_forked_kernel_keeps_the_sandbox(forked):
    (out,) = run_kernels(
        "import os, resource\n"
        "print(resource.getrlimit(resource.RLIMIT_AS)[0])\n"
        "print(os.getuid())\n"
        "print(os.readlink('/proc/self/fd/0'))\n"
        "print('hunter2' in open('/proc/self/environ').read() + repr(dict(os.environ)))\n"
        "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
        "print(os.path.exists(" + repr(str(sandbox.__file__).rsplit("/course/", 1)[0] + "/source") + "))\n"
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('1.1.1.1', 80), timeout=2)\n"
        "    print('network')\n"
        "except OSError:\n"
        "    print('no network')\n")
    limit, uid, stdin, leaked, caps, course, network = out.strip().split("\n")
    assert int(limit) == sandbox.DEFAULT_LIMITS["memory"]
    assert int(uid) != 0 and (os.geteuid() != 0 or int(uid) >= sandbox.UID_BASE)
    assert stdin == "/dev/null", "the kernel still holds the template's request pipe"
    assert leaked == "False", "the grader's database password reached the kernel"
    assert int(caps, 16) == 0, "the kernel kept capabilities"
    assert course == "False", "the kernel sees the course's folders"
    assert network == "no network"


def test_no_kernel_changes_the_next_one(forked):
    cheat, honest = run_kernels(
        "import numpy as np, course.checks\n"
        "np.allclose = lambda *a, **k: True\n"
        "course.checks.check_close = None\n"
        "print(np.random.rand())",
        "import numpy as np, course.checks\n"
        "print(np.allclose(1.0, 2.0), course.checks.check_close is None)\n"
        "print(np.random.rand())")
    assert honest.split("\n")[0] == "False False"
    assert cheat.strip() != honest.split("\n")[1].strip(), "every fork starts from the same random state"


def test_what_a_kernel_starts_dies_with_it(forked):
    (out,) = run_kernels(
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(300)\n"
        "    os._exit(0)\n"
        "time.sleep(0.3)\n"
        "print(os.getuid())\n")
    uid = int(out.strip())
    for _ in range(50):
        if uid < sandbox.UID_BASE or not sandbox.processes_of(uid):
            break
        time.sleep(0.1)
    if uid >= sandbox.UID_BASE:  # as root each sandbox has a uid of its own, shared with the template
        template = sandbox.kernel_pid(forkserver._template.process.pid)
        left = set(sandbox.processes_of(uid)) - {template}
        assert not left, f"the daemon survived its kernel: {left}"


def test_the_template_cannot_be_read_by_its_kernels(forked):
    (out,) = run_kernels(
        "import os\n"
        "found = []\n"
        "for pid in os.listdir('/proc'):\n"
        "    if pid.isdigit() and pid != '1':\n"
        "        try:\n"
        "            open(f'/proc/{pid}/environ').read(); open(f'/proc/{pid}/mem', 'rb').read(1)\n"
        "            found.append(pid)\n"
        "        except OSError:\n"
        "            pass\n"
        "print('readable', found)\n")
    assert out.strip().endswith("[]") or "readable []" in out, out


def test_forked_kernel_handle_polls_signals_and_waits(forked):
    forkserver.start()
    folder, _ = forkserver.workspace()
    pid = forkserver.spawn(["-f", str(folder / "kernel.json")], folder)
    kernel = forkserver.ForkedKernel(pid)
    assert kernel.poll() is None
    kernel.send_signal(signal.SIGKILL)
    assert kernel.wait(timeout=10) == -1 and kernel.poll() == -1
    kernel.kill()  # a dead kernel is no error
    sandbox.remove_workspace(folder)


def test_the_kernel_arguments_are_found_behind_any_wrapper():
    assert forkserver.ipykernel_args(["bwrap", "--", "prlimit", "--", "/x/python", "-m", "ipykernel_launcher",
                                      "-f", "k.json"]) == ["-f", "k.json"]
    assert forkserver.ipykernel_args(["R", "--slave", "-e", "IRkernel::main()"]) is None


def test_a_forked_kernel_cannot_write_the_course_or_the_venv(forked):
    """The kernel's fresh /tmp and /home must not hide (nor unlock) the venv and the package
    when the course was cloned below them (``mktemp -d``): they are bound back read-only."""
    import sys

    import course

    targets = [sys.prefix, str(Path(course.__file__).parent)]
    probe = ("import os\n"
             f"for folder in {targets!r}:\n"
             "    try:\n"
             "        open(os.path.join(folder, 'written-by-a-kernel'), 'w').write('x')\n"
             "        print('wrote', folder)\n"
             "    except OSError as exc:\n"
             "        print('refused', folder, exc.errno)\n"
             "import ipykernel_launcher, numpy\n"
             "print('imports ok')\n")
    out, = run_kernels(probe)
    assert "wrote" not in out and "imports ok" in out, out
    for folder in targets:
        assert not (Path(folder) / "written-by-a-kernel").exists()
