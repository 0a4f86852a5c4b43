# chipwatch — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint typecheck bench bench-ledger serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: install into .venv and run the main job on embedded defaults
run: $(STAMP)
	$(BIN)/chipwatch classify "NVIDIA H200"
	$(BIN)/chipwatch lists import examples/lists/demo-consolidated.csv --format csl-csv
	$(BIN)/chipwatch check examples/orders/h200-alibaba-2026-02.yaml
	$(BIN)/chipwatch screen "浙江大华技术股份有限公司" --country CN

## test: lint, type-check and run the whole suite
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/bench_decide.py
	$(BIN)/python bench/screening_eval.py
	$(BIN)/python bench/screening_speed.py

bench-ledger: $(STAMP)
	$(BIN)/python bench/ledger.py

serve: $(STAMP)
	$(BIN)/chipwatch serve

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
