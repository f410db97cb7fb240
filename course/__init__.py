"""The student runtime of "Backpropagation, by hand": what the notebooks import.

Modules, one job each:

- :mod:`course.checks` -- the assertions test cells use, with the same verdict in a student's
  kernel and when grading;
- :mod:`course.gradcheck` -- centred-difference gradients/Jacobians and relative errors;
- :mod:`course.data` -- seeded toy data sets and scikit-learn's bundled handwritten digits;
- :mod:`course.plotting` -- the figures the notebooks share;
- :mod:`course.symbolic` -- SymPy answers checked symbolically or numerically;
- :mod:`course.boundary`, :mod:`course.constraints` -- what crosses the grading boundary, and
  what is decided from a function's source text;
- :mod:`course.validate` -- Validate shows each failed test's sentence first;
- :mod:`course.kit` -- ``backprop-by-hand``: copy the notebooks out of the student kit;
- ``notation.md`` -- the notation card every notebook carries.

The instructor's toolkit (release, sandboxed grading, feedback, grades, the hub, the CLI
``python -m course``) is :mod:`course.grading`, which the student kit does not contain.
"""

__version__ = "0.1.0"
