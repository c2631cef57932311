# UniBridge: `make run` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: setup run test lint format bench messages clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

# Migrate, load the demo story (idempotent), start the task worker and serve.
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py run_huey --quiet & \
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The bench builds its own database (var/bench on SQLite unless DATABASE_URL is set).
bench: setup
	DATA_DIR=$${DATA_DIR:-var/bench} $(PY) manage.py migrate --noinput -v0
	DATA_DIR=$${DATA_DIR:-var/bench} $(PY) manage.py bench $(BENCH_ARGS)

# Needs GNU gettext (Debian package gettext); the compiled .mo files are committed.
messages: setup
	cd unibridge && ../$(PY) ../manage.py makemessages -l ru -l kk -l pl --no-obsolete && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) var
