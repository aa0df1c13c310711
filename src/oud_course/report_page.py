"""The item analysis report page: matplotlib figures as PNG data URIs, each with a text alternative, in one HTML file."""

from __future__ import annotations

import base64
import html
import io

import numpy as np

INK, BAR, FLAGGED = "#1A1A1A", "#3B6EA8", "#B3261E"  # text 17:1, bars 5.3:1, flagged points 6.5:1 on white


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _figure(width: float = 5.0, height: float = 2.8):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height))
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def score_histogram(assignment: str, percents: np.ndarray) -> tuple[str, str]:
    """Histogram of the submissions' scores (percent of the maximum): (data URI, text alternative)."""
    fig, ax = _figure()
    counts, _, _ = ax.hist(percents, bins=np.linspace(0, 100, 11), color=BAR, edgecolor="white")
    ax.set_xlabel("score (% of the maximum)")
    ax.set_ylabel("submissions")
    ax.set_title(f"{assignment}: score distribution", fontsize=10, color=INK)
    ax.set_xlim(0, 100)
    top = int(np.argmax(counts)) if len(percents) else 0
    alt = (f"Histogram of {len(percents)} scores in {assignment} in bands of 10 percent: "
           + ", ".join(f"{10 * i}-{10 * i + 10}%: {int(c)}" for i, c in enumerate(counts))
           + (f". The most common band is {10 * top}-{10 * top + 10}%." if len(percents) else "."))
    return _png(fig), alt


def item_map(assignment: str, items: list[dict]) -> tuple[str, str]:
    """Each item's difficulty against its discrimination, flagged items in red: (data URI, text alternative)."""
    fig, ax = _figure(5.0, 3.2)
    shown = [i for i in items if i["discrimination"] is not None]
    for item in shown:
        colour = FLAGGED if item["flags"] else BAR
        ax.scatter(item["difficulty"], item["discrimination"], color=colour, marker="x" if item["flags"] else "o")
        ax.annotate(item["item"], (item["difficulty"], item["discrimination"]), textcoords="offset points",
                    xytext=(4, 3), fontsize=8, color=INK)
    ax.axhline(0, color="#767676", linewidth=0.8)
    ax.set_xlim(0, 1.05)
    ax.set_ylim(min([-0.2] + [i["discrimination"] - 0.05 for i in shown]), 1)
    ax.set_xlabel("difficulty (share right)")
    ax.set_ylabel("discrimination (r)")
    ax.set_title(f"{assignment}: items (flagged: red crosses)", fontsize=10, color=INK)
    alt = f"Scatter plot of the {len(items)} autograded items of {assignment}, difficulty against discrimination: " + "; ".join(
        f"{i['item']} difficulty {i['difficulty']:.2f}, discrimination "
        + ("not computable" if i["discrimination"] is None else f"{i['discrimination']:.2f}")
        + (f" (flagged: {', '.join(i['flags'])})" if i["flags"] else "") for i in items) + "."
    return _png(fig), alt


def course_bars(checks: list[dict], key: str, label: str, title: str) -> tuple[str, str]:
    """One bar per check (``key`` is a share from 0 to 1): (data URI, text alternative)."""
    fig, ax = _figure(5.0, 3.0)
    names = [c["assignment"][:2] for c in checks]
    values = [100 * (c[key] or 0.0) for c in checks]
    ax.bar(names, values, color=BAR)
    for x, value in enumerate(values):
        ax.text(x, value + 1.5, f"{value:.0f}", ha="center", fontsize=8, color=INK)
    ax.set_ylim(0, 110)
    ax.set_xlabel("check")
    ax.set_ylabel(label)
    ax.set_title(title, fontsize=10, color=INK)
    alt = f"Bar chart, {title.lower()}: " + "; ".join(f"{c['assignment']} {v:.0f}%" for c, v in zip(checks, values)) + "."
    return _png(fig), alt


STYLE = """
body { font-family: system-ui, sans-serif; color: #1A1A1A; margin: 0 auto; max-width: 70rem; padding: 1rem 1.5rem; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.92rem; }
th, td { border: 1px solid #C8C8C8; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #EEF1F5; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.flag { color: #B3261E; font-weight: 600; }
.key { font-weight: 600; }
figure { display: inline-block; margin: 0.5rem 1rem 0.5rem 0; }
figcaption { font-size: 0.85rem; max-width: 30rem; }
a { color: #1F5C99; }
a:focus, summary:focus { outline: 2px solid #1F5C99; outline-offset: 2px; }
"""


def _e(value) -> str:
    return html.escape(str(value))


