# Every target bootstraps the virtualenv itself, so a fresh clone needs only `make render` / `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: help setup render check lint plan test scan az-check clean

help:  ## This list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 20

setup: $(STAMP)  ## Create .venv/ with avdgen installed (every target does it first); then `. .venv/bin/activate` puts avdgen on PATH

# Reinstall only when the package metadata changes (the install is editable). Under a lock, and
# checked again once it is held: two makes at once on a fresh clone install once, not both into
# a half-made venv.
SETUP_LOCK := .avdgen-setup.lock
$(STAMP): pyproject.toml
	@exec 9>$(SETUP_LOCK); flock 9; \
	if [ -e $@ ] && [ ! pyproject.toml -nt $@ ]; then exit 0; fi; \
	set -e; \
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	echo "$(BIN)/python -m pip install --quiet -e '.[test]'"; \
	$(BIN)/python -m pip install --quiet --upgrade pip; \
	$(BIN)/python -m pip install --quiet -e '.[test]'; \
	touch $@

render: setup  ## Render catalog/ through templates/ into modules/, envs/ and the pipelines
	$(BIN)/avdgen render

check: setup  ## Fail when the rendered tree differs from what render would write
	$(BIN)/avdgen render --check

lint: setup  ## terraform fmt, python-hcl2 round trip, catalog consistency
	$(BIN)/avdgen lint

ENVS := $(sort $(patsubst catalog/envs/%.yaml,%,$(wildcard catalog/envs/*.yaml)))

plan: setup  ## Plan envs/<ENV> offline (make plan ENV=dev), refused when the tree is stale
	@test -n "$(ENV)" || { echo "usage: make plan ENV=<env>; the envs: $(ENVS)" >&2; exit 2; }
	@test -f catalog/envs/$(ENV).yaml || { echo "no env $(ENV): the envs are $(ENVS) (catalog/envs/<env>.yaml)" >&2; exit 2; }
	@# The plan reads envs/$(ENV)/: refuse to plan the last render when catalog/ has changed since.
	@$(BIN)/avdgen render --check >/dev/null 2>&1 || { status=$$?; \
	  if [ $$status -eq 1 ]; then echo "catalog/ or templates/ changed since the last render (or a generated file was edited): run make render first; avdgen render --diff shows the change" >&2; exit 2; fi; \
	  $(BIN)/avdgen render --check; exit $$status; }
	$(BIN)/avdgen validate-vars $(ENV)
	$(BIN)/avdgen plan envs/$(ENV)

test: setup  ## The whole offline test suite (drift, lint, plans)
	$(BIN)/python -m pytest

# checkov lives in its own virtualenv: it depends on bc-python-hcl2, whose top-level `hcl2`
# package would replace the python-hcl2 that `avdgen lint` needs. zizmor (a Rust binary wheel) and
# check-jsonschema share it: installed in one pip run with checkov, they add packages and change
# none of checkov's (a conflict would fail the install). Pinned, so a new release cannot fail the
# scan with checks nobody has reviewed; bump one and rerun `make scan`.
SCAN_VENV                ?= .venv-scan
CHECKOV_VERSION          ?= 3.3.30
ZIZMOR_VERSION           ?= 1.32.0
CHECK_JSONSCHEMA_VERSION ?= 0.39.0
SCAN_STAMP := $(SCAN_VENV)/.installed-checkov-$(CHECKOV_VERSION)-zizmor-$(ZIZMOR_VERSION)-check-jsonschema-$(CHECK_JSONSCHEMA_VERSION)
CHECKOV    := $(SCAN_VENV)/bin/checkov --framework terraform secrets --skip-download --quiet --compact
# --offline: no GitHub API (its online audits look up tags and advisories); --strict-collection:
# a workflow zizmor cannot parse fails the scan instead of being skipped with a warning.
ZIZMOR     := $(SCAN_VENV)/bin/zizmor --offline --strict-collection --no-progress --color never
# The workflow schema from SchemaStore that check-jsonschema vendors: no download.
WORKFLOW_SCHEMA := $(SCAN_VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows

$(SCAN_STAMP):
	@test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SCAN_VENV)/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)' 'zizmor==$(ZIZMOR_VERSION)' 'check-jsonschema==$(CHECK_JSONSCHEMA_VERSION)'
	@rm -f $(SCAN_VENV)/.installed-*
	@touch $@

# One checkov run per directory (given both, its second report repeats the first's counts).
# Fails when any check fails that is not skipped inline (`# checkov:skip=ID: reason`), on any
# zizmor finding not ignored inline (`# zizmor: ignore[rule] reason`), or on a workflow the
# schema rejects.
scan: $(SCAN_STAMP)  ## checkov on modules/ and envs/, zizmor and the workflow schema on .github/workflows/ (own venv, not part of make test)
	@status=0; \
	for dir in modules envs; do echo "== checkov $$dir/"; $(CHECKOV) -d $$dir || status=1; done; \
	echo "== zizmor .github/workflows/"; $(ZIZMOR) .github/workflows/ || status=1; \
	for file in .github/workflows/*.yml; do echo "== check-jsonschema $$file"; $(WORKFLOW_SCHEMA) $$file || status=1; done; \
	exit $$status

# The real Azure CLI, in its own virtualenv (about 730 MB): every az command avdgen prints, runs
# or renders into a pipeline must parse (tests/az/). Pinned, like checkov, so a new az release
# is a reviewed bump.
AZ_VENV     ?= .venv-az
AZ_VERSION  ?= 2.91.0
AZ_STAMP    := $(AZ_VENV)/.installed-azure-cli-$(AZ_VERSION)

$(AZ_STAMP):
	@test -x $(AZ_VENV)/bin/python || $(PYTHON) -m venv $(AZ_VENV)
	$(AZ_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AZ_VENV)/bin/python -m pip install --quiet 'azure-cli==$(AZ_VERSION)'
	@rm -f $(AZ_VENV)/.installed-azure-cli-*
	@touch $@

az-check: setup $(AZ_STAMP)  ## Parse every az command avdgen uses with the real Azure CLI, logged out (its own venv)
	AVDGEN_REAL_AZ=$(abspath $(AZ_VENV))/bin/az $(BIN)/python -m pytest -q -n0 -p no:cacheprovider tests/az

clean:
	rm -rf $(VENV) $(SCAN_VENV) $(AZ_VENV) .pytest_cache
