"""nbgrader configuration for "Backpropagation, by hand".

The course root is the folder holding this file, so the same configuration works in a
clone, in CI and in the temporary course copies the tests build.
"""

import os

c = get_config()  # noqa: F821 -- provided by nbgrader/traitlets

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "backprop-by-hand"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Files besides the notebook that generate_assignment copies: none of ours. Keep caches out.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.db"]

# One gradebook per course directory (SQLite by default). A course with several graders
# can point this at PostgreSQL instead, e.g. "postgresql+psycopg2://user:password@host/backprop"
# (with SQLAlchemy 2.1 a bare "postgresql://" means psycopg 3, which is not installed).
c.CourseDirectory.db_url = os.environ.get("COURSE_DB_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db"))

# nbgrader's exchange (assignment list, collect) lives in the course, not in /usr/local/share;
# on the course's JupyterHub (make hub) it is the folder all accounts share, COURSE_EXCHANGE.
c.Exchange.root = os.environ.get("COURSE_EXCHANGE") or os.path.join(HERE, "exchange")
os.makedirs(c.Exchange.root, exist_ok=True)  # nbgrader fails rather than create it

# Validate: each failed test's sentence first, in full, before the test's code.
from course.validate import failed_test_first  # noqa: E402

c.Execute.on_cell_error = failed_test_first
# The formgrader's Manage Assignments page would print the whole configuration for debugging,
# and warn that a function in it (the hook above) is not JSON: not for instructors' eyes.
c.FormgradeExtension.debug = False

# Release: student notebooks without solutions, hidden tests or outputs.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearOutput.remove_metadata_fields = ["collapsed", "scrolled", "execution", "ExecuteTime"]

# Generate: each assignment's due date goes into the gradebook (the formgrader shows it; late
# submissions lose PerDayLatePenalty.percent_per_day of their score per started day).
c.GenerateAssignment.preprocessors = [
    "nbgrader.preprocessors.IncludeHeaderFooter", "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells", "nbgrader.preprocessors.ClearSolutions", "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata", "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells", "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme", "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata", "course.grading.preprocessors.SetDueDate",
]
c.SetDueDate.due_dates = {
    "01_softmax_derivative": "2027-01-18 23:59:00 UTC",
    "02_kl_backprop": "2027-01-25 23:59:00 UTC",
    "03_crossentropy_chain_rule": "2027-02-01 23:59:00 UTC",
    "04_activation_functions": "2027-02-08 23:59:00 UTC",
    "05_mlp_gradients": "2027-02-22 23:59:00 UTC",
    "06_cnn": "2027-03-08 23:59:00 UTC",
}
c.AssignLatePenalties.plugin_class = "course.grading.preprocessors.PerDayLatePenalty"
c.PerDayLatePenalty.percent_per_day = 10.0

# Autograde: restore deleted or edited test cells from the gradebook (quietly when the only
# difference is the hidden tests the release never had); bound every cell.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput", "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec", "course.grading.preprocessors.RestoreTestCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.OverwriteCells.add_missing_cells = True
# course.grading.execute.GuardedExecute is the trust boundary, for every way of grading (nbgrader
# autograde, the formgrader's Autograde button, python -m course autograde): student cells run in a
# bubblewrap sandbox (course/grading/sandbox.py) that sees nothing of the course, test cells in a
# separate trusted process (course/grading/runner.py); only plain data crosses between them.
# Grading stops with a one-sentence error if the sandbox cannot start; COURSE_UNSANDBOXED=1 is the
# explicit (and loudly reported) way to grade without it.
c.Autograde.autograde_preprocessors = [
    "course.grading.execute.GuardedExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "course.grading.preprocessors.KeepManualGrades",  # regrading never reopens finished manual grading
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
    "course.grading.preprocessors.ShowRubrics",  # the formgrader shows each written answer's rubric
]
c.Execute.timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", "15"))  # seconds per student cell
c.GuardedExecute.notebook_budget = int(os.environ.get("COURSE_NOTEBOOK_BUDGET", "120"))  # per notebook
c.GuardedExecute.call_timeout = int(os.environ.get("COURSE_CALL_TIMEOUT", "10"))  # per call from a test
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = False
c.Execute.startup_timeout = 60
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# Harmless kernel noise must not zero a cell (nbgrader scores any stderr output as 0).
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"Kernel is running over TCP without encryption|SAWarning"

# nbgrader 0.9 with SQLAlchemy 2.1 warns "Object of type ... not in session" when it autoflushes
# while creating a submission: the rows are added on the next flush and nothing is lost (the
# gradebook tests check every score). Silenced here, where every nbgrader process (CLI,
# formgrader) reads its config.
import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")


# Feedback shows scores and failure messages, never hidden test code or rubrics
# (course/grading/feedback.py).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "course.grading.feedback.HideHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# nbconvert's HTMLExporter without its full-page BeautifulSoup pass (2/3 of a page's time).
c.GenerateFeedback.exporter_class = "course.grading.feedback.FeedbackExporter"

# Every HTML page nbgrader makes (the formgrader's grading view, feedback) renders math to
# MathML on the server and loads no MathJax: math shows without internet. nbconvert's
# `mathjax()` macro (which loads MathJax from a CDN) is replaced by the course's, found first on
# the Jupyter data path of every process that reads this file.
# What a submission controls (markdown, displayed HTML) is cleaned to formatting and MathML, so no
# submission can run script in the instructor's formgrader.
c.HTMLExporter.preprocessors = ["course.grading.preprocessors.RenderMath", "course.grading.preprocessors.SanitizeHTML"]
import course.grading  # noqa: E402 -- the course's package (the venv has it on its path)

_data = os.path.join(os.path.dirname(course.grading.__file__), "jupyter")
if _data not in os.environ.get("JUPYTER_PATH", "").split(os.pathsep):
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in [_data, os.environ.get("JUPYTER_PATH")] if p)
