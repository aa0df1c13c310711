"""A simulated class: honest, partial and blank submissions plus every fault and attack we know of.

Each student's submission is built from the release and the source, with the score it has
earned worked out from the item points, so tests can compare the gradebook with what is due.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from course_tools import nbgrader_meta

RIGGED = '''class AlwaysEqual(str):
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
{item} = AlwaysEqual("x")'''
ATTACKS = {
    "redefines-builtins": '''import builtins
builtins.isinstance = lambda *args: True
builtins.AssertionError = type("Quiet", (Exception,), {})
{item} = 12345''',
    "patches-package": '''import oud_course.items, oud_course.checks, oud_course.answers
oud_course.items.grade = lambda spec, value: (True, "right")
oud_course.items.normalise = lambda spec, value: spec.get("answer")
oud_course.checks.grade = lambda item, expect=None: None
{item} = "zzz"''',
    "reads-hidden-tests": '''import ast, re, json, glob
def _steal(info):
    for path in glob.glob("*.ipynb"):
        text = open(path).read()
        for m in re.finditer(r"grade\\\\((['\\"]\\w+['\\"]), (\\{.*?\\})\\)", text):
            globals()[ast.literal_eval(m.group(1))] = ast.literal_eval(m.group(2)).get("answer")
get_ipython().events.register("pre_run_cell", _steal)
{item} = None''',
    "deletes-gradebook": '''import os, glob, shutil
for target in ["../../../gradebook.db", "../../../source", "../../../release"] + glob.glob("../../../submitted/*/*/*.ipynb") + glob.glob("../../*/*/*.ipynb"):
    try:
        shutil.rmtree(target) if os.path.isdir(target) else open(target, "w").write("overwritten")
    except OSError:
        pass
{item} = KEY''',
    "endless-loop": '''while True:
    pass
{item} = KEY''',
    "kernel-exits": '''import os
os._exit(3)''',
    "huge-output": '''print("x" * 5_000_000)
{item} = KEY''',
    "links-own-notebook": '''import glob, os
for path in glob.glob("*.ipynb") + ["timestamp.txt"]:
    for target in ["../../../gradebook.db", "../../../course_config.py"]:
        try:
            os.remove(path)
        except OSError:
            pass
        try:
            os.symlink(target, path)
        except OSError:
            pass
{item} = KEY''',
    "leaves-links": '''import os
for name, target in [("gb.db", "../../../gradebook.db"), ("key.ipynb", "../../../source"), ("zero", "/dev/zero"),
                     ("peer.ipynb", "../../../submitted/honest-01"), ("config.py", "../../../course_config.py")]:
    for where in (".", "/tmp", os.path.expanduser("~")):
        try:
            os.symlink(target, os.path.join(where, name))
        except OSError:
            pass
try:
    os.mkfifo("pipe")
except OSError:
    pass
{item} = KEY''',
    "reads-environ": '''import glob, os
for path in ["/proc/1/environ", "/proc/self/environ"] + glob.glob("/proc/[0-9]*/environ"):
    try:
        print(path, open(path, "rb").read().replace(b"\\0", b" ").decode(errors="replace"))
    except OSError:
        pass
print(dict(os.environ))
{item} = KEY''',
    "hogs-memory": '''hog = bytearray(6 * 1024 ** 3)
for i in range(0, len(hog), 4096):
    hog[i] = 1
{item} = KEY''',
    "forks-processes": '''import os, time
children = 0
try:
    for _ in range(400):
        if os.fork() == 0:
            time.sleep(3)
            os._exit(0)
        children += 1
except OSError:
    pass
print("children started:", children)
{item} = KEY''',
    "fills-disk": '''chunk = b"0" * (1024 * 1024)
for where in ("big.bin", "/tmp/big.bin"):
    try:
        with open(where, "wb") as handle:
            for _ in range(512):
                handle.write(chunk)
    except OSError as error:
        print("stopped:", error)
{item} = KEY''',
    "huge-image": '''import base64
from IPython.display import display
display({"image/png": base64.b64encode(b"0" * 110_000_000).decode()}, raw=True)
{item} = KEY''',
    "huge-html": '''from IPython.display import HTML, display
display(HTML("<p>" + "x" * 20_000_000 + "</p>"))
{item} = KEY''',
    "injects-script": '''from IPython.display import HTML, SVG, Javascript, display
display(HTML('<img src="x" onerror="document.title=\\'PWNED\\'"><script>document.title="PWNED"</script>'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>document.title="PWNED"</script></svg>'))
display(Javascript('document.title="PWNED"'))
{item} = KEY''',
    "stderr-warnings": '''import sys, warnings
warnings.warn("a harmless warning from the student's own code")
print("note on stderr", file=sys.stderr)
{item} = KEY''',
}


@dataclass
class Student:
    """One student's submission of one assignment and what it has earned."""

    name: str
    answers: dict = field(default_factory=dict)  # item -> "key" | code template (KEY = the right answer)
    expected: float = 0.0
    status: str = "graded"
    reason: str = ""  # a substring the grading report must give
    notebook_name: str | None = None  # renamed notebook
    raw_text: str | None = None  # not even JSON
    delete_items: tuple = ()
    edit_tests: bool = False
    timestamp: str | None = "2026-12-01 12:00:00 UTC"
    written: str | None = None  # the text of every written (markdown) answer
    plants: bool = False  # leaves links, a hard link, a FIFO and an oversized file in the submitted folder


def cgroups_available() -> bool:
    """Can this machine give a kernel a control group (else the grader falls back to resource limits)?"""
    from oud_course.grading.confine import Confinement, Limits

    probe = Confinement(Limits())
    probe.remove()
    return not probe.why_not


