"""A whole class on the course's JupyterHub, in a real browser: one assignment, start to finish.

The ``hub`` fixture starts ``make hub``'s JupyterHub with a fresh instructor and student account.
Then, only through nbgrader's own pages in headless Chromium:

1. the instructor logs in, opens Nbgrader > Formgrader, Generates, Previews and Releases 01;
2. the student logs in, fetches it from Nbgrader > Assignments, opens the notebook, writes a
   correct ``softmax`` (the model answer), a wrong ``softmax_jacobian`` (the sign flipped), a
   written answer with math, leaves the other written answer blank, runs the notebook,
   Validates (the dialog opens with the failed test's sentence) and Submits;
3. the instructor Collects, presses Autograde (its kernels must run in the bubblewrap sandbox:
   a watcher sees them in namespaces of their own), checks each test's score in the grading
   view, grades the written answer with its rubric in view, checks the total, Generates and
   Releases feedback;
4. the student fetches and opens the feedback: the scores, the wrong function's failure
   message, the grader's comment, math as MathML, no hidden test line.

Then ``nbgrader export`` and ``python -m course grades``, run as the instructor in the hub's
course folder, must report the same total, manual points included. Every step leaves a
screenshot ``artifacts/browser/lifecycle/NN_step.png`` and its time in ``timings.txt``; the
browser's console errors and the hub's (and servers') warnings must all be explained below.

The notebook's text is read at test time (it is being rewritten); only the grade ids are fixed.
"""

import csv
import html
import io
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from course.grading import notebooks
from courseenv import BIN
from jlab import menu, outputs_text, scroll_to, wait_kernel_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ASSIGNMENT = "01_softmax_derivative"
RIGHT, WRONG, WRITTEN, BLANK = "softmax", "softmax_jacobian", "softmax_derivation", "vjp_derivation"
# A classic mistake: the sign of the Jacobian flipped (every test of softmax_jacobian fails).
WRONG_SOURCE = '''def softmax_jacobian(a):
    S = softmax(a)
    return np.outer(S, S) - np.diag(S)'''
ANSWER_MARK = "My derivation:"
ANSWER = (ANSWER_MARK + r" by the quotient rule, $\frac{\partial S_i}{\partial z_j} = S_i(\delta_{ij} - S_j)$, "
          r"so $J = \operatorname{diag}(\mathbf{S}) - \mathbf{S}\mathbf{S}^\top$.")
COMMENT = r"Right result. Show the quotient-rule step for $i = j$ and for $i \neq j$ (rubric (a) and (b))."

TIMEOUT = 120_000  # ms: a page, a click's effect or a kernel start on a loaded 2-core machine
LOGIN_TIMEOUT = 240_000  # a first login spawns the user's JupyterLab (~20-40 s when loaded)
VALIDATE_TIMEOUT = 300_000  # nbgrader runs the whole notebook in a fresh kernel
AUTOGRADE_TIMEOUT = 600_000  # the sandboxed autograder runs every cell and test

NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
FORMGRADER = "#jp-main-dock-panel iframe[src*='formgrader']"
NAVBAR = 70  # px: the grading view's fixed navigation bar

# --------------------------------------------------------------------------- what may be logged
# Warnings and errors of the hub's log (JupyterHub, the proxy and both single-user servers) that
# are expected, each with the reason. Anything else at level W/E/C fails the test.
ALLOWED_LOG = [
    (r"Running JupyterHub without SSL",
     "the hub listens on 127.0.0.1 only; a real deployment terminates TLS in front of it"),
    (r"User [\w-]+ is slow to become responsive \(timeout=10\)",
     "JupyterHub's 10 s slow_spawn_timeout: a single-user server takes longer to start on a loaded "
     "2-core machine; the browser waits on the hub's spawn-pending page and goes on"),
    (r"Event loop was unresponsive for at least [\d.]+s",
     "JupyterHub's own load meter, on a 2-core machine shared with other jobs"),
    (r"'extra_template_paths' was found in both NotebookApp and ServerApp",
     "notebook_shim's notice about JupyterHub's singleuser extension, which itself appends its "
     "templates to NotebookApp.extra_template_paths (jupyterhub/singleuser/extension.py)"),
    (r"Skipping XSRF check for insecure request GET /user/[\w-]+/api/(events/subscribe|kernels/[\w-]+/channels)$",
     "jupyter_server's note on the websockets JupyterLab opens (events, a kernel's channels): a "
     "websocket's GET carries no XSRF token by design"),
    (r"Notebook [\w/.-]+\.ipynb is not trusted$",
     "Jupyter's trust model: a notebook this account did not run itself (the generated release, the "
     "fetched copy) opens untrusted, i.e. its HTML/JS outputs are not run; these have no outputs"),
    (r"The websocket_ping_timeout \(90000\) cannot be longer than the websocket_ping_interval \(30000\)",
     "tornado >= 6.5 clamps the ping timeout jupyter_server's kernel websocket asks for (3 x the 30 s "
     "interval) to the interval (jupyter_server issue #1612); nothing of ours, no effect on the session"),
    (r"Possible missing notebooks and/or extra notebooks submitted for assignment " + ASSIGNMENT + ":$",
     "nbgrader's submit lists the student's .ipynb_checkpoints/ copy as an extra notebook, although its "
     "copy skips that folder (CourseDirectory.ignore); nbgrader's check ignores the ignore list. The "
     "test checks that nothing is MISSING and that the checkpoint is the only EXTRA"),
]
# Error messages of the browser's console that are expected, each with the reason. None is
# needed: every error this flow produced was a product problem, fixed (see the git log of
# course/grading/hubconfig and course/grading/jupyter). Warnings are recorded in console.txt.
ALLOWED_CONSOLE = [
]


