"""Kernels forked from a warm template: the autograder's per-notebook start-up, paid once.

A fresh ``python -m ipykernel_launcher`` spends most of a second importing ipykernel,
NumPy, Matplotlib and SymPy before the notebook's first cell runs, and a grading worker
starts one kernel per submission. Here each worker keeps one *template* process that has
imported all of that once, inside a bubblewrap sandbox built exactly like an ordinary
kernel's (:func:`course.grading.sandbox.command`: read-only system, no network, limits, a
uid of its own, no credentials in its environment), and every kernel is a fork of it.

A fork alone would share the template's namespaces with the next student's kernel, so each
kernel gets its own before any student code runs:

- the template forks a *keeper* (process name ``course-keeper``), which creates a new user,
  PID, mount, IPC, network and UTS namespace and forks the kernel as PID 1 of it: every
  process the kernel starts lives and dies in that namespace (the keeper has the kernel
  killed if it is itself killed, and the grader kills the keeper);
- the kernel mounts a fresh ``/tmp``, home and ``/dev/shm``, drops every capability, and
  runs ipykernel's ``IPKernelApp`` with the request's arguments and environment;
- the template is not dumpable, so no kernel can read its memory or environment.

Client side: :func:`workspace`, :func:`spawn`, :class:`ForkedKernel` (a ``Popen``-like handle
jupyter_client's ``LocalProvisioner`` can poll, signal, kill and wait on). Template side:
:func:`serve`. If the template cannot be used, the caller starts a fresh sandboxed kernel.
"""

import ctypes
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from course.grading import sandbox

# what the course's notebooks import; a module that fails to import is simply not preloaded
PRELOAD = (
    "numpy", "matplotlib", "matplotlib.pyplot", "matplotlib.patches", "sympy", "mpmath", "scipy.signal",
    "course.checks", "course.boundary", "course.gradcheck", "course.data", "course.plotting", "course.symbolic",
    "ipykernel.kernelapp", "ipykernel.ipkernel", "IPython.core.inputtransformer2",
)
REPLY_TIMEOUT = 30  # seconds for the template to answer a request


class Unavailable(RuntimeError):
    """The template cannot start kernels; launch them the ordinary way."""


class Refused(Unavailable):
    """The template is fine but could not start this kernel."""


# --------------------------------------------------------------------------- client side


