# The two ways in:   make test   (ruff, then the unit tests + every chapter executed)
#                    make book   (the executed HTML book in _build/html)
# Both create .venv on first use and install the exact versions in the lock of $(PYTHON).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The Pythons the book supports, each with a lock that pins every package for Linux x86-64 (as
# CI uses): requirements.lock for 3.11, requirements-py3.X.lock for the others. The lock of
# $(PYTHON) is chosen; any other Python is refused before anything is installed. Elsewhere, run
# e.g. `make book REQUIREMENTS=` to install from the version ranges in pyproject.toml instead.
# Not 3.10: Keras for it ends at 3.12, which lacks keras.optimizers.ScheduleFreeAdamW (adam.experiments.successors).
PYTHONS := 3.11 3.12 3.13
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
LOCK = $(if $(filter 3.11,$(PYVER)),requirements.lock,requirements-py$(PYVER).lock)
REQUIREMENTS ?= $(LOCK)
STAMP := $(VENV)/.installed

# Offline MNIST for machines without internet (CI): used when the file exists beside the clone.
MNIST_OFFLINE := $(abspath ../shared/data/mnist-offline.npz)
ifneq ($(wildcard $(MNIST_OFFLINE)),)
export ADAM_BOOK_MNIST ?= $(MNIST_OFFLINE)
endif
# Quiet TensorFlow's C++ start-up logs (the notebooks set these too).
export TF_CPP_MIN_LOG_LEVEL ?= 2
export TF_ENABLE_ONEDNN_OPTS ?= 0

.PHONY: install lint test test-jax test-python test-elsewhere book browser-test benchmark lock clean

install: $(STAMP)

$(STAMP): $(wildcard $(REQUIREMENTS)) pyproject.toml
	@[ -n "$(PYVER)" ] || { echo "Cannot run PYTHON=$(PYTHON). The book supports these Pythons:" \
	  "$(PYTHONS). Choose one, e.g. PYTHON=python3.12 make $(or $(MAKECMDGOALS),install)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "PYTHON=$(PYTHON) is Python " + sys.version.split()[0] + ". The book supports these Pythons: $(PYTHONS). Choose one, e.g. PYTHON=python3.12 make $(or $(MAKECMDGOALS),install)")'
	@case " $(PYTHONS) " in *" $(PYVER) "*) ;; *) [ -z "$(strip $(REQUIREMENTS))" ] || { \
	  echo "PYTHON=$(PYTHON) is Python $(PYVER), which the book does not support. It supports these" \
	    "Pythons, one lock each: $(PYTHONS). Choose one, e.g. PYTHON=python3.12 make" \
	    "$(or $(MAKECMDGOALS),install), or install the version ranges untested:" \
	    "make $(or $(MAKECMDGOALS),install) REQUIREMENTS=" >&2; exit 1; };; esac
	@! [ -x $(PY) ] || [ "$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$(PYVER)" ] || { \
	  echo "$(VENV) holds another Python than PYTHON=$(PYTHON) ($(PYVER)): remove it (rm -rf $(VENV))" \
	    "or name another, e.g. VENV=.venv-$(PYVER)" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
ifneq ($(strip $(REQUIREMENTS)),)
	$(PY) -m pip install --quiet -r $(REQUIREMENTS)
	$(PY) -m pip install --quiet --no-deps -e .
else
	$(PY) -m pip install --quiet -e ".[test]"
endif
	touch $@

# ruff (configured in pyproject.toml): lint, import order and format, on the package, the
# tests, the benchmarks, _ext and conftest.py (the notebooks are excluded there for now).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: $(STAMP) lint
	$(PY) -m pytest -n 2 --nbmake --nbmake-timeout=600 tests chapters $(wildcard intro.ipynb)

# The Keras tests again on JAX (`make test` runs them on TensorFlow): the package's, Keras's own
# optimizer suite against adam.keras.Adam, and the MNIST model for one short epoch. PyTorch is
# not run: its Linux wheel pulls the CUDA libraries (gigabytes), too much for CI. Exit status 5
# (pytest collected no test) counts as success, so that it cannot fail CI on its own.
KERAS_TESTS := tests/test_keras.py tests/keras_suite tests/test_quickstart.py
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

# The unit tests and one chapter on another supported Python, e.g. `make test-python
# PYTHON=python3.12` (.ci/run runs it on Colab's Python, 3.12): in a virtual environment of its
# own, .venv-3.12, installed from that Python's lock; .venv is not touched. The checks of the
# built book (browser, outputs) are left out: they read what `make book` built. With
# -p no:execution_cache nothing enters the book's execution cache. To fit CI's time, three
# tests that run the book's experiments rather than the package are left out too (on 2 busy
# cores 9 of the suite's 18 worker-minutes; `make test` runs them): the successors sweep
# script, the Colab setup cells in fresh environments, and the seeded Transformer training.
PYTHON_CHAPTER := chapters/01_adam_in_one_page.ipynb
PYTHON_SKIP := --ignore=tests/test_browser.py --ignore=tests/test_built_outputs.py \
	--ignore=tests/test_colab_setup.py \
	--deselect=tests/test_successors.py::test_script_writes_each_optimizer_problem \
	--deselect=tests/test_warmup_clipping.py::test_seeded_training_clipping_outliers
test-python:
	@$(MAKE) --no-print-directory install VENV=.venv-$(PYVER)
	.venv-$(PYVER)/bin/python -m pytest -p no:execution_cache -n 2 --nbmake --nbmake-timeout=600 \
		$(PYTHON_SKIP) tests $(PYTHON_CHAPTER)

# Re-resolve the version ranges of pyproject.toml into the lock of $(PYTHON), in a fresh virtual
# environment of that Python. For 3.11 (requirements.lock) the newest versions. For another
# Python, requirements.lock's versions are constraints wherever that Python has a wheel of them
# (pip is asked pin by pin), so its lock differs from requirements.lock only where it must.
# After a new requirements.lock, run `make lock PYTHON=python3.X` for each other Python.
LOCK_VENV = .lock-venv-$(PYVER)
lock:
	@[ -n "$(PYVER)" ] || { echo "Cannot run PYTHON=$(PYTHON)" >&2; exit 1; }
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	# (the package is built from a copy: a build in the clone could collide with another's)
	mkdir $(LOCK_VENV)/src && cp -r pyproject.toml README.md LICENSE adam $(LOCK_VENV)/src/
ifeq ($(PYVER),3.11)
	$(LOCK_VENV)/bin/python -m pip install --quiet "./$(LOCK_VENV)/src[test]"
else
	pins() { $(LOCK_VENV)/bin/python -m pip install --quiet --dry-run --ignore-installed --no-deps \
	           --only-binary=:all: "$$@" >/dev/null 2>&1; }; \
	if pins -r requirements.lock; then grep -v '^#' requirements.lock; \
	else for pin in $$(grep -v '^#' requirements.lock); do \
	  if pins "$$pin"; then echo "$$pin"; else echo "  not on Python $(PYVER): $$pin (pip chooses)" >&2; fi; \
	done; fi > $(LOCK_VENV)/constraints.txt
	$(LOCK_VENV)/bin/python -m pip install --quiet -c $(LOCK_VENV)/constraints.txt "./$(LOCK_VENV)/src[test]"
endif
	( echo "# Exact versions for CI and book builds (Linux x86-64, Python $(PYVER)). Regenerate: make lock$(if $(filter-out 3.11,$(PYVER)), PYTHON=python$(PYVER))"; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude adam-book ) > $(LOCK)
	rm -rf $(LOCK_VENV)

clean:
	rm -rf _build
