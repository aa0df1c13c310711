"""References across the course: every lesson's Sources list, every data file's sources, and the data files' check dates."""

import csv
import datetime
import json
import re
from importlib.resources import files
from pathlib import Path

import pytest

from oud_course.data import names

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
URL = re.compile(r"https://[^\s<>)\]]+")
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
ITEM = re.compile(r"^\s*(\d+)\.\s+(.*)$")
SOURCE_KEYS = ("source", "sources", "citation")
NOT_FACTS = ("about", "key", "id", "number")  # descriptions and identifiers: their digits ("lesson 03", criterion 4) are not clinical numbers


def last_cell(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "".join(cells[-1]["source"])


def has_sources_cell(path: Path) -> bool:
    return last_cell(path).lstrip().startswith("## Sources")


def numbered_items(text: str) -> list[tuple[str, str]]:
    """The numbered list of a Sources cell as (number, text) pairs; continuation lines join their item, a blank line ends the list."""
    items: list[list[str]] = []
    for line in text.splitlines()[1:]:
        match = ITEM.match(line)
        if match:
            items.append([match.group(1), match.group(2).strip()])
        elif items and line.strip():
            items[-1][1] += " " + line.strip()
        elif items:
            break
    return [(number, body) for number, body in items]


def reference_problems(body: str) -> list[str]:
    """What an item lacks of `N. Authors or Organisation. Title. Journal or publisher, Year. URL`."""
    problems = []
    if not URL.search(body):
        problems.append("no https:// URL")
    words = URL.sub("", body)
    if not YEAR.search(words):
        problems.append("no 4-digit year outside the URL")
    parts = [part.strip(" *<>") for part in re.split(r"\.\**\s+", words) if part.strip(" *<>.")]
    if not parts or not re.match(r"[^\W\d_]", parts[0]) or len(re.findall(r"[A-Za-z]", parts[0])) < 2:
        problems.append("no author or organisation first")
    if len(parts) < 3:
        problems.append("no title between the author and the publisher")
    return problems


@pytest.mark.parametrize("lesson", [p for p in LESSONS if not (p.name.startswith("00-") and not has_sources_cell(p))],
                         ids=lambda p: p.stem)
def test_last_cell_is_a_numbered_sources_list(lesson):
    """Is the lesson's last cell `## Sources` with a numbered list of at least one reference?"""
    assert has_sources_cell(lesson), f"{lesson.name}: the last cell is not '## Sources'"
    items = numbered_items(last_cell(lesson))
    assert items, f"{lesson.name}: no numbered references"
    assert [int(n) for n, _ in items] == list(range(1, len(items) + 1)), f"{lesson.name}: references not numbered 1..N"


@pytest.mark.parametrize("lesson", [p for p in LESSONS if has_sources_cell(p)], ids=lambda p: p.stem)
def test_every_reference_has_author_year_title_and_url(lesson):
    """Does every numbered reference name an author or organisation, a title, a 4-digit year and an https URL a learner can open?"""
    failures = [f"[{n}] {', '.join(problems)}: {body[:90]}"
                for n, body in numbered_items(last_cell(lesson)) if (problems := reference_problems(body))]
    assert not failures, f"{lesson.name}:\n" + "\n".join(failures)


def holds_a_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or (isinstance(value, str) and bool(re.search(r"\d", value)))


def non_empty(source) -> bool:
    if isinstance(source, dict):
        return any(non_empty(v) for v in source.values())
    if isinstance(source, list):
        return any(non_empty(v) for v in source)
    return isinstance(source, str) and bool(source.strip()) or isinstance(source, int)


def unsourced_entries(node, path="$", inherited=False):
    """JSON entries (objects) holding a number in one of their own values with no non-empty source of their own or above them."""
    if isinstance(node, list):
        for i, child in enumerate(node):
            yield from unsourced_entries(child, f"{path}[{i}]", inherited)
        return
    if not isinstance(node, dict):
        return
    own = [node[k] for k in SOURCE_KEYS if k in node]
    sourced = inherited or any(non_empty(s) for s in own)
    if own and not any(non_empty(s) for s in own):
        yield f"{path}: empty source"
    facts = {k: v for k, v in node.items() if k not in SOURCE_KEYS and k not in NOT_FACTS}
    leaves = [v for v in facts.values() if not isinstance(v, (dict, list))]
    leaves += [x for v in facts.values() if isinstance(v, list) for x in v if not isinstance(x, (dict, list))]
    if any(holds_a_number(v) for v in leaves) and not sourced:
        yield f"{path}: holds a number but names no source"
    for key, child in node.items():
        if key not in SOURCE_KEYS:
            yield from unsourced_entries(child, f"{path}.{key}", sourced)


@pytest.mark.parametrize("name", [n for n in names() if n != "checked.json"])  # checked.json holds check dates, not facts
def test_every_entry_with_a_number_has_a_source(name):
    """Does every CSV row, and every JSON entry holding a number, name a non-empty source (its own, or its file's or parent's for JSON)?"""
    text = files("oud_course.data").joinpath(name).read_text(encoding="utf-8")
    if name.endswith(".csv"):
        rows = list(csv.DictReader(text.splitlines()))
        assert rows and "source" in rows[0], f"{name}: no source column"
        failures = [f"row {i + 2}" for i, row in enumerate(rows)
                    if any(holds_a_number(v) for k, v in row.items() if k not in ("source", "note")) and not row["source"].strip()]
    else:
        failures = list(unsourced_entries(json.loads(text)))
    assert not failures, f"{name}:\n" + "\n".join(failures)


def test_checked_json_names_every_data_file_with_a_date():
    """Does checked.json name every data file, and only those, each with an ISO check date and what it was checked against?"""
    checked = json.loads(files("oud_course.data").joinpath("checked.json").read_text(encoding="utf-8"))
    data_files = [n for n in names() if n != "checked.json"]
    assert sorted(checked) == data_files
    for name, entry in checked.items():
        assert datetime.date.fromisoformat(entry["checked"]), name
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", entry["checked"]), name
        assert entry["against"].strip(), name
