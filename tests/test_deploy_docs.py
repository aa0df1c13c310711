"""The deployment examples load and say what the docs say, and the guides name only commands that exist."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from course_tools import REPO, course_env, make_course
from traitlets.config.loader import PyFileConfigLoader
from traitlets.utils.importstring import import_item

DOCS = REPO / "docs"
EXAMPLES = DOCS / "examples"
GUIDES = [DOCS / "deploy-at-scale.md", DOCS / "instructor-guide.md", DOCS / "learner-guide.md"]
DB_URL = "postgresql://oud_grader@db.example.org:5432/oud_course"
COURSE_ID = "oud-course"


def hub_course(tmp_path: Path) -> Path:
    """A course folder whose nbgrader_config.py is the hub example, as deploy-at-scale.md says to install it."""
    course = make_course(tmp_path / "course")
    shutil.copy(EXAMPLES / "nbgrader_config_hub.py", course / "nbgrader_config.py")
    return course


def test_hub_nbgrader_config_keeps_course_settings_and_sets_hub_ones(tmp_path, monkeypatch):
    """Does the grading server's config load course_config.py, then set course id, shared exchange and PostgreSQL?"""
    monkeypatch.setenv("COURSE_DB_URL", DB_URL)
    course = hub_course(tmp_path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()

    assert config.CourseDirectory.course_id == COURSE_ID
    assert config.Exchange.root == "/srv/nbgrader/exchange"
    assert config.CourseDirectory.db_url == DB_URL
    assert config.NbGrader.logfile == str(course / "nbgrader.log")
    # course_config.py was loaded: the course folder, the grading pipeline and the export are the course's.
    assert config.CourseDirectory.root == str(course)
    assert [p.__name__ for p in config.Autograde.autograde_preprocessors][:2] == ["SafeExecute", "DecideGrades"]
    assert config.ExportApp.plugin_class.__name__ == "WideCsvExport"


@pytest.mark.parametrize("url", [None, "sqlite:///gradebook.db"])
def test_hub_nbgrader_config_refuses_to_run_without_postgres(tmp_path, monkeypatch, url):
    """Without a PostgreSQL COURSE_DB_URL the hub config fails loudly instead of grading into SQLite."""
    if url is None:
        monkeypatch.delenv("COURSE_DB_URL", raising=False)
    else:
        monkeypatch.setenv("COURSE_DB_URL", url)
    with pytest.raises(ValueError, match="COURSE_DB_URL"):
        PyFileConfigLoader("nbgrader_config.py", path=str(hub_course(tmp_path))).load_config()


def test_jupyterhub_config_follows_nbgrader_groups_and_service_pattern():
    """Does the hub example run the formgrader as a service named after the course, open to formgrade-<course>?"""
    config = PyFileConfigLoader("jupyterhub_config.py", path=str(EXAMPLES)).load_config()
    hub = config.JupyterHub

    (service,) = hub.services
    assert service["name"] == COURSE_ID  # nbgrader requires the service to be named after the course
    assert service["command"][0] == "jupyterhub-singleuser" and service["user"] == f"grader-{COURSE_ID}"
    assert service["environment"]["COURSE_DB_URL"].startswith("postgresql://")
    assert ":" not in service["environment"]["COURSE_DB_URL"].split("@")[0].removeprefix("postgresql://"), \
        "no password in the hub config"
    assert set(hub.load_groups) == {f"formgrade-{COURSE_ID}", f"nbgrader-{COURSE_ID}"}
    roles = {role["name"]: role for role in hub.load_roles}
    formgrade = roles[f"formgrade-{COURSE_ID}"]
    assert formgrade["groups"] == [f"formgrade-{COURSE_ID}"]
    assert f"access:services!service={COURSE_ID}" in formgrade["scopes"]
    assert config.Authenticator.allowed_users


def test_example_course_id_is_the_course_id(tmp_path, monkeypatch):
    """The hub service, the hub nbgrader config and course_config.py agree on the course id."""
    monkeypatch.setenv("COURSE_DB_URL", DB_URL)
    nbgrader_config = PyFileConfigLoader("nbgrader_config.py", path=str(hub_course(tmp_path))).load_config()
    hub_config = PyFileConfigLoader("jupyterhub_config.py", path=str(EXAMPLES)).load_config()
    course_config = PyFileConfigLoader("course_config.py", path=str(REPO)).load_config()
    assert nbgrader_config.CourseDirectory.course_id == hub_config.JupyterHub.services[0]["name"] \
        == course_config.CourseDirectory.course_id


# --- the guides ---------------------------------------------------------------------------------

def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_deploy_doc_links_to_both_examples():
    text = (DOCS / "deploy-at-scale.md").read_text(encoding="utf-8")
    assert "](examples/nbgrader_config_hub.py)" in text
    assert "](examples/jupyterhub_config.py)" in text


@pytest.mark.parametrize("guide", GUIDES, ids=[g.name for g in GUIDES])
def test_guide_links_resolve(guide):
    """Every relative link in the guide names a file that exists, and a heading that exists there."""
    text = guide.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # a web address
        path, _, anchor = target.partition("#")
        file = (guide.parent / path).resolve() if path else guide
        assert file.exists(), f"{guide.name} links to missing {target}"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.M)
            assert anchor in {slug(h) for h in headings}, f"{guide.name} links to missing heading {target}"


