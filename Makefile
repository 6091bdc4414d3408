# citycoop — two commands do everything: `make report` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORPUS ?= seeds
N      ?= 20000

.PHONY: setup report test test-fast lab bench notebooks eval clean

setup: $(STAMP)

# Re-installs only when the package's dependencies change (fast no-op otherwise).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

report: setup
	$(BIN)/citycoop report $(CORPUS) --out reports --jobs 2
	@echo "Open: $(CURDIR)/reports/index.html"

# Unit tests, nbval over notebooks/, and the browser tests over reports/ (built if missing).
test: setup
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg -q

test-fast: setup
	$(BIN)/python -m pytest tests -q -m "not browser and not slow"

# Jupyter refuses to start as root without --allow-root (a container's usual user).
lab: setup
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (citycoop)" >/dev/null
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root,)

# Re-run the notebooks on seeds/ so they are committed with fresh outputs.
notebooks: setup
	$(BIN)/python tools/build_notebooks.py
	cd notebooks && for nb in corpus_overview partner_profile review topic_explorer; do \
	  ../$(BIN)/papermill --cwd . $$nb.ipynb $$nb.ipynb -k python3 --no-progress-bar --log-level WARNING || exit 1; done

# Accuracy against hand labels: the seeds (every figure 1.000) and the development set tests/dev,
# whose figures are then written into the README's Accuracy table.
eval: setup
	$(BIN)/citycoop evaluate seeds --gold seeds/expected.jsonl
	$(BIN)/citycoop evaluate tests/dev --gold tests/dev/gold.jsonl
	$(BIN)/python tools/accuracy_table.py

bench: setup
	$(BIN)/python bench/benchmark.py --n $(N)

clean:
	rm -rf reports/*.html reports/*.ipynb reports/data
