# Every target bootstraps the virtualenv itself, so a fresh clone needs only `make render` / `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup render check lint plan test clean

setup: $(STAMP)

# Reinstall only when the package metadata changes (the install is editable).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

render: setup  ## Render catalog/ through templates/ into modules/
	$(BIN)/avdgen render

check: setup  ## Fail when modules/ differs from what render would write
	$(BIN)/avdgen render --check

lint: setup  ## terraform fmt, python-hcl2 round trip, catalog consistency
	$(BIN)/avdgen lint

plan: setup  ## Plan envs/$(ENV) offline: make plan ENV=dev|prod
	@test -n "$(ENV)" || { echo "usage: make plan ENV=dev|prod" >&2; exit 2; }
	@test -d envs/$(ENV) || { echo "no envs/$(ENV) yet (avdgen plan PATH plans any root configuration)" >&2; exit 2; }
	$(BIN)/avdgen plan envs/$(ENV)

test: setup  ## The whole offline test suite (drift, lint, plans)
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache
