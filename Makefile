# The two README commands: `make demo` and `make test`. Both create .venv and install when needed;
# the install is redone only when pyproject.toml changes (the stamp file), so a set-up checkout
# runs the tests without the network.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp-install
SEED := seeds/000_ee409ff46c783017.txt

.PHONY: demo test schema clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/summarizer brief $(SEED)

test: $(STAMP)
	$(PY) -m pytest --record-mode=none -m "not local_llm"

schema: $(STAMP)
	$(VENV)/bin/summarizer schema > schemas/brief.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info
