"""The OS sandbox every student kernel runs in while it is graded (bubblewrap).

Each kernel gets, from ``bwrap``:

- its own PID, mount, IPC, UTS and network namespaces: it sees only its own processes, has no
  network at all (it talks to the grader over Unix sockets in its own folder), and every
  process it starts dies with it (the namespace's init is killed when the grader lets go);
- a read-only view of the system (``/usr``, the Python installation, the virtualenv and the
  ``course`` package) and nothing else of the course: not ``source/``, not the gradebook,
  not other submissions, not even its own submission file (cells arrive as messages);
- a private, size-limited ``/tmp`` and home (``/home/student``), fresh for every kernel, so
  no IPython, Matplotlib or cache folder is shared between students;
- resource limits (``prlimit``): address space, processes, file size, CPU time, no core files;
- never root: as root the kernel runs under a uid of its own (one per sandbox, so one
  student's process count cannot starve another's); as an ordinary user, under a user
  namespace that maps to that user, without any capability.

Grading fails closed: :func:`require` raises :class:`SandboxUnavailable` with one sentence
naming the fix when ``bwrap`` is missing or cannot create namespaces. Running without the
sandbox takes ``COURSE_UNSANDBOXED=1``, and says so loudly every time.
"""

import functools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

HOME = "/home/student"
UID_BASE = 1_900_000_000  # sandbox uids: far above any real account
DEFAULT_LIMITS = {
    "memory": 4 * 1024 ** 3,  # bytes of address space
    "processes": 256,  # tasks (threads count) of the sandbox's uid
    "file_size": 256 * 1024 ** 2,  # bytes per file written
    "cpu": 600,  # seconds of CPU time per process
    "tmpfs": 512 * 1024 ** 2,  # bytes in /tmp and in the home folder
}
OPT_OUT = "COURSE_UNSANDBOXED"
INSTALL_HINT = "install it with `sudo apt-get install bubblewrap` (`make venv` does this on Debian)"
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "passwd", "group", "nsswitch.conf",
        "alternatives", "matplotlibrc", "mime.types", "ssl/certs")


class SandboxUnavailable(RuntimeError):
    """Student code cannot be run safely here; the message says how to fix it."""


def unsandboxed():
    """True when the instructor explicitly chose to grade without a sandbox."""
    return os.environ.get(OPT_OUT) == "1"


def warn_unsandboxed(log=None):
    text = (f"!!! {OPT_OUT}=1: student code runs WITHOUT a sandbox, as {_user()}, with access to everything "
            "that user can read and write (solutions, the gradebook, other submissions). Never do this for real "
            "submissions. !!!")
    (log.warning if log else lambda m: print(m, file=sys.stderr))(text)


def _user():
    return "root" if os.geteuid() == 0 else f"uid {os.geteuid()}"


@functools.lru_cache(maxsize=1)
def _probe():
    """None if bwrap can build a sandbox here, else the one-sentence reason it cannot."""
    if not shutil.which("bwrap"):
        return f"Grading runs student code in a bubblewrap sandbox, but `bwrap` is not installed: {INSTALL_HINT}."
    if not shutil.which("prlimit"):
        return "Grading needs `prlimit` (Debian package util-linux) to limit student kernels: install it."
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        return "Grading as root needs `setpriv` (Debian package util-linux) to drop privileges: install it."
    probe = [*command(["/bin/true"], writable=(), uid=unique_uid() if os.geteuid() == 0 else None)]
    try:
        run = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"The bubblewrap sandbox could not start ({exc}); check that `bwrap --version` works."
    if run.returncode != 0:
        reason = (run.stderr.strip().splitlines() or ["no message"])[-1]
        hint = ("enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or grade as root"
                if os.geteuid() != 0 else "check that this machine allows namespaces")
        return f"The bubblewrap sandbox could not start ({reason}): {hint}."
    return None


def require():
    """Raise :class:`SandboxUnavailable` unless kernels can be sandboxed (or the opt-out is set)."""
    if unsandboxed():
        return
    reason = _probe()
    if reason:
        raise SandboxUnavailable(f"{reason} (To grade without a sandbox anyway, which is unsafe, set {OPT_OUT}=1.)")


# --------------------------------------------------------------------------- identities and folders


def unique_uid():
    """A uid no process uses now, for one sandbox (as root)."""
    while True:
        uid = UID_BASE + secrets.randbelow(100_000_000)
        if not processes_of(uid):
            return uid


def runtime_dir():
    """This grader's folder for kernel workspaces: ``/var/tmp/course-grading-<uid>``, kept out
    of ``/tmp`` (which each kernel replaces with a private one) and short enough for Unix
    socket paths. It must be a real folder of ours, private to us."""
    run = os.environ.get("COURSE_GRADING_RUN")  # a cohort run's own subfolder, removed when it ends
    if run and Path(run).parent == Path(f"/var/tmp/course-grading-{os.geteuid()}") and Path(run).is_dir():
        return Path(run)
    path = Path(f"/var/tmp/course-grading-{os.geteuid()}")
    try:
        path.mkdir(mode=0o711)
    except FileExistsError:
        pass
    info = path.lstat()
    if not path.is_dir() or path.is_symlink() or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        raise SandboxUnavailable(f"{path} is not a private folder of this user: remove it and grade again.")
    return path


