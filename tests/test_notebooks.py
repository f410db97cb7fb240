import nbformat

from course.grading import notebooks as nbk
from course.grading.feedback import HIDDEN_NOTE, HideHiddenTests


def _nb():
    return nbk.new_notebook([
        nbk.markdown("# Title"),
        nbk.readonly("setup", "import numpy as np"),
        nbk.solution("f", 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION'),
        nbk.tests("test_f", 2, '"""f doubles."""\nassert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(21) == 42\n### END HIDDEN TESTS'),
        nbk.answer("why", 1, "### BEGIN SOLUTION\n**Model answer.** Because.\n### END SOLUTION"),
    ])


def test_constructors_write_nbgrader_schema_3_and_stable_ids():
    nb = _nb()
    meta = [nbk.nbgrader_meta(c) for c in nb.cells]
    assert meta[0] == {}
    assert meta[1]["locked"] and not meta[1]["solution"] and not meta[1]["grade"]
    assert meta[2]["solution"] and not meta[2]["grade"]
    assert meta[3]["grade"] and meta[3]["locked"] and meta[3]["points"] == 2
    assert meta[4]["grade"] and meta[4]["solution"] and nb.cells[4].cell_type == "markdown"
    assert all(m.get("schema_version", 3) == 3 for m in meta)
    assert [c.id for c in nb.cells] == ["cell-000", "setup", "f", "test_f", "why"]
    nbformat.validate(nb)


def test_clean_strips_outputs_counts_and_user_metadata():
    nb = _nb()
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hi")]
    nb.cells[1].execution_count = 3
    nb.cells[1].metadata["collapsed"] = True
    nb.metadata["widgets"] = {}
    nbk.clean(nb)
    assert nb.cells[1].outputs == [] and nb.cells[1].execution_count is None
    assert "collapsed" not in nb.cells[1].metadata and "widgets" not in nb.metadata
    assert nbk.canonical_json(nb) == nbk.canonical_json(nbk.clean(nb))


def test_strip_markers_and_secret_lines():
    nb = _nb()
    assert nbk.strip_markers(nb.cells[2].source) == 'def f(x):\n    """Doc."""\n    return 2 * x'
    secret = nbk.secret_lines(nb)
    assert "return 2 * x" in secret and "assert f(21) == 42" in secret
    assert "assert f(1) == 2" not in secret and "import numpy as np" not in secret


def test_feedback_preprocessor_hides_hidden_tests_but_keeps_the_message():
    cell = _nb().cells[3]
    cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailure", evalue="f(21): got 41, expected 42",
                                           traceback=["Traceback...", "assert f(21) == 42", "CheckFailure: ..."])]
    cell, _ = HideHiddenTests().preprocess_cell(cell, {}, 0)
    assert "f(21) == 42" not in cell.source and HIDDEN_NOTE in cell.source
    assert "assert f(1) == 2" in cell.source
    assert cell.outputs[0]["traceback"] == ["CheckFailure: f(21): got 41, expected 42"]
