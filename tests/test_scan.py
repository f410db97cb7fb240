from course.grading.scan import scan_source


def _reasons(source):
    return {why for _, why, _ in scan_source(source)}


def test_tampering_patterns_are_flagged():
    assert any("monkeypatching" in r for r in _reasons("np.allclose = lambda *a, **k: True"))
    assert any("IPython" in r for r in _reasons("get_ipython().showtraceback = None"))
    assert any("grader's own modules" in r for r in _reasons("import course.checks"))
    assert any("course files" in r for r in _reasons("open('../../source/01/01.ipynb')"))
    assert any("dunders" in r for r in _reasons("class A:\n    def __eq__(self, o):\n        return True"))
    assert any("exits" in r for r in _reasons("import os\nos._exit(0)"))


def test_ordinary_numpy_code_is_not_flagged():
    clean = ("def softmax(a, axis=-1):\n    z = a - a.max(axis=axis, keepdims=True)\n"
             "    e = np.exp(z)\n    if e.sum() == 0:\n        return e\n    return e / e.sum(axis=axis, keepdims=True)\n")
    assert scan_source(clean) == []
