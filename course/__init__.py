"""Shared helpers for the "Backpropagation, by hand" course.

Modules, one job each:

- :mod:`course.gradcheck` -- centred-difference gradients/Jacobians and relative errors;
- :mod:`course.data` -- small seeded toy data sets;
- :mod:`course.plotting` -- the figures the notebooks share;
- :mod:`course.checks` -- the assertions test cells use (tamper- and warning-aware);
- :mod:`course.guard` -- snapshots of numpy/builtins that undo a submission's monkeypatching;
- :mod:`course.grading.assignments`, :mod:`course.grading.notebooks`, :mod:`course.grading.pipeline`,
  :mod:`course.grading.demo`, :mod:`course.grading.cli` -- the instructor side (``python -m course``);
- :mod:`course.grading.autograde`, :mod:`course.grading.execute`, :mod:`course.grading.forkserver`, :mod:`course.grading.scan`,
  :mod:`course.grading.feedback`, :mod:`course.grading.report`, :mod:`course.grading.bench` -- grading a cohort.
"""

__version__ = "0.1.0"