# --------------------------------------------------------------------------- the record


class Journal:
    """Numbered steps: each is timed and ends with a screenshot ``NN_name.png``."""

    def __init__(self, folder):
        self.folder, self.rows, self.number, self.current = folder, [], 0, None

    @contextmanager
    def step(self, name, page):
        self.number += 1
        label = self.current = f"{self.number:02d}_{name}"
        start = time.monotonic()
        try:
            yield
        except BaseException:
            self.rows.append((label, time.monotonic() - start, "FAILED"))
            try:
                page.screenshot(path=str(self.folder / f"FAILED_{label}.png"))
            except Exception:  # noqa: BLE001 -- the browser may be what failed
                pass
            raise
        took = time.monotonic() - start
        page.screenshot(path=str(self.folder / f"{label}.png"), animations="disabled", caret="hide")
        self.rows.append((label, took, ""))

    def extra(self, page_or_locator, what):
        """A second screenshot inside the current step, ``NN_name_what.png`` (e.g. a dialog)."""
        label = self.current
        page_or_locator.screenshot(path=str(self.folder / f"{label}_{what}.png"), animations="disabled")

    @contextmanager
    def timed(self, name):
        """A step without a page (the command line)."""
        self.number += 1
        label = f"{self.number:02d}_{name}"
        start = time.monotonic()
        try:
            yield
        except BaseException:
            self.rows.append((label, time.monotonic() - start, "FAILED"))
            raise
        self.rows.append((label, time.monotonic() - start, "(no screenshot)"))

    def table(self, before=()):
        rows = [*before, *self.rows]
        width = max(len(r[0]) for r in rows)
        lines = [f"{'step':<{width}}  {'seconds':>8}", "-" * (width + 10)]
        lines += [f"{label:<{width}}  {took:8.1f}  {note}".rstrip() for label, took, note in rows]
        lines += ["-" * (width + 10), f"{'total':<{width}}  {sum(r[1] for r in rows):8.1f}"]
        return "\n".join(lines)


class Console:
    """Error-level console messages and uncaught exceptions of every page of a browser context."""

    def __init__(self):
        self.messages = []

    def watch(self, context, who):
        def attach(page):
            page.on("console", lambda msg: self.messages.append((who, msg.type, msg.text, page.url)))
            page.on("pageerror", lambda exc: self.messages.append((who, "pageerror", str(exc), page.url)))

        for page in context.pages:
            attach(page)
        context.on("page", attach)

    def errors(self):
        return [m for m in self.messages if m[1] in ("error", "pageerror")]

    def unexplained(self):
        return [m for m in self.errors() if not any(re.search(p, m[2]) for p, _ in ALLOWED_CONSOLE)]


