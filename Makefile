# dxplan — set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test eval bench samples system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dxplan demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/python -m evaluation

bench: $(STAMP)
	$(BIN)/python -m bench

# Rebuild the bundled sample plans (needs LibreOffice); they are committed, so demo does not.
samples: $(STAMP)
	$(BIN)/python -m fixtures.samples

# Debian packages the tests use: LibreOffice (DOC, PDF export), Tesseract (scans), Chromium (browser test).
system-deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		libreoffice-writer-nogui tesseract-ocr tesseract-ocr-vie fonts-liberation2 fonts-dejavu-core \
		chromium

clean:
	rm -rf $(VENV) outputs/*.db outputs/*.db-wal outputs/*.db-shm
