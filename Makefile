# make run: set up .venv if needed, seed a demo journal once, open the app on it.
# make test: set up .venv with the test extra if needed, then ruff, mypy and the test suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO := .demo/journal.json

.PHONY: run test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	@test -f $(DEMO) || $(PY) -m tui --journal $(DEMO) seed
	$(PY) -m tui --journal $(DEMO)

test: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest -n auto

bench: $(VENV)/.installed-test
	$(PY) -m bench --write

clean:
	rm -rf $(VENV) .demo .pytest_cache .bench