class SandboxWatcher(threading.Thread):
    """Records the processes of one Unix account that run in namespaces other than ours."""

    def __init__(self, uid):
        super().__init__(daemon=True)
        self.uid, self.seen, self.halt = uid, {}, threading.Event()
        self.ours = {ns: os.readlink(f"/proc/self/ns/{ns}") for ns in ("pid", "net", "mnt")}

    def run(self):
        while not self.halt.is_set():
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    if os.stat(f"/proc/{entry}").st_uid != self.uid:
                        continue
                    spaces = {ns: os.readlink(f"/proc/{entry}/ns/{ns}") for ns in self.ours}
                    cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                isolated = {ns for ns in spaces if spaces[ns] != self.ours[ns]}
                if isolated and cmdline.strip():
                    self.seen[(int(entry), cmdline.split(" -f ")[0][:120])] = isolated
            self.halt.wait(0.05)

    def stop(self):
        self.halt.set()
        self.join(timeout=5)


# --------------------------------------------------------------------------- helpers


def login(context, hub, user, journal, name):
    """The hub's login page, then the user's JupyterLab with its Nbgrader menu."""
    page = context.new_page()
    with journal.step(name, page):
        page.goto(hub.url("hub/login"))
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", hub.password)
        journal.extra(page.locator("form"), "form")
        page.locator("input[type=submit], button[type=submit]").first.click()
        page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for(timeout=LOGIN_TIMEOUT)
        assert f"/user/{user}/lab" in page.url, page.url
        page.locator(".jp-DirListing-content").wait_for()
    return page




def main_tab(page, text):
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=text)
    tab.first.click()
    page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text=text).wait_for()


def formgrader_at(page, pattern):
    """Wait until the formgrader panel shows a page whose address matches ``pattern``."""
    page.wait_for_function(
        """([sel, pattern]) => { const f = document.querySelector(sel);
             return f && f.contentWindow && new RegExp(pattern).test(f.contentWindow.location.href)
                    && f.contentDocument.readyState === 'complete'; }""",
        arg=[FORMGRADER, pattern], timeout=TIMEOUT)


def dialog_text(page, fg, journal, timeout=TIMEOUT):
    """The text of the formgrader's result dialog, which is shot (``NN_step_dialog.png``), then closed."""
    modal = fg.locator(".modal.in")
    modal.wait_for(timeout=timeout)
    modal.locator(".modal-footer button").first.wait_for()
    page.wait_for_timeout(300)  # the dialog's fade-in
    text = modal.inner_text()
    journal.extra(page, "dialog")
    modal.locator(".modal-footer button").first.click()
    modal.wait_for(state="detached")
    return text




def cell_at(page, index):
    return page.locator(f"{NOTEBOOK_PANEL} .jp-Notebook .jp-Cell").nth(index)


def write_cell(page, index, text):
    """Replace the source of the notebook's cell ``index`` with ``text`` (typed as a paste)."""
    cell = cell_at(page, index)
    cell.scroll_into_view_if_needed()
    if "jp-MarkdownCell" in (cell.get_attribute("class") or ""):
        cell.locator(".jp-RenderedMarkdown").first.dblclick()
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    last = text.strip().splitlines()[-1].strip()
    page.wait_for_function("([el, t]) => el.innerText.includes(t)", arg=[editor.element_handle(), last])
    return cell




def has_error(cell):
    return cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count() > 0




def normalize(text):
    return " ".join(text.split())


def points(cell):
    return float(notebooks.nbgrader_meta(cell).get("points") or 0)


def functions_tested(test_id, functions):
    """The graded function a test cell's grade id names (``test_<function>[_...]``), longest first."""
    for name in sorted(functions, key=len, reverse=True):
        if test_id == f"test_{name}" or test_id.startswith(f"test_{name}_"):
            return name
    return None


def expected_scores(source, manual):
    """Grade id -> (expected score, points): full points for the tests of RIGHT, the manual
    score for WRITTEN, nothing for the rest (wrong, unwritten or blank)."""
    cells = [c for c in source.cells if notebooks.nbgrader_meta(c).get("grade")]
    functions = [notebooks.nbgrader_meta(c)["grade_id"] for c in source.cells
                 if c.cell_type == "code" and notebooks.is_solution_cell(c)]
    expected = {}
    for cell in cells:
        grade_id = notebooks.nbgrader_meta(cell)["grade_id"]
        if cell.cell_type == "markdown":
            expected[grade_id] = (manual if grade_id == WRITTEN else 0.0, points(cell))
        else:
            expected[grade_id] = (points(cell) if functions_tested(grade_id, functions) == RIGHT else 0.0, points(cell))
    return expected


def hidden_lines(source):
    """Lines of hidden tests that appear nowhere public in the source notebook (as tests/test_grading.py)."""
    tests_only = notebooks.new_notebook([c for c in source.cells if notebooks.is_test_cell(c)])
    return notebooks.secret_lines(tests_only, min_length=12) & notebooks.secret_lines(source, min_length=12)


