"""The student's and the instructor's experience in JupyterLab, in a real (headless) browser.

A student opens the released notebook 01, runs it, reads why it fails, writes ``softmax``,
sees its visible test pass and asks nbgrader to validate; an instructor opens the formgrader
and finds every assignment of source/. Each step saves a screenshot in artifacts/browser/.
"""

import re

import pytest

from course.grading.assignments import assignment_ids
from jlab import menu, outputs_text, scroll_to, wait_kernel_idle

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ASSIGNMENT = "01_softmax_derivative"
NOTEBOOK = f"release/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
NOT_IMPLEMENTED = "softmax is not implemented yet (it raised NotImplementedError)"
SOFTMAX = '''def softmax(a, axis=-1):
    """Numerically stable softmax along one axis."""
    a = np.asarray(a, dtype=np.float64)
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)'''
RUN_TIMEOUT = 120_000  # ms: a page load, a kernel start or a cell on a loaded 2-core machine
VALIDATE_TIMEOUT = 240_000  # ms: nbgrader validate runs the whole notebook in a fresh kernel
FIGURE_CODE = re.compile(r"\bplt\.|\bnew_axes\(|\bplot_[a-z_]+\(")

NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


# --------------------------------------------------------------------------- helpers


def code_cell(page, text):
    """The one code cell of the open notebook whose text contains ``text``."""
    cell = page.locator(f"{NOTEBOOK_PANEL} .jp-CodeCell").filter(has_text=text)
    cell.first.wait_for(state="attached")
    assert cell.count() == 1, f"expected one code cell containing {text!r}, found {cell.count()}"
    return cell


def prompt(cell):
    """The cell's execution count (None before it has run, "*" while it runs)."""
    text = cell.locator(".jp-InputArea-prompt").text_content()
    match = re.search(r"\[(.*?)\]", text)
    value = match.group(1).strip() if match else ""
    return int(value) if value.isdigit() else (value or None)




def wait_ran(page, cell, after=0):
    """Wait until ``cell`` shows an execution count greater than ``after``; return it."""
    page.wait_for_function(
        """([el, after]) => {
            const p = el.querySelector('.jp-InputArea-prompt');
            const m = p && p.textContent.match(/\\[\\s*(\\d+)\\s*\\]/);
            return m && Number(m[1]) > after;
        }""",
        arg=[cell.element_handle(), after],
        timeout=RUN_TIMEOUT,
    )
    return prompt(cell)


def open_lab(page, lab):
    """JupyterLab with a fresh workspace, its file browser listing the course."""
    page.goto(lab.url("lab", reset=None))
    page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for(timeout=RUN_TIMEOUT)
    page.locator(".jp-DirListing-item", has_text="source").first.wait_for(timeout=RUN_TIMEOUT)




def run_cell(page, cell):
    """Select ``cell`` (command mode) and run it in place; return its new execution count."""
    before = prompt(cell)
    before = before if isinstance(before, int) else 0
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Control+Enter")
    return wait_ran(page, cell, before)




def error_outputs(cell):
    return cell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')


def check_figures_render(page, path):
    """Every figure drawn so far is an <img> that loaded -- never "<Figure size ...>" text.

    A figure cell is a code cell of the notebook at ``path`` that plots (``plt.``,
    ``new_axes(``, ``plot_...(``); each one that has run without an error must show an image.
    Returns how many figure cells ran.
    """
    import nbformat

    sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    panel = page.locator(NOTEBOOK_PANEL)
    cells = panel.locator(".jp-CodeCell")
    # JupyterLab attaches a long notebook's cells over a few frames after it opens
    try:
        page.wait_for_function("([selector, n]) => document.querySelectorAll(selector).length >= n",
                               arg=[f"{NOTEBOOK_PANEL} .jp-CodeCell", len(sources)], timeout=30_000)
    except Exception:  # noqa: BLE001 -- the assertion below says what is missing
        pass
    assert cells.count() == len(sources), (cells.count(), len(sources))
    text = panel.locator(".jp-OutputArea").all_text_contents()
    assert not any("Figure size" in t for t in text), "a figure was printed as text instead of drawn"
    drew = 0
    for cell, source in zip(cells.all(), sources):
        if not FIGURE_CODE.search(source) or not isinstance(prompt(cell), int) or error_outputs(cell).count():
            continue
        images = cell.locator(".jp-OutputArea-output img")
        assert images.count() >= 1, f"this figure cell ran but shows no image:\n{source[:300]}"
        for image in images.all():
            image.scroll_into_view_if_needed()
            page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=image.element_handle())
        drew += 1
    return drew


