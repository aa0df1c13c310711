"""Every course and nbgrader setting, one line of why each. nbgrader reads it through nbgrader_config.py.

It is also plain Python: `runpy.run_path("course_config.py")` gives the constants below and `c`.
"""

import os

from nbgrader.converters import Autograde, GenerateAssignment, GenerateFeedback
from nbgrader.preprocessors import (
    ClearHiddenTests, ClearMarkScheme, Execute, GetGrades, LimitOutput, OverwriteCells,
)

from oud_course.grading import (
    DecideGrades, DeriveItemChecks, ExplainItems, InertOutputs, RestoreDeletedCells, SafeExecute, TrimOutput,
)
from oud_course.grading.pipelines import extend, nbgrader_default
from oud_course.grading.extract import SafeExtractor
from oud_course.grading.plugins import LmsFileNameCollector, PercentPerDayLate, SettleLatePenalties, WideCsvExport
from oud_course.lms import DOWNLOAD_NAMES

try:
    c = get_config()  # noqa: F821 - provided when nbgrader loads this file
except NameError:  # imported as plain Python
    from traitlets.config import Config

    c = Config()

ROOT = os.path.dirname(os.path.abspath(__file__))
COURSE_ID = "oud-course"
# The assignment list: every check folder in source/ (source/NN-slug/NN-slug-check.ipynb), in course order.
ASSIGNMENTS = sorted(entry.name for entry in os.scandir(os.path.join(ROOT, "source")) if entry.is_dir())
# Gradebook: SQLite in the course folder by default; a PostgreSQL URL (with credentials) at scale.
DB_URL = os.environ.get("COURSE_DB_URL") or f"sqlite:///{os.path.join(ROOT, 'gradebook.db')}"
# The checks given to the class, each with its flavour and due date (ISO 8601 with a UTC offset). "practice": self-check
# on, as in release/; "credit": self-check off (build/release-graded/), answers checked when you grade. `make release`
# records these in the gradebook and `make grade` grades them; a check not listed is for self-study only. For example
# {"01-opioids-and-the-body": {"flavour": "practice"},
#  "03-dependence-cycle": {"flavour": "credit", "due": "2025-02-01T23:59:00-05:00", "lms_column": "Check 3 (4711)"}}
CHECKS = {}
# More time for one student on one check; the late penalty counts from the due date plus this.
# For example {"03-dependence-cycle": {"ada": "2 days", "bo": "36 hours"}}
EXTENSIONS = {}
# Due dates of checks graded without an entry in CHECKS (`make grade ASSIGNMENT=...`); CHECKS' "due" comes first.
DUE_DATES = {}
# A submission after its due date (and extension) loses this percent of its whole score per started day, up to the cap.
LATE_PERCENT_PER_DAY, LATE_MAX_PERCENT = 10.0, 50.0
# The LMS: "generic", "canvas" or "moodle". zip_collect reads its download names (oud_course.lms.DOWNLOAD_NAMES).
LMS = "generic"
# The field of nbgrader's student list that is each student's LMS login: "id" or "email" (Canvas's SIS Login ID).
LMS_LOGIN = "id"
# Known harmless stderr lines that must not zero a test cell (nbgrader zeroes any stderr there).
STDERR_NOISE = [
    r"Matplotlib is building the font cache",
    r"Debugger warning: It seems that frozen modules are being used",
    r"-Xfrozen_modules=off",
    r"PYDEVD_DISABLE_FILE_VALIDATION",
]

c.CourseDirectory.course_id = COURSE_ID  # names the course in the gradebook and the exchange
c.CourseDirectory.root = ROOT  # source/, release/, submitted/ ... live beside this file
c.CourseDirectory.db_url = DB_URL  # gradebook URL, from COURSE_DB_URL when set
c.Exchange.root = os.environ.get("COURSE_EXCHANGE_ROOT") or os.path.join(ROOT, "exchange")  # inside the course; a hub sets a shared one

