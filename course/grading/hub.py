"""``make hub``: a JupyterHub for the course on this machine (configuration in ``hubconfig/``).

:func:`prepare` lays out the hub's folder and accounts, :func:`command` is the ``jupyterhub``
command line with its environment; ``python -m course.grading.hub`` does both and starts it.

Layout of the hub folder (``COURSE_HUB_DIR``, default ``/srv/backprop-by-hand``):

- ``hub/`` -- JupyterHub's database, cookie secret and pid files (root only);
- ``course/`` -- the instructor's course folder: ``nbgrader_config.py`` and ``source/`` copied
  from this repository on first start (never overwritten afterwards), the gradebook, the
  ``submitted/`` and ``autograded/`` folders nbgrader makes; owned by the instructor;
- ``exchange/`` -- nbgrader's exchange, shared by every account (mode 1777).

It needs root (the hub starts each user's server as that user), Node.js's npm (for
configurable-http-proxy, installed into ``.hub/`` of this repository) and a repository every
account can read (its virtualenv runs everyone's servers).
"""

import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from course.grading.assignments import ROOT

CONFIG = Path(__file__).resolve().parent / "hubconfig" / "jupyterhub_config.py"
PROXY_VERSION = "5.3.0"  # configurable-http-proxy, from npm
DEFAULTS = {"COURSE_HUB_DIR": "/srv/backprop-by-hand", "COURSE_HUB_PORT": "8000", "COURSE_HUB_INSTRUCTOR": "instructor",
            "COURSE_HUB_STUDENTS": "student1,student2", "COURSE_HUB_AUTH": "demo", "COURSE_HUB_PASSWORD": "backprop-demo"}


class HubError(RuntimeError):
    """The hub cannot start here; the message says why and what to do."""


def settings(environ=None):
    env = dict(os.environ if environ is None else environ)
    return {k: env.get(k) or v for k, v in DEFAULTS.items()}


def proxy_command(root=ROOT):
    """configurable-http-proxy, installed from npm into ``<repo>/.hub`` once."""
    folder = Path(root) / ".hub"
    binary = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    if not binary.exists():
        if not shutil.which("npm"):
            raise HubError("The hub needs configurable-http-proxy from npm, but npm is not installed: "
                           "install Node.js (Debian: `apt-get install nodejs npm`).")
        folder.mkdir(exist_ok=True)
        run = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder),
                              f"configurable-http-proxy@{PROXY_VERSION}"], capture_output=True, text=True)
        if run.returncode != 0 or not binary.exists():
            raise HubError(f"npm could not install configurable-http-proxy: {run.stderr.strip()[-300:]}")
    return binary


def _readable_by(user, path):
    return subprocess.run(["runuser", "-u", user, "--", "test", "-r", str(path)], capture_output=True).returncode == 0


def ensure_account(name):
    """Create the Unix account ``name`` (with a home folder) if it does not exist; True if created."""
    try:
        pwd.getpwnam(name)
        return False
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        return True


def prepare(environ=None, root=ROOT, create_accounts=True):
    """Lay out the hub folder and the demo accounts; returns the settings used."""
    config = settings(environ)
    if os.geteuid() != 0:
        raise HubError("The hub starts each user's JupyterLab as that Unix user, so it must run as root: "
                       "`sudo make hub`.")
    instructor = config["COURSE_HUB_INSTRUCTOR"]
    students = [s for s in config["COURSE_HUB_STUDENTS"].split(",") if s]
    created = []
    for name in [instructor, *students]:
        if create_accounts and config["COURSE_HUB_AUTH"] == "demo" and ensure_account(name):
            created.append(name)
        try:
            pwd.getpwnam(name)
        except KeyError:
            raise HubError(f"There is no Unix account {name!r}: create it (useradd -m {name}) or list other "
                           "accounts in COURSE_HUB_INSTRUCTOR / COURSE_HUB_STUDENTS.") from None
    python = Path(sys.executable)
    if not _readable_by(instructor, python) or not _readable_by(instructor, Path(root) / "course" / "__init__.py"):
        raise HubError(f"The account {instructor!r} cannot read this repository or its virtualenv ({python}): clone the "
                       "course where every account can read it (e.g. /opt or /srv) and build its .venv from a Python "
                       "they can run (the Makefile uses /usr/bin/python3 when it exists).")
    hub_dir = Path(config["COURSE_HUB_DIR"])
    (hub_dir / "hub").mkdir(parents=True, exist_ok=True)
    (hub_dir / "hub").chmod(0o700)
    hub_dir.chmod(0o755)
    exchange = hub_dir / "exchange"
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)
    course = hub_dir / "course"
    if not course.exists():
        course.mkdir()
        shutil.copy(Path(root) / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(Path(root) / "source", course / "source")
        entry = pwd.getpwnam(instructor)
        for path in [course, *course.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    course.chmod(0o700)  # solutions and the gradebook: the instructor's only
    config["created"] = created
    return config


def command(config, root=ROOT):
    """``(argv, env)`` that start the hub."""
    env = {**os.environ, **{k: v for k, v in config.items() if k.startswith("COURSE_HUB_")},
           "COURSE_HUB_PROXY": str(proxy_command(root)),
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    argv = [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(CONFIG)]
    return argv, env


def main():
    try:
        config = prepare()
        argv, env = command(config)
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    accounts = [config["COURSE_HUB_INSTRUCTOR"], *config["COURSE_HUB_STUDENTS"].split(",")]
    print(f"JupyterHub for the course: http://127.0.0.1:{config['COURSE_HUB_PORT']}/")
    print(f"  accounts: {', '.join(accounts)} (instructor: {config['COURSE_HUB_INSTRUCTOR']})")
    if config["COURSE_HUB_AUTH"] == "demo":
        print(f"  demo log-in: any of these accounts with the password {config['COURSE_HUB_PASSWORD']!r} "
              "(COURSE_HUB_AUTH=pam uses the accounts' own passwords)")
    if config["created"]:
        print(f"  created the Unix accounts: {', '.join(config['created'])}")
    print(f"  course folder: {config['COURSE_HUB_DIR']}/course, exchange: {config['COURSE_HUB_DIR']}/exchange")
    os.execve(argv[0], argv, env)


if __name__ == "__main__":
    raise SystemExit(main())
