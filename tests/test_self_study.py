"""The self-study set-up for Binder: which nbgrader tools it turns off, read back the way Jupyter reads them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from course_tools import REPO, course_env

from oud_course import self_study

VALIDATE_PLUGIN = "@jupyter/nbgrader:validate-assignment"
VALIDATE_EXTENSION = "nbgrader.server_extensions.validate_assignment"


@pytest.fixture
def config_dir(tmp_path) -> Path:
    """A copy of this environment's Jupyter config folder (sys.prefix/etc/jupyter), as Binder has one."""
    target = tmp_path / "etc-jupyter"
    shutil.copytree(self_study.default_config_dir(), target)
    assert (target / "jupyter_server_config.d" / "nbgrader.json").is_file(), "nbgrader's own config is missing"
    return target


@pytest.fixture
def jupyter_reads(config_dir, monkeypatch) -> Path:
    """Make ``config_dir`` the first folder Jupyter reads config from (above this virtualenv's)."""
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    return config_dir


def server_extensions() -> dict[str, bool]:
    """Which server extensions a jupyter_server started now would load, as it decides it."""
    from jupyter_server.serverapp import ServerApp

    app = ServerApp()
    app.find_server_extensions()
    return dict(app.jpserver_extensions)


def page_config() -> dict:
    """The page config JupyterLab would send to the browser now (its disabled and locked plugins)."""
    from jupyter_core.paths import jupyter_path
    from jupyterlab_server.config import get_page_config

    return get_page_config(jupyter_path("labextensions"))


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_command_turns_off_the_instructor_tools_and_keeps_validate(jupyter_reads):
    """After `python -m oud_course.self_study --config-dir DIR`, do Lab and the server leave out nbgrader's instructor tools, but not Validate?"""
    extensions = server_extensions()
    assert all(extensions[name] for name in self_study.INSTRUCTOR_SERVER_EXTENSIONS), "precondition: all on"
    done = subprocess.run([sys.executable, "-m", "oud_course.self_study", "--config-dir", str(jupyter_reads)],
                          capture_output=True, text=True, env=course_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    extensions = server_extensions()
    assert [name for name in self_study.INSTRUCTOR_SERVER_EXTENSIONS if extensions[name]] == []
    assert extensions[VALIDATE_EXTENSION] is True and extensions["jupyterlab"] is True
    config = page_config()
    for key in ("disabledExtensions", "lockedExtensions"):
        assert set(self_study.INSTRUCTOR_PLUGINS) <= set(config[key]), key
        assert VALIDATE_PLUGIN not in config[key], key


def test_existing_config_is_kept(config_dir):
    """Does the set-up merge into a page config and server config that already hold other settings?"""
    labconfig = config_dir / "labconfig" / "page_config.json"
    labconfig.parent.mkdir(exist_ok=True)
    labconfig.write_text(json.dumps({
        "disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True},
        "lockedExtensions": {"@jupyterlab/apputils-extension:announcements": True},
        "deferredExtensions": ["@jupyterlab/debugger-extension"],
    }))
    extension_file = config_dir / "jupyter_server_config.d" / "nbgrader.server_extensions.formgrader.json"
    extension_file.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": True}},
                                          "FormgradeExtension": {"debug": True}}))
    others = {name: data for name, data in files(config_dir).items() if name.endswith(("nbgrader.json", "jupyterlab.json"))}
    self_study.hide_instructor_tools(config_dir)
    page = json.loads(labconfig.read_text())
    assert page["deferredExtensions"] == ["@jupyterlab/debugger-extension"]
    for key in ("disabledExtensions", "lockedExtensions"):
        assert page[key] == {"@jupyterlab/apputils-extension:announcements": True,
                             **dict.fromkeys(self_study.INSTRUCTOR_PLUGINS, True)}
    assert json.loads(extension_file.read_text()) == {
        "ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False}},
        "FormgradeExtension": {"debug": True},
    }
    assert {name: files(config_dir)[name] for name in others} == others  # nbgrader's own files untouched


def test_running_twice_changes_nothing(config_dir):
    """Is the set-up idempotent: a second run leaves every file byte for byte as the first left it?"""
    before = files(config_dir)
    self_study.hide_instructor_tools(config_dir)
    once = files(config_dir)
    assert once != before
    self_study.hide_instructor_tools(config_dir)
    assert files(config_dir) == once


def test_names_match_the_installed_nbgrader():
    """Are the plugins and server extensions it turns off exactly nbgrader's, all but Validate's?"""
    from jupyter_core.paths import jupyter_path

    static = next(Path(p) / "@jupyter" / "nbgrader" / "static" for p in jupyter_path("labextensions")
                  if (Path(p) / "@jupyter" / "nbgrader").is_dir())
    plugins = {found for js in static.glob("*.js") for found in re.findall(r'"(@jupyter/nbgrader:[\w-]+)"', js.read_text())}
    assert plugins == {*self_study.INSTRUCTOR_PLUGINS, VALIDATE_PLUGIN}
    enabling = self_study.default_config_dir() / "jupyter_server_config.d" / "nbgrader.json"  # nbgrader installs it
    modules = set(json.loads(enabling.read_text())["ServerApp"]["jpserver_extensions"])
    assert modules == {*self_study.INSTRUCTOR_SERVER_EXTENSIONS, VALIDATE_EXTENSION}


def test_default_is_the_environments_config_folder():
    """Without --config-dir, does it write where Binder's JupyterLab reads: sys.prefix/etc/jupyter?"""
    assert self_study.default_config_dir() == Path(sys.prefix) / "etc" / "jupyter"


def test_postbuild_runs_it_after_installing_the_course():
    """Does Binder's postBuild run the self-study set-up, after installing the package it lives in?"""
    lines = [line.strip() for line in (REPO / "postBuild").read_text().splitlines()]
    install = lines.index("python -m pip install --no-deps .")
    assert lines.index("python -m oud_course.self_study") > install
