"""The set-up a newcomer gets: config that nbgrader reads, extensions enabled, Binder in step."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from course_tools import REPO, course_env

from oud_course.build import course_settings


def _requirement_names(specs: list[str]) -> dict[str, str]:
    return {re.split(r"[<>=!~ ]", s, maxsplit=1)[0].lower(): s.replace(" ", "") for s in specs}


def test_nbgrader_reads_course_config_from_the_repository_root():
    """Does `nbgrader` run from the repository root see course_config.py's settings?"""
    code = ("from nbgrader.apps import NbGraderAPI; from nbgrader.apps.baseapp import NbGrader; "
            "app = NbGrader(); app.load_config_file(); "
            "print(app.config.CourseDirectory.course_id, app.config.Execute.timeout, "
            "app.config.OverwriteCells.add_missing_cells)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=course_env(), capture_output=True, text=True)
    assert done.stdout.split() == ["oud-course", "60", "True"], done.stderr


def test_every_setting_the_brief_names_is_in_course_config():
    """Does course_config.py set each setting the instructor workflow needs, each with a comment?"""
    settings = course_settings(REPO)
    config = settings["c"]
    assert config.CourseDirectory.course_id == "oud-course"
    assert settings["ASSIGNMENTS"] == sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
    assert config.Execute.timeout > 0 and config.OverwriteCells.add_missing_cells is True
    assert config.LimitOutput.max_lines > 0 and config.IgnorePattern.pattern
    assert config.Exchange.root.startswith(str(REPO)) and config.CourseDirectory.db_url.startswith("sqlite:///")
    assert config.DeriveItemChecks.self_check is True
    text = (REPO / "course_config.py").read_text()
    for line in text.splitlines():
        if line.startswith("c.") and " = " in line and not line.rstrip().endswith(("[", "(")):
            commented = "#" in line or text.splitlines()[text.splitlines().index(line) - 1].lstrip().startswith("#")
            assert commented, f"setting without a one-line reason: {line}"


def test_gradebook_url_comes_from_the_environment():
    """Does COURSE_DB_URL replace the default SQLite gradebook (for PostgreSQL at scale)?"""
    code = "import runpy; print(runpy.run_path('course_config.py')['c'].CourseDirectory.db_url)"
    url = "postgresql://grader@127.0.0.1/course"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=course_env(COURSE_DB_URL=url),
                          capture_output=True, text=True)
    assert done.stdout.strip() == url


def test_nbgrader_and_widget_extensions_are_enabled():
    """Will `make lab` open JupyterLab with the nbgrader and ipywidgets extensions on?"""
    jupyter = [sys.executable, "-m", "jupyter"]
    lab = subprocess.run([*jupyter, "labextension", "list"], capture_output=True, text=True, env=course_env())
    listing = re.sub(r"\x1b\[[0-9;]*m", "", lab.stdout + lab.stderr)
    for name in ("@jupyter/nbgrader", "@jupyter-widgets/jupyterlab-manager"):
        assert re.search(rf"{re.escape(name)} v\S+ enabled OK", listing), name
    server = subprocess.run([*jupyter, "server", "extension", "list"], capture_output=True, text=True, env=course_env())
    assert "nbgrader.server_extensions.formgrader \x1b[32menabled" in server.stdout + server.stderr or \
        "nbgrader.server_extensions.formgrader enabled" in re.sub(r"\x1b\[[0-9;]*m", "", server.stdout + server.stderr)


def test_binder_environment_matches_pyproject():
    """Does environment.yml pin python=3.11 from conda-forge only, with pyproject's dependencies?"""
    text = (REPO / "environment.yml").read_text()
    channels = re.search(r"channels:\n((?:\s+- .*\n)+)", text).group(1).split()
    assert [c for c in channels if c != "-"] == ["conda-forge"]
    deps = [d.strip()[2:] for d in re.search(r"dependencies:\n((?:\s+- .*\n?)+)", text).group(1).splitlines()]
    assert "python=3.11" in deps
    conda = _requirement_names([d for d in deps if not d.startswith(("python=", "pip"))])
    pyproject = _requirement_names(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])
    assert conda == pyproject
    assert not (REPO / "binder").exists()
    assert "pip install" in (REPO / "postBuild").read_text()


def test_readme_and_docs_links_point_at_files_that_exist():
    """Does every relative link in the README and docs lead to a file in the repository?"""
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)", page.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (page.parent / target).exists(), f"{page.name}: broken link {target}"
