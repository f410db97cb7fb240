"""A student's JupyterLab on the course hub: the Assignment List and Validate, no formgrader."""

import os

from jupyter_core.paths import jupyter_runtime_dir

c = get_config()  # noqa: F821
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.validate_assignment": True,
}
# kernels talk over Unix sockets: no "running over TCP without encryption" warning on each start
os.makedirs(jupyter_runtime_dir(), exist_ok=True)
c.KernelManager.transport = "ipc"
c.KernelManager.ip = os.path.join(jupyter_runtime_dir(), "kernel")
