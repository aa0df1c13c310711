import pytest, lab
from test_lesson_03_browser import *  # noqa

@pytest.fixture(scope="module")
def lesson_relpath(lab_server):
    lab.write_notebook(lab_server.root / "scratch" / "lesson.ipynb",
        "# intro\nx = 1",
        "from oud_course.widgets import DependenceCycle\nDependenceCycle()",
        "print('between')\n" * 1 + "\n".join(f"y{i} = {i}" for i in range(40)),
        "from oud_course.widgets import ToleranceSimulator\nToleranceSimulator()",
    )
    return "scratch/lesson.ipynb"
from test_lesson_03_browser import _screenshot_on_failure  # noqa

