# e-Performance Workbook — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DIR ?= data/demo
DEMO_EMPLOYEES ?= 300
DEMO_MONTHS ?= 6
DEMO_PERIOD ?= 2021-06
DEMO_FORMATS ?= html,pdf,xlsx

# Debian packages the tests and the PDF need (chromium, which prints the PDF cards and
# drives the explorer test; WeasyPrint's Pango and HarfBuzz's subsetter for the fallback
# printer: without it WeasyPrint subsets fonts with fontTools, 1.6x slower per PDF card;
# pdftotext, fonts, systemd-analyze). `make sysdeps` installs the
# missing ones when run as root; .ci/run uses the same list.
SYS_PACKAGES := python3-venv ca-certificates poppler-utils fonts-dejavu-core \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 systemd chromium

.DEFAULT_GOAL := help
.PHONY: help venv sysdeps demo test lint bench bench-ingest bench-score clean

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP) ## Create the virtual environment and install the package (editable)

sysdeps: ## Install the missing Debian packages of SYS_PACKAGES (as root), else list them
	@missing=$$(for p in $(SYS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "system packages: all present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "missing system packages: $$missing (run: sudo make sysdeps)"; fi

demo: sysdeps $(STAMP) ## Main job on the embedded default: demo data -> import -> monthly batch
	$(BIN)/eperf demo --out $(DEMO_DIR) --employees $(DEMO_EMPLOYEES) --months $(DEMO_MONTHS)
	$(BIN)/eperf ingest $(DEMO_DIR)
	$(BIN)/eperf batch --period $(DEMO_PERIOD) --format $(DEMO_FORMATS)

test: sysdeps $(STAMP) ## Run the test suite (SQLite always; PostgreSQL/MariaDB when reachable)
	$(BIN)/python -m pytest -q

lint: $(STAMP) ## ruff, mypy and the layers contract (lint-imports; docs/architecture.md)
	$(BIN)/ruff check lib tests bench tools
	$(BIN)/mypy lib/eperformance
	$(BIN)/lint-imports

.PHONY: layer-metrics
layer-metrics: ## Import cycles, imports inside functions, modules over 500 lines
	$(PYTHON) tools/layer_metrics.py

bench: bench-ingest bench-score bench-period bench-batch bench-tukin ## Run every benchmark (figures as ratios, not tests)

bench-ingest: $(STAMP) ## Demo generation and import speed (5,000 employees, 12 months)
	$(BIN)/python bench/ingest.py

clean: ## Remove the virtual environment, the default database and outputs
	rm -rf $(VENV) data/workbook.sqlite* outputs/*/

bench-score: $(STAMP) ## Score a month of 1,000,000 entries vs a hand-written SQL floor
	$(BIN)/python bench/score.py

.PHONY: bench-period
bench-period: $(STAMP) ## Score a 5,000-employee year (with its month table) vs one month: time and memory ratios
	$(BIN)/python bench/period.py

.PHONY: bench-tukin
bench-tukin: $(STAMP) ## The month's tunjangan kinerja for 10,000 employees (~220,000 attendance rows) vs its scoring
	$(BIN)/python bench/tukin.py

.PHONY: bench-servers
bench-servers: $(STAMP) ## Import and score a 1,000,000-entry month on PostgreSQL vs SQLite
	$(BIN)/python bench/servers.py

.PHONY: bench-batch
bench-batch: $(STAMP) ## Naive papermill loop vs eperf batch (warm kernels); PDF: Chromium vs WeasyPrint
	$(BIN)/python bench/batch.py

.PHONY: app lab bench-explorer
APP_PORT ?= 8866
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

app: $(STAMP) ## Serve the explorer with Voila on 127.0.0.1 (port APP_PORT=8866), no code shown
	$(BIN)/eperf app --port $(APP_PORT)

lab: $(STAMP) ## Open JupyterLab with the project's environment and kernel
	$(BIN)/jupyter lab --notebook-dir=. --ip=127.0.0.1 $(ALLOW_ROOT)

bench-explorer: $(STAMP) ## Explorer responsiveness on 5,000 employees (selection, card) vs the cold period
	$(BIN)/python bench/explorer.py
