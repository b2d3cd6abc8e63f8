# The few commands people type. Python 3.11, npm and the package registries are all that is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Official reference files: ANCHOR_REFDATA if set, else ../shared/reference where it exists;
# with neither, the first run downloads them from the publishers.
ANCHOR_REFDATA ?= $(if $(wildcard ../shared/reference/SOURCES.md),$(abspath ../shared/reference),)
export ANCHOR_REFDATA

.PHONY: run test lint bench soak load bench-registers attack setup templates clean

$(BIN)/.installed: requirements.txt dashboard/map_component/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	npm ci --prefix dashboard/map_component --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed
	$(BIN)/python -m dashboard setup

run: setup
	$(BIN)/streamlit run dashboard/app.py

test: $(BIN)/.installed
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check dashboard tests

# The England map's layer change is timed in the browser (tests/artifacts/maps_timings.json).
bench: setup
	$(BIN)/python -m dashboard.bench
	$(BIN)/python -m dashboard.bench_ingest
	$(BIN)/python -m pytest -n 0 -q -s -p no:cacheprovider tests/test_browser_maps.py

# Crashes and a full disk at full size (tests/test_faults.py; make test kills 8 changes): SOAK_KILLS changes killed.
SOAK_KILLS ?= 50
soak: $(BIN)/.installed
	ANCHOR_SOAK_KILLS=$(SOAK_KILLS) $(BIN)/python -m pytest -n 0 -s -p no:cacheprovider --timeout 0 tests/test_faults.py

# Many browser sessions at once while partners upload (tests/test_load.py; make test runs 4 sessions for 45 s).
LOAD_SESSIONS ?= 20
LOAD_UPLOADS ?= 5
LOAD_SECONDS ?= 180
load: $(BIN)/.installed
	ANCHOR_LOAD_SESSIONS=$(LOAD_SESSIONS) ANCHOR_LOAD_UPLOADS=$(LOAD_UPLOADS) ANCHOR_LOAD_SECONDS=$(LOAD_SECONDS) \
		$(BIN)/python -m pytest -n 0 -s -p no:cacheprovider --timeout 0 tests/test_load.py

# A full-size Companies House file (5.5 million companies) loaded, and 20,000 supplier names matched against it.
bench-registers: setup
	$(BIN)/python -m dashboard.bench_registers

# The funder's attack on disclosure control at full size (make test runs it smaller); ATTACK_EXAMPLES networks.
ATTACK_EXAMPLES ?= 20
attack: $(BIN)/.installed
	ANCHOR_ATTACK=full ANCHOR_ATTACK_EXAMPLES=$(ATTACK_EXAMPLES) $(BIN)/python -m pytest -n 0 -p no:cacheprovider --timeout 0 \
		tests/test_disclosure_attack.py

# The committed upload templates, rewritten from the contract (TEMPLATES=DIR writes them elsewhere).
TEMPLATES ?= data/templates
templates: $(BIN)/.installed
	$(BIN)/python -m dashboard templates --out $(TEMPLATES)

clean:
	rm -rf $(VENV) data/anchor.duckdb data/anchor.duckdb.wal data/cache data/demo_uploads
