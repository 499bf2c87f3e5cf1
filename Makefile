# Xinfang — every install step lives here, so a clean checkout needs only `make run` / `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= var/xinfang.db
export XINFANG_DATABASE_URL ?= sqlite:///$(CURDIR)/$(DB)
export TZ := UTC

.PHONY: fonts venv run serve test test-fast bench demo-db clean lint browser-deps vendor translations web-assets

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

.stamp-deps: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: .stamp-deps

# Front-end: bpmn-js from npm (exact version in package.json/package-lock.json), copied into the app.
VENDOR := webui/static/vendor
$(VENDOR)/bpmn-navigated-viewer.production.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js $(VENDOR)/
	cp node_modules/bpmn-js/dist/assets/bpmn-js.css node_modules/bpmn-js/dist/assets/diagram-js.css $(VENDOR)/
	cp -r node_modules/bpmn-js/dist/assets/bpmn-font $(VENDOR)/

# The editor's modeler (bpmn-js UMD bundle, same pinned package).
$(VENDOR)/bpmn-modeler.production.min.js: $(VENDOR)/bpmn-navigated-viewer.production.min.js
	cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(VENDOR)/

# Charts on the dashboards: Chart.js's UMD build, from the same pinned install.
$(VENDOR)/chart.umd.min.js: $(VENDOR)/bpmn-navigated-viewer.production.min.js
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/

vendor: $(VENDOR)/bpmn-navigated-viewer.production.min.js $(VENDOR)/bpmn-modeler.production.min.js $(VENDOR)/chart.umd.min.js

translations: venv
	$(BIN)/pybabel compile -d webui/translations

web-assets: vendor translations

# Browser tests drive Debian's chromium (never `playwright install`); a CJK font makes screenshots legible.
browser-deps:
	(command -v chromium && dpkg -s fonts-wqy-microhei) >/dev/null 2>&1 || \
		(apt-get update && apt-get install -y chromium fonts-wqy-microhei)

# The monthly report's charts need a CJK font; `make run` tries to install it and goes on without.
fonts:
	@dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || (apt-get update && apt-get install -y fonts-wqy-microhei) || \
		echo "warning: fonts-wqy-microhei not installed; report charts will show boxes for Chinese"

# A living office: a few hundred petitions played through the real processes (~40 s), once per database.
demo-db: venv
	$(BIN)/xinfang init-db
	$(BIN)/xinfang setup-demo
	@test -f $(DB).demo || ($(BIN)/xinfang demo --cases 300 && touch $(DB).demo)

run: demo-db web-assets fonts
	XINFANG_ENV=development XINFANG_COOKIE_SECURE=0 $(BIN)/xinfang serve --host 127.0.0.1 --port 5000

# One pytest worker per core (pytest-xdist); a module's tests stay on one worker with its fixtures.
TEST_WORKERS ?= $(shell nproc)
test: venv browser-deps web-assets lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadscope

test-fast: venv
	$(BIN)/python -m pytest -q -x -p no:cacheprovider -n $(TEST_WORKERS) -m "not slow"

bench: venv
	$(BIN)/python -m bench.engine_bench
	$(BIN)/python -m bench.timer_bench
	$(BIN)/python -m bench.inbox_bench
	$(BIN)/python -m bench.kpi_bench
	$(BIN)/python -m bench.http_bench
	$(BIN)/python -m bench.loop_bench
	$(BIN)/python -m bench.http_pattern

# The house's direction (import contracts in setup.cfg) and pyflakes; either finding fails `make test`.
lint: venv
	$(BIN)/python -m pyflakes engine office handlers processes webui cli bench tests
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .stamp-* var build *.egg-info node_modules $(VENDOR)
