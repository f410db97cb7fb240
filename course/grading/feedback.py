"""The feedback students receive: scores and messages, never hidden tests or rubrics.

nbgrader's own feedback shows each test cell as the autograder ran it -- hidden tests
included (nbgrader issues #917, #1363). :class:`HideHiddenTests` runs in ``generate_feedback``
after the grades are read:

- it removes every ``### BEGIN/END HIDDEN TESTS`` region from test cells, and reduces the error
  output of a test cell that had one to its last line, the sentence that says what failed;
- it puts that sentence *first* in every failed test cell, in full (the page wraps long lines
  instead of cutting them at the window's edge), before the test's code;
- it drops the grader-only cells (model answer and rubric) that
  :class:`course.grading.preprocessors.ShowRubrics` added for the formgrader;
- it renders the math of the graders' comments to MathML, like the notebook's own (nbgrader puts
  a comment into the page as Markdown, for MathJax, which the course's pages do not load).
"""

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode

from course.grading.preprocessors import GRADER_ONLY, render_math

HIDDEN_NOTE = "# (hidden tests: their code is not shown; the message below says what failed)"
WRAP_CSS = """
div.output_area pre, div.output_subarea pre, .course-verdict { white-space: pre-wrap; word-break: break-word; }
.course-verdict { border-left: 4px solid #c9302c; background: #fdf2f2; padding: 0.4em 0.8em; margin: 0.3em 0; }
"""


class HideHiddenTests(NbGraderPreprocessor):
    begin = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end = Unicode("END HIDDEN TESTS").tag(config=True)
    # nbconvert's HTML exporter configures this for every preprocessor it runs
    display_data_priority = List(["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png",
                                  "image/jpeg", "text/plain"]).tag(config=True)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        cells = []
        for cell in nb.cells:
            if GRADER_ONLY in cell.get("source", ""):
                continue
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if errors and notebook_test_cell(cell):  # the sentence that matters, first and in full
                verdict = errors[-1]
                cells.append(nbformat.v4.new_markdown_cell(
                    f"<div class='course-verdict'><b>{_escape(verdict.get('ename', 'Error'))}:</b> "
                    f"{_escape(verdict.get('evalue', ''))}</div>"))
            cells.append(cell)
        nb.cells = cells
        resources.setdefault("inlining", {}).setdefault("css", []).append(WRAP_CSS)
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        if "$" in (meta.get("comment") or ""):  # set by GetGrades, which runs first
            meta["comment"] = render_math(meta["comment"])
        if cell.cell_type != "code":
            return cell, resources
        hidden = self.begin in cell.source
        if hidden:
            kept, hiding = [], False
            for line in cell.source.split("\n"):
                if self.begin in line:
                    hiding = True
                    kept.append(HIDDEN_NOTE)
                elif self.end in line:
                    hiding = False
                elif not hiding:
                    kept.append(line)
            cell.source = "\n".join(kept)
        if hidden:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


def notebook_test_cell(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    return bool(meta.get("grade")) and not meta.get("solution")


def _escape(text):
    import html

    return html.escape(str(text))
