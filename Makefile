# socialpub: `make dev` runs the whole stack locally, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
SAM := $(TOOLS)/bin/sam
export UV_PYTHON_DOWNLOADS := never
export SAM_CLI_TELEMETRY := 0
# sam build needs the Lambda runtime's interpreter (python3.12) on PATH; pyenv ships one here.
PY312 := $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin))
STAGE ?= dev
# The end-to-end test drives a real headless browser: Debian's Chromium (Playwright uses it as is).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The PostSider e2e test drives the real `postiz` CLI (npm, pinned by tools/postiz/package-lock.json),
# installed into .tools/postiz with the machine's node; it require()s ESM, so node must be >= 20.19.
POSTIZ := $(TOOLS)/postiz/node_modules/.bin/postiz
# ... and the third-party Python client postiz-agent (PyPI, pinned with hashes), in a venv of its own
# so that its many dependencies never mix with the product's.
POSTIZ_AGENT := $(TOOLS)/postiz-agent/.installed
NODE_RECENT := const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)

.PHONY: help install postiz node dev test lint typecheck unit fuzz cfn-lint validate build deps bench deploy clean

help:
	@echo "make dev      start the local stack (API on 127.0.0.1:\$${PORT:-8000})"
	@echo "make test     ruff, mypy, pytest, cfn-lint, sam validate --lint"
	@echo "make fuzz     only the schemathesis fuzz of every surface's OpenAPI (make test runs it too)"
	@echo "make bench    cold-start benchmark (writes docs/benchmarks.md)"
	@echo "make build    sam build (python3.12, arm64)"
	@echo "make deploy   sam deploy --config-env \$$STAGE (dev|prod)"

$(TOOLS)/.installed: tools/requirements.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --disable-pip-version-check -r tools/requirements.txt
	touch $@

$(VENV)/.installed: $(TOOLS)/.installed pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON) -q
	touch $@

install: $(VENV)/.installed

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null

# node and npm from Debian's packages if missing (like Chromium); a node too old to run the CLI is an error.
node:
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	@node -e '$(NODE_RECENT)' || \
	  { echo "the postiz CLI needs node >= 20.19 (or >= 22.12); this node is $$(node --version)" >&2; exit 1; }

# npm ci from the committed lock; a no-op while the lock is unchanged and the CLI is in place.
$(POSTIZ): tools/postiz/package.json tools/postiz/package-lock.json | node
	mkdir -p $(TOOLS)/postiz
	cp tools/postiz/package.json tools/postiz/package-lock.json $(TOOLS)/postiz/
	cd $(TOOLS)/postiz && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(POSTIZ_AGENT): tools/postiz-agent/requirements.txt $(TOOLS)/.installed
	$(UV) venv -q --allow-existing --python $(PYTHON) $(TOOLS)/postiz-agent
	$(UV) pip sync -q --python $(TOOLS)/postiz-agent/bin/python --require-hashes tools/postiz-agent/requirements.txt
	touch $@

postiz: $(POSTIZ) $(POSTIZ_AGENT)

dev: install
	$(VENV)/bin/python -m socialpub.local.stack

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

unit: install $(CHROMIUM) $(POSTIZ) $(POSTIZ_AGENT)
	$(VENV)/bin/pytest -q -n 2 --durations=30

# A few minutes on two cores, so it is its own target; it prints its figures (docs/api.md#fuzzing).
fuzz: install
	$(VENV)/bin/pytest -q -n 2 tests/fuzz

cfn-lint: install
	$(VENV)/bin/cfn-lint template.yaml

validate: install
	$(SAM) validate --lint

test: lint typecheck unit cfn-lint validate

deps: install
	$(UV) export --frozen --no-dev --no-hashes --no-emit-project -q -o layers/deps/requirements.txt

build: deps
	PATH="$(PY312):$$PATH" $(SAM) build --parallel --cached

bench: install
	$(VENV)/bin/python scripts/bench_cold_start.py --runs 5 --markdown docs/benchmarks.md
	$(VENV)/bin/python scripts/bench_pipeline.py --posts 20 --targets 3 --runs 3 --markdown docs/benchmarks.md
	$(VENV)/bin/python scripts/bench_analytics.py --posts 1000 --days 90 --markdown docs/benchmarks.md

deploy: build
	$(SAM) deploy --config-env $(STAGE)

clean:
	rm -rf .aws-sam $(VENV) $(TOOLS)
