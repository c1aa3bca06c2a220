# tuile: the two commands of the README.
#   make run    installs what is missing, builds, generates the demo data, serves on 127.0.0.1:8080
#   make test   runs every test: Rust unit and integration tests, then the client tests
SHELL := /bin/bash
CARGO ?= cargo
BIN := target/release/tuile
DATA ?= data
TEST_DATA := $(CURDIR)/target/test-data
VENV := $(CURDIR)/target/venv

.PHONY: run test deps test-deps build test-rust test-clients clean-data

run: build $(DATA)/MANIFEST.json
	$(BIN) check-config
	$(BIN) serve

test: test-deps build $(TEST_DATA)/MANIFEST.json $(VENV)/.installed tests/browser/node_modules/.installed
	TUILE_DATA=$(TEST_DATA) $(CARGO) test --release --locked
	TUILE_DATA=$(TEST_DATA) VENV=$(VENV) scripts/client-tests.sh

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh test

build: deps viewer/node_modules/.installed
	$(CARGO) build --release --locked

# OpenLayers and proj4 for /viewer, from npm, at the versions of the lock file.
viewer/node_modules/.installed: viewer/package.json viewer/package-lock.json | deps
	npm ci --prefix viewer --no-audit --no-fund --loglevel=error
	touch $@

# playwright-core drives Debian's chromium in the viewer test.
tests/browser/node_modules/.installed: tests/browser/package.json tests/browser/package-lock.json | test-deps
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

# The full demo set (about 40 s, 450 MB); delete data/ or run `make clean-data` to regenerate.
$(DATA)/MANIFEST.json: | build
	$(BIN) demo-data --scale full --out $(DATA)

# The small set the tests use (a few seconds).
$(TEST_DATA)/MANIFEST.json: | build
	$(BIN) demo-data --scale small --out $(TEST_DATA)

$(VENV)/.installed: tests/clients/requirements.txt | deps
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/clients/requirements.txt
	touch $@

clean-data:
	rm -rf $(DATA) $(TEST_DATA)
