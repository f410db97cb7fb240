"""The instructor's JupyterLab on the course hub: every nbgrader extension, kernels over IPC."""

import os

from jupyter_core.paths import jupyter_runtime_dir

c = get_config()  # noqa: F821
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.course_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
}
# kernels talk over Unix sockets: no "running over TCP without encryption" warning on each start
os.makedirs(jupyter_runtime_dir(), exist_ok=True)
c.KernelManager.transport = "ipc"
c.KernelManager.ip = os.path.join(jupyter_runtime_dir(), "kernel")

# The formgrader is an iframe inside JupyterLab (Nbgrader > Formgrader), and its links (an
# assignment's name, Preview) talk to JupyterLab through that frame. JupyterHub >= 4.1 makes every
# single-user server refuse all framing ("frame-ancestors 'none'"), which leaves the formgrader
# panel blank ("127.0.0.1 refused to connect"). The instructor's server -- and only it; students'
# servers keep 'none' -- may be framed by pages of the same origin again, as nbgrader's JupyterHub
# guide describes ("Formgrader with jupyterhub>=4.1"). The same-origin pages that could frame it
# are the hub's and the instructor's own: the instructor cannot open a student's server (the hub
# grants no admin access), so no student-made page runs on this origin in the instructor's browser.
# (Per-user subdomains, JupyterHub.enable_subdomains, would isolate servers fully, but need
# wildcard DNS and certificates.)
c.ServerApp.tornado_settings = {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}
