# Two commands on a fresh machine:  make run  (the app)  ·  make test  (the whole suite)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

# Offline machines keep the VGG19 weights beside the checkout; elsewhere Keras downloads them.
SHARED_WEIGHTS := $(abspath ../shared/data/weights/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5)
ifeq ($(origin NST_WEIGHTS), undefined)
  ifneq ($(wildcard $(SHARED_WEIGHTS)),)
    export NST_WEIGHTS := $(SHARED_WEIGHTS)
  endif
endif

.PHONY: run test lint format bench clean browser demo-pack

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.app: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.app
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.app
	$(BIN)/streamlit run app.py --server.port $(PORT)

# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	    echo "Installing Debian's chromium for the browser tests"; \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "No chromium and no apt-get: the browser tests will be skipped"; fi; }

test: $(VENV)/.dev browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: $(VENV)/.dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Record the replayable demo runs in assets/demo/ from the project's own gallery pictures.
demo-pack: $(VENV)/.app
	$(BIN)/python assets/make_demo_pack.py

bench: $(VENV)/.app
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