def prose(markdown):
    """Phrases of plain words (five or more) in ``markdown``, which its rendering shows verbatim."""
    text = re.sub(r"\$\$.+?\$\$|\$[^$]+\$|`[^`]*`|\[[^\]]*\]\([^)]*\)", " | ", markdown, flags=re.S)
    text = re.sub(r"[*_#>]", "", text)
    phrases = []
    for piece in re.split(r"[.;:()|!?\u2014\u2013\n-]", " ".join(text.split("\n"))):
        piece = normalize(piece)
        if re.fullmatch(r"[A-Za-z][A-Za-z ,']*", piece) and len(piece.split()) >= 5:
            phrases.append(piece.strip(" ,"))
    return phrases


def page_text(markup):
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def log_problems(text):
    """Lines of the hub's log at warning level or worse that no entry of ALLOWED_LOG explains."""
    bad = []
    # nbgrader's submit check (see ALLOWED_LOG): only the checkpoint may be "extra", nothing missing
    for line in text.splitlines():
        if re.search(r": (MISSING|EXTRA)$", line) and not re.search(r"^\s+\.ipynb_checkpoints/\S+: EXTRA$", line):
            bad.append(line)
    for line in text.splitlines():
        plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
        level = re.match(r"\[([WEC]) \d{4}-", plain)  # JupyterHub and Jupyter servers: [W 2026-...
        proxy = re.search(r"\[ConfigProxy\] (warn|error)", plain)  # configurable-http-proxy
        if not (level or proxy or "Traceback" in plain):
            continue
        if not any(re.search(pattern, plain) for pattern, _ in ALLOWED_LOG):
            bad.append(plain)
    return bad


# --------------------------------------------------------------------------- the test


def test_a_class_from_release_to_feedback(hub, hub_browser, lifecycle_artifacts, capsys):
    journal = Journal(lifecycle_artifacts)
    console = Console()
    instr_ctx = hub_browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    stud_ctx = hub_browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
    for context, who in ((instr_ctx, "instructor"), (stud_ctx, "student")):
        context.set_default_timeout(TIMEOUT)
        context.set_default_navigation_timeout(LOGIN_TIMEOUT)
        console.watch(context, who)
    try:
        _the_cycle(hub, journal, instr_ctx, stud_ctx)
        log = hub.log_text()  # what the flow logged (closing the browsers and the hub log more)
    finally:
        before = [("00_hub_start (fixture)", hub.started_in or 0.0, "(no screenshot)")]
        table = journal.table(before)
        (lifecycle_artifacts / "timings.txt").write_text(table + "\n")
        (lifecycle_artifacts / "console.txt").write_text(
            "\n".join(f"[{who}] {kind}: {text}  ({url})" for who, kind, text, url in console.messages) + "\n")
        with capsys.disabled():
            print(f"\n\nThe class on the hub, step by step (screenshots in {lifecycle_artifacts}):\n{table}\n")
        instr_ctx.close()
        stud_ctx.close()

    # Nothing unexplained in the browsers' consoles or in the hub's and servers' logs.
    unexplained = console.unexplained()
    assert not unexplained, "console errors:\n" + "\n".join(f"[{w}] {k}: {t} ({u})" for w, k, t, u in unexplained)
    problems = log_problems(log)
    assert not problems, "unexplained warnings or errors in the hub's log:\n" + "\n".join(problems)


