# tqd-sheets — hai lệnh chính: `make consolidate` và `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INBOX ?= inbox
OUTBOX ?= outbox
PERIOD ?=
CONFIG ?=
# `make bench` measures a province's inbox as RESULTS.md records it (about 15 minutes on
# 2 cores, the 1,500 workbooks made once); `make bench SCALE_SIZES=20,50` for a quick look.
SCALE_SIZES ?= 50,300,1500

.PHONY: consolidate test templates samples lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

consolidate: $(STAMP)
	$(BIN)/tqd-sheets $(if $(CONFIG),--config $(CONFIG),) consolidate --inbox $(INBOX) --outbox $(OUTBOX) $(if $(PERIOD),--period $(PERIOD),)

test: $(STAMP)
	$(BIN)/python -m pytest

templates: $(STAMP)
	$(BIN)/tqd-sheets template --period 2020 --out templates/xlsx

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks

format: $(STAMP)
	$(BIN)/ruff format src tests scripts benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_pipeline.py
	$(BIN)/python benchmarks/bench_hostile.py
	$(BIN)/python benchmarks/bench_feedback.py
	$(BIN)/python benchmarks/bench_history.py
	$(BIN)/python benchmarks/bench_chain.py
	$(BIN)/python benchmarks/bench_writers.py
	$(BIN)/python benchmarks/bench_scale.py --sizes $(SCALE_SIZES)

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .ruff_cache
