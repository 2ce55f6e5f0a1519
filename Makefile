# The two commands a newcomer needs (see README):
#   make run   — the bot on embedded defaults with the LINE simulator at http://127.0.0.1:8000/dev/chat
#   make test  — the whole test suite (needs PostgreSQL and Redis on 127.0.0.1; see README)
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.PHONY: run test venv lint bench clean

$(STAMP): pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

run: venv
	DEV_MODE=true $(VENV)/bin/python -m bot migrate
	DEV_MODE=true $(VENV)/bin/python -m nlu train
	DEV_MODE=true $(VENV)/bin/python -m bot serve

lint: venv
	$(VENV)/bin/ruff check settings bot nlu flows handoff tests bench scripts
	$(VENV)/bin/mypy

test: venv
	bash scripts/ensure-system-packages.sh
	$(VENV)/bin/ruff check settings bot nlu flows handoff tests bench scripts
	$(VENV)/bin/mypy  # strict, for the packages in pyproject.toml [tool.mypy]
	$(VENV)/bin/python -m pytest -q --ignore=tests/flows
	# The conversation core needs no database: its tests run with PostgreSQL out of reach.
	TEST_DATABASE_URL=postgresql+psycopg://nobody@127.0.0.1:9/unreachable $(VENV)/bin/python -m pytest -q tests/flows
	bash scripts/rasa-ci.sh

bench: venv
	$(VENV)/bin/python bench/webhook.py
	$(VENV)/bin/python bench/nlu_latency.py

clean:
	rm -rf var .pytest_cache .ruff_cache
