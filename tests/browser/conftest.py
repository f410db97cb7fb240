"""Fixtures of the browser test: Debian's Chromium, a temporary course, JupyterLab serving it.

- ``chromium``: ``/usr/bin/chromium`` from Debian's packages (``install_chromium.sh`` installs
  ``chromium`` and ``chromium-driver`` with apt-get when it is missing; no other browser is
  ever downloaded -- ``playwright install`` is never run).
- ``course``: a temporary copy of the course (nbgrader_config.py, source/, release/); the
  committed release notebooks are what students open.
- ``lab``: JupyterLab 4 on that copy, on a free port of 127.0.0.1 with a random token, started
  the way ``make lab`` starts it, stopped (kernels included) at the end.
- ``page``: a page of headless Chromium driven by Playwright, with a fresh profile.
- ``shot``: ``shot(page, "name")`` saves ``artifacts/browser/name.png``.

For the whole class on the course's JupyterHub (``test_hub_lifecycle.py``):

- ``hub``: ``make hub``'s JupyterHub (course/grading/hub.py) on free ports of 127.0.0.1, with
  an instructor and a student account created for the test (random names ``bbh-instr-XXXX``,
  ``bbh-stud1-XXXX``, a random shared password) and a temporary hub folder; its log (with the
  single-user servers' logs) goes to ``artifacts/browser/lifecycle/hub.log``. At the end the hub
  is stopped, every process left under the two accounts is killed (by pid), and the accounts,
  their homes, their grading folders and the hub folder are removed -- also when the test fails.
  It needs root (the hub starts each server as its user); without root the test is skipped.
- ``hub_browser``: a headless Chromium (Debian's) for several independent contexts.
"""