def unwritten_functions(path):
    """Functions defined in the release notebook's answer cells that a visible test calls."""
    import nbformat

    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    meta = [c.metadata.get("nbgrader", {}) for c in cells]
    defined = {name for c, m in zip(cells, meta) if m.get("solution")
               for name in re.findall(r"^def (\w+)\(", c.source, flags=re.M)}
    tests = "\n".join(c.source for c, m in zip(cells, meta) if m.get("grade"))
    return {name for name in defined if re.search(rf"\bcall\({name}\b", tests)}


# --------------------------------------------------------------------------- the student


def test_student_runs_fixes_and_validates(lab, page, shot):
    # 1. JupyterLab on the course, the released notebook open, its kernel ready.
    page.goto(lab.url(f"lab/tree/{NOTEBOOK}", reset=None))
    page.locator(f"{NOTEBOOK_PANEL} .jp-Notebook").wait_for(state="visible", timeout=RUN_TIMEOUT)
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    assert f"{ASSIGNMENT}.ipynb" in tab.inner_text()
    validate = page.locator(f"{NOTEBOOK_PANEL} jp-button.validate-button")
    try:  # nbgrader's extension adds it to the toolbar once the panel is ready
        validate.first.wait_for(state="attached", timeout=30_000)
    except Exception:  # noqa: BLE001 -- the assertion below says what is missing
        pass
    assert validate.count() == 1, "no Validate button"
    wait_kernel_idle(page, RUN_TIMEOUT)
    page.locator(f"{NOTEBOOK_PANEL} .jp-MarkdownCell h1").first.wait_for(state="visible")
    shot(page, "1_release_notebook_open")

    # 2. Run all: the figure is drawn, the stub raises NotImplementedError, the test explains.
    menu(page, "Run", "runmenu:run-all")
    try_it = code_cell(page, "print(softmax(np.array([1.0, 2.0, 5.0])))")
    wait_ran(page, try_it)
    wait_kernel_idle(page, RUN_TIMEOUT)
    error_outputs(try_it).first.wait_for(state="attached")
    assert "NotImplementedError" in outputs_text(try_it)
    figures = check_figures_render(page, lab.root / NOTEBOOK)
    assert figures >= 1, "notebook 01 draws a figure before its first exercise"
    figure = page.locator(f"{NOTEBOOK_PANEL} .jp-CodeCell").filter(has=page.locator(".jp-OutputArea-output img"))
    scroll_to(figure.first)
    shot(page, "2a_run_all_figure_drawn")
    scroll_to(try_it)
    shot(page, "2b_run_all_stub_raises_not_implemented")
    # "Run All" stops at the first error, as in any Jupyter: run the visible test on its own.
    test = code_cell(page, '"""softmax: shape, known values')
    run_cell(page, test)
    error_outputs(test).first.wait_for(state="attached")
    message = outputs_text(test)
    assert NOT_IMPLEMENTED in message, message
    assert "CheckFailure" in message, message
    scroll_to(test, "end")
    shot(page, "2c_visible_test_fails_with_message")

    # 3. Write softmax in its answer cell, run it, the try-it cell and the visible test.
    answer = code_cell(page, "def softmax(a, axis=-1):")
    editor = answer.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(SOFTMAX)
    page.wait_for_function("el => el.innerText.includes('e / e.sum(axis=axis, keepdims=True)')",
                           arg=editor.element_handle())
    assert "NotImplementedError" not in editor.inner_text()
    run_cell(page, answer)
    assert error_outputs(answer).count() == 0, outputs_text(answer)
    run_cell(page, try_it)
    assert error_outputs(try_it).count() == 0, outputs_text(try_it)
    assert "[0.0171 0.0466 0.9362]" in outputs_text(try_it)
    run_cell(page, test)
    wait_kernel_idle(page, RUN_TIMEOUT)
    assert error_outputs(test).count() == 0, outputs_text(test)
    assert outputs_text(test).strip() == "", "a passing test cell shows nothing"
    scroll_to(test, "end")
    shot(page, "3_softmax_written_visible_test_passes")

    # 4. Validate: nbgrader saves the notebook, runs it in a fresh kernel and gives a verdict.
    page.locator(f"{NOTEBOOK_PANEL} jp-button.validate-button").click()
    dialog = page.locator(".jp-Dialog")  # nbgrader's verdict, or its "Cannot validate" error
    dialog.wait_for(state="visible", timeout=VALIDATE_TIMEOUT)
    verdict = dialog.inner_text()
    shot(page, "4a_validate_verdict")
    failure = dialog.locator("pre", has_text="is not implemented yet")
    if failure.count():
        failure.first.evaluate("el => el.scrollIntoView({block: 'end'})")
        shot(page, "4b_validate_verdict_message")
    # softmax passes now; every function still to write fails its visible test, by name.
    assert page.locator(".nbgrader-ErrorDialog").count() == 1, verdict
    assert "Validation Results" in verdict, verdict
    assert NOT_IMPLEMENTED not in verdict, verdict
    still_stubs = unwritten_functions(lab.root / NOTEBOOK) - {"softmax"}
    assert still_stubs, "notebook 01 has more functions to write than softmax"
    for name in sorted(still_stubs):
        assert f"{name} is not implemented yet" in verdict, (name, verdict)
    dialog.locator("button.jp-Dialog-button").first.click()
    dialog.wait_for(state="detached")

    # The notebook as saved by Validate: each figure output is drawn in the page.
    import nbformat

    saved = nbformat.read(lab.root / NOTEBOOK, as_version=4)
    png_outputs = sum("image/png" in out.get("data", {}) for cell in saved.cells if cell.cell_type == "code"
                      for out in cell.outputs)
    images = page.locator(f"{NOTEBOOK_PANEL} .jp-OutputArea-output img").count()
    assert png_outputs == images >= 1, (png_outputs, images)


