# pause_nb: every target creates .venv (if missing) and installs the pinned stack from settings.ini.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test test-fast bench lab export clean-nbs docs docs-check docs-outputs clean

$(STAMP): settings.ini setup.py
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0        # the CPU build, from local disk; pinned again in settings.ini
	$(PY) -m pip install -q -e ".[dev,gguf]"
	$(VENV)/bin/nbdev_install_hooks >/dev/null 2>&1 || true
	touch $(STAMP)

## The main job on the embedded default (synthetic GSM8K-format data, local tokenizer, tiny model).
demo: $(STAMP)
	$(PY) -m pause_nb.experiments demo

## All tests: every notebook in nbs/ (as pytest cases) plus tests/.
test: $(STAMP)
	$(PY) -m pytest -q tests

## The inner loop: the tests that take under 5 s each (about 1.5 min); it lists what it left out. `make test` runs all.
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow" tests

## Benchmarks: one `name: value` line per figure, also written to bench/figures.json (the README and notebooks cite it).
bench: $(STAMP)
	$(PY) bench/run.py

## JupyterLab on nbs/, package installed in development mode, nbdev's clean-on-save hooks active.
## Jupyter refuses to start as root unless told; containers run as root by default, so root gets --allow-root.
USER_ID   ?= $(shell id -u)
LAB_FLAGS ?= $(if $(filter 0,$(USER_ID)),--allow-root)
lab: $(STAMP)
	$(VENV)/bin/nbdev_install_hooks
	cd nbs && ../$(VENV)/bin/jupyter lab $(LAB_FLAGS)

## Re-export pause_nb/ from the notebooks and clean them.
export: $(STAMP)
	$(VENV)/bin/nbdev_export && $(VENV)/bin/nbdev_clean

## The documentation site, offline, from the notebooks as stored (none is executed) -> _docs/ (scripts/docs.py).
docs: $(STAMP)
	$(PY) scripts/docs.py build

## Build the site, then open every page in headless chromium (installed if missing): scripts/docs_check.py.
docs-check: $(STAMP)
	$(PY) scripts/docs.py check

## Re-execute the module notebooks (nbs/[0-9]*.ipynb, and any other in nbs/.outputs.json) whose stored outputs are out of
## date, and store their outputs for the docs (tests/test_docs.py fails on stale ones; a notebook edited while it runs is
## left alone). One notebook: scripts/docs.py store-outputs NB.
docs-outputs: $(STAMP)
	$(PY) scripts/docs.py store-outputs --stale

clean:
	rm -rf _docs _proc .pytest_cache
