"""The student kit: one wheel with the student runtime and the release notebooks, no solutions.

``make student-kit`` (``python -m course.grading.kit [DEST]``) writes
``dist/backprop_by_hand-<version>-py3-none-any.whl``, which holds

- the runtime the notebooks import, ``course/*.py`` and ``course/notation.md``, without
  ``course/grading`` and without the instructor's ``python -m course``;
- the release notebooks as package data (``course/notebooks/<id>/<id>.ipynb``) and the
  command ``backprop-by-hand [FOLDER]`` (:mod:`course.kit`) that copies them into a folder;
- Jupyter settings for a student (:func:`jupyter_files`): Validate shows each failed test's
  sentence first, and JupyterLab has no formgrader;
- dependencies pinned as in requirements.txt: what the notebooks need to run, and JupyterLab
  with nbgrader for the Validate button and the Assignment List.

The repository's top level has no packaging files: the project is generated in a temporary
folder and built there by ``pip wheel``. The wheel is then checked, and deleted with an error
if it holds anything of the instructor's: ``course/grading``, a path from ``source/``, a
solution or hidden-test line of a source notebook, or an nbgrader marker.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

from course.grading import notebooks
from course.grading.assignments import ROOT, assignment_ids, graded_functions, release_notebook, source_notebook

DIST_NAME = "backprop-by-hand"
COMMAND = "backprop-by-hand"
# What a student's environment needs, pinned to requirements.txt: the notebooks' imports (SciPy
# comes with scikit-learn, whose file course.data.digits reads), the kernel, JupyterLab with
# nbgrader's Validate button and Assignment List, and the nbgrader stack measured with them.
# Not the instructor's tools (pytest, nbval, xdist, tqdm, playwright, psycopg2).
KIT_REQUIREMENTS = (
    "numpy", "scipy", "matplotlib", "sympy", "scikit-learn",
    "ipykernel", "ipython", "jupyter_client",
    "jupyterlab", "notebook", "nbgrader", "nbformat", "nbclient", "nbconvert", "jsonschema", "SQLAlchemy",
)
BUILD_BACKEND = "flit_core>=3.12,<5"  # small and quick; pip fetches it for the build only
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# (file in the wheel, assignment) pairs whose shared lines are public on purpose: course.gradcheck
# is the course's gradient checker, and 01 has students write their own numerical Jacobian
# without calling it (its tests forbid that; see tests/test_notebook_rules.py).
SHARED_BY_DESIGN = {("course/gradcheck.py", "01_softmax_derivative")}

# Jupyter settings the kit installs into the student's environment (``<venv>/etc/jupyter``, where
# ``jupyter ... --sys-prefix`` commands write them), as the course hub's student configuration
# does (course/grading/hubconfig/student): Validate opens each failed test with the sentence that
# says why (course/validate.py), and JupyterLab offers Validate and the Assignment List but not
# the instructor's formgrader, course list or assignment creator.
NBGRADER_CONFIG = """\
\"\"\"nbgrader settings of the student kit: Validate opens each failed test with the sentence that says why.\"\"\"

from course.validate import failed_test_first

