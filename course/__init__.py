"""Shared helpers for the "Backpropagation, by hand" course.

Modules, one job each:

- :mod:`course.gradcheck` -- centred-difference gradients/Jacobians and relative errors;
- :mod:`course.data` -- small seeded toy data sets;
- :mod:`course.plotting` -- the figures the notebooks share;
- :mod:`course.checks` -- the assertions test cells use (tamper- and warning-aware);
- :mod:`course.guard` -- snapshots of numpy/builtins that undo a submission's monkeypatching;
- :mod:`course.assignments`, :mod:`course.notebooks`, :mod:`course.pipeline`,
  :mod:`course.demo`, :mod:`course.cli` -- the instructor side (``python -m course``);
- :mod:`course.autograde`, :mod:`course.execute`, :mod:`course.forkserver`, :mod:`course.scan`,
  :mod:`course.feedback`, :mod:`course.report`, :mod:`course.bench` -- grading a cohort.
"""

__version__ = "0.1.0"
