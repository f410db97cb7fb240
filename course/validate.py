"""Validate (nbgrader's button) shows the sentence that matters first.

nbgrader's Validate lists each failed test cell as "The following cell failed:", the cell's
code, then "The error was:" and the traceback, so the one sentence that says what is wrong
comes last, after 20 lines of test code. :func:`failed_test_first` is an nbclient hook
(``c.Execute.on_cell_error`` in ``nbgrader_config.py``, and in the student kit's Jupyter
config) that puts that sentence, in full, at the top of the failed test cell as a comment,
so the dialog opens with it. It only touches test cells of the notebook being validated.
"""

import textwrap

__all__ = ["failed_test_first"]

MARK = "# >>> "


def failed_test_first(cell, cell_index=None, execute_reply=None):
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    if cell.get("cell_type") != "code" or not meta.get("grade") or meta.get("solution"):
        return
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors or cell.source.startswith(MARK):
        return
    from nbgrader.utils import compute_checksum

    if meta.get("checksum") != compute_checksum(cell):
        return  # the student changed this test cell: leave it, so that Validate says so
    sentence = f"{errors[-1].get('ename', 'Error')}: {errors[-1].get('evalue', '')}"
    lines = textwrap.wrap(sentence, width=84, break_long_words=False, break_on_hyphens=False) or [sentence]
    cell.source = "\n".join(MARK + line for line in lines) + "\n# (the test below failed; this is why)\n\n" + cell.source
    meta["checksum"] = compute_checksum(cell)  # our note is not a change of the student's
