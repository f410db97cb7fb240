"""A static scan of a submission's code for tampering patterns, for the instructor to review.

It flags, it never grades: a flagged submission keeps the score the tests gave it, and the
report lists the lines so a person can judge. (What keeps a trick from earning points is the
grading boundary -- tests in a trusted process, the student's code in a sandbox -- and, for
requirements decided from the source, :meth:`course.constraints.Program.tampering`, whose
findings are listed here too.)
"""

import json
import re

PATTERNS = [
    (r"\bget_ipython\s*\(|\bshowtraceback\b|\bshowsyntaxerror\b|\bevents\.(un)?register\b",
     "reaches into IPython (could hide errors or hooks)"),
    (r"\bsys\.modules\b|\bimportlib\.reload\b|\b__import__\b|\bbuiltins\b|__builtins__",
     "manipulates modules or builtins"),
    (r"\b(np|numpy|math|course|checks|guard|gradcheck)\.[A-Za-z_][\w.]*\s*=(?!=)|\bsetattr\s*\(\s*(np|numpy|course)\b",
     "assigns to an attribute of numpy or of the course helpers (monkeypatching)"),
    (r"\bcourse\.(checks|boundary|constraints|grading)\b|from\s+course\s+import\s+(checks|boundary|constraints|grading)",
     "imports the grader's own modules"),
    (r"\b(source|autograded|submitted|feedback)/|gradebook|\.ipynb\b|\.git\b",
     "refers to course files (solutions, other submissions, the gradebook)"),
    (r"\bsys\.settrace\b|\bsys\.setprofile\b|\bsys\.stderr\s*=|\bsys\.stdout\s*=|\bos\.dup2\b",
     "redirects tracing or output streams"),
    (r"\bos\._exit\b|\bsys\.exit\b|\bos\.kill\b|\bsignal\.",
     "exits or signals the process"),
    (r"\bsubprocess\b|\bos\.system\b|\bos\.popen\b|\bshutil\.rmtree\b|\bos\.remove\b|\bos\.unlink\b",
     "runs commands or deletes files"),
    (r"\bclass\s+\w+\s*(\([^)]*\))?\s*:[\s\S]{0,400}?def\s+__(eq|ne|sub|rsub|abs|array|float|bool|lt|le|gt|ge)__",
     "defines a class with comparison or arithmetic dunders (a lying return value?)"),
]
_COMPILED = [(re.compile(p), why) for p, why in PATTERNS]


def scan_source(source):
    """``[(line number, reason, line)]`` for every pattern found in ``source``."""
    found = []
    for pattern, why in _COMPILED:
        for match in pattern.finditer(source):
            line_no = source.count("\n", 0, match.start()) + 1
            line = source.split("\n")[line_no - 1].strip()
            found.append((line_no, why, line[:160]))
    return sorted(set(found))


def scan_notebook(path):
    """Flags for the student-editable code of a submitted notebook: ``[(cell, line, reason, text)]``.

    Locked cells (tests, setup) are restored by nbgrader before grading, so only cells a
    student may write -- solution cells and cells the student added -- are scanned.
    """
    try:
        nb = json.loads(open(path, encoding="utf-8").read())
    except (OSError, ValueError):
        return []
    flags = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        label = meta.get("grade_id") or f"cell {index}"
        flags += [(label, line_no, why, text) for line_no, why, text in scan_source(source)]
        from course.constraints import Program

        flags += [(label, f.line, f"tampering: {f.why}", f.code) for f in Program([source], [label]).tampering()]
    return sorted(set(flags))
