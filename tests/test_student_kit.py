"""The student kit (``make student-kit``), installed the way a student installs it: no clone.

The wheel is built, installed into a fresh venv outside the repository, and its command copies
the notebooks into a folder outside the repository. Everything then runs in that venv, from
that folder, with a minimal environment and an empty home; no folder of the repository is on
any path, so ``course`` can only come from the wheel.

Downloading the kit's ~120 pinned dependencies from PyPI took over four minutes here (pip's
cache stays empty on these machines), so the venv takes them from the repository's venv
instead: a folder of symlinks to the installed files of exactly the wheel's Requires-Dist and
theirs (nothing else of the instructor's environment: no pytest, nbval, tqdm, ...), on the
venv's path through a ``.pth`` file, their Jupyter data files linked into the venv's ``etc/``
and ``share/``. ``pip install --no-index`` then installs the wheel only if every pinned
dependency is satisfied by those, and a module the kit forgot to declare is missing when the
notebooks run.
"""

import ast
import email.parser
import json
import os
import re
import resource
import subprocess
import sys
import sysconfig
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from course.grading import kit as kit_builder
from course.grading import notebooks
from course.grading.assignments import ROOT, assignment_ids, mistakes, release_notebook, source_notebook

pytestmark = [pytest.mark.grading, pytest.mark.xdist_group("kit")]

FILLED = "01_softmax_derivative"  # the notebook of check (b), and of nbgrader validate
FILLED_JOB = f"{FILLED}: a function filled in, then each of its mistakes"
VALIDATE_JOB = f"nbgrader validate {FILLED}"
SERVER_JOB = "jupyter server extension list"
LAB_JOB = "jupyter labextension list"
JOBS = 2
TIMINGS = {}  # the steps, one after another
JOB_TIMINGS = {}  # the jobs of the step that runs them JOBS at a time

# Runs in the kit's venv: executes a notebook, writes what each cell raised (and the kernel's
# sys.executable, sys.path and course.__file__, from a probe cell added at the end) as JSON.
DRIVER = r'''
import json, sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

PROBE = ("import json, sys, course\n"
         "print(json.dumps({'executable': sys.executable, 'course': course.__file__, 'path': sys.path}))")
path, out = Path(sys.argv[1]), Path(sys.argv[2])
for attempt in (1, 2):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    try:
        NotebookClient(nb, timeout=120, allow_errors=True, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        break
    except RuntimeError as exc:  # ipykernel 7 now and then never answers its first kernel_info
        if attempt == 2 or "didn't respond" not in str(exc):
            raise
        print(f"the kernel did not start ({exc}); trying once more", file=sys.stderr)
cells = [[{"ename": o.get("ename", ""), "evalue": o.get("evalue", "")} for o in c.get("outputs", [])
          if o.output_type == "error"] for c in nb.cells]
probe = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
out.write_text(json.dumps({"errors": cells[:-1], "probe_errors": cells[-1], "probe": probe}))
'''


def _cpu_seconds():
    """CPU time (user + system) of this process and of the children it has waited for."""
    return sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for field in ("ru_utime", "ru_stime"))


def _timed(name, function, *args, timings=TIMINGS, **kwargs):
    start = time.perf_counter()
    try:
        return function(*args, **kwargs)
    finally:
        timings[name] = time.perf_counter() - start


