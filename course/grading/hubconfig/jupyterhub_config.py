"""JupyterHub for a class of "Backpropagation, by hand" (``make hub``), per nbgrader's JupyterHub guide.

One machine, one course, Unix accounts (LocalProcessSpawner):

- the **instructor** account's JupyterLab opens in the course folder, with the formgrader,
  the course's nbgrader_config.py (sandboxed autograding: the Autograde button runs student
  code in bubblewrap, never as the instructor) and its gradebook (SQLite in the course folder,
  or the PostgreSQL URL in ``COURSE_DB_URL``);
- **student** accounts get JupyterLab in their home folder with the Assignment List and
  Validate, and neither the formgrader nor the assignment-creation tools;
- everyone shares one nbgrader exchange folder (world-writable with the sticky bit, as nbgrader
  requires).

Settings come from the environment that ``make hub`` (or the browser test) gives:
``COURSE_HUB_DIR`` (the hub's state, the course folder, the exchange), ``COURSE_HUB_PORT``,
``COURSE_HUB_INSTRUCTOR`` (one login), ``COURSE_HUB_STUDENTS`` (comma-separated logins),
``COURSE_HUB_AUTH`` (``pam`` for real use; ``demo`` for a local try-out: the listed accounts
log in with ``COURSE_HUB_PASSWORD``, at least 8 characters), ``COURSE_HUB_PROXY`` (the configurable-http-proxy
command, installed from npm by ``make hub``).
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by JupyterHub

HERE = Path(__file__).resolve().parent
HUB_DIR = Path(os.environ.get("COURSE_HUB_DIR", "/srv/backprop-by-hand"))
COURSE = HUB_DIR / "course"
EXCHANGE = HUB_DIR / "exchange"
INSTRUCTOR = os.environ.get("COURSE_HUB_INSTRUCTOR", "instructor")
STUDENTS = [s for s in os.environ.get("COURSE_HUB_STUDENTS", "student1,student2").split(",") if s]
BIN = Path(sys.executable).parent

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("COURSE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("COURSE_HUB_API_PORT", str(c.JupyterHub.port + 1)))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('COURSE_HUB_PROXY_API_PORT', str(c.JupyterHub.port + 2)))}"
c.JupyterHub.db_url = f"sqlite:///{HUB_DIR / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB_DIR / "hub" / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(HUB_DIR / "hub" / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(HUB_DIR / "hub" / "proxy.pid")
c.ConfigurableHTTPProxy.command = [os.environ.get("COURSE_HUB_PROXY", "configurable-http-proxy")]
c.JupyterHub.cleanup_servers = True

# --- who may log in
if os.environ.get("COURSE_HUB_AUTH", "demo") == "pam":
    c.JupyterHub.authenticator_class = "pam"
else:  # a local try-out: the course's accounts (and only those) log in with one shared password
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ.get("COURSE_HUB_PASSWORD", "backprop-demo")
c.Authenticator.allowed_users = {INSTRUCTOR, *STUDENTS}

# --- their servers: JupyterLab as their own Unix user
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120  # a loaded 2-core machine needs 20-40 s to start JupyterLab
c.Spawner.http_timeout = 120


def per_role(spawner):
    """The instructor works in the course folder with the formgrader; students in their home."""
    instructor = spawner.user.name == INSTRUCTOR
    role = "instructor" if instructor else "student"
    spawner.environment.update({
        # the role's server and lab settings, on the config *path*: the config *dir* stays the user's
        # own ~/.jupyter, where JupyterLab saves workspaces and settings and jupyter_core its
        # "migrated" marker (a read-only config dir made the formgrader fail to load and every
        # workspace save answer 500 Permission denied)
        "JUPYTER_CONFIG_PATH": str(HERE / role),
        "COURSE_EXCHANGE": str(EXCHANGE),
        "COURSE_ID": "backprop-by-hand",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
    })
    if instructor:  # its nbgrader_config.py loads the course's (the server runs in the home folder)
        spawner.environment["COURSE_ROOT"] = str(COURSE)
    if os.environ.get("COURSE_DB_URL") and instructor:
        spawner.environment["COURSE_DB_URL"] = os.environ["COURSE_DB_URL"]
    spawner.notebook_dir = str(COURSE) if instructor else "~"


c.Spawner.pre_spawn_hook = per_role
