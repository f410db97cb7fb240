import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def pytest_configure(config):
    config.addinivalue_line("markers", "grading: runs the real nbgrader pipeline in a temporary course")
