"""Items 3 (browser side), 6 and 7c: JupyterLab in headless Debian chromium, as tests/browser drives it.

The server and the browser are started the way tests/browser/conftest.py starts them (its helper
functions are reused: a private copy of the course files, private HOME and Jupyter folders,
windowing off, no news) and pages are driven with tests/browser/lab.py's helpers.

* 6, time to first widget: a fresh browser context opens the lesson (a new workspace, so a new
  session and a fresh kernel), waits for the notebook and its kernel, runs all cells (JupyterLab's
  own run-all command), and stops the clock when the first widget view is visible in an output.
  Reference: the same for a notebook holding one IntSlider. Opens are interleaved; every session is
  shut down after each, so each open starts its own kernel.
* 3 (browser), control change to updated image: one page holds the trivial reference plot (a
  Dropdown redrawing a one-line figure into an Image) and every course widget with a figure. In the
  page, a control is changed as its view's own event handler sees it (a <select>'s change event, a
  click), and the clock (performance.now) stops when the figure's <img> has a new src and has
  decoded it. Widgets and reference are interleaved.
* 7c, memory: after each lesson has run (all cells), the JupyterLab server process and the kernel
  under it are measured together (PSS and RSS, summed).
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from benchmarks.common import (REPO, Row, TreeMemory, descendants, fmt_num, fmt_spread, ratio_line, say, summary,
                               verdict)

BROWSER_TESTS = REPO / "tests" / "browser"
FIRST_WIDGET_TARGET = 1.3
RESPONSE_TARGET = 1.5
LAB_MEMORY_TARGET_MB = 1024
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
# The figure widgets on the response page; each is changed with one control: (kind, index among that kind).
FIGURE_WIDGETS = [
    ("ReceptorExplorer()", "oud-receptor-explorer", "checkbox", 1),
    ("ToleranceSimulator()", "oud-tolerance-simulator", "select", 0),
    ("DependenceCycle()", "oud-dependence-cycle", "select", 0),
    ("RiskFactorExplorer()", "oud-risk-factor-explorer", "select", 0),
    ("WithdrawalTimeline()", "oud-withdrawal-timeline", "select", 0),
    ("COWSScorer()", "oud-cows-scorer", "select", 1),
    ("OverdoseExplorer()", "oud-overdose-explorer", "select", 0),
]
REFERENCE_PLOT = '''import ipywidgets as w
from io import BytesIO
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

fig = Figure(figsize=(7.0, 4.0), dpi=80)
FigureCanvasAgg(fig)
axes = fig.add_subplot()
line = axes.plot(range(10), [4 * x for x in range(10)])[0]
axes.set_ylim(0, 120)
picker = w.Dropdown(options=list(range(1, 13)), value=4, description="n")
image = w.Image(format="png")
image.add_class("oud-figure")

def redraw(change=None):
    line.set_ydata([picker.value * x for x in range(10)])
    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    image.value = buffer.getvalue()

picker.observe(redraw, "value")
redraw()
box = w.VBox([picker, image])
box.add_class("bench-reference")
box'''
ONE_SLIDER = "import ipywidgets as w\nw.IntSlider(description='x')"


def _load(name: str, path: Path):
    """Import a tests/browser module by path (conftest.py is not importable by name beside tests/conftest.py)."""
    if str(BROWSER_TESTS) not in sys.path:
        sys.path.insert(0, str(BROWSER_TESTS))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the module runs
    spec.loader.exec_module(module)
    return module


def _helpers():
    conftest = _load("oud_bench_browser_conftest", BROWSER_TESTS / "conftest.py")
    import lab

    return conftest, lab


class Server:
    """A JupyterLab server on a private copy of the course files, started as tests/browser/conftest.py starts it."""

    def __init__(self, base: Path):
        conftest, lab = _helpers()
        self.conftest, self.lab = conftest, lab
        self.root = base / "root"
        self.root.mkdir(parents=True)
        for folder in conftest.COURSE_FOLDERS:
            if (REPO / folder).is_dir():
                shutil.copytree(REPO / folder, self.root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        env = conftest._isolated_env(base / "home")
        conftest._write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
        self.token = secrets.token_hex(24)
        port = conftest._free_port()
        self.url = f"http://127.0.0.1:{port}"
        command = [*conftest._jupyter_command(), "lab", "--no-browser", f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.root_dir={self.root}", "--ServerApp.terminals_enabled=False", "--LabApp.news_url=None",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                   "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
                   f"--LabApp.user_settings_dir={env['JUPYTERLAB_SETTINGS_DIR']}",
                   f"--LabApp.workspaces_dir={env['JUPYTERLAB_WORKSPACES_DIR']}",
                   "--MappingKernelManager.cull_idle_timeout=900", "--MappingKernelManager.cull_interval=60",
                   "--ServerApp.shutdown_no_activity_timeout=900"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.log = base / "jupyter-lab-server.log"
        with open(self.log, "w", encoding="utf-8") as log_file:
            self.process = subprocess.Popen(command, cwd=self.root, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        try:
            conftest._wait_until_ready(self.process, self.url, self.token, self.log)
        except Exception:
            self.stop()
            raise

    def api(self, method: str, path: str):
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shut_down_sessions(self) -> None:
        """Shut every session's kernel down, and wait until no kernel process is left."""
        for session in self.api("GET", "/api/sessions"):
            self.api("DELETE", f"/api/sessions/{session['id']}")
        deadline = time.monotonic() + 20
        while descendants(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> None:
        self.conftest._stop(self.process)


@contextmanager
def _browser():
    from playwright.sync_api import sync_playwright

    conftest, _ = _helpers()
    executable = conftest._chromium_path()
    if executable is None:
        raise RuntimeError("chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        try:
            yield chromium
        finally:
            chromium.close()


_RUN_ALL_JS = "() => window.jupyterapp.commands.execute('notebook:run-all-cells')"
_FIRST_WIDGET = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output .jupyter-widgets"


def _open_to_first_widget(page, server: Server, relpath: str) -> float:
    """Seconds from opening ``relpath`` (new workspace, fresh kernel) to its first widget on screen."""
    import uuid
    from urllib.parse import quote

    lab = server.lab
    start = time.perf_counter()
    page.goto(f"{server.url}/lab/workspaces/bench-{uuid.uuid4().hex[:12]}/tree/{quote(relpath)}?token={server.token}")
    page.wait_for_function(lab._NOTEBOOK_READY_JS, timeout=lab.KERNEL_TIMEOUT_MS, polling=50)
    lab.wait_kernel_idle(page)
    page.evaluate(_RUN_ALL_JS)
    page.locator(_FIRST_WIDGET).first.wait_for(state="visible", timeout=lab.RUN_ALL_TIMEOUT_MS)
    return time.perf_counter() - start


def _wait_all_ran(page, lab) -> None:
    """Every code cell has an execution count and the kernel is idle."""
    page.wait_for_function(
        f"""([prompts]) => {{
            const texts = Array.from(document.querySelectorAll(prompts), p => p.textContent.trim());
            if (!texts.every(t => /^\\[\\d+\\]:$/.test(t))) return false;
            return ({lab._KERNEL_IDLE_JS})();
        }}""", arg=[lab._CODE_PROMPTS], timeout=lab.RUN_ALL_TIMEOUT_MS, polling=100)


def _lab_memory(server: Server) -> tuple[float, float, float]:
    """(PSS, RSS) summed over the server and every process under it, and the server's own peak RSS."""
    from benchmarks.common import peak_rss_mb

    memory = TreeMemory(lambda: [server.process.pid, *descendants(server.process.pid)])
    for _ in range(5):
        memory.sample()
        time.sleep(0.1)
    return memory.peak_pss, memory.peak_rss, peak_rss_mb(server.process.pid)


_CHANGE_AND_TIME_JS = """async ([root, kind, index]) => {
    const img = root.querySelector('img.oud-figure, .oud-figure img');
    if (!img) return {error: 'no figure'};
    const before = img.src;
    let control;
    if (kind === 'select') control = root.querySelectorAll('select')[index];
    else if (kind === 'checkbox') control = root.querySelectorAll('input[type=checkbox]')[index];
    else control = root.querySelectorAll('button')[index];
    if (!control) return {error: 'no control'};
    const changed = new Promise(resolve => {
        const observer = new MutationObserver(() => { if (img.src !== before) { observer.disconnect(); resolve(true); } });
        observer.observe(img, {attributes: true, attributeFilter: ['src']});
        setTimeout(() => { observer.disconnect(); resolve(false); }, 15000);
    });
    const start = performance.now();
    if (kind === 'select') {
        control.selectedIndex = (control.selectedIndex + 1) % control.options.length;
        control.dispatchEvent(new Event('change', {bubbles: true}));
    } else {
        control.click();
    }
    if (!(await changed)) return {error: 'the image did not change within 15 s'};
    const src = performance.now() - start;
    try { await img.decode(); } catch (e) { /* replaced meanwhile */ }
    return {ms: performance.now() - start, src_ms: src};
}"""


def _response_notebook(root: Path, lab) -> str:
    cells = [REFERENCE_PLOT, "from oud_course.widgets import " + ", ".join(sorted({w.split('(')[0] for w, *_ in FIGURE_WIDGETS}))]
    cells += [w for w, *_ in FIGURE_WIDGETS]
    lab.write_notebook(root / "bench" / "widget-response.ipynb", *cells)
    return "bench/widget-response.ipynb"


def run_response(browser, server: Server, reps: int = 10) -> Row:
    lab = server.lab
    relpath = _response_notebook(server.root, lab)
    page = lab.new_page(browser)
    targets = [("reference (Dropdown + one-line plot)", ".bench-reference", "select", 0)] + [
        (w, f".{cls}", kind, index) for w, cls, kind, index in FIGURE_WIDGETS]
    samples: dict[str, list[float]] = {name: [] for name, *_ in targets}
    errors: dict[str, str] = {}
    try:
        lab.open_notebook(page, server, relpath)
        lab.run_all_cells(page)
        handles = {name: lab.widget(page, sel).element_handle() for name, sel, *_ in targets}
        for name, _, kind, index in targets:  # one untimed change each: first-use costs out of the way
            page.evaluate(_CHANGE_AND_TIME_JS, [handles[name], kind, index])
            lab.wait_kernel_idle(page)
        for _ in range(reps):
            for name, _, kind, index in targets:
                result = page.evaluate(_CHANGE_AND_TIME_JS, [handles[name], kind, index])
                lab.wait_kernel_idle(page)
                time.sleep(0.05)  # let the text alternative's update land before the next change
                if "ms" in result:
                    samples[name].append(result["ms"])
                else:
                    errors[name] = result["error"]
    finally:
        page.context.close()
        server.shut_down_sessions()
    ref_name = targets[0][0]
    ref = summary(samples[ref_name])["median"]
    row = Row("3b", "Widget response in the browser: control change to updated image",
              f"headless chromium, JupyterLab: in-page performance.now() from the control's change event to the "
              f"figure <img> having a new src and decoded, {reps} changes per widget (one control each), after one "
              "untimed change; reference: a Dropdown redrawing a one-line 7x4 in figure into an Image, same page, "
              "interleaved", target=f"≤ {RESPONSE_TARGET}x the reference, every widget")
    ratios = {name: summary(v)["median"] / ref for name, v in samples.items() if v and name != ref_name}
    worst = max(ratios, key=ratios.get) if ratios else None
    for name, ratio in ratios.items():
        ratio_line(f"browser response {name}", summary(samples[name])["median"], ref, "ms", f"≤ {RESPONSE_TARGET}x")
    if worst is None:
        row.verdict = "error: " + "; ".join(f"{k}: {v}" for k, v in errors.items())
        return row
    row.figure = f"slowest: {worst} {fmt_spread(samples[worst], 'ms')}"
    row.reference = fmt_spread(samples[ref_name], "ms")
    row.ratio = f"{ratios[worst]:.2f} (slowest widget)"
    row.verdict = verdict(all(r <= RESPONSE_TARGET for r in ratios.values()) and not errors)
    row.details = ["| widget | control | change to decoded image | ratio to reference | target ≤ 1.5x |", "|---|---|---|---|---|",
                   f"| {ref_name} | select | {fmt_spread(samples[ref_name], 'ms')} | 1.00 | – |"]
    for name, _, kind, index in targets[1:]:
        if not samples[name]:
            row.details.append(f"| {name} | {kind} {index} | error: {errors.get(name)} | – | not measured |")
            continue
        row.details.append(f"| {name} | {kind} {index} | {fmt_spread(samples[name], 'ms')} | {ratios[name]:.2f} | "
                           f"{'met' if ratios[name] <= RESPONSE_TARGET else '**missed**'} |")
    if errors:
        row.details.append("Errors: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
    row.raw = {"samples_ms": samples}
    return row


def run_first_widget(browser, server: Server, runs: int = 3) -> tuple[Row, Row]:
    lab = server.lab
    lab.write_notebook(server.root / "bench" / "one-slider.ipynb", ONE_SLIDER)
    notebooks = {"one-slider reference": "bench/one-slider.ipynb"}
    notebooks.update({p.stem: f"notebooks/{p.name}" for p in LESSONS})
    samples: dict[str, list[float]] = {name: [] for name in notebooks}
    memory: dict[str, list[tuple[float, float, float]]] = {name: [] for name in notebooks}
    skipped: dict[str, str] = {}
    server.shut_down_sessions()
    for r in range(runs):
        for name, relpath in notebooks.items():
            if name in skipped:
                continue
            page = lab.new_page(browser)
            try:
                try:
                    seconds = _open_to_first_widget(page, server, relpath)
                except Exception as error:  # noqa: BLE001 - a lesson with no widget (00-welcome)
                    skipped[name] = f"no widget appeared ({type(error).__name__})"
                    say(f"    {name}: {skipped[name]}")
                    continue
                samples[name].append(seconds)
                _wait_all_ran(page, lab)
                memory[name].append(_lab_memory(server))
                say(f"    run {r + 1}/{runs} {name}: first widget after {seconds:.2f} s; JupyterLab + kernel PSS "
                    f"{memory[name][-1][0]:.0f} MB")
            finally:
                page.context.close()
                server.shut_down_sessions()
    ref_name = "one-slider reference"
    ref = summary(samples[ref_name])["median"]
    lessons = [n for n in samples if n != ref_name and samples[n]]
    ratios = {n: summary(samples[n])["median"] / ref for n in lessons}
    for n in lessons:
        ratio_line(f"time to first widget {n}", summary(samples[n])["median"], ref, "s", f"≤ {FIRST_WIDGET_TARGET}x")
    worst = max(ratios, key=ratios.get)
    first = Row("6", "Time to first widget in the browser, from opening a lesson with a fresh kernel",
                f"headless chromium, new browser context and JupyterLab workspace per open (fresh session and kernel): "
                f"from page.goto to the first widget view visible in an output, running all cells with JupyterLab's "
                f"run-all command once the kernel is idle; {runs} opens of each, interleaved with the reference "
                f"(a notebook holding one IntSlider)", target=f"≤ {FIRST_WIDGET_TARGET}x the reference, every lesson")
    first.figure = f"slowest: {worst} {fmt_spread(samples[worst], 's', 'range')}"
    first.reference = fmt_spread(samples[ref_name], "s", "range")
    first.ratio = f"{ratios[worst]:.2f} (slowest lesson)"
    first.verdict = verdict(all(r <= FIRST_WIDGET_TARGET for r in ratios.values()))
    first.details = ["| notebook | open to first widget | ratio to reference | target ≤ 1.3x |", "|---|---|---|---|",
                     f"| {ref_name} | {fmt_spread(samples[ref_name], 's', 'range')} | 1.00 | – |"]
    for n in samples:
        if n == ref_name:
            continue
        if n in skipped:
            first.details.append(f"| {n} | {skipped[n]} | – | not applicable (no widget) |")
        else:
            first.details.append(f"| {n} | {fmt_spread(samples[n], 's', 'range')} | {ratios[n]:.2f} | "
                                 f"{'met' if ratios[n] <= FIRST_WIDGET_TARGET else '**missed**'} |")
    first.raw = {"samples_s": samples}

    lesson_mem = {n: v for n, v in memory.items() if v and n != ref_name}
    biggest = max(lesson_mem, key=lambda n: max(m[0] for m in lesson_mem[n]))
    pss = [m[0] for m in lesson_mem[biggest]]
    rss = [m[1] for m in lesson_mem[biggest]]
    ref_pss = [m[0] for m in memory[ref_name]]
    mem = Row("7c", "Memory: JupyterLab plus one lesson kernel together",
              "after a lesson has run (all cells), the JupyterLab server process and the kernel under it, summed "
              f"(PSS; RSS alongside), {runs} opens per lesson (item 6's); the browser itself not counted",
              target=f"< {LAB_MEMORY_TARGET_MB} MB")
    mem.figure = f"largest: {biggest} PSS {fmt_spread(pss, 'MB', 'range')}, RSS {fmt_spread(rss, 'MB', 'range')}"
    mem.reference = f"absolute target; one-slider notebook: PSS {fmt_spread(ref_pss, 'MB', 'range')}"
    mem.ratio = f"{max(pss) / LAB_MEMORY_TARGET_MB:.2f} of the budget"
    mem.verdict = verdict(max(pss) < LAB_MEMORY_TARGET_MB)
    mem.details = ["| notebook | JupyterLab + kernel PSS | summed RSS | server's own peak RSS |", "|---|---|---|---|"]
    for n, values in memory.items():
        if values:
            mem.details.append(f"| {n} | {fmt_spread([v[0] for v in values], 'MB', 'range')} | "
                               f"{fmt_spread([v[1] for v in values], 'MB', 'range')} | {max(v[2] for v in values):.0f} MB |")
    say(f"  -> JupyterLab + {biggest} kernel: PSS {max(pss):.0f} MB (target < {LAB_MEMORY_TARGET_MB} MB): "
        f"ratio {max(pss) / LAB_MEMORY_TARGET_MB:.2f} of the budget")
    mem.raw = {"memory_mb": memory}
    return first, mem


def run(reps: int = 10, runs: int = 3, only: set[str] | None = None) -> list[Row]:
    """Start JupyterLab and chromium once; return rows 3b, 6 and 7c."""
    base = Path(tempfile.mkdtemp(prefix="oud-bench-lab-"))
    rows = []
    server = Server(base)
    try:
        with _browser() as browser:
            if only is None or "3b" in only:
                rows.append(run_response(browser, server, reps))
            if only is None or "6" in only or "7c" in only:
                rows += list(run_first_widget(browser, server, runs))
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    return rows
