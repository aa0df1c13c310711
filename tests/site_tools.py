"""The static site built once per test session, and readers of what its pages embed (widget state and views)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))

_built: dict[str, Path] = {}  # one build per session, shared by tests/test_site.py and the browser test


def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the site built from this repository (about 30-60 s the first time in a session).

    The builder's own progress file is pointed at ``builder-progress.json`` beside it, which must
    stay absent: the lessons' kernels record their self-checks elsewhere.
    """
    if "site" not in _built:
        from oud_course import site

        base = tmp_path_factory.mktemp("site")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("OUD_COURSE_PROGRESS", str(base / "builder-progress.json"))
            site.build(REPO, base / "site")
        _built["site"] = base / "site"
    return _built["site"]


def builder_progress_file(site_dir: Path) -> Path:
    """Where the builder's own progress file would be during the build of ``site_dir``."""
    return site_dir.parent / "builder-progress.json"


def _scripts(page: str, mimetype: str) -> list[str]:
    """The contents of every <script type=mimetype> in the page's HTML."""
    return re.findall(rf'<script type="{re.escape(mimetype)}">\s*(.*?)\s*</script>', page, flags=re.DOTALL)


def widget_state(page: str) -> dict[str, dict]:
    """The embedded widget state of a page: model id -> {model_name, model_module, state, ...}; {} if none."""
    found = _scripts(page, "application/vnd.jupyter.widget-state+json")
    return json.loads(found[0])["state"] if found else {}


def widget_views(page: str) -> list[str]:
    """The model ids of the widgets the page shows (one per widget output), in order."""
    return [json.loads(view)["model_id"] for view in _scripts(page, "application/vnd.jupyter.widget-view+json")]


def referenced(model_state: dict) -> list[str]:
    """The model ids a model's state refers to ("IPY_MODEL_<id>" in children, layout, style...)."""
    return re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(model_state))


def reachable(state: dict[str, dict], roots: Iterable[str]) -> list[str]:
    """Every model id reachable from ``roots`` through references, roots first; ids missing from state included."""
    seen: list[str] = []
    todo = list(roots)
    while todo:
        model_id = todo.pop(0)
        if model_id in seen:
            continue
        seen.append(model_id)
        if model_id in state:
            todo += referenced(state[model_id]["state"])
    return seen


def css_class(widget: str) -> str:
    """The root CSS class of a course widget class: ``COWSScorer`` -> ``oud-cows-scorer``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", widget)
    return f"oud-{words.lower()}"