def _dependency_layer(wheel, dest, prefix):
    """Symlinks in ``dest`` to the repository venv's installed files of the wheel's
    Requires-Dist and, recursively, their requirements (extras and markers honoured); their
    data files (Jupyter's settings and extensions under ``etc/`` and ``share/``) are linked
    into the venv at ``prefix``, where an install puts them. Their scripts are not: they would
    run the repository's Python."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    site = Path(sysconfig.get_paths()["purelib"])
    repo_prefix = Path(sys.prefix).resolve()
    installed = {canonicalize_name(d.metadata["Name"]): d for d in metadata.distributions(path=[str(site)])}
    with zipfile.ZipFile(wheel) as archive:
        meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        requires = email.parser.Parser().parsestr(archive.read(meta).decode()).get_all("Requires-Dist") or []
    assert requires, "the wheel declares no dependencies"
    extras_done, queue = {}, [Requirement(r) for r in requires]
    while queue:
        req = queue.pop()
        name = canonicalize_name(req.name)
        dist = installed.get(name)
        assert dist is not None, f"{req} is needed by the kit but not installed in the repository's venv"
        assert req.specifier.contains(dist.version, prereleases=True), f"{req}: the repository's venv has {dist.version}"
        extras = {""} | set(req.extras)
        new = extras - extras_done.setdefault(name, set())
        if not new:
            continue
        extras_done[name] |= new
        for text in dist.requires or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": extra}) for extra in new):
                queue.append(sub)
    dest.mkdir()
    for name in extras_done:
        for file in installed[name].files or []:
            top = file.parts[0]
            if top == "..":
                data = (site / file).resolve()
                if not data.is_relative_to(repo_prefix):
                    continue
                data = data.relative_to(repo_prefix)
                if data.parts[0] in ("etc", "share") and not (prefix / data).is_symlink():
                    (prefix / data).parent.mkdir(parents=True, exist_ok=True)
                    (prefix / data).symlink_to(repo_prefix / data)
            elif top != "__pycache__" and not top.endswith(".pth") and not (dest / top).is_symlink():
                (dest / top).symlink_to(site / top)
    return sorted(extras_done)


@pytest.fixture(scope="module")
def kit(tmp_path_factory, request):
    base = tmp_path_factory.mktemp("student-kit")
    cpu_start = _cpu_seconds()
    assert ROOT not in base.parents, f"{base} is inside the repository"
    # what the kit is built from, read once (others may regenerate release/ meanwhile)
    release = {i: release_notebook(i).read_bytes() for i in assignment_ids()}
    runtime = {f"course/{p.name}": p.read_bytes() for p in kit_builder.runtime_files()}
    # check=False: the last test looks for itself, so that the other checks run whatever it finds
    wheel = _timed("build the wheel (pip wheel, flit_core)", kit_builder.build, base / "dist", check=False)
    venv = base / "venv"

    def install():
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   check=True, capture_output=True, text=True).stdout.strip())
        _dependency_layer(wheel, base / "dependencies", venv)
        (site / "kit_dependencies.pth").write_text(f"{base / 'dependencies'}\n")
        return subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                               "--no-index", "--no-cache-dir", "--disable-pip-version-check", str(wheel)],
                              capture_output=True, text=True, env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
                              cwd=base)

    result = _timed("fresh venv, dependency layer, pip install --no-index", install)
    assert result.returncode == 0, f"pip install of the kit failed:\n{result.stdout}\n{result.stderr}"
    home = base / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if key in ("LANG", "LC_ALL", "TMPDIR", "USER", "LOGNAME")}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin", PYTHONDONTWRITEBYTECODE="1",
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    kit = SimpleNamespace(base=base, wheel=wheel, venv=venv, python=str(venv / "bin" / "python"), env=env,
                          folder=base / "my-course", release=release, runtime=runtime)

    def report():
        lines = [f"  {seconds:6.1f} s  {name}" for name, seconds in TIMINGS.items()]
        lines += [f"      {seconds:6.1f} s  {name}" for name, seconds in JOB_TIMINGS.items()]
        text = ("student kit timings (wall clock):\n" + "\n".join(lines)
                + f"\n  {sum(TIMINGS.values()):6.1f} s  in all; CPU time {_cpu_seconds() - cpu_start:.1f} s"
                " (this process and its subprocesses: kernels, pip, nbgrader)")
        reporter = request.config.pluginmanager.getplugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("\n" + text)
        else:
            print(text)

    request.addfinalizer(report)
    return kit


def run(kit, *args, cwd=None, timeout=300):
    """A command in the kit's venv, from a folder outside the repository."""
    return subprocess.run(list(args), cwd=cwd or kit.base, env=kit.env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def copied(kit):
    """``backprop-by-hand my-course``: the notebooks copied out of the installed kit."""
    result = _timed("backprop-by-hand my-course", run, kit, str(kit.venv / "bin" / "backprop-by-hand"), "my-course")
    assert result.returncode == 0, result.stderr
    return result


def _names(source):
    """``(bound, read)``: the names a cell assigns or defines (not its imports, which run before
    anything can fail) and the names it reads."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        words = set(re.findall(r"\w+", source))
        return words, words
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return bound, read


def _test_cells_of(nb, grade_id):
    """Indices of the solution cell ``grade_id`` and of the test cells after it, up to the next answer cell."""
    index = next(i for i, c in enumerate(nb.cells) if notebooks.nbgrader_meta(c).get("grade_id") == grade_id)
    tests = []
    for i in range(index + 1, len(nb.cells)):
        if notebooks.is_solution_cell(nb.cells[i]):
            break
        if notebooks.is_test_cell(nb.cells[i]):
            tests.append(i)
    return index, tests


def _filled_notebook(kit):
    """Notebook 01 up to the tests of its first function, that function holding the model answer
    (from source/, which the kit does not have), then each deliberate mistake followed by copies
    of the same test cells. Returns its path, the function, ``{label: [test cell indices]}`` and
    the mistakes."""
    nb = notebooks.read(kit.folder / FILLED / f"{FILLED}.ipynb")
    function = next(notebooks.nbgrader_meta(c)["grade_id"] for c in nb.cells
                    if notebooks.is_solution_cell(c) and c.cell_type == "code")
    index, tests = _test_cells_of(nb, function)
    model = notebooks.cells_by_grade_id(notebooks.read(source_notebook(FILLED)))[function]
    cells = nb.cells[:tests[-1] + 1]
    cells[index].source = notebooks.strip_markers(model.source)
    blocks = {"model answer": tests}
    wrong = [m for m in mistakes(FILLED) if m["cell"] == function]
    assert wrong, f"tests/mistakes/{FILLED}.py has no mistake for {function}"
    for mistake in wrong:
        cells.append(nbformat.v4.new_code_cell(mistake["source"].strip("\n")))
        blocks[mistake["name"]] = list(range(len(cells), len(cells) + len(tests)))
        cells += [nbformat.v4.new_code_cell(nb.cells[i].source) for i in tests]
    filled = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    path = kit.base / "filled" / f"{FILLED}.ipynb"
    path.parent.mkdir()
    nbformat.write(filled, str(path))
    return path, function, blocks, wrong


def _execute(kit, notebook):
    out = notebook.with_suffix(".result.json")
    result = run(kit, kit.python, str(kit.base / "driver.py"), str(notebook), str(out))
    assert result.returncode == 0, f"{notebook.name}: the driver failed\n{result.stdout}\n{result.stderr[-3000:]}"
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def runs(kit, copied):
    """Every notebook of the kit executed, the filled notebook executed, nbgrader validate run:
    ``JOBS`` at a time, each in the kit's venv."""
    (kit.base / "driver.py").write_text(DRIVER)
    # one import of the runtime first (it also builds matplotlib's font cache in the empty home)
    probe = _timed("import the runtime", run, kit, kit.python, "-c",
                   "import json, sys, course, course.checks, course.data, course.gradcheck, course.plotting, "
                   "course.symbolic, course.kit; print(json.dumps({'course': course.__file__, 'path': sys.path}))")
    assert probe.returncode == 0, probe.stderr
    filled, function, blocks, wrong = _filled_notebook(kit)
    longest_first = sorted(assignment_ids(), key=lambda i: -len(kit.release[i]))
    jobs = {f"execute {i}": partial(_execute, kit, kit.folder / i / f"{i}.ipynb") for i in longest_first}
    jobs[FILLED_JOB] = partial(_execute, kit, filled)
    jobs[VALIDATE_JOB] = partial(run, kit, kit.python, "-m", "nbgrader", "validate", f"{FILLED}/{FILLED}.ipynb",
                                 cwd=kit.folder)
    jobs[SERVER_JOB] = partial(run, kit, kit.python, "-m", "jupyter_server.extension.serverextension", "list")
    jobs[LAB_JOB] = partial(run, kit, kit.python, "-m", "jupyterlab.labextensions", "list")

    def run_all():
        with ThreadPoolExecutor(JOBS) as pool:
            futures = {name: pool.submit(_timed, name, job, timings=JOB_TIMINGS) for name, job in jobs.items()}
        return {name: future.exception() or future.result() for name, future in futures.items()}

    results = _timed(f"{len(jobs)} jobs in the kit's venv, {JOBS} at a time:", run_all)
    return SimpleNamespace(probe=json.loads(probe.stdout), results=results, function=function, blocks=blocks,
                           wrong=wrong)


def _result(runs, name):
    """What job ``name`` returned (its exception is raised in the test that reads it)."""
    if isinstance(runs.results[name], BaseException):
        raise runs.results[name]
    return runs.results[name]


def _in_repo(paths):
    return [p for p in paths if p and (Path(p).resolve() == ROOT or ROOT in Path(p).resolve().parents)]


# --------------------------------------------------------------------------- the tests


def test_command_copies_the_notebooks_and_never_overwrites(kit, copied):
    for assignment_id in assignment_ids():
        copy = kit.folder / assignment_id / f"{assignment_id}.ipynb"
        assert copy.read_bytes() == kit.release[assignment_id], f"{copy} differs from release/"
        assert f"copied {Path('my-course') / assignment_id / copy.name}" in copied.stdout, copied.stdout
    assert "Next: cd my-course && jupyter lab" in copied.stdout
    mine = kit.folder / FILLED / f"{FILLED}.ipynb"
    work = mine.read_text().replace("raise NotImplementedError()", "return 42", 1)
    mine.write_text(work)
    try:
        again = run(kit, str(kit.venv / "bin" / "backprop-by-hand"), "my-course")
        assert again.returncode == 0, again.stderr
        assert mine.read_text() == work, "running the command again overwrote a student's notebook"
        assert "0 notebook(s) copied" in again.stdout, again.stdout
        assert f"kept   {Path('my-course') / FILLED / mine.name}" in again.stdout, again.stdout
    finally:
        mine.write_bytes(kit.release[FILLED])


def test_the_kernel_imports_course_from_the_kit_not_the_repository(kit, runs):
    site = str(kit.venv)
    assert runs.probe["course"].startswith(site), f"course was imported from {runs.probe['course']}"
    assert not _in_repo(runs.probe["path"]), f"the repository is on sys.path: {runs.probe['path']}"
    for assignment_id in assignment_ids():
        result = _result(runs, f"execute {assignment_id}")
        assert not result["probe_errors"], result["probe_errors"]
        kernel = json.loads(result["probe"])
        assert kernel["executable"].startswith(site), f"{assignment_id}: the kernel ran {kernel['executable']}"
        assert kernel["course"].startswith(site), f"{assignment_id}: the kernel imported {kernel['course']}"
        assert not _in_repo(kernel["path"]), f"{assignment_id}: the repository is on the kernel's sys.path"


@pytest.mark.parametrize("assignment_id", assignment_ids())
def test_every_notebook_runs_and_only_the_stubs_fail(runs, kit, assignment_id):
    """Running a release notebook top to bottom, the only errors are the stubs' NotImplementedError,
    the visible tests saying "not implemented yet", and errors in cells that read a name assigned
    by a cell that failed (a training loop that never ran leaves its results empty); never an
    ImportError, nor a missing attribute of the course package."""
    nb = notebooks.read(kit.folder / assignment_id / f"{assignment_id}.ipynb")
    errors = _result(runs, f"execute {assignment_id}")["errors"]
    assert len(errors) == len(nb.cells)
    broken, unexpected, stubs = set(), [], 0
    for cell, cell_errors in zip(nb.cells, errors):
        if not cell_errors:
            continue
        bound, read = _names(cell.source)
        for error in cell_errors:
            if error["ename"] == "NotImplementedError" or "not implemented yet" in error["evalue"]:
                stubs += 1
            elif (not read & broken or error["ename"] in ("ImportError", "ModuleNotFoundError")
                  or "module 'course" in error["evalue"]):
                unexpected.append(f"{notebooks.nbgrader_meta(cell).get('grade_id') or cell.source[:60]!r}: "
                                  f"{error['ename']}: {error['evalue'][:300]}")
        broken |= bound
    assert not unexpected, f"{assignment_id}: errors other than unimplemented stubs:\n" + "\n".join(unexpected)
    assert stubs, f"{assignment_id}: no stub raised NotImplementedError"


def test_a_filled_in_function_passes_its_visible_tests_and_a_wrong_one_fails(runs):
    errors = _result(runs, FILLED_JOB)["errors"]
    model = [e for i in runs.blocks["model answer"] for e in errors[i]]
    assert not model, f"{runs.function} (model answer from source/): visible tests failed: {model}"
    caught = []
    for mistake in runs.wrong:
        failures = [e for i in runs.blocks[mistake["name"]] for e in errors[i]]
        assert all(e["ename"] == "CheckFailure" for e in failures), f"{mistake['name']}: {failures}"
        if failures and mistake["expect"] and any(mistake["expect"] in e["evalue"] for e in failures):
            caught.append(mistake["name"])
    assert caught, (f"no mistake in {runs.function} failed its visible tests with its message "
                    f"({[m['name'] for m in runs.wrong]})")


def test_nbgrader_validate_runs_and_names_the_unimplemented_functions(runs, kit):
    result = _result(runs, VALIDATE_JOB)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "VALIDATION FAILED" in output, output[-3000:]
    nb = notebooks.read(kit.folder / FILLED / f"{FILLED}.ipynb")
    functions = [notebooks.nbgrader_meta(c)["grade_id"] for c in nb.cells
                 if notebooks.is_solution_cell(c) and c.cell_type == "code"]
    silent = [f for f in functions if not re.search(rf"(?<![\w.]){f} is not implemented yet", output)]
    assert not silent, f"nbgrader validate does not report these unimplemented functions: {silent}\n{output[-3000:]}"
    assert "ModuleNotFoundError" not in output and "ImportError" not in output, output[-3000:]
    # the kit's nbgrader_config.py: each failed test opens with its sentence (course/validate.py);
    # the other failed cells are the unanswered written answers
    failed = [block.strip().split("\n")[0] for block in output.split("The following cell failed:")[1:]]
    tests = [line for line in failed if line != "YOUR ANSWER HERE"]
    assert tests and all(line.startswith("# >>> CheckFailure: ") for line in tests), (
        f"failed tests that do not open with their sentence: {tests}\n{output[:3000]}")


def test_jupyterlab_offers_validate_and_the_assignment_list_not_the_formgrader(runs):
    server = re.sub(r"\x1b\[[0-9;]*m", "", _result(runs, SERVER_JOB).stdout + _result(runs, SERVER_JOB).stderr)
    for name, state in (("validate_assignment", "enabled"), ("assignment_list", "enabled"),
                        ("formgrader", "disabled"), ("course_list", "disabled")):
        assert re.search(rf"nbgrader\.server_extensions\.{name} {state}", server), f"{name} is not {state}:\n{server}"
    lab = re.sub(r"\x1b\[[0-9;]*m", "", _result(runs, LAB_JOB).stdout + _result(runs, LAB_JOB).stderr)
    assert "@jupyter/nbgrader v" in lab and "Disabled extensions:" in lab, lab
    disabled = lab.split("Disabled extensions:")[1]
    for plugin in kit_builder.DISABLED_LAB_EXTENSIONS:
        assert plugin in disabled, f"{plugin} is not disabled in the kit's JupyterLab:\n{lab}"


def test_wheel_holds_no_instructor_file_no_solution_and_no_hidden_test(kit):
    with zipfile.ZipFile(kit.wheel) as archive:
        files = {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
    assert re.fullmatch(r"backprop_by_hand-[\w.]+-py3-none-any\.whl", kit.wheel.name), kit.wheel.name
    instructor = [n for n in files if n.startswith("course/grading") or n == "course/__main__.py"
                  or "source" in n.split("/")[:-1] or n.startswith(("tests/", "source/"))]
    assert not instructor, f"instructor's files in the kit: {instructor}"
    assert "course/kit.py" in kit.runtime and "course/checks.py" in kit.runtime
    packed = {n for n in files if n.startswith("course/") and not n.startswith("course/notebooks/")}
    assert packed == set(kit.runtime), f"runtime files: {sorted(packed ^ set(kit.runtime))}"
    for name, data in kit.runtime.items():
        assert files[name] == data, f"{name} differs from the repository's"
    for assignment_id, data in kit.release.items():
        name = f"course/notebooks/{assignment_id}/{assignment_id}.ipynb"
        assert files.get(name) == data, f"{name} differs from release/"
    dist_info = {n.split("/", 1)[1]: data.decode() for n, data in files.items() if ".dist-info/" in n}
    assert re.search(r"^backprop-by-hand\s*=\s*course\.kit:main$", dist_info["entry_points.txt"], re.M), dist_info["entry_points.txt"]
    metadata = email.parser.Parser().parsestr(dist_info["METADATA"])
    assert sorted(metadata.get_all("Requires-Dist")) == sorted(kit_builder.pins()), "the kit's pins differ from requirements.txt"
    assert "pip install backprop_by_hand-" in metadata.get_payload(), "the wheel's description has no student README"
    data = f"backprop_by_hand-{metadata['Version']}.data/data/"
    shipped = {n[len(data):]: files[n].decode() for n in files if n.startswith(data)}
    assert shipped == kit_builder.jupyter_files(), f"the kit's Jupyter settings: {sorted(shipped)}"
    leaks = kit_builder.leaks(files)
    assert not leaks, "the student kit holds solution or hidden-test lines:\n" + "\n".join(leaks)


def test_a_kit_of_some_assignments_holds_only_their_notebooks(tmp_path):
    """Released as the term goes: a kit of 01 holds 01's notebook only; the builder names the
    later notebooks that hand out a working version of an earlier exercise."""
    project = kit_builder.write_project(tmp_path / "project", ids=[FILLED])
    assert sorted(p.parent.name for p in (project / "course" / "notebooks").glob("*/*.ipynb")) == [FILLED]
    assert kit_builder.reveals([FILLED]) == []
    given = kit_builder.reveals()
    assert any(s.startswith("02_kl_backprop hands out a working softmax, graded in 01_softmax_derivative")
               for s in given), given
    with pytest.raises(kit_builder.KitError, match="no assignment 99_nothing"):
        kit_builder.write_project(tmp_path / "other", ids=["99_nothing"])