def _num(value, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _figure_html(uri_alt: tuple[str, str], caption: str) -> str:
    uri, alt = uri_alt
    return f'<figure><img src="{uri}" alt="{_e(alt)}"><figcaption>{_e(caption)}</figcaption></figure>'


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if n in numeric else f"<td>{c}</td>"
                                    for n, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _check_section(check: dict, who) -> str:
    a = check["assignment"]
    parts = [f'<section id="check-{_e(a)}"><h2>{_e(a)}</h2>',
             f"<p>{check['submissions']} submissions; score out of {check['maximum']:g}: mean {check['mean']:.2f}, "
             f"median {check['median']:g}, SD {check['sd']:.2f}; reliability of the autograded items "
             f"(Cronbach's alpha, KR-20 for 0/1 items): {_num(check['alpha'])}.</p>"]
    if check["without_answers"]:
        parts.append(f"<p>No stored answers (answer counts leave them out): "
                     f"{_e(', '.join(sorted(map(who, check['without_answers']))))}.</p>")
    parts.append(_figure_html(score_histogram(a, check["percents"]), "Scores of every submission (autograded and "
                              "hand-graded points, before any late penalty)."))
    parts.append(_figure_html(item_map(a, check["items"]), "Each autograded item: share right against its corrected "
                              "item-total correlation."))
    rows = []
    for i in check["items"]:
        flags = "; ".join(i["flags"])
        rows.append([_e(i["item"]), _e(i["kind"]), f"{i['points']:g}", f"{i['answered']} of {i['stored']}",
                     _num(i["difficulty"]), _num(i["discrimination"]), f'<span class="key">{_e(i["key"])}</span>',
                     f'<span class="flag">{_e(flags)}</span>' if flags else "none"])
    parts.append("<h3>Autograded items</h3>")
    parts.append(_table(["item", "kind", "points", "answered", "difficulty (share right)", "discrimination (r)",
                         "key", "flags"], rows, {2, 4, 5}))
    parts.append("<h3>Answers given (the key first, then wrong answers, most chosen first)</h3>")
    for i in check["items"]:
        total = sum(n for _, n, _ in i["counts"]) or 1
        rows = [[("key: " if right else "") + _e(label), str(n), f"{100 * n / total:.0f}%"] for label, n, right in i["counts"]]
        parts.append(f"<details><summary>{_e(i['item'])} ({_e(i['kind'])})</summary>"
                     f"{_table(['answer', 'submissions', 'share'], rows, {1, 2})}</details>")
    if check["manual"]:
        parts.append("<h3>Short answers, graded by hand</h3>")
        parts.append(_table(["item", "points", "graded", "mean mark"],
                            [[_e(m["item"]), f"{m['points']:g}", str(m["graded"]), _num(m["mean"])]
                             for m in check["manual"]], {1, 2, 3}))
    parts.append("</section>")
    return "\n".join(parts)


def render(checks: list[dict], who, enrolled: int, course: str, stamp: str, names: bool, thresholds: tuple) -> str:
    """The report page: one self-contained HTML file (no script, no network)."""
    hard, easy, low = thresholds
    body = [f"<h1>Item analysis: {_e(course)}</h1>",
            f"<p>Made {_e(stamp)} from the gradebook and the answers stored at autograding. {enrolled} students in the "
            f"gradebook. Students appear {'by id and name' if names else 'by pseudonym (a keyed hash of their id)'}."
            f" Flags: too hard below {hard:.0%} right, too easy above {easy:.0%}, does not discriminate below "
            f"r = {low:.2f}, or a wrong answer chosen more often than the key. Difficulty is the share of the "
            "item's points won (not answered counts as wrong); discrimination is the correlation of the item's points "
            "with the total of the other autograded items.</p>"]
    if not checks:
        body.append("<p>No submissions in the gradebook yet.</p>")
    else:
        body.append("<nav><h2>Checks</h2><ul>" + "".join(f'<li><a href="#check-{_e(c["assignment"])}">{_e(c["assignment"])}'
                                                          f"</a></li>" for c in checks) + "</ul></nav>")
        body.append('<section id="course"><h2>Across the course</h2>')
        body.append(_figure_html(course_bars(checks, "completion", "submitted (% of students)", "Completion per check"),
                                 "Submissions per check, as a share of the students in the gradebook."))
        body.append(_figure_html(course_bars(checks, "mean_share", "mean score (% of maximum)", "Mean score per check"),
                                 "Mean score per check, as a share of its maximum."))
        body.append(_table(["check", "submissions", "completion", "mean", "median", "max", "alpha", "flagged items"],
                           [[f'<a href="#check-{_e(c["assignment"])}">{_e(c["assignment"])}</a>', str(c["submissions"]),
                             f"{c['completion']:.0%}", f"{c['mean']:.2f}", f"{c['median']:g}", f"{c['maximum']:g}",
                             _num(c["alpha"]), _e(", ".join(i["item"] for i in c["items"] if i["flags"]) or "none")]
                            for c in checks], {1, 2, 3, 4, 5, 6}))
        body.append("</section>")
        body += [_check_section(c, who) for c in checks]
        everyone = sorted({s for c in checks for s in c["students"]}, key=who)
        score = {(c["assignment"], s): t for c in checks for s, t in zip(c["students"], c["totals"])}
        rows = [[_e(who(s)), *(f"{score[(c['assignment'], s)]:g}" if (c["assignment"], s) in score else "–"
                               for c in checks)] for s in everyone]
        body.append('<section id="students"><h2>Scores by student</h2><details><summary>'
                    f"{len(everyone)} students</summary>"
                    + _table(["student", *(c["assignment"][:2] for c in checks)], rows, set(range(1, len(checks) + 1)))
                    + "</details></section>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Item analysis: {_e(course)}"
            f"</title><style>{STYLE}</style></head><body><main>\n" + "\n".join(body) + "\n</main></body></html>\n")
