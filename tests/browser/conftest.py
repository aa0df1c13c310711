"""Fixtures for the browser tests: a private JupyterLab server, headless Debian chromium, and lesson pages.

The server runs on a copy of the course files in a pytest tmp folder, with its own HOME, Jupyter
and matplotlib folders, so neither the user's configuration nor earlier runs leak in. Notebooks
are rendered without windowing (every cell stays in the DOM), and news and update checks are off.

A lesson test module sets LESSON (the notebook's path in the repository) and asks for ``lesson``: one
page with that notebook open and run, shared by the module, and screenshotted when a test fails.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parent) not in sys.path:  # `import lab` from the tests, package or not
    sys.path.insert(0, str(Path(__file__).resolve().parent))

import lab  # noqa: E402
from course_tools import descendants, missing  # noqa: E402

# The course folders a learner's JupyterLab sees; missing ones (release/ before a build) are skipped.
COURSE_FOLDERS = ("notebooks", "release")
SERVER_START_TIMEOUT = 90.0  # seconds; a cold start on a slow CI machine takes ~5 s
INSTALL_HINT = "install it with: sudo apt-get install -y chromium (or run `make system-packages`)"

# JupyterLab user settings written for the test server (plugin id -> settings).
LAB_SETTINGS = {
    # Render every cell: with windowing, cells far down the notebook are not in the DOM.
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    # No news, no update check, and no toasts that could cover a widget.
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    # The extension manager would ask PyPI for listings.
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
}


@dataclass(frozen=True)
class LabServer:
    """A running JupyterLab: its base URL, token and root folder (a copy of the course files)."""

    url: str
    token: str
    root: Path
    log: Path


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _jupyter_command() -> list[str]:
    """The `jupyter` next to the Python running the tests (the project's virtualenv)."""
    jupyter = Path(sys.executable).parent / "jupyter"
    return [str(jupyter)] if jupyter.exists() else [sys.executable, "-m", "jupyter"]


def _isolated_env(home: Path) -> dict[str, str]:
    """The environment for the server and its kernels: private HOME, Jupyter and matplotlib dirs."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "JPY_", "IPYTHON", "MPL", "XDG_", "PYTHONPATH", "PYTHONSTARTUP"))
    }
    dirs = {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": home / ".jupyter",
        "JUPYTER_DATA_DIR": home / ".local/share/jupyter",
        "JUPYTER_RUNTIME_DIR": home / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / "lab/user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / "lab/workspaces",
        "IPYTHONDIR": home / ".ipython",
        "MPLCONFIGDIR": home / ".matplotlib",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": home / ".local/share",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env.update({key: str(path) for key, path in dirs.items()})
    env.update(JUPYTER_PLATFORM_DIRS="1", PYTHONNOUSERSITE="1", PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    return env


def _write_lab_settings(settings_dir: Path) -> None:
    """Write LAB_SETTINGS as JupyterLab user-settings files."""
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit(":", 1)
        target = settings_dir / package / f"{name}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values, indent=2), encoding="utf-8")


def _wait_until_ready(process: subprocess.Popen, url: str, token: str, log: Path) -> None:
    """Poll /api/status until the server answers; fail with the log's tail if it dies or stalls."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    request = urllib.request.Request(f"{url}/api/status", headers={"Authorization": f"token {token}"})
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
    state = f"exited with {process.returncode}" if process.poll() is not None else "did not answer in time"
    raise RuntimeError(f"JupyterLab {state} at {url}; server log ({log}):\n{tail}")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server, which shuts its kernels down; kill it, and any kernel it left, if it lingers."""
    if process.poll() is not None:
        return
    kernels = descendants(process.pid)  # kernels run in their own sessions, outside the server's group
    process.terminate()
    try:
        process.wait(timeout=20)
        return
    except subprocess.TimeoutExpired:
        pass
    for pid in [process.pid, *kernels]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    process.wait(timeout=10)


@contextmanager
def running_lab(root: Path, base: Path, env: dict[str, str] | None = None):
    """Run JupyterLab on ``root`` (its working folder, so nbgrader reads root's config); yield a LabServer.

    ``env`` adds to (or replaces in) the server's isolated environment, say a JUPYTER_CONFIG_DIR of its own.
    """
    env = {**_isolated_env(base / "home"), **(env or {})}
    _write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
    token = secrets.token_hex(24)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        *_jupyter_command(),
        "lab",
        "--no-browser",
        f"--IdentityProvider.token={token}",  # the current name for --ServerApp.token
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # fail loudly rather than listen somewhere we do not look
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.terminals_enabled=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: exact kernel and rendering state for lab.py
        f"--LabApp.user_settings_dir={env['JUPYTERLAB_SETTINGS_DIR']}",
        f"--LabApp.workspaces_dir={env['JUPYTERLAB_WORKSPACES_DIR']}",
        # If pytest is killed outright, idle kernels and then the server end themselves.
        "--MappingKernelManager.cull_idle_timeout=900",
        "--MappingKernelManager.cull_interval=60",
        "--ServerApp.shutdown_no_activity_timeout=900",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers often run as root; the server is private anyway
    log = base / "jupyter-lab-server.log"  # per session: runs in parallel do not share it
    with open(log, "w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl+C in the terminal reaches pytest only; teardown stops the server
        )
    try:
        _wait_until_ready(process, url, token, log)
        yield LabServer(url=url, token=token, root=root, log=log)
    finally:
        _stop(process)
        lab.ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log, lab.ARTIFACTS / log.name)  # for CI to keep next to the failure screenshots


@pytest.fixture(scope="session")
def start_lab(browser):
    """``running_lab`` for tests that serve a folder of their own (asks for the browser first, like lab_server)."""
    return running_lab


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory, browser):
    """A JupyterLab server on a private copy of the course files; yields a LabServer.

    It asks for ``browser`` first, so that a missing browser skips (or fails) before Lab starts.
    """
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    for folder in COURSE_FOLDERS:
        if (lab.REPO / folder).is_dir():
            shutil.copytree(lab.REPO / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with running_lab(root, base) as server:
        yield server


def _chromium_path() -> str | None:
    """The Debian chromium binary, if installed."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright; never downloads a browser."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package is missing; install it with: pip install -e '.[test]'")
    executable = _chromium_path()
    if executable is None:
        missing(f"chromium is not installed; {INSTALL_HINT}")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
        except PlaywrightError as error:
            missing(f"chromium at {executable} would not start ({error}); {INSTALL_HINT}")
        yield chromium
        chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can screenshot failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request: pytest.FixtureRequest, browser):
    """A fresh page (own context, 1280x900 viewport); screenshotted into test-artifacts/ on failure."""
    page = lab.new_page(browser)
    yield page
    if lab.has_failed(request):
        lab.screenshot(page, request.node.name)
    page.context.close()


@pytest.fixture(scope="module")
def lesson(request: pytest.FixtureRequest, browser, lab_server):
    """One page with the test module's LESSON notebook open and all its cells run, shared by the module's tests.

    LESSON is a path relative to the repository (and to the server root), such as
    "notebooks/05-signs-symptoms-withdrawal.ipynb". If opening or running fails, the page is
    screenshotted into test-artifacts/<notebook>-setup.png.
    """
    relpath = getattr(request.module, "LESSON", None)
    if not relpath:
        pytest.fail(f"{request.module.__name__} sets no LESSON notebook", pytrace=False)
    if not (lab.REPO / relpath).is_file():
        pytest.fail(f"{relpath} is missing", pytrace=False)
    page = lab.new_page(browser)
    try:
        lab.open_notebook(page, lab_server, relpath)
        lab.run_all_cells(page)
    except Exception:
        lab.screenshot(page, f"{Path(relpath).stem}-setup")
        page.context.close()
        raise
    yield page
    page.context.close()


@pytest.fixture(autouse=True)
def _screenshot_lesson_on_failure(request: pytest.FixtureRequest):
    """Save the shared lesson page as test-artifacts/<test>.png when a test that uses it fails."""
    page = request.getfixturevalue("lesson") if "lesson" in request.fixturenames else None
    yield
    if page is not None and lab.has_failed(request):
        lab.screenshot(page, request.node.name)
