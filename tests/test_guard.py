import builtins
import sys

import numpy as np

from course import guard

guard.install()  # what the setup cell does: snapshot numpy, builtins and the helpers now


def test_restore_undoes_attribute_patches_and_reports_them():
    original_allclose, original_abs = np.allclose, builtins.abs
    try:
        np.allclose = lambda *a, **k: True
        builtins.abs = lambda x: 0
        changed = guard.restore()
        assert np.allclose is original_allclose and builtins.abs is original_abs
        assert "numpy.allclose" in changed and "builtins.abs" in changed
    finally:
        np.allclose, builtins.abs = original_allclose, original_abs


def test_restore_puts_back_a_replaced_module():
    real = sys.modules["numpy"]
    try:
        sys.modules["numpy"] = object()
        assert "sys.modules['numpy']" in guard.restore()
        assert sys.modules["numpy"] is real
    finally:
        sys.modules["numpy"] = real


def test_restore_is_a_no_op_when_nothing_changed():
    guard.restore()
    assert guard.restore() == []


def test_a_failed_check_in_a_kernel_is_an_error_output_without_helper_frames():
    """In IPython, a CheckFailure shows the test line and the sentence, not course/ internals."""
    import re

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from course import guard\nguard.install()"),
        nbformat.v4.new_code_cell("from course.checks import check_close\ncheck_close([1.0], [2.0], 'x')"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    errors = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "CheckFailure"
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(errors[0].traceback))
    assert "check_close([1.0], [2.0], 'x')" in text and "values differ" in text
    assert "course/checks.py" not in text