# --------------------------------------------------------------------------- the instructor


def test_instructor_formgrader_lists_every_assignment(lab, page, shot):
    expected = assignment_ids(lab.root)
    assert expected, "no assignment in source/"
    open_lab(page, lab)

    menu(page, "Nbgrader", "nbgrader:open-formgrader")
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    tab.filter(has_text="Formgrader").wait_for()
    frame = page.frame_locator("#jp-main-dock-panel iframe[src*='formgrader']")
    names = frame.locator("table tbody tr td.name")
    names.first.wait_for(timeout=RUN_TIMEOUT)
    page.wait_for_function(
        """n => { const f = document.querySelector("#jp-main-dock-panel iframe[src*='formgrader']");
                  return f && f.contentDocument &&
                         f.contentDocument.querySelectorAll('table tbody tr td.name').length >= n; }""",
        arg=len(expected), timeout=RUN_TIMEOUT)
    listed = sorted(t.strip() for t in names.all_inner_texts())
    shot(page, "5_formgrader_lists_assignments")
    assert listed == expected


def wait_lists_loaded(page):
    """nbgrader's list panels show "Loading, please wait..." until their request answers."""
    page.wait_for_function(
        """() => { const loading = [...document.querySelectorAll('#jp-main-dock-panel .list_loading')];
                   return loading.length > 0 && loading.every(el => el.offsetParent === null); }""",
        timeout=RUN_TIMEOUT)


def visible_errors(page):
    errors = page.locator("#jp-main-dock-panel .list_error:visible")
    return [t.strip() for t in errors.all_inner_texts()]


def test_student_assignment_list_and_instructor_course_list_open(lab, page, shot):
    """The other two nbgrader panels load without an error."""
    open_lab(page, lab)

    menu(page, "Nbgrader", "nbgrader:open-assignment-list")
    page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text="Assignments").wait_for()
    wait_lists_loaded(page)
    shot(page, "6_student_assignment_list")
    assert visible_errors(page) == []

    menu(page, "Nbgrader", "nbgrader:open-course-list")
    page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current", has_text="Courses").wait_for()
    wait_lists_loaded(page)
    page.locator("#jp-main-dock-panel a", has_text="backprop-by-hand").wait_for()
    shot(page, "7_instructor_course_list")
    assert visible_errors(page) == []
