"""Item 3 (Python side): time from a control's change to the redrawn output, for every control of every widget.

Each widget is built as its lesson builds it, in this process (no kernel: ipywidgets then talks to a
do-nothing comm, so what is timed is the widget's own Python work: observers, model, drawing, PNG
encoding and the state it would send). Every control found in the widget's tree is changed in
turn, the way a learner would (a slider one step, a dropdown to its next option, a checkbox flipped,
a button clicked), and the change is timed until the call returns: traitlets observers run
synchronously, so by then the output is redrawn. Each change is checked to have changed an output
(an image's bytes or an HTML text); changes that did not are reported, not counted.

The reference is a trivial plot: an IntSlider redrawing a one-line matplotlib figure of the
course's figure size (7 x 4 in at 80 dpi) into an Image widget, timed the same way, interleaved
with the widgets so both see the same machine.
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from benchmarks.common import REPO, Row, fmt_num, ratio_line, say, summary, verdict

# Widget, the arguments its lesson gives it, and the lesson.
WIDGETS = [
    ("ReceptorExplorer", (), "01"),
    ("CriteriaChecker", (), "02"),
    ("ToleranceSimulator", (), "03"),
    ("DependenceCycle", (), "03"),
    ("RiskFactorExplorer", (), "04"),
    ("WithdrawalTimeline", (), "05"),
    ("COWSScorer", (), "05"),
    ("OverdoseExplorer", (), "06"),
    ("TreatmentTable", (), "07"),
    ("TreatmentTable", ("care_options",), "08"),
    ("MythOrFact", (), "09"),
]
MEDIAN_TARGET_MS, P95_TARGET_MS = 30.0, 60.0
REPO_SITE = REPO / ".venv" / "lib"  # shortened in profiles


def _myth_answered(w) -> None:
    """MythOrFact: make sure the statement on show is answered (so Next and Start again do something)."""
    if w.position == len(w.statements) - 1 and w.choice:
        w.restart()
    if not w.choice:
        w.answer("myth")


def _myth_open(w) -> None:
    """MythOrFact: make sure the statement on show is not answered yet (so a verdict button does something)."""
    if w.choice:
        w.next_statement() if w.position < len(w.statements) - 1 else w.restart()


# Untimed steps that put a widget where a control does something, as a learner's earlier clicks would:
# (widget, control attribute) -> step. A button that would do nothing is disabled or pointless there.
PRIMERS = {
    ("MythOrFact", "verdict_buttons"): _myth_open,
    ("MythOrFact", "next_button"): _myth_answered,
    ("MythOrFact", "restart_button"): _myth_answered,
    ("COWSScorer", "reset_button"): lambda w: setattr(next(iter(w.pickers.values())), "index", 1),
    # With a question that leaves one option, there is nothing to highlight: ask none (all options shown).
    ("TreatmentTable", "highlight_box"): lambda w: setattr(w, "question", ""),
}


def _controls_and_outputs(root):
    """(controls, outputs) among ``root``'s descendants; controls are what a learner can change."""
    import ipywidgets as w

    control_types = (w.Button, w.Checkbox, w.ToggleButton, w.Dropdown, w.ToggleButtons, w.RadioButtons, w.Select,
                     w.SelectionSlider, w.IntSlider, w.FloatSlider, w.FloatLogSlider, w.IntText, w.BoundedIntText,
                     w.FloatText, w.BoundedFloatText, w.SelectMultiple)
    output_types = (w.Image, w.HTML, w.HTMLMath, w.Label)
    seen, controls, outputs = set(), [], []

    def walk(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, control_types):
            controls.append(node)
        elif isinstance(node, output_types):
            outputs.append(node)
        for child in getattr(node, "children", ()) or ():
            walk(child)

    walk(root)
    return controls, outputs


def _names(root) -> dict[int, str]:
    """id(control) -> the attribute path that holds it on the widget object (pickers['x'], checkboxes[3])."""
    import ipywidgets as w

    names = {}
    for attr, value in vars(root).items():
        if attr.startswith("_") and attr not in ("_buttons",):
            continue
        if isinstance(value, w.Widget):
            names.setdefault(id(value), attr)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, w.Widget):
                    names.setdefault(id(item), f"{attr}[{key!r}]")
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if isinstance(item, w.Widget):
                    names.setdefault(id(item), f"{attr}[{i}]")
    return names


def _change(control) -> None:
    """Change ``control`` once as a learner would."""
    import ipywidgets as w

    if isinstance(control, w.Button):
        control.click()
    elif isinstance(control, (w.Checkbox, w.ToggleButton)):
        control.value = not control.value
    elif isinstance(control, w.SelectMultiple):
        n = len(control.options)
        current = set(control.index or ())
        first = next(iter(sorted(current)), -1)
        control.index = ((first + 1) % n,)
    elif isinstance(control, (w.Dropdown, w.ToggleButtons, w.RadioButtons, w.Select, w.SelectionSlider)):
        control.index = ((control.index if control.index is not None else -1) + 1) % len(control.options)
    elif isinstance(control, w.FloatLogSlider):
        up = control.value * control.base ** control.step
        control.value = up if up <= control.base ** control.max * 1.000001 else control.base ** control.min
    else:  # int and float sliders and texts
        step = getattr(control, "step", 1) or 1
        top = getattr(control, "max", control.value + step)
        control.value = control.value + step if control.value + step <= top else getattr(control, "min", 0)


