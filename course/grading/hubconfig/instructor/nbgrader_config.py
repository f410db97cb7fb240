"""nbgrader settings every account of the course hub shares: the course and its exchange.

(The instructor's course folder has the course's own nbgrader_config.py as well, read after this
one because the server runs there.)
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
