"""Kernels forked from a warm template: the autograder's per-notebook start-up, paid once.

A fresh ``python -m ipykernel_launcher`` spends most of a second importing ipykernel,
NumPy, Matplotlib and SymPy before the notebook's first cell runs, and a grading worker
starts one kernel per submission. Here each worker keeps one *template* process that has
imported all of that once; every kernel is an ``os.fork()`` of it that runs ``ipykernel``'s
own ``IPKernelApp``. The template is started with exactly the wrapper an ordinary kernel
gets from ``course.execute.SandboxKernelManager`` (``prlimit``, ``setpriv`` to the
unprivileged user), so its kernels inherit the same memory limit and user, and it never
holds more privilege than they do. Nothing a kernel does reaches the template
or the next kernel: each is a copy of the pristine template, in its own session, with no
file descriptor back to it.

The template is started with the kernel's environment *without* credentials, so that no
secret is ever in a memory every student kernel inherits. If the template cannot be used
(another kernel command, a platform without ``pidfd_open``, a template that died), the
caller falls back to an ordinary launch.

- client side: :func:`ipykernel_args`, :func:`spawn`, :class:`ForkedKernel` (a ``Popen``-like
  handle jupyter_client's ``LocalProvisioner`` can poll, signal, kill and wait on);
- template side: :func:`serve` (run as ``python -c "from course.forkserver import serve; serve()"``).
"""

import importlib
import json
import os
import select
import signal
import subprocess
import sys
import threading

# what the course's notebooks import; a module that fails to import is simply not preloaded
PRELOAD = (
    "numpy", "matplotlib", "matplotlib.pyplot", "matplotlib.patches", "sympy", "mpmath",
    "course.checks", "course.guard", "course.gradcheck", "course.data", "course.plotting", "course.symbolic",
    "ipykernel.kernelapp", "ipykernel.ipkernel",
)
REPLY_TIMEOUT = 30  # seconds for the template to answer a request


class Unavailable(RuntimeError):
    """The template cannot start kernels; launch them the ordinary way."""


class Refused(Unavailable):
    """The template is fine but could not start this kernel."""


# --------------------------------------------------------------------------- client side


def ipykernel_args(cmd):
    """The arguments after ``-m ipykernel_launcher`` in ``cmd`` if it runs this interpreter's
    ipykernel (whatever wrapper precedes it), else None."""
    for i in range(1, len(cmd) - 1):
        if cmd[i] == "-m" and cmd[i + 1] == "ipykernel_launcher":
            same = os.path.realpath(cmd[i - 1]) == os.path.realpath(sys.executable)
            return list(cmd[i + 2:]) if same else None
    return None


class ForkedKernel:
    """A ``subprocess.Popen`` look-alike for a kernel that is not our child (the template's).

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
        self.send_signal(signal.SIGTERM)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def _gone(self):
        self.returncode = -1
        os.close(self._fd)
        self._fd = None

    def __del__(self):
        if getattr(self, "_fd", None) is not None:
            os.close(self._fd)


_template = None  # this process's template (a Popen), started by the first spawn
_launcher = None  # the prefix it was started with
_lock = threading.Lock()


def spawn(args, env, cwd, launcher=()):
    """Fork a kernel from this process's template; returns its pid (its own session leader).

    ``env`` must already be free of credentials: it is the kernel's whole environment, and
    the template is started with it. ``launcher`` is the command prefix that starts the
    template (limits, user); a different one replaces the template.
    """
    if not hasattr(os, "pidfd_open") or not hasattr(signal, "pidfd_send_signal"):
        raise Unavailable("this platform has no pidfd_open")
    request = {"args": list(args), "env": dict(env), "cwd": str(cwd)}
    with _lock:
        for attempt in (1, 2):  # a template that died is replaced once
            template = _ensure_template(env, list(launcher))
            try:
                return _ask(template, request)
            except Refused:
                raise
            except Unavailable:
                _stop_template()
                if attempt == 2:
                    raise
    raise AssertionError("unreachable")


def start(env, launcher=()):
    """Start the template ahead of the first :func:`spawn` (its imports take a second)."""
    if hasattr(os, "pidfd_open"):
        with _lock:
            try:
                _ensure_template(dict(env), list(launcher))
            except Unavailable:
                pass  # spawn will try again, then fall back


def _ensure_template(env, launcher):
    global _template, _launcher
    if _template is not None and (_template.poll() is not None or launcher != _launcher):
        _stop_template()
    if _template is None:
        try:
            _template = subprocess.Popen(
                [*launcher, sys.executable, "-c", "from course.forkserver import serve; serve()"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd="/", start_new_session=True)
        except OSError as exc:
            raise Unavailable(f"the kernel template could not be started ({exc})") from exc
        _launcher = launcher
    return _template


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


def _stop_template():
    global _template
    if _template is not None:
        process, _template = _template, None
        try:
            process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()


# --------------------------------------------------------------------------- template side


def serve():
    """The template's main loop: preload, then fork one kernel per request line on stdin."""
    requests, replies = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a module prints goes to stderr, never into the replies
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 -- a missing optional module only costs speed
            pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when we stop
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the kernel itself
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
        _become_kernel(request, ready_w)  # never returns
    os.close(ready_w)
    with os.fdopen(ready_r, "rb") as ready:
        answer = ready.read()
    if answer != b"ok":
        raise RuntimeError(answer.decode(errors="replace") or "the kernel died before it started")
    return pid


def _become_kernel(request, ready):
    """In the forked child: cut every tie to the template, then run ipykernel."""
    code = 1
    try:
        os.setsid()  # its own process group: interrupts and kills reach it, not the template
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)  # the request pipe
        os.dup2(2, 1)  # stray output goes to stderr, as in the template
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

        # like a launched kernel (JPY_PARENT_PID), it exits if its parent, the template, dies
        IPKernelApp.launch_instance(parent_handle=os.getppid())
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
