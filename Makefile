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

test: test-deps build $(TEST_DATA)/MANIFEST.json $(VENV)/.installed
	TUILE_DATA=$(TEST_DATA) $(CARGO) test --release --locked
	TUILE_DATA=$(TEST_DATA) VENV=$(VENV) scripts/client-tests.sh

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh test

build: deps
	$(CARGO) build --release --locked

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
