import builtins
import sys

import numpy as np

from course import guard


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