def _kind(control) -> str:
    return type(control).__name__


def _snapshot(outputs) -> list:
    return [o.value for o in outputs]


@dataclass
class Interaction:
    widget: str
    lesson: str
    control: str
    kind: str
    samples_ms: list[float] = field(default_factory=list)
    unchanged: int = 0  # changes that redrew nothing (not counted in samples_ms)
    refused: int = 0  # changes the widget refused (a validator said no)
    image: bool = False  # whether an image was among the outputs that changed


class Reference:
    """The trivial reference plot: an IntSlider redrawing a one-line figure into an Image widget."""

    def __init__(self):
        from io import BytesIO

        import ipywidgets as w
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self._buffer = BytesIO
        self.slider = w.IntSlider(min=1, max=12, value=4, description="n")
        self.image = w.Image(format="png")
        self.figure = Figure(figsize=(7.0, 4.0), dpi=80)
        FigureCanvasAgg(self.figure)
        axes = self.figure.add_subplot()
        self.line = axes.plot(range(10), [4 * x for x in range(10)])[0]
        axes.set_ylim(0, 120)
        self.box = w.VBox([self.slider, self.image])
        self.slider.observe(lambda change: self.redraw(), "value")
        self.redraw()

    def redraw(self) -> None:
        self.line.set_ydata([self.slider.value * x for x in range(10)])
        buffer = self._buffer()
        self.figure.savefig(buffer, format="png")
        self.image.value = buffer.getvalue()


def _time_reference(reference: Reference, reps: int, into: list[float]) -> None:
    for _ in range(reps):
        before = reference.image.value
        start = time.perf_counter()
        _change(reference.slider)
        elapsed = (time.perf_counter() - start) * 1000
        if reference.image.value != before:
            into.append(elapsed)


def _time_widget(name: str, args: tuple, lesson: str, reps: int, warmup: int) -> tuple[list[Interaction], object]:
    import oud_course.widgets as course_widgets

    widget = getattr(course_widgets, name)(*args)
    controls, outputs = _controls_and_outputs(widget)
    names = _names(widget)
    found = []
    label = f"{name}({', '.join(map(repr, args))})"
    for i, control in enumerate(controls):
        desc = getattr(control, "description", "") or ""
        cname = names.get(id(control), f"control {i}") + (f" '{desc}'" if desc else "")
        interaction = Interaction(label, lesson, cname, _kind(control))
        attribute = cname.split("[")[0].split(" ")[0]
        primer = PRIMERS.get((name, attribute))
        for rep in range(warmup + reps):
            if primer:
                primer(widget)
            before = _snapshot(outputs)
            start = time.perf_counter()
            try:
                _change(control)
            except Exception:  # noqa: BLE001 - a validator refusing a combination (e.g. a year range)
                interaction.refused += 1
                continue
            elapsed = (time.perf_counter() - start) * 1000
            after = _snapshot(outputs)
            changed = [o for o, a, b in zip(outputs, before, after) if a != b]
            if rep < warmup:
                continue
            if not changed:
                interaction.unchanged += 1
                continue
            interaction.image = interaction.image or any(type(o).__name__ == "Image" for o in changed)
            interaction.samples_ms.append(elapsed)
        found.append(interaction)
    return found, widget


def _profile(name: str, args: tuple, control_name: str, reps: int = 8) -> str:
    """cProfile of ``reps`` changes of one control: the top functions by cumulative time."""
    import oud_course.widgets as course_widgets

    widget = getattr(course_widgets, name)(*args)
    controls, _ = _controls_and_outputs(widget)
    names = _names(widget)
    target = next((c for c in controls if control_name.split(" ")[0] == names.get(id(c))), None)
    if target is None:
        return ""
    primer = PRIMERS.get((name, control_name.split("[")[0].split(" ")[0]))
    profiler = cProfile.Profile()
    for _ in range(reps):
        if primer:
            primer(widget)
        profiler.enable()
        try:
            _change(target)
        except Exception:  # noqa: BLE001
            pass
        profiler.disable()
    sections = []
    for order, restriction, count in (("cumulative", r"oud_course|matplotlib", 22), ("tottime", None, 12)):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(order)
        stats.print_stats(*([restriction] if restriction else []), count)
        lines = [ln.replace(str(REPO_SITE), "…") for ln in out.getvalue().splitlines() if ln.strip()]
        start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
        sections.append(f"by {order}" + (f" (only {restriction})" if restriction else "") + ":\n"
                        + "\n".join(lines[start:start + count + 1]))
    return "\n\n".join(sections)