def code_in(text: str) -> list[str]:
    """The command lines of a Markdown text: lines of fenced blocks, and inline code spans."""
    lines = []
    for block in re.findall(r"^ *```[^\n]*\n(.*?)^ *```", text, re.S | re.M):
        joined = re.sub(r"\\\n\s*", " ", block)  # shell line continuations
        lines += joined.splitlines()
    prose = re.sub(r"^ *```.*?^ *```", "", text, flags=re.S | re.M)
    lines += [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]
    return lines


def commands(prefix: str) -> list[list[str]]:
    """Every command in the guides' code that starts with ``prefix``, as words (comments dropped)."""
    found = []
    for guide in GUIDES:
        for line in code_in(guide.read_text(encoding="utf-8")):
            for match in re.finditer(rf"(?:^|\s|/){re.escape(prefix)}\s+([^#]*)", line):
                found.append(match.group(1).split())
    return found


@cache
def nbgrader_app(words: tuple[str, ...]):
    """The nbgrader application class that ``nbgrader <words>`` runs, and how many words named it."""
    from nbgrader.apps.nbgraderapp import NbGraderApp

    app, used = NbGraderApp, 0
    for word in words:
        declared = next((k.__dict__["subcommands"] for k in app.__mro__ if "subcommands" in k.__dict__), {})
        sub = declared.get(word) if isinstance(declared, dict) else None
        if sub is None:
            break
        app = import_item(sub[0]) if isinstance(sub[0], str) else sub[0]
        used += 1
    return app, used


@cache
def help_text(app_class) -> str:
    return "\n".join(app_class().emit_help(classes=True))


def test_guides_name_only_real_nbgrader_commands_and_options():
    found = commands("nbgrader")
    assert len(found) >= 8
    for words in found:
        app, used = nbgrader_app(tuple(words))
        assert used, f"`nbgrader {' '.join(words)}`: no such nbgrader command"
        options = help_text(app)
        for word in words[used:]:
            if word.startswith("--"):
                assert re.search(rf"^{re.escape(word.split('=')[0])}\b", options, re.M), \
                    f"`nbgrader {' '.join(words)}`: nbgrader {' '.join(words[:used])} has no option {word}"


def test_guides_name_only_real_make_targets_and_variables():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))
    found = commands("make")
    assert len(found) >= 6
    for words in found:
        assert words and words[0] in targets, f"`make {' '.join(words)}`: no such target in the Makefile"
        for word in words[1:]:
            if "=" in word:
                assert f"$({word.split('=')[0]})" in makefile or f"$(or $({word.split('=')[0]})" in makefile, \
                    f"`make {' '.join(words)}`: the Makefile does not use {word.split('=')[0]}"


@pytest.mark.parametrize("module", ["oud_course.grade", "oud_course.build"])
def test_guides_name_only_real_course_command_options(module):
    usage = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=True,
                           env=course_env()).stdout
    for words in commands(f"-m {module}"):
        for word in words:
            if word.startswith("--"):
                assert word.split("=")[0] in usage, f"`python -m {module} {' '.join(words)}`: no option {word}"
