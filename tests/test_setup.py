"""The set-up a newcomer gets: config that nbgrader reads, extensions enabled, Binder in step."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib

import pytest
from course_tools import REPO, course_env, missing
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from oud_course.build import course_settings


BINDER_PYTHON = "3.11"  # environment.yml's python=3.11
PIP_TIMEOUT = 900  # seconds for the whole dry run; it downloads metadata of about a hundred packages
# pip's words when it cannot reach an index (as against finding no version that fits).
UNREACHABLE = re.compile(r"NewConnectionError|NameResolutionError|Failed to establish a new connection|Network is unreachable"
                         r"|Temporary failure in name resolution|ConnectTimeout|ReadTimeout|ProxyError|SSLError"
                         r"|Could not fetch URL|Connection refused|No route to host")


def _requirement_names(specs: list[str]) -> dict[str, str]:
    return {re.split(r"[<>=!~ ]", s, maxsplit=1)[0].lower(): s.replace(" ", "") for s in specs}


def _environment_dependencies() -> list[str]:
    """The dependencies environment.yml lists, as written (``python=3.11``, ``jupyterlab>=4.2,<5``, ...)."""
    text = (REPO / "environment.yml").read_text()
    return [d.strip()[2:] for d in re.search(r"dependencies:\n((?:\s+- .*\n?)+)", text).group(1).splitlines()]


def _pip_requirement(conda_spec: str) -> Requirement:
    """The pip requirement for a conda match spec: ``name>=1,<2`` as it is; conda's ``name=1.2`` is ``name==1.2.*``."""
    name, constraint = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", conda_spec.strip()).groups()
    if re.fullmatch(r"=[^=].*", constraint):
        constraint = "=" + constraint + ("" if constraint.endswith("*") else ".*")
    return Requirement(name + constraint.replace(" ", ""))


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
    deps = _environment_dependencies()
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


def test_conda_specs_become_pip_requirements():
    """Are conda match specs turned into the pip requirements they mean (conda's single = is a prefix match)?"""
    assert str(_pip_requirement("jupyterlab>=4.2,<5").specifier) == str(Requirement("jupyterlab<5,>=4.2").specifier)
    assert _pip_requirement("numpy=1.26").specifier.contains("1.26.4")
    assert not _pip_requirement("numpy=1.26").specifier.contains("1.27.0")
    assert _pip_requirement("matplotlib").specifier.contains("3.9.0")


@pytest.mark.network
def test_binder_environment_resolves_against_the_package_index(tmp_path):
    """Does pip, for Python 3.11 and wheels only, resolve every package environment.yml names to a version it allows?

    A dry run against the index pip is configured with (PyPI by default): nothing is installed.
    Without a reachable index this skips, saying why; under CI=true it fails.
    """
    deps = _environment_dependencies()
    assert f"python={BINDER_PYTHON}" in deps
    wanted = [r for r in map(_pip_requirement, deps) if r.name not in ("python", "pip")]
    assert wanted, "environment.yml names no packages"
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--report", str(report),
               "--python-version", BINDER_PYTHON, "--only-binary=:all:", "--timeout", "60", "--retries", "3",
               *map(str, wanted)]  # not --quiet: pip says why it cannot reach an index only in warnings
    env = {**os.environ, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=PIP_TIMEOUT)
    except subprocess.TimeoutExpired:
        missing(f"pip could not resolve the Binder environment within {PIP_TIMEOUT} s: is the package index reachable?")
    if done.returncode != 0:
        unreachable = UNREACHABLE.search(done.stdout + done.stderr)
        if unreachable:
            missing(f"the package index is unreachable ({unreachable.group(0)}); pip said:\n{done.stderr[-1500:]}")
        pytest.fail(f"pip could not resolve environment.yml's packages for Python {BINDER_PYTHON}:\n{done.stderr[-4000:]}")
    installs = json.loads(report.read_text())["install"]
    resolved = {canonicalize_name(i["metadata"]["name"]): i["metadata"]["version"] for i in installs}
    requested = {canonicalize_name(i["metadata"]["name"]) for i in installs if i["requested"]}
    assert requested == {canonicalize_name(r.name) for r in wanted}
    for requirement in wanted:
        version = resolved[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), f"{requirement.name} {version} is not {requirement}"
    assert {"ipykernel", "jupyter-server"} <= set(resolved)  # the dependencies came along, not just the names