def new_workspace(uid=None, base=None):
    """A private folder for one kernel's connection file and sockets (mode 0700, owned by
    the kernel's uid), under ``base`` or :func:`runtime_dir`."""
    path = Path(tempfile.mkdtemp(prefix="k-", dir=base or runtime_dir()))
    if uid is not None:
        os.chown(path, uid, uid)
    return path


def remove_workspace(path):
    shutil.rmtree(path, ignore_errors=True)


@functools.lru_cache(maxsize=1)
def font_cache():
    """Matplotlib's font list, built once by the grader, lent read-only to every kernel (else
    each fresh kernel would spend seconds scanning fonts)."""
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "course-grading" / "matplotlib"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env={**os.environ, "MPLCONFIGDIR": str(folder)},
                   capture_output=True, timeout=120)
    found = sorted(folder.glob("fontlist-*.json"))
    return found[-1] if found else None


# --------------------------------------------------------------------------- the command


def _readonly_roots():
    """Folders the kernel must read: the Python installation, the venv, the course package."""
    import course

    package = Path(course.__file__).resolve().parent
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), package,
             Path(sysconfig.get_paths()["purelib"]).resolve()}
    real_python = Path(os.path.realpath(sys.executable)).parent.parent
    roots.add(real_python)
    return sorted(r for r in roots if not str(r).startswith(("/usr/", "/bin", "/lib")) and r != Path("/usr"))


def environment(extra=None):
    """The kernel's whole environment: nothing inherited from the grader (no credentials)."""
    env = {
        "HOME": HOME, "USER": "student", "LOGNAME": "student", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{HOME}/.config/matplotlib", "IPYTHONDIR": f"{HOME}/.ipython",
        "JUPYTER_RUNTIME_DIR": f"{HOME}/.local/share/jupyter/runtime", "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    env.update(extra or {})
    return env


def command(argv, writable=(), uid=None, limits=None, env=None):
    """``argv`` wrapped in bwrap + prlimit (+ setpriv to ``uid`` as root)."""
    limits = {**DEFAULT_LIMITS, **(limits or {})}
    root = os.geteuid() == 0
    args = ["bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--hostname", "grading"]
    if not root:
        args += ["--unshare-user"]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        if os.path.lexists(f"/{name}"):
            args += (["--symlink", os.readlink(f"/{name}"), f"/{name}"] if os.path.islink(f"/{name}")
                     else ["--ro-bind", f"/{name}", f"/{name}"])
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(limits["tmpfs"]), "--tmpfs", "/tmp",
             "--size", str(limits["tmpfs"]), "--tmpfs", "/home"]
    # made by bwrap as root: world-writable, since the kernel's uid is the only one in here
    for folder in (HOME, f"{HOME}/.config", f"{HOME}/.config/matplotlib"):
        args += ["--perms", "0777", "--dir", folder]
    fonts = font_cache()
    if fonts is not None:
        args += ["--ro-bind", str(fonts), f"{HOME}/.config/matplotlib/{fonts.name}"]
    # bwrap would create the folders above a bind point private (0700): make them traversable
    binds = [("--ro-bind", str(f)) for f in _readonly_roots()] + [("--bind", str(f)) for f in writable]
    made = {"/", "/tmp", "/home", "/usr", "/etc", "/proc", "/dev"}
    for _, folder in binds:
        for parent in reversed(Path(folder).parents):
            if str(parent) not in made:
                made.add(str(parent))
                args += ["--perms", "0755", "--dir", str(parent)]
    for how, folder in binds:
        args += [how, folder, folder]
    args += ["--chdir", HOME, "--clearenv"]
    for name, value in environment(env).items():
        args += ["--setenv", name, value]
    args += ["--", "prlimit", f"--as={limits['memory']}", f"--nproc={limits['processes']}",
             f"--fsize={limits['file_size']}", f"--cpu={limits['cpu']}", "--core=0", "--"]
    if root:
        args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs", "--"]
    return args + list(argv)


# --------------------------------------------------------------------------- watching from outside


def children(pid):
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _is_wrapper(pid):
    try:
        exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        exe = ""
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        comm = ""
    return exe == "bwrap" or comm == "course-keeper"


def kernel_pid(pid):
    """The kernel process behind a launcher ``pid`` (bwrap, or a forked kernel's keeper)."""
    seen = 0
    while pid and _is_wrapper(pid) and seen < 8:
        found = children(pid)
        if not found:
            return None
        pid, seen = min(found), seen + 1
    return pid


def reset_peak(pid):
    """Start measuring a process's peak memory afresh (Linux: VmHWM := VmRSS)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def memory(pid):
    """``(resident bytes now, peak resident bytes)`` of a process, from /proc."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    except (OSError, ValueError):
        return None, None
    return values.get("VmRSS"), values.get("VmHWM")


def processes_of(uid):
    """Pids of the processes whose real uid is ``uid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        found.append(int(entry))
                    break
        except (OSError, ValueError):
            continue
    return found


def reap(uid):
    """Kill every process left running under a sandbox's uid; returns how many there were."""
    if uid is None:
        return 0
    left = processes_of(uid)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return len(left)
