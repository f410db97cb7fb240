"""The course's nbgrader preprocessors and plugin, configured in ``nbgrader_config.py``.

Each extends nbgrader where it is meant to be extended (a preprocessor in a configured chain, a
plugin class), so the command line, the formgrader's buttons and ``python -m course`` behave
alike:

- :class:`RestoreTestCells` (autograde, sanitizing): nbgrader's OverwriteCells, without the
  "checksum has changed!" warning for a test cell whose only difference is the hidden tests the
  release never had (it still warns, and restores, when a student edited the cell);
- :class:`KeepManualGrades` (autograde): nbgrader's SaveAutoGrades, except that regrading does
  not reopen finished manual grading;
- :class:`ShowRubrics` (autograde): after each written answer, a grader-only cell with the model
  answer and rubric from ``source/``, which the formgrader shows while grading; the feedback
  preprocessor (:mod:`course.grading.feedback`) removes it, so students never see it;
- :class:`RenderMath` (every HTML export: formgrader, feedback): LaTeX rendered to MathML on
  the server, so math shows without MathJax and without internet;
- :class:`SanitizeHTML` (every HTML export, after RenderMath): what a submission can put into a
  page -- its markdown, the HTML, SVG or JavaScript its code displayed -- is cleaned to plain
  formatting and MathML, so a submission cannot run script in the instructor's formgrader;
- :class:`SetDueDate` (generate): the due date the config gives each assignment goes into the
  gradebook;
- :class:`PerDayLatePenalty` (late submissions): a share of the score per started day late.
"""

import functools
import math
import re
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor, OverwriteCells, SaveAutoGrades
from traitlets import Dict, Float

from course.grading import notebooks

GRADER_ONLY = "<!-- grader only: model answer and rubric; removed from feedback -->"


def _without_hidden_tests(source):
    kept, hiding = [], False
    for line in source.split("\n"):
        if notebooks.HIDDEN_BEGIN in line:
            hiding = True
        elif notebooks.HIDDEN_END in line:
            hiding = False
        elif not hiding:
            kept.append(line)
    return kept


def _same_text(a_lines, b):
    strip = lambda lines: [line.rstrip() for line in lines if line.strip()]  # noqa: E731
    return strip(a_lines) == strip(b.split("\n"))


class RestoreTestCells(OverwriteCells):
    """OverwriteCells that knows a released test cell lacks its hidden tests."""

    _expected = False

    def preprocess_cell(self, cell, resources, cell_index):
        self._expected = False
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id and cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                pass
            else:
                self._expected = _same_text(_without_hidden_tests(source.source), cell.source)
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._expected:
            self.log.debug("Restored the hidden tests of %s", name)
            return
        super().report_change(name, attr, old, new)


class KeepManualGrades(SaveAutoGrades):
    """SaveAutoGrades that leaves finished manual grading alone when a submission is regraded.

    nbgrader marks every cell that has a manual score as "needs manual grading" again on each
    autograde run. Here a written answer that a grader has scored stays graded, and a test cell
    whose score a grader overrode is reopened only if the autograder's own score changed.
    """

    def _add_score(self, cell, resources):
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        previous = grade.auto_score
        auto_score, _ = utils.determine_grade(cell, self.log)
        grade.auto_score = auto_score
        if grade.manual_score is None:
            grade.needs_manual_grade = auto_score is None
        elif auto_score is None:  # a written answer a grader has already scored
            pass
        else:  # a grader's override of a test cell: look again only if the test's verdict changed
            grade.needs_manual_grade = grade.needs_manual_grade or previous != auto_score
        self.gradebook.db.commit()


class ShowRubrics(NbGraderPreprocessor):
    """Insert the model answer and rubric (from the source notebook) after each written answer."""

    def preprocess(self, nb, resources):
        model = self._model_answers(resources)
        cells = []
        for cell in nb.cells:
            if GRADER_ONLY in cell.source:
                continue  # from an earlier run
            cells.append(cell)
            meta = notebooks.nbgrader_meta(cell)
            if cell.cell_type == "markdown" and meta.get("solution") and meta.get("grade"):
                text = model.get(meta.get("grade_id"))
                if text:
                    cells.append(nbformat.v4.new_markdown_cell(
                        f"{GRADER_ONLY}\n\n**For the grader — model answer and rubric of `{meta['grade_id']}`** "
                        f"(students never see this)\n\n{text}", metadata={"course": {"grader_only": True}}))
        nb.cells = cells
        return nb, resources

    def _model_answers(self, resources):
        info = resources.get("nbgrader", {})
        root = Path(self.config.CourseDirectory.root or ".")
        folder = self.config.CourseDirectory.source_directory or "source"
        path = root / folder / info.get("assignment", "") / f"{info.get('notebook', '')}.ipynb"
        if not path.is_file():
            self.log.warning("No source notebook at %s: the grading view shows no rubric", path)
            return {}
        source = notebooks.read(path)
        return {notebooks.nbgrader_meta(c)["grade_id"]: notebooks.strip_markers(c.source) for c in source.cells
                if c.cell_type == "markdown" and notebooks.is_solution_cell(c) and notebooks.nbgrader_meta(c).get("grade")}


