"""nbgrader_config.py for the course folder on a JupyterHub grading server: an example to adapt.

On the grading server, the course folder is the instructor's private clone of this repository.
Copy this file over that clone's two-line nbgrader_config.py:

    cp docs/examples/nbgrader_config_hub.py nbgrader_config.py

It keeps every setting of course_config.py (the grading pipeline, the sandbox, timeouts, late
penalty, grade export) and changes only what differs on a hub. See docs/deploy-at-scale.md.
"""

import os

c = get_config()  # noqa: F821 - provided by nbgrader's config loader

# Every course setting first, from course_config.py beside this file; the lines below override it.
load_subconfig("course_config.py")  # noqa: F821 - provided by nbgrader's config loader

COURSE_ID = "oud-course"  # must equal the JupyterHub service name and the formgrade-/nbgrader- groups' suffix
EXCHANGE_ROOT = "/srv/nbgrader/exchange"  # the shared volume, mounted at this same path on every server

c.CourseDirectory.course_id = COURSE_ID
c.Exchange.root = EXCHANGE_ROOT

# The gradebook: PostgreSQL, named by COURSE_DB_URL in the environment of the grading server (the
# JupyterHub service sets it), so that nbgrader, the formgrader and `make grade` all use the same
# one. Keep the password out of the URL and out of files in git: libpq reads it from PGPASSWORD or
# from ~/.pgpass (mode 600) of the grader account, e.g. COURSE_DB_URL=postgresql://oud_grader@db.example.org:5432/oud_course
DB_URL = os.environ.get("COURSE_DB_URL", "")
if not DB_URL.startswith("postgresql"):
    # Failing here beats quietly grading into a SQLite file that the other graders cannot see.
    raise ValueError("COURSE_DB_URL must name the course's PostgreSQL gradebook, e.g. "
                     "postgresql://oud_grader@db.example.org:5432/oud_course (see docs/deploy-at-scale.md)")
c.CourseDirectory.db_url = DB_URL

# nbgrader's advice for JupyterHub: keep a log file, so that failures can be read afterwards.
c.NbGrader.logfile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nbgrader.log")
