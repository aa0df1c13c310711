"""Understanding Opioid Dependence: widgets, data, self-check and grading tools for the course."""

__version__ = "0.1.0"
COURSE_ID = "oud-course"