c = get_config()  # noqa: F821 -- provided by nbgrader
c.Execute.on_cell_error = failed_test_first
"""
STUDENT_ONLY = ("formgrader", "course_list")  # nbgrader server extensions a student does not get
DISABLED_LAB_EXTENSIONS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                           "@jupyter/nbgrader:course-list")


def jupyter_files():
    """``{path under the environment's prefix: text}``: the kit's Jupyter settings."""
    server = {"ServerApp": {"jpserver_extensions": {f"nbgrader.server_extensions.{name}": False
                                                    for name in STUDENT_ONLY}}}
    page = {"disabledExtensions": {name: True for name in DISABLED_LAB_EXTENSIONS}}
    return {
        "etc/jupyter/nbgrader_config.py": NBGRADER_CONFIG,
        "etc/jupyter/jupyter_server_config.json": json.dumps(server, indent=2) + "\n",
        "etc/jupyter/labconfig/page_config.json": json.dumps(page, indent=2) + "\n",
    }


STUDENT_README = """\
# Backpropagation, by hand: the student kit

The notebooks of the course and the small `course` package they import (numerical gradients,
data sets, plots, the checks of the test cells), with JupyterLab and nbgrader's Validate button.

```bash
python3 -m venv backprop && . backprop/bin/activate   # Python 3.11 or later
pip install backprop_by_hand-{version}-py3-none-any.whl
{command} my-course   # copies the notebooks into my-course/ (never overwrites yours)
cd my-course && jupyter lab
```

In each notebook, replace each `raise NotImplementedError()` with your code and each
`YOUR ANSWER HERE` with your answer, run the test cell below each function (silence means
the visible tests pass; a failure says in one sentence what is wrong), press **Validate**, and
hand the notebook in as your course says. The grader also runs hidden tests: other shapes,
batches, extreme values, numerical gradients.

Assignments: {assignments}.
"""


class KitError(RuntimeError):
    """The kit could not be built, or what was built holds something it must not."""


def version(root=ROOT):
    text = (Path(root) / "course" / "__init__.py").read_text()
    found = re.search(r'^__version__\s*=\s*["\']([^"\']+)["\']', text, re.M)
    if not found:
        raise KitError("course/__init__.py sets no __version__")
    return found.group(1)


def pins(root=ROOT, names=KIT_REQUIREMENTS):
    """``["numpy==2.4.6", ...]``: each of ``names`` with its exact pin from requirements.txt."""
    def norm(name):
        return re.sub(r"[-_.]+", "-", name).lower()

    pinned = {}
    for line in (Path(root) / "requirements.txt").read_text().splitlines():
        found = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s#;]+)", line)
        if found:
            pinned[norm(found.group(1))] = f"{found.group(1)}=={found.group(2)}"
    missing = [name for name in names if norm(name) not in pinned]
    if missing:
        raise KitError(f"requirements.txt pins no version of {', '.join(missing)}, which the student kit needs")
    return [pinned[norm(name)] for name in names]


def runtime_files(root=ROOT):
    """The student runtime: the files directly in ``course/`` (``*.py``, ``*.md``) except the
    instructor's ``__main__.py``; ``course/grading/`` is a subfolder, so never among them."""
    folder = Path(root) / "course"
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix in (".py", ".md") and p.name != "__main__.py")


def pyproject(root=ROOT):
    dependencies = "".join(f'    "{pin}",\n' for pin in pins(root))
    return textwrap.dedent(f"""\
        [build-system]
        requires = ["{BUILD_BACKEND}"]
        build-backend = "flit_core.buildapi"

        [project]
        name = "{DIST_NAME}"
        version = "{version(root)}"
        description = "Backpropagation, by hand: the course notebooks and the helpers they import"
        readme = {{file = "README.md", content-type = "text/markdown"}}
        requires-python = ">=3.11"
        dependencies = [
        {{dependencies}}]

        [project.scripts]
        {COMMAND} = "course.kit:main"

        [tool.flit.module]
        name = "course"

        [tool.flit.external-data]
        directory = "data"
        """).replace("{dependencies}", dependencies)


def kit_ids(ids=None, root=ROOT):
    """The assignments a kit holds: ``ids`` (checked) or every assignment."""
    known = assignment_ids(root)
    unknown = [i for i in ids or [] if i not in known]
    if unknown:
        raise KitError(f"no assignment {', '.join(unknown)}; the course has {', '.join(known)}")
    return [i for i in known if i in ids] if ids else known


def reveals(ids=None, root=ROOT):
    """Sentences naming each release notebook of ``ids`` that hands out a working version of a
    function another assignment grades (02 gives 01's softmax; 05 gives 04's sigmoid and
    softplus and 02's cross_entropy): a kit holding it should be built after that assignment's
    deadline."""
    import ast

    graded = {i: set(graded_functions(i, root)) for i in assignment_ids(root)}
    found = []
    for assignment_id in kit_ids(ids, root):
        nb = notebooks.read(release_notebook(assignment_id, root))
        defined = set()
        for cell in nb.cells:
            if cell.cell_type != "code" or notebooks.is_solution_cell(cell):
                continue
            try:
                defined |= {n.name for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.FunctionDef)}
            except SyntaxError:
                continue
        for other, names in graded.items():
            given = sorted(defined & names) if other != assignment_id else []
            if given:
                found.append(f"{assignment_id} hands out a working {', '.join(given)}, graded in {other}")
    return found