def item_points(source_nb) -> dict[str, float]:
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c)["points"]) for c in source_nb.cells
            if nbgrader_meta(c).get("grade") and c.cell_type == "code"}


def answer_cells(nb) -> dict:
    return {c.metadata["oud_course"]["item"]: c for c in nb.cells if "item" in c.metadata.get("oud_course", {})}


def key_code(source_cell) -> str:
    """The solution lines of a source answer cell (what sets the right answer)."""
    body = source_cell.source.split("### BEGIN SOLUTION\n", 1)[1].split("### END SOLUTION", 1)[0]
    return body.rstrip("\n")


def roster(source_nb) -> list[Student]:
    """Thirty students: the honest, the partial, the blank, and one per fault or attack."""
    points = item_points(source_nb)
    items = sorted(points)
    full = sum(points.values())
    everything = {i: "key" for i in items}
    first = items[0]
    students = [Student(f"honest-{n:02d}", dict(everything), full) for n in range(1, 9)]
    for n in range(1, 5):
        chosen = items[:n]
        students.append(Student(f"partial-{n:02d}", {i: "key" for i in chosen}, sum(points[i] for i in chosen)))
    students += [Student(f"blank-{n:02d}") for n in range(1, 4)]
    students += [
        Student("invalid-json", raw_text='{"cells": [ this is not json', status="failed",
                reason="Notebook does not appear to be JSON"),
        Student("renamed-notebook", dict(everything), 0.0, notebook_name="my-answers.ipynb", status="failed",
                reason="ignored unexpected notebook my-answers.ipynb"),
        Student("deleted-cells", dict(everything), full - points[items[0]] - points[items[1]],
                delete_items=(items[0], items[1])),
        Student("edited-test-cells", {}, 0.0, edit_tests=True),
        Student("rigged-equality", {i: RIGGED for i in items}, 0.0),
        Student("missing-timestamp", dict(everything), full, timestamp=None, reason="no timestamp.txt"),
        Student("late-two-days", dict(everything), round(full * 0.8, 2), timestamp="2026-12-03 10:00:00 UTC"),
    ]
    students += [
        Student("script-in-written-answer", dict(everything), full,
                written='<script>document.title="PWNED"</script><img src="x" onerror="document.title=\'PWNED\'"> My answer.'),
        Student("plants-files", dict(everything), full, plants=True, reason="set aside gradebook.db (a symbolic link)"),
    ]
    # What each attack earns: its honest answers count, its tricks do not.
    earned = {
        "redefines-builtins": 0.0,  # breaks its own kernel's messaging: no answer is written out at all
        "patches-package": 0.0,  # its patch stops every answer being written out: nothing to grade
        "reads-hidden-tests": full - points[first],  # the notebook it reads holds no expected answers
        "deletes-gradebook": full,  # the sandbox shows it nothing to delete; its answers are right
        "endless-loop": full - points[first],  # interrupted before it sets its first answer
        "kernel-exits": 0.0,  # nothing after the first answer cell runs
        "huge-output": full,
        "stderr-warnings": full,
        "links-own-notebook": full,  # its notebook and folder are read-only copies; nothing it links is followed
        "leaves-links": full,
        "reads-environ": full,  # the sandbox's environment holds nothing of the grader's
        "hogs-memory": 0.0 if cgroups_available() else full - points[first],  # a control group stops the kernel
        "forks-processes": full,  # the process limit stops the forks; the kernel goes on
        "fills-disk": full,  # the file-size and folder limits stop the writes; the kernel goes on
        "huge-image": full,
        "huge-html": full,
        "injects-script": full,
    }
    for attack, code in ATTACKS.items():
        students.append(Student(attack, {**everything, first: code}, earned[attack]))
    return students


def write_submission(student: Student, release_nb, source_nb, folder: Path, notebook: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if student.timestamp:
        (folder / "timestamp.txt").write_text(student.timestamp)
    path = folder / (student.notebook_name or notebook)
    if student.raw_text is not None:
        path.write_text(student.raw_text)
        return
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))
    keys = {item: key_code(cell) for item, cell in answer_cells(source_nb).items()}
    for item, cell in answer_cells(nb).items():
        plan = student.answers.get(item)
        if plan == "key":
            cell.source = keys[item]
        elif plan:
            cell.source = plan.replace("{item}", item).replace(f"{item} = KEY", keys[item])
    if student.delete_items:
        doomed = {f"{i}-answer" for i in student.delete_items} | set(student.delete_items)
        nb.cells = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") not in doomed]
    if student.written is not None:
        for cell in nb.cells:
            if cell.cell_type == "markdown" and "Write your answer here" in cell.source:
                cell.source = student.written
    if student.edit_tests:
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade") and cell.cell_type == "code":
                cell.source = "print('All tests passed!')"
    nbformat.write(nb, path)
    if student.plants:
        plant_files(folder)


def plant_files(folder: Path) -> None:
    """What a student's own upload could hold besides notebooks: links out, a hard link, a FIFO, a big file."""
    course = folder.parents[2]
    os.symlink(course / "gradebook.db", folder / "gradebook.db")
    os.symlink(course / "source", folder / "answers")
    os.symlink("/dev/zero", folder / "zero.bin")
    os.link(course / "course_config.py", folder / "config-copy.py")
    os.mkfifo(folder / "pipe")
    (folder / "data.bin").write_bytes(b"0" * 6_000_000)
    (folder / "notes.txt").write_text("a small regular file is kept\n")

DUE_DATE = "2026-12-01T13:00:00+00:00"  # honest submissions are stamped an hour before it