c.Execute.timeout = 60  # seconds one cell may run before it is interrupted (endless loops)
c.Execute.interrupt_on_timeout = True  # interrupt a runaway cell and go on with the rest
# Limits on each submission's sandboxed kernel; hitting one ends that submission with the reason, not the batch.
c.SafeExecute.max_seconds = 300  # wall-clock seconds for a whole submission (cells after it do not run)
c.SafeExecute.memory_mb = 1024  # memory for the kernel and its children (a control group; else an address-space limit)
c.SafeExecute.max_processes = 64  # processes and threads at once (fork bombs stop here)
c.SafeExecute.max_file_mb = 64  # largest file the submission's code may write (its folders live in memory)
c.SafeExecute.tmp_mb = 64  # size of its private /tmp
c.SafeExecute.work_mb = 64  # size of its private home and working folder
c.SafeExecute.max_output_mb = 8  # output in all, dropped as it arrives past this
c.SafeExecute.max_submitted_file_mb = 5  # submitted files larger than this are not given to the kernel
c.CourseDirectory.max_file_size = 5_000  # kB: larger submitted files are set aside, not copied (nbgrader's own cap too)
c.TrimOutput.max_chars = 20_000  # characters kept of any one output (LimitOutput counts lines)
c.TrimOutput.max_bytes = 1_000_000  # bytes kept of any one image or other non-text output
c.TrimOutput.max_notebook_bytes = 5_000_000  # an autograded notebook past this loses its non-test outputs
c.HTMLExporter.sanitize_html = True  # feedback pages escape HTML from cells and outputs (InertOutputs did already)
c.ExchangeFactory.collect = "oud_course.grading.exchange.SafeExchangeCollect"  # regular files only, dated on arrival
c.OverwriteCells.add_missing_cells = True  # re-add deleted test cells, so deleting one cannot skip a test
c.LimitOutput.max_lines = 200  # output-size limit per cell, so huge output cannot bloat feedback
c.LimitOutput.max_traceback = 40  # traceback lines kept per error
c.IgnorePattern.enabled = True  # nbgrader's stderr filter, off unless enabled
c.IgnorePattern.pattern = "|".join(STDERR_NOISE)  # drop only the known noise above
c.ClearSolutions.code_stub = {"python": "# Your answer goes in the line above, in place of None."}  # keeps qN = None
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"  # nbgrader's default for written answers
c.AssignLatePenalties.plugin_class = PercentPerDayLate  # nbgrader knows only "none" or "zero"
c.PercentPerDayLate.percent_per_day = LATE_PERCENT_PER_DAY  # per started day late
c.PercentPerDayLate.max_percent = LATE_MAX_PERCENT  # the cap
c.ExportApp.plugin_class = WideCsvExport  # grades.csv (released checks) and, beside it, its detail, Canvas and Moodle files
c.ZipCollectApp.collector_plugin = LmsFileNameCollector  # finds students by LMS user id or name in the student list
c.FileNameCollectorPlugin.named_regexp = DOWNLOAD_NAMES[LMS]  # the LMS's download names; adapt it to yours
c.ZipCollectApp.extractor_plugin = SafeExtractor  # a download's archives are students' files: budgets, no links, no ../
c.DeriveItemChecks.self_check = True  # self-study keys in release/ (what Binder serves) ...
c.DeriveItemChecks.credit = [a for a, entry in CHECKS.items() if entry.get("flavour") == "credit"]  # ... none for credit checks

c.DeriveItemChecks.course_id = COURSE_ID  # item salts derive from it, so releases are reproducible

# Each pipeline is nbgrader's own default with the course's steps put in (tests/test_pipelines.py notices when
# nbgrader's defaults change). Generate: DeriveItemChecks first, so the formgrader's Generate agrees with `make release`.
c.GenerateAssignment.preprocessors = extend(nbgrader_default(GenerateAssignment, "preprocessors"), first=[DeriveItemChecks])
# Sanitize: RestoreDeletedCells before OverwriteCells, so deleted cells come back as released.
c.Autograde.sanitize_preprocessors = extend(nbgrader_default(Autograde, "sanitize_preprocessors"),
                                            before={OverwriteCells: [RestoreDeletedCells]})
# Autograde: SafeExecute for Execute (a sandbox with limits; a dead kernel ends the run, not the grading),
# DecideGrades right after it (points come from the clean process), TrimOutput and InertOutputs after
# LimitOutput (outputs capped, and nothing a submission printed runs as script in the formgrader or feedback).
c.Autograde.autograde_preprocessors = extend(
    nbgrader_default(Autograde, "autograde_preprocessors"),
    replace={Execute: SafeExecute}, after={SafeExecute: [DecideGrades], LimitOutput: [TrimOutput, InertOutputs]},
)
# Feedback never shows hidden tests or mark schemes (nbgrader's own feedback would include both); ExplainItems
# adds each item's explanation once the check's due date has passed (at once for practice checks); SettleLatePenalties
# first takes the late penalty off the current score (autograded and hand-graded), as the grade export does.
c.GenerateFeedback.preprocessors = extend(nbgrader_default(GenerateFeedback, "preprocessors"),
                                          before={GetGrades: [SettleLatePenalties]},
                                          after={GetGrades: [ClearHiddenTests, ClearMarkScheme, ExplainItems]})
c.ExplainItems.course_root = ROOT  # where course_config.py says each check's flavour and due date