def _the_cycle(hub, journal, instr_ctx, stud_ctx):
    source_path = hub.course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    source = notebooks.read(source_path)
    model = notebooks.cells_by_grade_id(source)
    manual = points(model[WRITTEN]) - 1.0  # a grader's partial credit
    expected = expected_scores(source, manual)
    max_score = sum(p for _, p in expected.values())
    auto_expected = sum(s for gid, (s, _) in expected.items() if model[gid].cell_type == "code")
    total_expected = auto_expected + manual
    assert 0 < auto_expected < max_score, (auto_expected, max_score)

    # ------------------------------------------------------------------ the instructor releases
    teacher = login(instr_ctx, hub, hub.instructor, journal, "instructor_logs_in")
    fg = teacher.frame_locator(FORMGRADER)
    row = fg.locator("#main-table tr", has=fg.locator("td.name", has_text=ASSIGNMENT))

    with journal.step("formgrader_lists_assignments", teacher):
        menu(teacher, "Nbgrader", "nbgrader:open-formgrader")
        formgrader_at(teacher, "/formgrader/manage_assignments")
        row.locator("td.status", has_text="draft").wait_for()
        listed = sorted(t.strip() for t in fg.locator("#main-table td.name").all_inner_texts())
        assert listed == sorted(p.parent.name for p in (hub.course / "source").glob("*/*.ipynb")), listed

    with journal.step("generate", teacher):
        row.locator("td.assign a").click()
        text = dialog_text(teacher, fg, journal)
        assert "Successfully created the student version" in text, text
        row.locator("td.preview a").wait_for()
        release = hub.course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        released = release.read_text()
        assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released
        # (its due date comes from nbgrader_config.py through SetDueDate)
        assert row.locator("td.duedate").inner_text().strip() not in ("", "None")

    with journal.step("preview", teacher):
        row.locator("td.preview a").click()  # the file browser goes to release/<id>/
        item = teacher.locator(".jp-DirListing-item", has_text=f"{ASSIGNMENT}.ipynb")
        item.wait_for()
        assert "release" in teacher.locator(".jp-BreadCrumbs").inner_text()
        item.dblclick()
        teacher.locator(f"{NOTEBOOK_PANEL} .jp-Notebook").wait_for()
        stub = teacher.locator(f"{NOTEBOOK_PANEL} .jp-CodeCell", has_text=f"def {RIGHT}(").first
        stub.wait_for()
        assert "raise NotImplementedError()" in stub.text_content()
        scroll_to(stub, "center")

    with journal.step("release", teacher):
        main_tab(teacher, "Formgrader")
        row.locator("td.release a").click()
        text = dialog_text(teacher, fg, journal)
        assert "Successfully released" in text, text
        row.locator("td.status", has_text="released").wait_for()

    # ------------------------------------------------------------------ the student works
    student = login(stud_ctx, hub, hub.student, journal, "student_logs_in")
    released_list = student.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
    fetched = student.locator("#fetched_assignments_list > .list_item", has_text=ASSIGNMENT)

    with journal.step("assignment_list_shows_release", student):
        menu(student, "Nbgrader", "nbgrader:open-assignment-list")
        released_list.locator("button", has_text="Fetch").wait_for()

    with journal.step("fetch", student):
        released_list.locator("button", has_text="Fetch").click()
        fetched.locator("button", has_text="Submit").wait_for()
        notebook_file = hub.home(hub.student) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert notebook_file.is_file(), notebook_file

    fetched_nb = notebooks.read(notebook_file)
    index = {notebooks.nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(fetched_nb.cells)}

    with journal.step("notebook_open", student):
        fetched.locator("a.assignment-notebooks-link").click()
        student.locator("#fetched_assignments_list .nested_list_item a", has_text=ASSIGNMENT).click()
        student.locator(f"{NOTEBOOK_PANEL} .jp-Notebook").wait_for()
        student.wait_for_function(
            "n => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell').length === n",
            arg=len(fetched_nb.cells))
        wait_kernel_idle(student, TIMEOUT)

    right_source = notebooks.strip_markers(model[RIGHT].source)  # the model answer
    with journal.step("writes_right_and_wrong_functions", student):
        write_cell(student, index[RIGHT], right_source)
        write_cell(student, index[WRONG], WRONG_SOURCE)
        scroll_to(cell_at(student, index[WRONG]), "center")

    with journal.step("writes_one_answer_leaves_one_blank", student):
        answer = write_cell(student, index[WRITTEN], ANSWER)
        student.keyboard.press("Control+Enter")  # render it
        answer.locator(".jp-RenderedMarkdown math, .jp-RenderedMarkdown mjx-container").first.wait_for()
        assert "YOUR ANSWER HERE" in cell_at(student, index[BLANK]).text_content()
        student.keyboard.press("Control+s")
        student.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current.jp-mod-dirty").wait_for(state="detached")
        saved = notebooks.cells_by_grade_id(notebooks.read(notebook_file))
        assert saved[WRITTEN].source == ANSWER and saved[WRONG].source == WRONG_SOURCE
        scroll_to(answer, "center")

    right_tests = [gid for gid, (s, p) in expected.items() if s == p and p > 0 and model[gid].cell_type == "code"]
    wrong_test = min((gid for gid in expected if functions_tested(gid, [WRONG, RIGHT]) == WRONG), key=index.get)
    with journal.step("runs_all_right_tests_pass", student):
        menu(student, "Run", "runmenu:run-all")
        failing = cell_at(student, index[wrong_test])
        failing.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').wait_for(
            state="attached", timeout=TIMEOUT)
        wait_kernel_idle(student, TIMEOUT)
        for gid in right_tests:  # silence means a test passed
            cell = cell_at(student, index[gid])
            assert re.search(r"\[\d+\]", cell.locator(".jp-InputArea-prompt").text_content()), gid
            assert not has_error(cell) and not outputs_text(cell).strip(), (gid, outputs_text(cell))
        scroll_to(cell_at(student, index[right_tests[0]]), "start")

    with journal.step("wrong_function_test_says_why", student):
        message = outputs_text(failing)
        assert "CheckFailure" in message and WRONG in message, message
        scroll_to(failing.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').last)

    with journal.step("validate", student):
        student.locator(f"{NOTEBOOK_PANEL} jp-button.validate-button").click()
        dialog = student.locator(".jp-Dialog")
        dialog.wait_for(timeout=VALIDATE_TIMEOUT)
        verdict = dialog.inner_text()
        assert "Validation Results" in verdict, verdict
        first = dialog.locator("pre").first.inner_text()
        # the sentence that says what is wrong opens the first failed test (course/validate.py)
        assert first.startswith("# >>> "), first
        sentence = normalize(" ".join(line[len("# >>> "):] for line in first.splitlines() if line.startswith("# >>> ")))
        assert WRONG in sentence and "CheckFailure" in sentence, sentence
        assert f"{RIGHT} is not implemented yet" not in verdict, verdict

    with journal.step("submit", student):
        dialog.locator("button.jp-Dialog-button").first.click()
        dialog.wait_for(state="detached")
        main_tab(student, "Assignments")
        fetched.locator("button", has_text="Submit").click()
        submitted = student.locator("#submitted_assignments_list > .list_item", has_text=ASSIGNMENT)
        submitted.locator("button", has_text="Fetch Feedback").wait_for()
        submitted.locator(".nested_list_item", has_text="UTC").first.wait_for()

    # ------------------------------------------------------------------ the instructor grades
    teacher.bring_to_front()
    student_row = fg.locator("#main-table tr", has_text=hub.student)
    with journal.step("collect", teacher):
        row.locator("td.collect a").click()
        text = dialog_text(teacher, fg, journal)
        assert "Successfully collected" in text and hub.student in text, text
        row.locator("td.num-submissions", has_text="1").wait_for()

    watcher = SandboxWatcher(hub.uid(hub.instructor))
    with journal.step("autograde_sandboxed", teacher):
        row.locator("td.num-submissions a").click()
        formgrader_at(teacher, f"/formgrader/manage_submissions/{ASSIGNMENT}")
        student_row.locator("td.status", has_text="needs autograding").wait_for()
        watcher.start()
        try:
            student_row.locator("td.autograde a").click()
            text = dialog_text(teacher, fg, journal, timeout=AUTOGRADE_TIMEOUT)
        finally:
            watcher.stop()
        assert f"Successfully autograded '{ASSIGNMENT}' for student '{hub.student}'" in text, text[-3000:]
        assert "UNSANDBOXED" not in text and "WITHOUT a sandbox" not in text, text[-3000:]
        student_row.locator("td.score", has_text=f"{auto_expected:g} / {max_score:g}").wait_for()
        student_row.locator("td.status", has_text="needs manual grading").wait_for()
    # The student's code ran in bubblewrap: a kernel of the instructor's account in a PID,
    # network and mount namespace of its own (course/grading/sandbox.py), never beside the server.
    kernels = {key: spaces for key, spaces in watcher.seen.items() if "ipykernel" in key[1]}
    assert kernels, f"no sandboxed kernel seen while grading: {watcher.seen}"
    assert all({"pid", "net", "mnt"} <= spaces for spaces in kernels.values()), kernels
    assert any(key[1].startswith("bwrap ") for key in watcher.seen), watcher.seen

    autograded = notebooks.read(hub.course / "autograded" / hub.student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    errors = [o for o in notebooks.cells_by_grade_id(autograded)[wrong_test].outputs if o.get("output_type") == "error"]
    assert errors, "the wrong function's test did not fail in the autograder"
    graded_message = normalize(f"{errors[-1]['ename']}: {errors[-1]['evalue']}")

    grading_view = fg.locator(f"input.score#{WRITTEN}")
    with journal.step("grading_view_scores_and_rubric", teacher):
        fg.locator(".nav a", has_text="Manual Grading").click()
        formgrader_at(teacher, r"/formgrader/gradebook/?$")
        fg.locator(f"td.name a[href$='/gradebook/{ASSIGNMENT}']").click()
        formgrader_at(teacher, f"/formgrader/gradebook/{ASSIGNMENT}/?$")
        fg.locator(f"td.name a[href$='/gradebook/{ASSIGNMENT}/{ASSIGNMENT}']").click()
        formgrader_at(teacher, f"/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}/?$")
        fg.locator("#main-table td.name a").first.click()
        formgrader_at(teacher, "/formgrader/submissions/[0-9a-f]+")
        teacher.wait_for_function(
            """sel => { const w = document.querySelector(sel).contentWindow;
                        return w.formgrader && w.formgrader.loaded && w.formgrader.grades && w.formgrader.grades.loaded; }""",
            arg=FORMGRADER)
        # each test cell shows its autograded score
        for gid, (score, _) in expected.items():
            if model[gid].cell_type == "code":
                assert float(fg.locator(f"input.score#{gid}").get_attribute("placeholder")) == score, gid
        assert "needs_manual_grade" in grading_view.get_attribute("class")
        # the written answer, with the grader-only rubric cell right after it (ShowRubrics)
        answer_cell = fg.locator(".nbgrader_cell", has=grading_view)
        assert ANSWER_MARK in answer_cell.inner_text()
        assert answer_cell.locator("math").count() >= 1, "the student's math is not MathML"
        rubric = fg.locator(".text_cell", has_text=f"rubric of {WRITTEN}")
        scroll_to(answer_cell, "start", below=NAVBAR)
        assert rubric.is_visible()
        rubric_text = normalize(rubric.inner_text())
        phrases = prose(notebooks.strip_markers(model[WRITTEN].source))
        assert phrases and all(p in rubric_text for p in phrases), ([p for p in phrases if p not in rubric_text],
                                                                    rubric_text[:500])

    with journal.step("written_answer_graded", teacher):
        with teacher.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT"):
            grading_view.fill(f"{manual:g}")
            grading_view.press("Escape")  # nbgrader: defocus and save
        fg.locator(f"input.score#{WRITTEN}:not(.needs_manual_grade)").wait_for()
        comment = fg.locator(f"#{WRITTEN}-comment")
        with teacher.expect_response(lambda r: "/formgrader/api/comment/" in r.url and r.request.method == "PUT"):
            comment.fill(COMMENT)
            comment.press("Escape")
        scroll_to(answer_cell, "start", below=NAVBAR)

    with journal.step("total_with_manual_points", teacher):
        fg.locator(".breadcrumb a", has_text=ASSIGNMENT).last.click()
        formgrader_at(teacher, f"/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}/?$")
        total_cell = fg.locator("#main-table td.score").first
        total_cell.wait_for()
        assert total_cell.inner_text().strip() == f"{total_expected:g} / {max_score:g}", total_cell.inner_text()
        assert fg.locator("#main-table td.needs-manual-grade .glyphicon").count() == 0

    with journal.step("generate_feedback", teacher):
        fg.locator(".nav a", has_text="Manage Assignments").click()
        formgrader_at(teacher, "/formgrader/manage_assignments")
        row.locator("td.generate-feedback a").click()
        text = dialog_text(teacher, fg, journal, timeout=AUTOGRADE_TIMEOUT)
        assert "Successfully generated feedback" in text, text

    with journal.step("release_feedback", teacher):
        row.locator("td.release-feedback a").click()
        text = dialog_text(teacher, fg, journal)
        assert "Successfully released feedback" in text, text

    # ------------------------------------------------------------------ the student reads feedback
    student.bring_to_front()
    with journal.step("fetch_feedback", student):
        submitted.locator("button", has_text="Fetch Feedback").click()
        link = submitted.locator("a", has_text="view feedback")
        link.wait_for()
        link.click()  # the file browser goes to <assignment>/feedback/<timestamp>/
        page_item = student.locator(".jp-DirListing-item", has_text=f"{ASSIGNMENT}.html")
        page_item.wait_for()

    feedback_files = sorted((hub.home(hub.student) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(feedback_files) == 1, feedback_files
    viewer = student.frame_locator(".jp-HTMLViewer:not(.lm-mod-hidden) iframe")
    with journal.step("feedback_scores", student):
        page_item.dblclick()
        heading = viewer.locator("body", has_text="Score:")
        heading.wait_for()
        text = viewer.locator("body").inner_text()
        scores = [(float(a), float(b)) for a, b in re.findall(r"\(Score: ([\d.]+) / ([\d.]+)\)", text)]
        assert scores[0] == (total_expected, max_score), scores[:3]
        in_order = [expected[notebooks.nbgrader_meta(c)["grade_id"]] for c in source.cells
                    if notebooks.nbgrader_meta(c).get("grade")]
        assert scores[1:1 + len(in_order)] == in_order, (scores, in_order)

    with journal.step("feedback_says_why", student):
        verdicts = [normalize(t) for t in viewer.locator(".course-verdict").all_inner_texts()]
        assert any(graded_message in v for v in verdicts), (graded_message, verdicts)
        assert any(sentence.removeprefix("CheckFailure: ") in v for v in verdicts), (sentence, verdicts)
        verdict = viewer.locator(".course-verdict", has_text=WRONG).first
        scroll_to(verdict, "start")

    with journal.step("feedback_written_answer_and_comment", student):
        answer_block = viewer.locator(".nbgrader_cell", has_text=ANSWER_MARK)
        assert answer_block.count() == 1
        assert answer_block.locator(".panel-body math").count() >= 2, "the answer's math is not MathML"
        heading = normalize(answer_block.locator(".panel-heading").inner_text())
        assert f"Score: {manual:.1f} / {points(model[WRITTEN]):.1f}" in heading, heading
        footer = answer_block.locator(".panel-footer")
        assert footer.locator("math").count() >= 2, "the comment's math is not MathML"
        assert "Show the quotient-rule step" in footer.inner_text() and "$" not in footer.text_content()
        assert viewer.locator("math").count() > 10, "math is not rendered as MathML"
        content = viewer.locator("body").text_content()
        assert "$\\frac" not in content and "\\frac{" not in content, "raw LaTeX in the feedback"
        scroll_to(answer_block, "start", below=20)

    # No hidden test line in the page the student reads (its text, and the file itself);
    # lines the student wrote are theirs to see.
    written = {line.strip() for c in notebooks.read(notebook_file).cells for line in c.source.split("\n")}
    hidden = hidden_lines(source) - written
    assert hidden, "the source notebook has no hidden tests"
    shown = {line.strip() for line in viewer.locator("body").text_content().split("\n")}
    shown |= {line.strip() for line in page_text(feedback_files[0].read_text()).split("\n")}
    leaked = sorted(hidden & shown)
    assert not leaked, f"the feedback shows hidden test code: {leaked[:3]}"

    # ------------------------------------------------------------------ the command line agrees
    with journal.timed("nbgrader_export_and_course_grades"):
        with ThreadPoolExecutor(2) as pool:  # independent readers of the gradebook: side by side
            export = pool.submit(hub.as_instructor, str(BIN / "nbgrader"), "export", "--to=export.csv")
            grades_run = pool.submit(hub.as_instructor, str(BIN / "python"), "-m", "course", "grades")
            export, grades_run = export.result(), grades_run.result()
        assert export.returncode == 0, export.stdout + export.stderr
        assert grades_run.returncode == 0, grades_run.stdout + grades_run.stderr
    exported = list(csv.DictReader(io.StringIO((hub.course / "export.csv").read_text())))
    ours = list(csv.DictReader(io.StringIO((hub.course / "reports" / "grades.csv").read_text())))
    (journal.folder / "nbgrader_export.csv").write_text((hub.course / "export.csv").read_text())
    (journal.folder / "course_grades.csv").write_text((hub.course / "reports" / "grades.csv").read_text())
    (journal.folder / "course_grades.txt").write_text(grades_run.stdout)
    [theirs] = [r for r in exported if r["student_id"] == hub.student and r["assignment"] == ASSIGNMENT]
    [mine] = [r for r in ours if r["student"] == hub.student and r["assignment"] == ASSIGNMENT]
    assert float(theirs["score"]) == float(mine["total"]) == total_expected, (theirs, mine)
    assert float(mine["manual"]) == manual and float(mine["autograded"]) == auto_expected, mine
    assert float(mine["ungraded"]) == 0.0 and float(theirs["max_score"]) == max_score, (theirs, mine)
    table_row = next(line for line in grades_run.stdout.splitlines() if line.startswith(hub.student))
    assert table_row.split()[-1] == f"{total_expected:g}", table_row

