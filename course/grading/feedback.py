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

import json
import re

import nbformat
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
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


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter for feedback pages, minus its last pass.

    ``HTMLExporter.from_notebook_node`` renders the page, then parses all of it again with
    BeautifulSoup to give ``<img>`` tags without alt text a placeholder and to make JupyterLab
    template cells focusable; measured on a course page, that pass is two thirds of the page's
    time (~1.3 s of 2). nbgrader's feedback template is the classic one, which has no such cells,
    so only the alt text is left to do, which a regular expression does on the rendered page.

    Most of the rest is Pygments and Markdown, on cells that are the same on every page of a
    cohort (the course's text, locked cells, test cells): both remember what they rendered.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", CachedHighlight(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type",
                             WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _IMG_WITHOUT_ALT.sub(r'<img alt="No description has been provided for this image"\1', page), resources

    @pass_context
    def markdown2html(self, context, source):
        if context.get("cell", {}).get("attachments"):
            return super().markdown2html(context, source)
        path = context.get("resources", {}).get("metadata", {}).get("path", "") if self.embed_images else ""
        key = ("markdown", source, path, self.embed_images, self.anchor_link_text, self.exclude_anchor_links,
               json.dumps(self.lexer_options, sort_keys=True, default=str))
        return _remember(key, lambda: super(FeedbackExporter, self).markdown2html(context, source))


class CachedHighlight(Highlight2HTML):
    """nbconvert's code highlighter, remembering the HTML of each source it highlighted."""

    def __call__(self, source, language=None, metadata=None):
        key = ("code", source, language or self.pygments_lexer, (metadata or {}).get("magics_language"),
               json.dumps(self.extra_formatter_options, sort_keys=True, default=str))
        return _remember(key, lambda: super(CachedHighlight, self).__call__(source, language, metadata))


_RENDERED = {}
_REMEMBERED_SOURCE = 20_000  # characters: the course's cells are shorter; a huge one is rendered, not kept


def _remember(key, render):
    """``render()``, remembered under ``key`` (whose second item is the source) when the source is
    short: the formgrader's server lives long, and a submission may carry an enormous cell."""
    if len(key[1]) > _REMEMBERED_SOURCE:
        return render()
    if key not in _RENDERED:
        if len(_RENDERED) >= 4096:  # a process that renders many cohorts keeps only recent pages' cells
            _RENDERED.clear()
        _RENDERED[key] = render()
    return _RENDERED[key]


_IMG_WITHOUT_ALT = re.compile(r"<img((?:\s(?![^>]*\balt\s*=)[^>]*)?/?>)", re.IGNORECASE)


def notebook_test_cell(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    return bool(meta.get("grade")) and not meta.get("solution")


def _escape(text):
    import html

    return html.escape(str(text))