def write_project(dest, root=ROOT, ids=None):
    """The packaging project in ``dest``: pyproject.toml, README.md, ``course/`` (runtime
    files only), ``course/notebooks/`` (the release notebooks of ``ids``, default all) and
    ``data/`` (the Jupyter settings, installed under the environment's prefix). Flit packs every
    file of ``course/``, so only these are copied there."""
    root, dest = Path(root), Path(dest)
    ids = kit_ids(ids, root)
    (dest / "course").mkdir(parents=True)
    for path in runtime_files(root):
        shutil.copyfile(path, dest / "course" / path.name)
    for assignment_id in ids:
        notebook = release_notebook(assignment_id, root)
        if not notebook.is_file():
            raise KitError(f"{notebook} is missing: run `make release` first")
        target = dest / "course" / "notebooks" / assignment_id / notebook.name
        target.parent.mkdir(parents=True)
        shutil.copyfile(notebook, target)
    for name, text in jupyter_files().items():
        (dest / "data" / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / "data" / name).write_text(text)
    (dest / "README.md").write_text(STUDENT_README.format(
        version=version(root), command=COMMAND, assignments=", ".join(f"`{i}`" for i in ids)))
    (dest / "pyproject.toml").write_text(pyproject(root))
    return dest


def file_lines(name, data):
    """The lines a reader sees in a file of the wheel: a notebook's cell sources, else its text."""
    text = data.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        import nbformat

        return [line for cell in nbformat.reads(text, as_version=4).cells for line in cell.source.split("\n")]
    return text.split("\n")


def secrets(root=ROOT, min_length=12):
    """``{(assignment_id, grade_id): lines}``: each cell's solution or hidden-test lines
    (:func:`notebooks.secret_lines`, at least ``min_length`` characters, as in the feedback
    test) that no source notebook shows outside those regions. A line that a release notebook
    shows anyway (02 hands out 01's softmax, for one) is no secret."""
    found, public = {}, set()
    for assignment_id in assignment_ids(root):
        nb = notebooks.read(source_notebook(assignment_id, root))
        every = {line.strip() for cell in nb.cells for line in cell.source.split("\n")}
        public |= every - notebooks.secret_lines(nb, min_length=0)
        hidden = notebooks.secret_lines(nb, min_length=min_length)
        for index, cell in enumerate(nb.cells):
            lines = {line.strip() for line in cell.source.split("\n")} & hidden
            if lines:
                found[assignment_id, notebooks.nbgrader_meta(cell).get("grade_id") or f"cell {index}"] = lines
    return {key: lines - public for key, lines in found.items() if lines - public}


def leaks(files, root=ROOT):
    """Sentences naming each file of ``files`` (``{path in the wheel: bytes}``) that holds an
    nbgrader marker or a secret of a source notebook (empty: none).

    A notebook or a text file may hold no solution or hidden-test line at all. The runtime's
    modules (``course/*.py``) are code in the same style as the solutions and may share an idiom
    such as ``rng = np.random.default_rng(seed)``; a module leaks when it holds half or more of
    the secret lines of one cell (all of a one-line solution)."""
    secret = secrets(root)
    found = []
    for name, data in sorted(files.items()):
        text = data.decode("utf-8", errors="replace")
        found += [f"{name}: contains the nbgrader marker {marker!r}" for marker in MARKERS if marker in text]
        lines = {line.strip() for line in file_lines(name, data)}
        module = re.fullmatch(r"course/[^/]+\.py", name) is not None
        for (assignment_id, grade_id), cell_lines in sorted(secret.items()):
            shared = sorted(cell_lines & lines)
            if not shared or (name, assignment_id) in SHARED_BY_DESIGN or (module and 2 * len(shared) < len(cell_lines)):
                continue
            found.append(f"{name}: holds {len(shared)} of the {len(cell_lines)} secret line(s) of "
                         f"{assignment_id}/{grade_id}, e.g. {shared[0]!r}")
    return found


