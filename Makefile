# The two ways in:   make test   (unit tests + every chapter executed)
#                    make book   (the executed HTML book in _build/html)
# Both create .venv on first use and install the exact versions in requirements.lock.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# requirements.lock pins every package for Linux x86-64 (as CI uses). Elsewhere, run e.g.
# `make book REQUIREMENTS=` to install from the version ranges in pyproject.toml instead.
REQUIREMENTS ?= requirements.lock
STAMP := $(VENV)/.installed

# Offline MNIST for machines without internet (CI): used when the file exists beside the clone.
MNIST_OFFLINE := $(abspath ../shared/data/mnist-offline.npz)
ifneq ($(wildcard $(MNIST_OFFLINE)),)
export ADAM_BOOK_MNIST ?= $(MNIST_OFFLINE)
endif
# Quiet TensorFlow's C++ start-up logs (the notebooks set these too).
export TF_CPP_MIN_LOG_LEVEL ?= 2
export TF_ENABLE_ONEDNN_OPTS ?= 0

.PHONY: install test test-jax test-elsewhere book browser-test benchmark lock clean

install: $(STAMP)

$(STAMP): $(REQUIREMENTS) pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; found " + sys.version.split()[0] + " (set PYTHON=...)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
ifneq ($(strip $(REQUIREMENTS)),)
	$(PY) -m pip install --quiet -r $(REQUIREMENTS)
	$(PY) -m pip install --quiet --no-deps -e .
else
	$(PY) -m pip install --quiet -e ".[test]"
endif
	touch $@

test: $(STAMP)
	$(PY) -m pytest -n 2 --nbmake --nbmake-timeout=600 tests chapters $(wildcard intro.ipynb)

# The Keras tests again on JAX (`make test` runs them on TensorFlow): the package's, Keras's own
# optimizer suite against adam.keras.Adam, and the MNIST model for one short epoch. PyTorch is
# not run: its Linux wheel pulls the CUDA libraries (gigabytes), too much for CI. Exit status 5
# (pytest collected no test) counts as success, so that it cannot fail CI on its own.
KERAS_TESTS := tests/test_keras.py tests/keras_suite tests/test_keras_mnist.py
test-jax: $(STAMP)
	KERAS_BACKEND=jax $(PY) -c 'import keras; assert keras.backend.backend() == "jax"'
	KERAS_BACKEND=jax $(PY) -m pytest -n 2 $(KERAS_TESTS) || [ $$? -eq 5 ]

# The chapters again as another machine would run them: other random seeds, and other
# arithmetic. NumPy without its AVX2/AVX-512 loops (baseline x86-64-v2 only), TensorFlow with
# oneDNN's kernels, OpenBLAS with its Sandybridge kernels (no FMA), XLA's CPU code limited
# to AVX and one thread, and every library on one thread. A claim that holds only for one
# seed, one reduction order or one thread count fails here. The runs are not stored in the
# book's execution cache (-p no:execution_cache). CI runs this after the book is built.
ELSEWHERE_SEED ?= 1
ELSEWHERE_ENV := ADAM_BOOK_SEED=$(ELSEWHERE_SEED) \
	NPY_DISABLE_CPU_FEATURES="X86_V3 X86_V4 AVX512_ICL AVX512_SPR" \
	TF_ENABLE_ONEDNN_OPTS=1 OPENBLAS_CORETYPE=Sandybridge \
	XLA_FLAGS="--xla_cpu_max_isa=AVX --xla_cpu_multi_thread_eigen=false" \
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1 \
	TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1
test-elsewhere: $(STAMP)
	$(ELSEWHERE_ENV) $(PY) -m pytest -p no:execution_cache -n 2 --nbmake \
		--nbmake-timeout=900 chapters $(wildcard intro.ipynb)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

# The built book in headless Chromium: math, images, console, requests, navigation, buttons.
browser-test: $(STAMP)
	$(PY) -m pytest -v tests/test_browser.py tests/test_built_outputs.py

benchmark: $(STAMP)
	$(PY) benchmarks/adam_step.py

# Re-resolve the version ranges of pyproject.toml into a fresh lock file.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet ".[test]"
	( echo "# Exact versions for CI and book builds (Linux x86-64, Python 3.11). Regenerate: make lock"; \
	  .lock-venv/bin/python -m pip freeze --exclude adam-book ) > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf _build
