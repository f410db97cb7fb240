"""``python -m course COMMAND``: the instructor's command line (in :mod:`course.grading.cli`)."""

try:
    from course.grading.cli import main
except ImportError as exc:  # the student kit ships the runtime only
    raise SystemExit(f"python -m course needs the instructor's toolkit (course.grading), which is not installed here ({exc}).")

raise SystemExit(main())
