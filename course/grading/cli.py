"""``python -m course COMMAND``: the instructor's command line (parsing only; work is elsewhere)."""

import argparse
import sys
import time
from pathlib import Path

from course.grading import pipeline
from course.grading.assignments import ROOT


def course_root():
    """The course a command works on: the current folder when it is a course (it holds
    nbgrader_config.py and source/, like the instructor's course folder on the hub, which is not
    this repository), else this repository."""
    here = Path.cwd()
    if (here / "nbgrader_config.py").is_file() and (here / "source").is_dir():
        return here
    return ROOT


def cmd_release(args):
    ids = pipeline.release(course_root(), args.assignments or None)
    print(f"release/ regenerated for {len(ids)} assignment(s): {', '.join(ids)}")


def cmd_demo(args):
    from course.grading import demo

    return demo.run(course_root(), jobs=args.jobs)


def cmd_autograde(args):
    from course.grading import autograde

    start = time.perf_counter()
    from course.grading import sandbox

    try:
        outcomes = autograde.run(course_root(), args.assignments or None, jobs=args.jobs, force=args.force)
    except sandbox.SandboxUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(autograde.summary(outcomes, time.perf_counter() - start))
    print("details: reports/autograde.json")
    return 0


def cmd_feedback(args):
    pipeline.generate_feedback(course_root(), args.assignments or None)
    print("feedback/ written")


def cmd_grades(args):
    from course.grading import grades, report

    root = course_root()
    output = args.output or str(root / "reports" / "grades.csv")
    path = grades.write_csv(output, root)
    lms = grades.write_lms_csv(Path(output).with_name("lms.csv"), root)
    histogram, rates = report.write(root)
    print(grades.format_table(root))
    print()
    print(report.summarize(root))
    print(f"\ngrades (autograded, manual, ungraded, penalty, total, late): {path}\nfor Canvas / Moodle: {lms}"
          f"\nscore distribution: {histogram}\ntest pass rates: {rates}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m course", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="regenerate release/ from source/")
    p.add_argument("assignments", nargs="*")
    p.set_defaults(func=cmd_release)
    p = sub.add_parser("demo", help="release, grade a demo cohort, show the grades")
    p.add_argument("--jobs", type=int, default=None)
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("autograde", help="autograde every submission in submitted/")
    p.add_argument("assignments", nargs="*")
    p.add_argument("--force", action="store_true", help="regrade submissions already graded")
    p.add_argument("--jobs", type=int, default=None, help="parallel graders (default: the number of cores)")
    p.set_defaults(func=cmd_autograde)
    p = sub.add_parser("feedback", help="write feedback/ (no hidden test code)")
    p.add_argument("assignments", nargs="*")
    p.set_defaults(func=cmd_feedback)
    p = sub.add_parser("grades", help="grades CSV (autograded + manual), an LMS import file, the table and the report")
    p.add_argument("--output", default=None, help="default: reports/grades.csv in the course folder")
    p.set_defaults(func=cmd_grades)
    args = parser.parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
