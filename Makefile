# The course's commands (each runs `oud-course COMMAND`; `.venv/bin/oud-course --help` lists them).
# `make lab` and `make test` work on a fresh machine; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The first lesson present is where JupyterLab opens.
FIRST_LESSON := $(firstword $(sort $(wildcard notebooks/*.ipynb)))
export PYTHONDONTWRITEBYTECODE := 1
# nbgrader calls `alembic` by name when it creates a gradebook.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab test check release release-graded grade hand-out feedback export report regrade system-packages clean bench site

# The course's JupyterLab keyboard shortcuts (see the file). A wheel install puts them in place from pyproject's
# data-files; setuptools' editable install skips data-files, so the venv gets them here.
LAB_SETTINGS := jupyter-config/lab/settings/overrides.d/oud-course.json5

$(STAMP): pyproject.toml $(LAB_SETTINGS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d
	cp $(LAB_SETTINGS) $(VENV)/share/jupyter/lab/settings/overrides.d/
	touch $@

# Jupyter refuses to run as root unless told to (containers often run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" $(LAB_ARGS) $(FIRST_LESSON)

system-packages:
	@bash scripts/install-system-packages

# One worker per core; a file's tests stay on one worker, so a module's fixtures (a graded class, a lab server) are built once.
test: $(STAMP) system-packages
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=25 $(PYTEST_ARGS)

# The fast loop (about a minute): everything that needs no browser, PostgreSQL, network or full grading run.
check: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not browser and not postgres and not network" --durations=15 $(PYTEST_ARGS)

# release/ for self-study (every check), then each check in CHECKS (course_config.py) released to the class: recorded in
# the class gradebook in its flavour, a credit check's student version in build/release-graded/. ASSIGNMENT=... for one.
release: $(STAMP)
	$(BIN)/oud-course release $(if $(ASSIGNMENT),--only $(ASSIGNMENT))

# `make release` builds each credit check's graded version; this name stays for instructors who learnt it.
release-graded: release

# Autograde every submission (of ASSIGNMENT=..., or of every check released to the class), write feedback, export grades.csv.
# COLLECT=exchange takes submissions from nbgrader's exchange, COLLECT=zip from downloaded/ zips;
# WORKERS=N grades in parallel (PostgreSQL gradebook only).
grade: $(STAMP)
	$(BIN)/oud-course grade $(ASSIGNMENT) --collect $(or $(COLLECT),none) $(if $(WORKERS),--workers $(WORKERS))

# The term's other steps. hand-out: put a released check in nbgrader's exchange, in its flavour (hub).
# feedback: write it again after hand grading (late penalties from the current scores), zip it for the LMS in
# build/feedback-zips/, release it through the exchange to those who submitted there. export: grades.csv and, beside it,
# grades-detail.csv (raw score, penalty, result), grades-canvas.csv and grades-moodle.csv.
hand-out: $(STAMP)
	$(BIN)/oud-course hand-out $(ASSIGNMENT)

feedback: $(STAMP)
	$(BIN)/oud-course feedback $(ASSIGNMENT)

export: $(STAMP)
	$(BIN)/oud-course export

# Item analysis (of ASSIGNMENT=..., or all) from the gradebook and the answers stored at autograding: report/index.html
# and CSVs. Students appear by pseudonym; NAMES=1 shows ids and names.
report: $(STAMP)
	$(BIN)/oud-course report $(ASSIGNMENT) $(if $(NAMES),--names)

# After an item's declaration changed in source/: decide its points again from the stored answers (no kernel),
# update the gradebook, feedback and grades.csv; regrade-<assignment>.csv lists whose score changed.
regrade: $(STAMP)
	$(BIN)/oud-course regrade $(ASSIGNMENT)

# The lessons as a static website in build/site (run once, widgets in their first state; no network).
# SITE_ARGS="--out DIR" writes it elsewhere.
site: $(STAMP)
	$(BIN)/oud-course site $(SITE_ARGS)

# Benchmarks (about 30 minutes on 2 cores, items 8a and 8b included): rewrites docs/performance.md. Measurements, not tests.
# BENCH_ARGS="--only 3a,4" runs some items; "--quick" fewer repetitions.
bench: $(STAMP) system-packages
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf build submitted autograded feedback exchange intake gradebook.db answers report regrade-*.csv