def problems(wheel, root=ROOT, ids=None):
    """Sentences saying what ``wheel`` holds that it must not, or lacks (empty: all good)."""
    root = Path(root)
    with zipfile.ZipFile(wheel) as archive:
        files = {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
    found = [f"{name}: an instructor's file" for name in files
             if name.startswith("course/grading/") or name == "course/__main__.py" or "source" in name.split("/")[:-1]]
    expected = {f"course/{p.name}": p for p in runtime_files(root)}
    expected |= {f"course/notebooks/{i}/{i}.ipynb": release_notebook(i, root) for i in kit_ids(ids, root)}
    found += [f"{name}: an assignment not asked for" for name in files
              if name.startswith("course/notebooks/") and name not in expected]
    for name, path in sorted(expected.items()):
        if name not in files:
            found.append(f"{name}: missing")
        elif files[name] != path.read_bytes():
            found.append(f"{name}: differs from {path.relative_to(root)}")
    data = f"backprop_by_hand-{version(root)}.data/data/"
    found += [f"{data}{name}: missing" for name in jupyter_files() if data + name not in files]
    return found + leaks(files, root)


def build(dest=None, root=ROOT, python=sys.executable, quiet=True, check=True, ids=None):
    """Build the kit of ``ids`` (default: every assignment) into ``dest`` (default
    ``<root>/dist``) and return the wheel's path.

    Raises :class:`KitError` if pip fails or (unless ``check`` is false: a test that looks for
    itself) if the wheel holds an instructor's file, a solution or hidden-test line."""
    root = Path(root)
    dest = Path(dest) if dest else root / "dist"
    with tempfile.TemporaryDirectory(prefix="student-kit-") as tmp:
        project = write_project(Path(tmp) / "project", root, ids)
        out = Path(tmp) / "wheel"
        command = [str(python), "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(project)]
        result = subprocess.run(command + (["--quiet"] if quiet else []), capture_output=quiet, text=True)
        if result.returncode != 0:
            raise KitError(f"pip wheel failed ({result.returncode}):\n{result.stdout or ''}{result.stderr or ''}")
        wheels = sorted(out.glob("*.whl"))
        if len(wheels) != 1:
            raise KitError(f"pip wheel wrote {[w.name for w in wheels]}, expected one wheel")
        found = problems(wheels[0], root, ids) if check else []
        if found:
            raise KitError("the student kit would hold what it must not:\n  " + "\n  ".join(found))
        dest.mkdir(parents=True, exist_ok=True)
        target = dest / wheels[0].name
        shutil.move(str(wheels[0]), str(target))
    return target


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course.grading.kit", description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", default=str(ROOT / "dist"), help="folder for the wheel (default: dist/)")
    parser.add_argument("--assignments", nargs="+", metavar="ID",
                        help="only these assignments (release them as the term goes; default: all)")
    args = parser.parse_args(argv)
    try:
        wheel = build(args.dest, ids=args.assignments)
        given = reveals(args.assignments)
    except KitError as exc:
        print(f"student-kit: {exc}", file=sys.stderr)
        return 1
    for sentence in given:
        print(f"student-kit: note: {sentence}: hand this kit out after that assignment's deadline, or build "
              "one per assignment as the term goes (make student-kit ASSIGNMENTS=\"01_... 02_...\").")
    with zipfile.ZipFile(wheel) as archive:
        count = sum(name.endswith(".ipynb") for name in archive.namelist())
    size = wheel.stat().st_size / 1024
    print(f"{wheel} ({size:.0f} KiB): the runtime of course/ and {count} release notebooks; no instructor's "
          f"file, solution or hidden-test line. Students: pip install {wheel.name}, then {COMMAND} FOLDER.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