import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from course.grading import pipeline
from courseenv import BIN, free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic",
    "--disable-dev-shm-usage",
]
# The JupyterLab options `make lab` uses too (see the Makefile): no news feed, no update check.
LAB_FLAGS = [
    "--no-browser", "--ip=127.0.0.1",
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    "--LabApp.extension_manager=readonly",
] + (["--allow-root"] if os.geteuid() == 0 else [])
SERVER_START_TIMEOUT = 120  # seconds; JupyterLab starts in ~5 s on an idle 2-core machine


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives JupyterLab in headless Chromium (make test-browser)")


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def chromium():
    """Path of Debian's Chromium, installed with apt-get if missing."""
    if not os.access(CHROMIUM, os.X_OK):
        result = subprocess.run(["bash", str(HERE / "install_chromium.sh")], capture_output=True, text=True)
        if result.returncode != 0 or not os.access(CHROMIUM, os.X_OK):
            pytest.fail(f"could not install Debian's chromium:\n{result.stdout}\n{result.stderr}")
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="module")
def browser_context(chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),  # Playwright passes it as a fresh --user-data-dir
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1440, "height": 900},
            device_scale_factor=1,
            accept_downloads=False,
        )
        context.set_default_timeout(120_000)  # generous: a loaded 2-core machine
        context.set_default_navigation_timeout(90_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def page(browser_context):
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # e.g. "leave page?" on navigation
    return page


@pytest.fixture(scope="session")
def shot(artifacts):
    def save(page, name):
        path = artifacts / f"{name}.png"
        page.screenshot(path=str(path), animations="disabled", caret="hide")
        return path

    return save


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(autouse=True)
def screenshot_on_failure(request, artifacts):
    """A failed browser test leaves ``artifacts/browser/FAILED_<test>.png`` (and jupyterlab.log)."""
    yield
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and "page" in request.fixturenames:
        try:
            request.getfixturevalue("page").screenshot(path=str(artifacts / f"FAILED_{request.node.name}.png"))
        except Exception:  # noqa: BLE001 -- the browser may be what failed
            pass


# --------------------------------------------------------------------------- the course


def _copytree(src, dest):
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc"),
                    dirs_exist_ok=True)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A temporary course: nbgrader_config.py, source/ and the committed release/.

    Students open exactly the committed release notebooks. The formgrader lists the
    assignments found in source/ (nbgrader's ``get_source_assignments``), so the copy needs
    no `make release`: regenerating would cost ~3 s per assignment and hide a stale release/.
    """
    dest = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", dest)
    _copytree(ROOT / "source", dest / "source")
    if (ROOT / "release").is_dir():
        _copytree(ROOT / "release", dest / "release")
    return dest


# --------------------------------------------------------------------------- JupyterLab


def _get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 -- 127.0.0.1 only
        return response.status, response.read()


class Lab:
    def __init__(self, root, port, token, process, log):
        self.root, self.port, self.token, self.process, self.log = root, port, token, process, log
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path="lab", **query):
        query = {**query, "token": self.token}
        return f"{self.base}/{path}?" + "&".join(f"{k}={v}" if v is not None else k for k, v in query.items())

    def api(self, path):
        status, body = _get(f"{self.base}/api/{path}?token={self.token}")
        return json.loads(body)

    def log_text(self):
        return self.log.read_text(errors="replace")


def _start_lab(root, runtime, log_path):
    port, token = free_port(), secrets.token_hex(24)
    # Kernels must draw with the inline backend (the Makefile exports MPLBACKEND=Agg for tests).
    env = pipeline.tool_env({k: v for k, v in os.environ.items() if k not in {"MPLBACKEND", "COURSE_DB_URL"}})
    env.update({
        "JUPYTER_CONFIG_DIR": str(runtime / "config"),   # no ~/.jupyter; the venv's config applies
        "JUPYTER_DATA_DIR": str(runtime / "data"),
        "JUPYTER_RUNTIME_DIR": str(runtime / "runtime"),
        "IPYTHONDIR": str(runtime / "ipython"),
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    (runtime / "config").mkdir(parents=True, exist_ok=True)
    # The student's assignment list reads the exchange from nbgrader config files on the
    # Jupyter config path: keep it inside the temporary directory.
    for folder in ("exchange", "exchange-cache"):
        (runtime / folder).mkdir(exist_ok=True)
        (runtime / folder).chmod(0o777)  # nbgrader's exchange root is world-writable
    (runtime / "config" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(runtime / 'exchange')!r}\n"
        f"c.Exchange.cache = {str(runtime / 'exchange-cache')!r}\n")
    # Fresh user settings: never ask about the Jupyter news feed (it would cover the page).
    notification = runtime / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    cmd = [
        str(BIN / "jupyter-lab"), *LAB_FLAGS, f"--port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={runtime / 'workspaces'}",
        f"--LabApp.user_settings_dir={runtime / 'settings'}",
    ]
    log = open(log_path, "w")
    process = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    return Lab(root, port, token, process, log_path)


def _wait_ready(lab, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            return False
        try:
            status, _ = _get(lab.url("api/status"), timeout=5)
            if status == 200:
                status, _ = _get(lab.url("lab"), timeout=30)
                return status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"JupyterLab did not answer within {timeout} s:\n{lab.log_text()[-4000:]}")


def _stop_lab(lab):
    if lab.process.poll() is None:
        try:  # shuts the kernels down too
            request = urllib.request.Request(lab.url("api/shutdown"), method="POST", data=b"")
            urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
            lab.process.wait(timeout=20)
        except Exception:  # noqa: BLE001 -- fall back to signals
            pass
    if lab.process.poll() is None:
        os.killpg(lab.process.pid, signal.SIGTERM)  # our own process group only
        try:
            lab.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(lab.process.pid, signal.SIGKILL)
            lab.process.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(course, artifacts, tmp_path_factory):
    """JupyterLab on the temporary course; retried on a new port if the port was taken."""
    runtime = tmp_path_factory.mktemp("jupyter")
    log_path = artifacts / "jupyterlab.log"
    for attempt in range(3):
        server = _start_lab(course, runtime, log_path)
        if _wait_ready(server, SERVER_START_TIMEOUT):
            break
        _stop_lab(server)
    else:
        pytest.fail(f"JupyterLab exited at start:\n{log_path.read_text(errors='replace')[-4000:]}")
    try:
        yield server
    finally:
        _stop_lab(server)


# --------------------------------------------------------------------------- the course's JupyterHub

LIFECYCLE = ARTIFACTS / "lifecycle"
HUB_START_TIMEOUT = 240  # seconds; the hub and its proxy answer in ~20 s on a loaded 2-core machine
HUB_STOP_TIMEOUT = 60  # the hub stops every single-user server (and their kernels) on SIGTERM


def _bindable(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _three_free_ports():
    """A port P with P, P+1 and P+2 free: the hub's proxy, the hub's API and the proxy's API."""
    for _ in range(100):
        port = free_port()
        if port + 2 < 65536 and _bindable(port + 1) and _bindable(port + 2):
            return port
    raise RuntimeError("no three consecutive free ports on 127.0.0.1")


def _pids_of(uid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    found.append(int(entry))
            except OSError:
                pass
    return found


def _kill_pids(pids, sig):
    for pid in pids:
        try:
            os.kill(pid, sig)
        except OSError:
            pass


class Hub:
    """The running hub of one test: its URLs, accounts, folders and log."""

    def __init__(self, folder, port, instructor, student, password, log):
        self.folder, self.port, self.log = Path(folder), port, Path(log)
        self.instructor, self.student, self.password = instructor, student, password
        self.base = f"http://127.0.0.1:{port}"
        self.course = self.folder / "course"
        self.exchange = self.folder / "exchange"
        self.process = None
        self.started_in = None  # seconds from starting the process to the hub answering

    def url(self, path=""):
        return f"{self.base}/{path.lstrip('/')}"

    def home(self, user):
        return Path(pwd.getpwnam(user).pw_dir)

    def uid(self, user):
        return pwd.getpwnam(user).pw_uid

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def as_instructor(self, *argv, timeout=600):
        """Run ``argv`` as the instructor's Unix account in the hub's course folder, with the
        environment the instructor's JupyterLab terminal has (the venv first on PATH, the exchange)."""
        env = ["HOME=" + str(self.home(self.instructor)), f"USER={self.instructor}", f"LOGNAME={self.instructor}",
               f"PATH={BIN}:/usr/local/bin:/usr/bin:/bin", f"COURSE_EXCHANGE={self.exchange}",
               "COURSE_ID=backprop-by-hand", "LANG=C.UTF-8", "MPLBACKEND=Agg", "PYTHONDONTWRITEBYTECODE=1"]
        return subprocess.run(["runuser", "-u", self.instructor, "--", "env", "-i", *env, *argv], cwd=self.course,
                              capture_output=True, text=True, timeout=timeout)


def _start_hub(hub):
    from course.grading import hub as hubmodule

    environ = {k: v for k, v in os.environ.items() if k not in {"COURSE_DB_URL", "COURSE_UNSANDBOXED"}}
    environ.update({
        "COURSE_HUB_DIR": str(hub.folder), "COURSE_HUB_PORT": str(hub.port), "COURSE_HUB_AUTH": "demo",
        "COURSE_HUB_INSTRUCTOR": hub.instructor, "COURSE_HUB_STUDENTS": hub.student,
        "COURSE_HUB_PASSWORD": hub.password,
    })
    config = hubmodule.prepare(environ)
    argv, env = hubmodule.command(config)
    with open(hub.log, "a") as log:
        hub.process = subprocess.Popen(argv, cwd=hub.folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
    return config


def _wait_hub(hub, timeout):
    """True once the hub answers through its proxy; False if it exited.

    It waits for the hub's "is now running" line first: asking the proxy before the hub has
    added its route would make the proxy log an error (404, no custom error page)."""
    start = time.monotonic()
    while time.monotonic() < start + timeout:
        if hub.process.poll() is not None:
            return False
        if "JupyterHub is now running at" in hub.log_text():
            status, body = _get(hub.url("hub/api/"), timeout=30)
            if status == 200 and b"version" in body:
                hub.started_in = time.monotonic() - start
                return True
        time.sleep(0.25)
    raise TimeoutError(f"JupyterHub did not answer within {timeout} s:\n{hub.log_text()[-4000:]}")


def _stop_hub(hub):
    """SIGTERM: the hub stops the single-user servers (cleanup_servers) and the proxy, then exits."""
    if hub.process is None:
        return
    if hub.process.poll() is None:
        hub.process.terminate()
        try:
            hub.process.wait(timeout=HUB_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(hub.process.pid, signal.SIGKILL)  # the hub's own process group only
            hub.process.wait(timeout=10)
    proxy_pid = hub.folder / "hub" / "proxy.pid"
    if proxy_pid.exists():  # the proxy runs in a session of its own; the hub normally stops it
        try:
            pid = int(proxy_pid.read_text().strip())
            if "configurable-http-proxy" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace"):
                os.kill(pid, signal.SIGTERM)
        except (OSError, ValueError):
            pass


def _remove_account(name):
    """Kill what runs under ``name`` (by pid), then ``userdel -r``; returns a problem or None."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return None
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        pids = _pids_of(uid)
        if not pids:
            break
        _kill_pids(pids, sig)
        deadline = time.monotonic() + grace
        while _pids_of(uid) and time.monotonic() < deadline:
            time.sleep(0.1)
    # the sandbox's per-user folder for kernel workspaces (course/grading/sandbox.py runtime_dir)
    grading = Path(f"/var/tmp/course-grading-{uid}")
    if grading.is_dir() and not grading.is_symlink() and grading.stat().st_uid == uid:
        shutil.rmtree(grading, ignore_errors=True)
    for attempt in range(3):  # userdel waits for nobody: a busy /etc/passwd lock fails it at once
        result = subprocess.run(["userdel", "-r", name], capture_output=True, text=True)
        try:
            pwd.getpwnam(name)
        except KeyError:
            return None  # (exit 12: the home folder could not be removed; checked by the caller)
        time.sleep(1.0)
    return f"userdel -r {name}: exit {result.returncode}, the account is still there: {result.stderr.strip()}"


@pytest.fixture(scope="module")
def lifecycle_artifacts():
    LIFECYCLE.mkdir(parents=True, exist_ok=True)
    for old in [*LIFECYCLE.glob("*.png"), *LIFECYCLE.glob("*.txt"), *LIFECYCLE.glob("*.log"), *LIFECYCLE.glob("*.csv")]:
        old.unlink()
    return LIFECYCLE


def _let_accounts_through():
    """The hub runs each user's server as that user, from this repository and its venv: as an
    administrator would for a class, let other accounts traverse (x only, not list) the folders
    above them -- a clone in a private folder (``mktemp -d``, /root) is otherwise out of their
    reach. Returns ``[(folder, old mode)]`` to put back."""
    import stat

    changed = []
    for start in (ROOT, Path(sys.executable).parent, Path(os.path.realpath(sys.executable)).parent):
        for directory in [Path(start), *Path(start).parents]:
            mode = stat.S_IMODE(directory.stat().st_mode)
            if not mode & stat.S_IXOTH and directory not in [d for d, _ in changed]:
                os.chmod(directory, mode | stat.S_IXOTH)
                changed.append((directory, mode))
    return changed


@pytest.fixture(scope="module")
def hub(lifecycle_artifacts):
    """The course's JupyterHub with two fresh accounts; everything removed afterwards."""
    if os.geteuid() != 0:
        pytest.skip("the hub starts each user's server as that Unix user: run the lifecycle test as root")
    tag = secrets.token_hex(2)
    # not under pytest's tmp_path: its parents are private to root, and the instructor's
    # server must reach the course folder
    folder = Path(tempfile.mkdtemp(prefix="bbh-hub-", dir="/tmp"))
    server, created, problems = None, [], []
    opened = _let_accounts_through()
    try:
        for attempt in range(3):
            server = Hub(folder, _three_free_ports(), f"bbh-instr-{tag}", f"bbh-stud1-{tag}", secrets.token_hex(12),
                         lifecycle_artifacts / "hub.log")
            config = _start_hub(server)
            created = sorted(set(created) | set(config["created"]))
            if _wait_hub(server, HUB_START_TIMEOUT):
                break
            _stop_hub(server)  # it exited at start (a port taken in between?): new ports
        else:
            pytest.fail(f"JupyterHub exited at start:\n{server.log_text()[-4000:]}")
        yield server
    finally:
        if server is not None:
            _stop_hub(server)
        # the accounts this test named, even those a failed start made before saying so
        created = sorted(set(created) | {f"bbh-instr-{tag}", f"bbh-stud1-{tag}"})
        for name in created:
            problem = _remove_account(name)
            if problem:
                problems.append(problem)
            if not problem and Path("/home", name).is_dir():
                shutil.rmtree(Path("/home", name), ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        for directory, mode in reversed(opened):
            os.chmod(directory, mode)
        for name in created:
            if Path("/home", name).exists():
                problems.append(f"/home/{name} is still there")
        if problems:
            pytest.fail("cleaning up after the hub: " + "; ".join(problems))


@pytest.fixture(scope="module")
def hub_browser(chromium):
    """Headless Chromium for several isolated contexts (one per person)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()
