# The two set-up commands of the README:
#   make demo   the main job: Neo4j running, the sample campus imported, how to explore it
#   make test   lint and the whole test suite against a real Neo4j the suite starts
# Both create .venv and install what they need (Java 17 and Maven via apt when missing).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench datasets docs system-deps test-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev,energyplus]'
	# An editable install leaves our own modules uncompiled, and with PYTHONDONTWRITEBYTECODE set
	# every command would compile them again at its start (about 50 ms for graphtwin --version).
	$(BIN)/python -m compileall -q graphtwin importers >/dev/null
	touch $@

system-deps:
	@bash scripts/ensure-system-deps.sh

test-deps:
	@bash scripts/ensure-test-deps.sh

demo: system-deps $(STAMP)
	$(BIN)/graphtwin demo

test: system-deps test-deps $(STAMP) lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: system-deps $(STAMP)
	$(BIN)/python -m benchmarks all

# The evaluation data sets (docs/energyplus.md): recorded into ~/.cache/graphtwin/datasets (or
# DATASETS_DIR), JOBS runs at a time; runs already recorded for the same spec are kept.
JOBS ?= 2
datasets: $(STAMP)
	$(BIN)/graphtwin virtual-building datasets --jobs $(JOBS) $(if $(DATASETS_DIR),--out $(DATASETS_DIR))

docs: $(STAMP)
	$(BIN)/graphtwin schema twin-file > docs/twin-file.schema.json
	$(BIN)/graphtwin schema governance > docs/governance.schema.json
	$(BIN)/graphtwin schema bindings > docs/bindings.schema.json
	$(BIN)/graphtwin schema faults > docs/faults.schema.json
	$(BIN)/graphtwin schema telemetry-push > docs/telemetry-push.schema.json
	$(BIN)/graphtwin schema graphql > docs/schema.graphql
	$(BIN)/graphtwin schema brick-classes

clean:
	rm -rf $(VENV) dist build .pytest_cache .ruff_cache
