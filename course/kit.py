"""``backprop-by-hand [FOLDER]``: the student kit's command. Copies the course's notebooks
into a working folder (default ``./backprop-by-hand``), one ``<id>/<id>.ipynb`` per assignment.

It never overwrites a notebook that is already there: that one may hold your work.
"""

import argparse
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent


def notebooks_folder():
    """The release notebooks: ``course/notebooks`` in the installed kit, ``release/`` in a clone."""
    for folder in (HERE / "notebooks", HERE.parent / "release"):
        if any(folder.glob("*/*.ipynb")):
            return folder
    raise FileNotFoundError(f"no notebooks in {HERE / 'notebooks'}: reinstall the student kit")


def copy_notebooks(dest, source=None):
    """Copy each ``<id>/<id>.ipynb`` of ``source`` into ``dest``; returns ``(copied, kept)``,
    the notebooks written and those left alone because a file was already there."""
    source = Path(source) if source else notebooks_folder()
    copied, kept = [], []
    for notebook in sorted(source.glob("*/*.ipynb")):
        if notebook.stem != notebook.parent.name:
            continue
        target = Path(dest) / notebook.parent.name / notebook.name
        if target.exists():
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        copied.append(target)
    return copied, kept


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="backprop-by-hand",
        description="Copy the notebooks of 'Backpropagation, by hand' into FOLDER (never overwriting yours).")
    parser.add_argument("folder", nargs="?", default="backprop-by-hand",
                        help="where to put the notebooks (default: ./backprop-by-hand)")
    folder = Path(parser.parse_args(argv).folder)
    copied, kept = copy_notebooks(folder)
    for path in copied:
        print(f"copied {path}")
    for path in kept:
        print(f"kept   {path} (it was already there: your work is never overwritten)")
    print(f"{len(copied)} notebook(s) copied, {len(kept)} kept, in {folder.resolve()}.")
    print(f"Next: cd {folder} && jupyter lab")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
