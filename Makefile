# UniBridge: `make run` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: setup run test lint format typecheck bench load messages screenshots clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

# Migrate, load the demo story (idempotent), start the task worker and serve.
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py run_huey --quiet & \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

TEST_WORKERS ?= 2
test: setup
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The README's pictures, taken by a browser test on the demo data (docs/screenshots/).
screenshots: setup
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest -q -p no:cacheprovider \
		unibridge/core/tests/test_browser_shell.py::test_readme_screenshots

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# mypy with django-stubs and djangorestframework-stubs (pyproject.toml: strict on core and
# the services, looser elsewhere, a shrinking list of modules not yet typed).
typecheck: setup
	$(VENV)/bin/mypy unibridge benchmarks

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The bench builds its own database (var/bench on SQLite unless DATABASE_URL is set) and
# measures with production settings (DEBUG off, compressed static files).
BENCH_ENV = DATA_DIR=$${DATA_DIR:-var/bench} DEBUG=0 SECRET_KEY=bench-only-not-a-secret-0123456789-abcdefghijklmnop \
	ALLOWED_HOSTS=localhost SECURE_SSL_REDIRECT=0
bench: setup
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)

# gunicorn with production settings on 127.0.0.1 under wrk (apt-get install wrk), against
# the dataset `make bench` built; see benchmarks/README.md.
load: setup
	$(BENCH_ENV) $(PY) -m benchmarks.load $(LOAD_ARGS)

# Needs GNU gettext (Debian package gettext); the compiled .mo files are committed.
# Run from the repo root: only the unibridge package is scanned (everything else at the
# top level is ignored) and the catalogs land in unibridge/locale (LOCALE_PATHS).
MESSAGES_LOCALES = -l ru -l kk -l pl
MESSAGES_IGNORE = --ignore=.venv --ignore=var --ignore=benchmarks --ignore=unibridge.egg-info \
	--ignore=conftest.py --ignore=manage.py --ignore=node_modules
messages: setup
	$(PY) manage.py makemessages $(MESSAGES_LOCALES) --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages $(MESSAGES_LOCALES) $(MESSAGES_IGNORE)

clean:
	rm -rf $(VENV) var