def ipykernel_args(cmd):
    """The arguments after ``-m ipykernel_launcher`` in ``cmd`` (whatever wraps it), or None."""
    for i in range(1, len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == "ipykernel_launcher":
            return list(cmd[i + 2:])
    return None


class ForkedKernel:
    """A ``subprocess.Popen`` look-alike for a kernel's keeper, which is not our child.

    Built on a pidfd, so polling and signalling cannot hit a recycled pid. The exit status
    belongs to the template (which reaps its children), so ``returncode`` is -1 once gone.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid):
        self.pid = pid
        self.returncode = None
        try:
            self._fd = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone
            self._fd, self.returncode = None, -1

    def poll(self):
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self._gone()
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            if not select.select([self._fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            self._gone()
        return self.returncode

    def send_signal(self, signum):
        if self.poll() is None:
            signal.pidfd_send_signal(self._fd, signum)

    def terminate(self):
        self.kill()  # the keeper ignores nothing; SIGKILL takes its namespace down at once

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def _gone(self):
        self.returncode = -1
        os.close(self._fd)
        self._fd = None

    def __del__(self):
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)


class _Template:
    def __init__(self):
        self.uid = sandbox.unique_uid() if os.geteuid() == 0 else None
        self.base = Path(tempfile.mkdtemp(prefix="t-", dir=sandbox.runtime_dir()))  # ours: kernels get subfolders
        if self.uid is not None:
            os.chmod(self.base, 0o711)
        python = [sys.executable, "-c", "from course.grading.forkserver import serve; serve()"]
        try:
            self.process = subprocess.Popen(sandbox.command(python, writable=[self.base], uid=self.uid),
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={}, cwd="/")
        except OSError as exc:
            raise Unavailable(f"the kernel template could not be started ({exc})") from exc

    def alive(self):
        return self.process.poll() is None

    def stop(self):
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        sandbox.reap(self.uid)
        sandbox.remove_workspace(self.base)


_template = None
_lock = threading.Lock()


def _ensure():
    global _template
    if _template is not None and not _template.alive():
        _stop()
    if _template is None:
        if not hasattr(os, "pidfd_open"):
            raise Unavailable("this platform has no pidfd_open")
        _template = _Template()
    return _template


def _stop():
    global _template
    if _template is not None:
        template, _template = _template, None
        template.stop()


def start():
    """Start the template ahead of the first kernel (its imports take a second)."""
    with _lock:
        try:
            _ensure()
        except Unavailable:
            pass  # spawn will try again, then the kernel starts the ordinary way


def workspace():
    """``(folder, uid)`` for a kernel forked from this process's template."""
    with _lock:
        try:
            template = _ensure()
        except Unavailable:
            uid = sandbox.unique_uid() if os.geteuid() == 0 else None
            return sandbox.new_workspace(uid), uid
        return sandbox.new_workspace(template.uid, base=template.base), template.uid


def spawn(args, folder):
    """Fork a kernel (``ipykernel`` arguments ``args``) whose workspace is ``folder``; returns
    the pid of its keeper."""
    request = {"args": list(args), "env": sandbox.environment(), "cwd": sandbox.HOME}
    with _lock:
        template = _template
        if template is None or not template.alive() or not str(folder).startswith(str(template.base)):
            raise Unavailable("the kernel template is not running")
        try:
            return _host_pid(template, _ask(template.process, request))
        except Refused:
            raise
        except Unavailable:
            _stop()
            raise


def _host_pid(template, pid):
    """The keeper's pid as this process sees it (the template answers with its own namespace's)."""
    inner = sandbox.kernel_pid(template.process.pid)  # through bwrap to the template itself
    for child in sandbox.children(inner) if inner else []:
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        nspid = next((line.split()[1:] for line in status.splitlines() if line.startswith("NSpid:")), [])
        if nspid and int(nspid[-1]) == pid:
            return child
    raise Refused(f"the kernel the template started (pid {pid} in its namespace) cannot be found")


def _ask(process, request):
    try:
        process.stdin.write(json.dumps(request).encode() + b"\n")
        process.stdin.flush()
    except OSError as exc:
        raise Unavailable(f"the kernel template is gone ({exc})") from exc
    ready = select.select([process.stdout], [], [], REPLY_TIMEOUT)[0]
    line = process.stdout.readline() if ready else b""
    if not line:
        raise Unavailable("the kernel template did not answer")
    try:
        reply = json.loads(line)
    except ValueError as exc:
        raise Unavailable(f"the kernel template answered nonsense: {line[:200]!r}") from exc
    if "pid" not in reply:
        raise Refused(f"the kernel template could not start a kernel: {reply.get('error')}")
    return reply["pid"]


# --------------------------------------------------------------------------- template side

_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NAME, PR_CAPBSET_DROP = 1, 4, 15, 24


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def serve():
    """The template's main loop: preload, then fork one kernel per request line on stdin."""
    requests, replies = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a module prints goes to stderr, never into the replies
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # kernels cannot read this process's memory
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 -- a missing optional module only costs speed
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when we stop
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # keepers are reaped automatically
    for line in requests:
        try:
            reply = {"pid": _fork(json.loads(line))}
        except Exception as exc:  # noqa: BLE001 -- tell the worker, which falls back
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()


def _fork(request):
    if threading.active_count() != 1:  # forking a threaded process is not safe
        raise RuntimeError("the template has started threads")
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        _keeper(request, ready_w)  # never returns
    os.close(ready_w)
    with os.fdopen(ready_r, "rb") as ready:
        answer = ready.read()
    if answer != b"ok":
        raise RuntimeError(answer.decode(errors="replace") or "the kernel died before it started")
    return pid


def _keeper(request, ready):
    """In the first fork: new namespaces, then the kernel as their PID 1; wait for it."""
    code = 1
    try:
        _libc.prctl(PR_SET_NAME, b"course-keeper", 0, 0, 0)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        uid, gid = os.getuid(), os.getgid()
        _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # else /proc/self is root's and the maps cannot be written
        _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS),
               "unshare")
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        child = os.fork()
        if child == 0:
            _kernel(request, ready)  # never returns
        _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
        os.close(ready)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1):
            os.dup2(null, fd)
        os.closerange(3, 65536)
        while True:
            try:
                _, status = os.waitpid(child, 0)
                code = os.waitstatus_to_exitcode(status)
                break
            except ChildProcessError:
                break
            except InterruptedError:
                continue
    except BaseException as exc:  # noqa: BLE001 -- reported, then this process ends
        try:
            os.write(ready, f"{type(exc).__name__}: {exc}".encode()[:4000])
        except OSError:
            pass
    os._exit(code if isinstance(code, int) and code >= 0 else 1)


