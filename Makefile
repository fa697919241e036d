# forewarn — `make run` starts the platform, `make test` runs every check CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the tests drive as real components (see DESIGN.md §6).
DEBIAN_PACKAGES := chromium fonts-dejavu-core snmpd snmp monitoring-plugins-basic prometheus-node-exporter

.PHONY: install run demo test lint unit system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Idempotent: installs only what is missing, so repeated runs cost one dpkg query per package.
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

run: install
	@echo "tip: 'make demo' (forewarn up --demo) also plays a simulated dental practice live as tenant Demo Dental"
	$(BIN)/forewarn up

demo: install
	$(BIN)/forewarn up --demo

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

unit: install
	$(BIN)/pytest -q tests/unit

test: install system-deps lint
	$(BIN)/pytest -q

bench: install
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/analysis.py
	$(BIN)/python benchmarks/logs.py
	$(BIN)/python benchmarks/forecast.py
	$(BIN)/python benchmarks/correlation.py

clean:
	rm -rf $(VENV) var test-output .pytest_cache .ruff_cache