_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\$)", re.S)
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)


def render_math(markdown):
    """Markdown with ``$...$`` and ``$$...$$`` replaced by MathML (code spans left alone)."""
    from latex2mathml.converter import convert

    def one(match):
        display, inline = match.group(1), match.group(2)
        tex = display if display is not None else inline
        try:
            mathml = convert(tex.strip(), display="block" if display is not None else "inline")
        except Exception:  # noqa: BLE001 -- leave what cannot be converted as it was written
            return match.group(0)
        return f"\n\n{mathml}\n\n" if display is not None else mathml

    parts = _CODE.split(markdown)
    return "".join(part if i % 2 else _MATH.sub(one, part) for i, part in enumerate(parts))


render_math = functools.lru_cache(maxsize=8192)(render_math)


class RenderMath(Preprocessor):
    """Math in markdown cells rendered to MathML when a notebook becomes HTML (no MathJax, no CDN)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = render_math(cell.source)
        return cell, resources


_MATHML = ["math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "msub", "msup",
           "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom",
           "menclose", "semantics", "annotation", "mmultiscripts", "mprescripts", "none"]
_MATHML_ATTRIBUTES = ["display", "xmlns", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
                      "columnalign", "rowspacing", "columnspacing", "displaystyle", "scriptlevel", "accent",
                      "accentunder", "movablelimits", "width", "height", "depth", "form", "minsize", "maxsize",
                      "symmetric", "largeop", "linethickness", "notation", "encoding"]
_TAGS = ["a", "abbr", "b", "blockquote", "br", "code", "del", "details", "div", "em", "h1", "h2", "h3", "h4", "h5",
         "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup",
         "table", "tbody", "td", "th", "thead", "tr", "u", "ul", *_MATHML]


@functools.lru_cache(maxsize=1)
def _cleaner():
    import bleach

    attributes = {"*": ["class", "title", "align", *_MATHML_ATTRIBUTES], "a": ["href", "title"],
                  "img": ["src", "alt", "width", "height"]}
    return bleach.Cleaner(tags=_TAGS, attributes=attributes, protocols=["http", "https", "mailto", "data"],
                          strip=False)


@functools.lru_cache(maxsize=8192)  # a cohort's notebooks share most of their text
def clean_html(text):
    """``text`` with only formatting, images (by plain URL or data: PNG/JPEG) and MathML left."""
    return _cleaner().clean(text)


class SanitizeHTML(Preprocessor):
    """Clean every piece of HTML a submission controls before nbconvert turns it into a page.

    nbconvert renders markdown and ``text/html`` outputs as they are, and the formgrader shows
    them in the instructor's browser, on the instructor's server: a written answer with an
    ``<img onerror=...>`` or a cell that displays a ``<script>`` would run there, with the power to
    change grades. Markdown is cleaned as HTML (markdown syntax survives), ``text/html`` and
    ``text/markdown`` outputs too, ``image/svg+xml`` and JavaScript outputs are dropped.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type in ("markdown", "raw"):  # markdown escapes code spans and blocks itself
            parts = _CODE.split(cell.source)
            cell.source = "".join(part if i % 2 else clean_html(part) for i, part in enumerate(parts))
        for output in cell.get("outputs", []):
            data = output.get("data")
            if not data:
                continue
            for mime in list(data):
                if mime in ("text/html", "text/markdown"):
                    value = data[mime] if isinstance(data[mime], str) else "".join(data[mime])
                    data[mime] = clean_html(value)
                elif "javascript" in mime or mime in ("image/svg+xml", "text/latex") or mime.startswith("application/vnd"):
                    del data[mime]
            if not data:
                data["text/plain"] = "[an output the grader does not display]"
        return cell, resources


class SetDueDate(NbGraderPreprocessor):
    """Write ``due_dates[assignment]`` (e.g. ``"2027-01-15 23:59:00 UTC"``) into the gradebook."""

    due_dates = Dict(help="assignment id -> due date (any format nbgrader parses)").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        assignment = info.get("assignment")
        due = self.due_dates.get(assignment)
        if due and info.get("db_url"):
            with Gradebook(info["db_url"]) as gb:
                gb.update_or_create_assignment(assignment, duedate=utils.parse_utc(due))
        return nb, resources


class PerDayLatePenalty(LateSubmissionPlugin):
    """Late work loses ``percent_per_day`` of its score per started day late (never below 0)."""

    percent_per_day = Float(10.0, help="share of the score lost per started day late").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        if not total_seconds_late or total_seconds_late <= 0:
            return 0.0
        days = math.ceil(total_seconds_late / 86400)
        penalty = min(score, score * self.percent_per_day * days / 100.0)
        self.log.info("%s is %d day(s) late: penalty %.2f of %.2f", student_id, days, penalty, score)
        return penalty