def _kernel(request, ready):
    """PID 1 of the new namespaces: private mounts, no capabilities, then ipykernel."""
    code = 1
    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        _libc.prctl(PR_SET_NAME, b"kernel", 0, 0, 0)
        _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
        size = str(sandbox.DEFAULT_LIMITS["tmpfs"]).encode()
        # a course cloned under /tmp or /home (``mktemp -d``): the fresh folders below would hide
        # the venv and the package, so they are held open and bound back, read-only as they were
        kept = [(str(root), os.open(root, os.O_PATH | os.O_DIRECTORY)) for root in sandbox._readonly_roots()
                if str(root).startswith(("/tmp/", "/home/", "/dev/shm/"))]
        for target, mode in ((b"/tmp", b"1777"), (b"/home", b"0755"), (b"/dev/shm", b"1777")):
            _check(_libc.mount(b"tmpfs", target, b"tmpfs", MS_NOSUID | MS_NODEV, b"size=" + size + b",mode=" + mode),
                   f"mount {target.decode()}")
        for root, fd in kept:
            os.makedirs(root, mode=0o755, exist_ok=True)
            _check(_libc.mount(f"/proc/self/fd/{fd}".encode(), root.encode(), None, MS_BIND | MS_REC, None),
                   f"bind {root}")
            os.close(fd)
        for folder in (sandbox.HOME, f"{sandbox.HOME}/.config", f"{sandbox.HOME}/.config/matplotlib"):
            os.mkdir(folder)
        _drop_capabilities()
        _libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # so the grader may measure its memory
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # the request pipe, and the grader's terminal: the kernel talks over its sockets
            os.dup2(null, fd)
        os.closerange(3, ready)
        os.closerange(ready + 1, 65536)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        if sys.path and sys.path[0] in ("", os.getcwd()):
            del sys.path[0]  # as ipykernel_launcher does; IPython puts "" back
        import ipykernel_launcher

        sys.argv = [ipykernel_launcher.__file__, *request["args"]]
        if "numpy" in sys.modules:  # a fresh process would have its own global seed
            sys.modules["numpy"].random.seed()
        os.write(ready, b"ok")
        os.close(ready)
        ready = None
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException as exc:  # noqa: BLE001 -- reported, then this process ends
        if ready is not None:
            os.write(ready, f"{type(exc).__name__}: {exc}".encode()[:4000])
        else:
            import traceback

            traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_capabilities():
    """Give up the capabilities a new user namespace grants (bounding set, then all sets)."""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            break
    header, data = _CapHeader(0x20080522, 0), (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
