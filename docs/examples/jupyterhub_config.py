"""JupyterHub configuration for the course: nbgrader's services-and-groups pattern, with placeholders.

Adapted from nbgrader's "one class, multiple graders" set-up (nbgrader's docs, "Using nbgrader with
JupyterHub"), for JupyterHub 4 or later. It shows only the parts that concern the course: add
your authenticator and spawner settings. Everything in <angle brackets> or on example.org is a
placeholder. See docs/deploy-at-scale.md.
"""

c = get_config()  # noqa: F821 - provided by JupyterHub's config loader

COURSE_ID = "oud-course"  # = CourseDirectory.course_id in the grading server's nbgrader_config.py
GRADER_ACCOUNT = f"grader-{COURSE_ID}"  # a system account that runs the formgrader; nobody logs in as it
COURSE_FOLDER = f"/home/{GRADER_ACCOUNT}/oud-course"  # the instructor's private clone of the course
INSTRUCTORS = ["<instructor1>", "<instructor2>"]  # everyone who grades
STUDENTS = ["<student1>", "<student2>"]  # or leave empty and let your authenticator admit the class

c.Authenticator.allowed_users = set(INSTRUCTORS + STUDENTS)

# nbgrader recognises groups by name: formgrade-<course> may use the formgrader, nbgrader-<course>
# are the course's students (nbgrader adds a student here when you add them to the gradebook).
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE_ID}": INSTRUCTORS,
    f"nbgrader-{COURSE_ID}": STUDENTS,
}

c.JupyterHub.load_roles = [
    {   # graders reach the formgrader service; the course list finds it through the services API
        "name": f"formgrade-{COURSE_ID}",
        "groups": [f"formgrade-{COURSE_ID}"],
        "scopes": [f"access:services!service={COURSE_ID}", "list:services", f"read:services!service={COURSE_ID}"],
    },
    {   # students' servers may discover the course service (nbgrader's assignment list)
        "name": f"nbgrader-{COURSE_ID}",
        "groups": [f"nbgrader-{COURSE_ID}"],
        "scopes": ["list:services", f"read:services!service={COURSE_ID}"],
    },
    {   # each single-user server's token may do what its owner may do (nbgrader's course list needs it)
        "name": "server",
        "scopes": ["inherit"],
    },
]

# The grading server: a Jupyter server run by the hub as a service, in the grader account, with
# the course folder as its working folder so that its formgrader and its terminals use the course's
# nbgrader_config.py. The service name MUST be the course id.
c.JupyterHub.services = [
    {
        "name": COURSE_ID,
        "url": "http://127.0.0.1:9999",  # any free local port
        "command": ["jupyterhub-singleuser", "--debug"],
        "user": GRADER_ACCOUNT,
        "cwd": COURSE_FOLDER,
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            # The gradebook (docs/examples/nbgrader_config_hub.py). No password here: libpq reads it
            # from ~/.pgpass (mode 600) in the grader account.
            "COURSE_DB_URL": "postgresql://oud_grader@<db.example.org>:5432/oud_course",
        },
    },
]