@contextmanager
def _one_lesson_kernel():
    """Close the widgets made inside, then collect garbage (untimed): a lesson's kernel holds a few
    widgets, not every lesson's (ipywidgets keeps each open widget alive, and a full garbage
    collection takes longer the more is alive: one took 101 ms in a run of this benchmark here)."""
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    try:
        yield
    finally:
        for key in set(_instances) - before:
            widget = _instances.get(key)
            if widget is not None:
                widget.close()
        gc.collect()


def run(reps: int = 20, warmup: int = 2, ref_reps: int = 6) -> Row:
    """Time every control of every widget; return the table row with a per-interaction table in its details."""
    row = Row("3a", "Widget response, Python side (every control of every widget)",
              f"in-process: control change to redrawn output (image bytes or HTML), {reps} changes per control "
              f"after {warmup} warm-up; reference: IntSlider redrawing a one-line 7x4 in figure into an Image, "
              f"interleaved", target=f"median ≤ {MEDIAN_TARGET_MS:.0f} ms and p95 ≤ {P95_TARGET_MS:.0f} ms for "
              "every interaction")
    reference = Reference()
    ref_ms: list[float] = []
    _time_reference(reference, warmup + ref_reps, [])  # warm-up
    interactions: list[Interaction] = []
    for name, args, lesson in WIDGETS:
        _time_reference(reference, ref_reps, ref_ms)
        with _one_lesson_kernel():
            found, _ = _time_widget(name, args, lesson, reps, warmup)
        interactions += found
        for it in found:
            if it.samples_ms:
                s = summary(it.samples_ms)
                say(f"  {it.widget}.{it.control}: median {s['median']:.1f} ms, p95 {s['p95']:.1f} ms "
                    f"(ratio {s['median'] / summary(ref_ms)['median']:.2f} to the reference)")
            else:
                say(f"  {it.widget}.{it.control}: never changed an output ({it.unchanged} unchanged, {it.refused} refused)")
    _time_reference(reference, ref_reps, ref_ms)
    pooled = [x for it in interactions for x in it.samples_ms]
    ps, rs = summary(pooled), summary(ref_ms)
    measured = [it for it in interactions if it.samples_ms]
    per = [(it, summary(it.samples_ms)) for it in measured]
    failing = [(it, s) for it, s in per if s["median"] > MEDIAN_TARGET_MS or s["p95"] > P95_TARGET_MS]
    worst = max(per, key=lambda p: p[1]["median"])
    row.figure = (f"all {len(measured)} interactions pooled: median {fmt_num(ps['median'], 'ms')}, p95 "
                  f"{fmt_num(ps['p95'], 'ms')} (IQR {ps['q1']:.1f}–{ps['q3']:.1f} ms, n={ps['n']}); slowest: "
                  f"{worst[0].widget}.{worst[0].control.split(' ')[0]} median {fmt_num(worst[1]['median'], 'ms')}, "
                  f"p95 {fmt_num(worst[1]['p95'], 'ms')}; {len(failing)} of {len(measured)} interactions over target")
    row.reference = f"median {fmt_num(rs['median'], 'ms')}, p95 {fmt_num(rs['p95'], 'ms')} (n={rs['n']})"
    row.ratio = f"{ps['median'] / rs['median']:.2f} (pooled median)"
    row.verdict = verdict(not failing)
    ratio_line("widget response, pooled median", ps["median"], rs["median"], "ms", "median ≤ 30 ms, p95 ≤ 60 ms")
    lines = ["| lesson | widget | control | kind | output | median | p95 | n | ratio to reference median | target |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for it in interactions:
        if not it.samples_ms:
            lines.append(f"| {it.lesson} | {it.widget} | `{it.control}` | {it.kind} | none changed | – | – | 0 | – | "
                         f"not measured ({it.unchanged} changes redrew nothing, {it.refused} refused) |")
            continue
        s = summary(it.samples_ms)
        ok = s["median"] <= MEDIAN_TARGET_MS and s["p95"] <= P95_TARGET_MS
        note = f"; {it.unchanged} unchanged" if it.unchanged else ""
        note += f"; {it.refused} refused" if it.refused else ""
        lines.append(f"| {it.lesson} | {it.widget} | `{it.control}` | {it.kind} | {'image' if it.image else 'HTML'} | "
                     f"{s['median']:.1f} ms | {s['p95']:.1f} ms | {s['n']}{note} | {s['median'] / rs['median']:.2f} | "
                     f"{'met' if ok else '**missed**'} |")
    row.details = lines
    if failing:
        slowest = max(failing, key=lambda p: p[1]["median"])[0]
        name, args = next((n, a) for n, a, _ in WIDGETS if slowest.widget.startswith(n + "("))
        profile = _profile(name, args, slowest.control)
        if profile:
            row.details += ["", f"Profile of the slowest interaction, {slowest.widget}.{slowest.control} "
                            "(cProfile, 8 changes):", "", "```", profile, "```"]
    row.raw = {"reference_ms": ref_ms, "interactions": [it.__dict__ for it in interactions]}
    return row
