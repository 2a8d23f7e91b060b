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

# The AVX2 kind's code path on the other kind too: TensorFlow turns oneDNN on by default only on CPUs
# with AVX-512 features, and without it computes and allocates as an AVX2-only CPU does (its own
# kernels, emulated bfloat16, no reuse of the painting's memory). Where oneDNN is on, the engine's
# tests run once more with it off, so a suite that passes here passes there.
AVX2_PATH_TESTS := tests/test_memory.py tests/test_plan.py tests/test_engine.py tests/test_conv_net.py \
                   tests/test_backbones.py tests/test_cli.py

test: $(VENV)/.dev browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@if [ "$$($(BIN)/python -c 'from nst.tf_runtime import onednn_enabled; print(int(onednn_enabled()))')" = 1 ]; then \
	  echo "oneDNN is on here: the engine's tests with it off (the AVX2 kind's path)"; \
	  TF_ENABLE_ONEDNN_OPTS=0 $(BIN)/pytest -q -p no:cacheprovider $(AVX2_PATH_TESTS); \
	else echo "oneDNN is off here: the whole suite runs the AVX2 kind's path"; fi
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
