# Quick start: `make demo` and `make test`. Both create .venv and install the project first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check bench install wheel clean libreoffice chromium java

# The conflict-list tests open the XLSX in LibreOffice (headless): installed from Debian's
# packages when it is missing (as root, as CI runs; through sudo otherwise).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/reconcile demo --out demo-output

libreoffice:
	@command -v soffice >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; }

# The HTML report's test opens the report in headless Chromium through chromedriver: both from
# Debian's packages when missing (never a browser download).
chromium:
	@{ command -v chromium && command -v chromedriver; } >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

# The Spark engine's test starts a local Spark session: it needs a Java runtime (17 or later).
java:
	@command -v java >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null; }

# The house's rules checked, not hoped (pyproject.toml's [tool.ruff], [tool.mypy], [tool.importlinter]):
# ruff (no print, Rich only in the console module, Splink only in link/), mypy (strict on normalize,
# decide and link), import-linter (the stages import one way).
CHECK_STAMP := $(VENV)/.check-installed
$(CHECK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,check]"
	touch $(CHECK_STAMP)

check: $(CHECK_STAMP)
	$(BIN)/ruff check reconcile tests bench
	$(BIN)/mypy reconcile/normalize reconcile/decide reconcile/link
	$(BIN)/lint-imports

test: $(STAMP) libreoffice chromium java
	$(BIN)/python -m pytest -q -m ""

# A 1.5-million-person province through the real CLI (its whole registry, a 75,000-marriage sample, half the
# size, a second file flavour) beside an independent plain Splink pipeline: about an hour (medians of 3).
# One run of each: .venv/bin/python bench/run.py --repeats 1 --plain-repeats 1 (about 20 min).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/run.py

wheel: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation -w dist .

clean:
	rm -rf $(VENV) dist build demo-output .pytest_cache
