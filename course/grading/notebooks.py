"""Reading, writing and transforming course notebooks (nbformat + nbgrader metadata).

Used by the CLI, the demo cohort and the tests; also the cell constructors an instructor's
authoring script can use to write a notebook with correct nbgrader metadata (schema 3).
"""

import json
import re
from pathlib import Path

import nbformat

__all__ = [
    "read", "write", "clean", "nbgrader_meta", "cells_by_grade_id", "strip_markers",
    "markdown", "code", "readonly", "solution", "tests", "answer", "new_notebook",
    "SOLUTION_BEGIN", "SOLUTION_END", "HIDDEN_BEGIN", "HIDDEN_END", "HIDDEN_NOTICE", "notation_card",
]

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
# The line every test cell with hidden tests carries outside its hidden region, so that the
# release says what the (then silent) cell is for.
HIDDEN_NOTICE = ("# Hidden tests: the grader runs them when your notebook is graded. Here they check nothing: "
                 "if this cell is silent, only its visible lines passed.")
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_MARKER = re.compile(r"^\s*(#+\s*)?(BEGIN|END) (SOLUTION|HIDDEN TESTS)\s*$")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_KEEP_CELL_META = ("nbgrader", "deletable", "editable", "tags")


def notation_card():
    """The course's notation card (``course/notation.md``), a markdown cell of every notebook."""
    return (Path(__file__).resolve().parent.parent / "notation.md").read_text().strip()


def read(path):
    """Read a notebook (nbformat 4)."""
    return nbformat.read(str(path), as_version=4)


def write(nb, path):
    """Write ``nb`` cleaned, with a trailing newline, so files diff well."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(clean(nb), str(path))


def clean(nb):
    """Strip outputs, execution counts, cell ids' churn and per-user metadata, in place."""
    nb.metadata = nbformat.from_dict({
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
    })
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k in _KEEP_CELL_META})
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if "attachments" in cell and not cell.attachments:
            del cell["attachments"]
    return nb


def nbgrader_meta(cell):
    """The cell's nbgrader metadata dict (empty if it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def cells_by_grade_id(nb):
    """``{grade_id: cell}`` for every cell that has one."""
    return {nbgrader_meta(c)["grade_id"]: c for c in nb.cells if nbgrader_meta(c).get("grade_id")}


def strip_markers(source):
    """A solution cell's source without its ``### BEGIN/END SOLUTION`` lines (the model answer)."""
    return "\n".join(line for line in source.split("\n") if not _MARKER.match(line)).strip("\n")


def is_test_cell(cell):
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def is_solution_cell(cell):
    return bool(nbgrader_meta(cell).get("solution"))


# --------------------------------------------------------------------------- authoring


def _meta(grade_id, *, grade, solution, locked, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _src(text):
    return text.strip("\n")


def markdown(text):
    """A plain markdown cell (not tracked by nbgrader)."""
    return nbformat.v4.new_markdown_cell(_src(text))


def code(text):
    """A plain code cell (not tracked by nbgrader)."""
    return nbformat.v4.new_code_cell(_src(text))


def readonly(grade_id, text, cell_type="code"):
    """A locked cell nbgrader restores on autograding (e.g. the setup imports)."""
    make = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = make(_src(text))
    cell.metadata = nbformat.from_dict(_meta(grade_id, grade=False, solution=False, locked=True))
    return cell


def solution(grade_id, text):
    """An autograded answer cell: the student writes the part between the solution markers."""
    cell = nbformat.v4.new_code_cell(_src(text))
    cell.metadata = nbformat.from_dict(_meta(grade_id, grade=False, solution=True, locked=False))
    return cell


def tests(grade_id, points, text):
    """A locked autograded test cell worth ``points``."""
    cell = nbformat.v4.new_code_cell(_src(text))
    cell.metadata = nbformat.from_dict(_meta(grade_id, grade=True, solution=False, locked=True, points=points))
    return cell


def answer(grade_id, points, text):
    """A manually graded markdown answer cell (model answer and rubric between the markers)."""
    cell = nbformat.v4.new_markdown_cell(_src(text))
    cell.metadata = nbformat.from_dict(_meta(grade_id, grade=True, solution=True, locked=False, points=points))
    return cell


def new_notebook(cells):
    """A notebook of ``cells`` with stable cell ids (the grade id, or the cell's position)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    for i, cell in enumerate(nb.cells):
        cell.id = nbgrader_meta(cell).get("grade_id") or f"cell-{i:03d}"
    return clean(nb)


def canonical_json(nb):
    """Text of a notebook for comparisons: cleaned, without cell ids, keys sorted."""
    data = json.loads(nbformat.writes(clean(nbformat.from_dict(json.loads(nbformat.writes(nb))))))
    for cell in data["cells"]:
        cell.pop("id", None)
    return json.dumps(data, sort_keys=True, indent=1)


def secret_lines(nb, min_length=8):
    """Lines only the instructor may see: inside solution or hidden-test regions, and not
    also written somewhere public in the notebook (stripped, at least ``min_length`` chars)."""
    secret, public = set(), set()
    for cell in nb.cells:
        inside = None
        for line in cell.source.split("\n"):
            stripped = line.strip()
            if SOLUTION_BEGIN in line or "BEGIN SOLUTION" in line or "BEGIN HIDDEN TESTS" in line:
                inside = True
                continue
            if "END SOLUTION" in line or "END HIDDEN TESTS" in line:
                inside = None
                continue
            (secret if inside else public).add(stripped)
    return {line for line in secret - public if len(line) >= min_length}
