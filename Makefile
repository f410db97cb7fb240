# Backpropagation, by hand -- the two commands: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
# The system's Python when it has venv: everyone can run it (JupyterHub starts servers as other
# users; a pyenv Python under a private home would be out of their reach).
PYTHON ?= $(shell /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
# nbgrader shells out to `alembic`: the venv's bin/ must come first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1
export MPLBACKEND := Agg
# one BLAS thread per process: pytest-xdist and the graders already fill both cores
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
STAMP := $(VENV)/.installed
JOBS ?= 2

.PHONY: help venv sandbox release demo test test-unit test-notebooks test-grading lab hub test-browser bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

venv: $(STAMP) sandbox  ## create .venv and install requirements.txt (skipped when up to date)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	# make the `course` package importable from every kernel and tool in the venv
	$(BIN)/python -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'course.pth').write_text('$(CURDIR)\n')"
	# JupyterLab site settings for everyone using this venv (make lab, the hub): no news feed,
	# no update check -- the course runs offline and shows no toast on first start
	mkdir -p $(VENV)/share/jupyter/lab/settings
	echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' \
	  > $(VENV)/share/jupyter/lab/settings/overrides.json
	$(BIN)/python -m pip check
	touch $@

sandbox:  ## bubblewrap and util-linux, which grading needs (apt-get when missing and we are root)
	@command -v bwrap >/dev/null && command -v prlimit >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y --no-install-recommends bubblewrap util-linux >/dev/null || \
	    { apt-get update >/dev/null && apt-get install -y --no-install-recommends bubblewrap util-linux >/dev/null; }; \
	  else echo "grading needs bubblewrap: sudo apt-get install bubblewrap"; exit 1; fi; }

release: venv  ## regenerate release/ from source/ with nbgrader
	$(BIN)/python -m course release

student-kit: venv  ## build dist/backprop_by_hand-*.whl: the runtime and release notebooks, no solution (ASSIGNMENTS="01_... 02_..." for some)
	$(BIN)/python -m course.grading.kit $(if $(ASSIGNMENTS),--assignments $(ASSIGNMENTS))

demo: venv  ## build, grade a demo cohort, show the grades
	$(BIN)/python -m course demo

test: venv  ## the full test suite (what CI runs)
	# one session for the grading and browser tests, with one worker more than JOBS: the browser
	# group (JupyterLab, the hub) mostly waits on servers and pages, which the others' grading fills
	bash tests/browser/install_chromium.sh
	$(BIN)/python -m pytest -p no:cacheprovider -n $$(( $(JOBS) + 1 )) --dist loadgroup tests
	$(BIN)/python -m pytest -p no:cacheprovider -n $(JOBS) --dist loadfile --nbval-lax source

test-unit: venv  ## unit tests of course/ and the notebook rules (fast)
	$(BIN)/python -m pytest -p no:cacheprovider tests -m "not grading and not browser" -q

test-notebooks: venv  ## execute every solution notebook with nbval
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax -p no:cacheprovider source

lab: venv  ## JupyterLab 4 + nbgrader on the course: open the printed http://127.0.0.1:... URL
	# nbgrader reads nbgrader_config.py from the server's cwd; kernels draw inline (no Agg).
	cd $(CURDIR) && env -u MPLBACKEND $(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) \
	  --no-browser --ip=127.0.0.1 --LabApp.news_url=None --LabApp.extension_manager=readonly \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate $(if $(filter 0,$(shell id -u)),--allow-root)

hub: venv  ## JupyterHub for a class on this machine (as root): instructor + student accounts, shared exchange
	$(BIN)/python -m course.grading.hub

test-browser: venv  ## end-to-end test of JupyterLab in headless Chromium (screenshots: artifacts/browser/)
	bash tests/browser/install_chromium.sh
	$(BIN)/python -m pytest -p no:cacheprovider tests/browser

bench: venv  ## time sequential nbgrader against `python -m course autograde --jobs 2` (60 submissions)
	$(BIN)/python -m course.grading.bench 60 2

clean:  ## remove generated student data (never source/ or release/)
	rm -rf submitted autograded/*/ feedback gradebook.db reports .pytest_cache
