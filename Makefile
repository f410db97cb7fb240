# Backpropagation, by hand -- the two commands: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# nbgrader shells out to `alembic`: the venv's bin/ must come first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1
export MPLBACKEND := Agg
STAMP := $(VENV)/.installed
JOBS ?= 2

.PHONY: help venv release demo test test-unit test-notebooks test-grading lab bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

venv: $(STAMP)  ## create .venv and install requirements.txt (skipped when up to date)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	# make the `course` package importable from every kernel and tool in the venv
	$(BIN)/python -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'course.pth').write_text('$(CURDIR)\n')"
	$(BIN)/python -m pip check
	touch $@

release: venv  ## regenerate release/ from source/ with nbgrader
	$(BIN)/python -m course release

demo: venv  ## build, grade a demo cohort, show the grades
	$(BIN)/python -m course demo

test: venv  ## the full test suite (what CI runs)
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup tests
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax -p no:cacheprovider source

test-unit: venv  ## unit tests of course/ only
	$(BIN)/python -m pytest tests -m "not grading" -q

test-notebooks: venv  ## execute every solution notebook with nbval
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax -p no:cacheprovider source

lab: venv  ## JupyterLab with the nbgrader extensions, on the course
	$(BIN)/jupyter lab --notebook-dir=$(CURDIR) --ServerApp.root_dir=$(CURDIR)

clean:  ## remove generated student data (never source/ or release/)
	rm -rf submitted autograded/*/ feedback gradebook.db reports .pytest_cache
