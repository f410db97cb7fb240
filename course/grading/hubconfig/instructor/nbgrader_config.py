"""nbgrader settings of the instructor on the course hub: the course, its exchange and its own config.

The instructor's server also reads the course's own nbgrader_config.py (``COURSE_ROOT``, set by
the hub), at the end of this file: JupyterHub starts every server in the user's home folder, so
nbgrader would not find it in the working directory, and the formgrader would take the home
folder for the course ("The course directory root is not a subdirectory of the notebook server
root") and list nothing.
"""

import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = os.environ.get("COURSE_ID", "backprop-by-hand")
c.Exchange.root = os.environ["COURSE_EXCHANGE"]
c.Exchange.path_includes_course = False
# Validate starts its kernels like the server does: over Unix sockets (no TCP warning)
from jupyter_core.paths import jupyter_runtime_dir  # noqa: E402

c.KernelManager.transport = "ipc"
c.KernelManager.ip = os.path.join(jupyter_runtime_dir(), "kernel")

# Validate opens each failed test with the sentence that says why (course/validate.py)
from course.validate import failed_test_first  # noqa: E402

c.Execute.on_cell_error = failed_test_first

# The course itself: its nbgrader_config.py sets CourseDirectory.root to the course folder, the
# grading preprocessors (sandboxed autograding), feedback and math rendering.
if os.environ.get("COURSE_ROOT"):
    load_subconfig("nbgrader_config.py", path=os.environ["COURSE_ROOT"])  # noqa: F821
