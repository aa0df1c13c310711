"""Self-study set-up (Binder): hide nbgrader's instructor tools, keep the learner's Validate button.

``python -m oud_course.self_study [--config-dir DIR]`` writes, in a Jupyter config folder (by default
the environment's, ``sys.prefix/etc/jupyter``, which Binder reads), the same files as
``jupyter labextension disable`` and ``lock --level=sys_prefix`` (``labconfig/page_config.json``) and
``jupyter server extension disable --sys-prefix`` (``jupyter_server_config.d/<extension>.json``) would.
It merges with what is there, so running it twice changes nothing. An instructor's own machine
(``make lab``) never runs it and keeps the formgrader; to undo it, delete those entries.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from jupyter_core.paths import ENV_CONFIG_PATH
from jupyter_server.config_manager import BaseJSONConfigManager
from jupyter_server.extension.config import ExtensionConfigManager

# nbgrader 0.9's JupyterLab plugins for instructors and for the exchange (which Binder has not).
# "@jupyter/nbgrader:validate-assignment", the learner's Validate button, stays on.
INSTRUCTOR_PLUGINS = (
    "@jupyter/nbgrader:menu",  # the Nbgrader menu and its command palette entries
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:assignment-list",
    "@jupyter/nbgrader:course-list",
    "@jupyter/nbgrader:create-assignment",  # the Create Assignment sidebar
)
# The server extensions behind them; nbgrader.server_extensions.validate_assignment (Validate) stays on.
INSTRUCTOR_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
)


def default_config_dir() -> Path:
    """The environment's Jupyter config folder (``sys.prefix/etc/jupyter``): JupyterLab's "sys_prefix" level."""
    return Path(ENV_CONFIG_PATH[0])


def hide_instructor_tools(config_dir: Path) -> None:
    """Disable and lock nbgrader's instructor plugins and server extensions in ``config_dir``; merges, idempotent."""
    plugins = dict.fromkeys(INSTRUCTOR_PLUGINS, True)
    # Locked too, so that the Plugin Manager cannot turn on a plugin whose server side is off.
    BaseJSONConfigManager(config_dir=str(config_dir / "labconfig")).update(
        "page_config", {"disabledExtensions": plugins, "lockedExtensions": plugins}
    )
    extensions = ExtensionConfigManager(
        read_config_path=[str(config_dir)], write_config_dir=str(config_dir / "jupyter_server_config.d")
    )
    for name in INSTRUCTOR_SERVER_EXTENSIONS:
        extensions.disable(name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m oud_course.self_study", description=__doc__.splitlines()[0])
    parser.add_argument("--config-dir", type=Path, default=default_config_dir(),
                        help="Jupyter config folder to write into (default: %(default)s)")
    config_dir = parser.parse_args(argv).config_dir
    hide_instructor_tools(config_dir)
    print(f"Self-study: nbgrader's instructor tools are off in {config_dir}; Validate stays.")


if __name__ == "__main__":
    main()
