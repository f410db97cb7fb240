"""The instructor's grading toolkit: release, sandboxed autograding, feedback, grades.

Nothing here is needed to do the homework, and none of it ships in the student kit (see
``make student-kit``). The trust boundary is :mod:`course.grading.execute`: student cells run
in a sandboxed kernel (:mod:`course.grading.sandbox`), test cells in a separate trusted
process (:mod:`course.grading.runner`), and only plain data crosses between them.
"""
