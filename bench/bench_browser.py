"""How instant the labs feel, measured in Debian's Chromium driven by Playwright.

For every lab page at its default state:
- slider step: median time from one step of the lab's main slider (an `input` event) to the
  moment its answers are drawn and painted (`data-busy` back to "0", then one frame);
- drag: drawings completed while the slider moves on every frame for one second;
- first plot: a cold visit (new browser context, empty cache): time to the first drawn figure;
- Play (training lab): steps drawn per second while the animation runs.

    .venv/bin/python bench/bench_browser.py [--steps 15] [--root PATH] [--labs linear,training]

`--root` serves another checkout (e.g. the main branch, for a before/after comparison) with this
environment's Python. Prints a Markdown table for BENCHMARKS.md with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
from pathlib import Path

from local_server import start_uvicorn
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# The slider a student moves first on each lab (None: the first range input of the controls).
SLIDERS = {
    "linear": "phi0",
    "shallow": None,
    "activations": "z_max",
    "polar": "inner_radius",
    "approximation": "n_hidden",
    "regions": "w0",
    "training": "step",
    "conv": "size",
    "conv1d": "bias",
    "dimensionality": None,
    "deep": None,
    "losses": None,
    "trainer": None,
    "backprop": None,
}

HELPERS = """
// Drawings are counted as changes of data-ready (pages number them differently).
window.__drawn = 0;
new MutationObserver(() => { window.__drawn++; })
  .observe(document.body, {attributes: true, attributeFilter: ['data-ready']});
window.__bench = {
  slider(key) {
    return (key && document.querySelector(`input[type=range][data-key="${key}"]`))
      || document.querySelector('.controls input[type=range]:not([disabled])');
  },
  move(el, direction) {
    const step = Number(el.step) || 1;
    const v = Number(el.value) + direction * step;
    el.value = String(Math.min(Number(el.max), Math.max(Number(el.min), v)));
    el.dispatchEvent(new Event('input', {bubbles: true}));
  },
  settled(before) {
    const done = () => document.body.dataset.busy === '0'
      && Number(document.body.dataset.ready) > before;
    return new Promise((resolve) => {
      if (done()) return resolve();
      const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); resolve(); } });
      obs.observe(document.body, {attributes: true});
    });
  },
  frame() { return new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))); },
  async steps(key, n) {
    const el = this.slider(key);
    const times = [];
    for (let i = 0; i < n; i++) {
      const before = Number(document.body.dataset.ready);
      const t0 = performance.now();
      this.move(el, i % 2 === 0 ? 1 : -1);
      await this.settled(before);
      await this.frame();
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 60));
    }
    return times;
  },
  async drag(key) {
    const el = this.slider(key);
    const before = window.__drawn;
    const t0 = performance.now();
    let i = 0;
    while (performance.now() - t0 < 1000) {
      this.move(el, Math.floor(i / 15) % 2 === 0 ? 1 : -1);
      i++;
      await new Promise((r) => requestAnimationFrame(r));
    }
    return {drawn: window.__drawn - before, events: i};
  },
};
"""


GO_TO_STEP = (
    "(n) => { const el = window.__bench.slider('step'); el.value = n; window.__bench.move(el, 0); }"
)


def start_server(root: Path) -> tuple[subprocess.Popen, str]:
    return start_uvicorn(root, {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})


def wait_first_view(page, timeout=60_000):
    page.wait_for_function(
        "Number(document.body.dataset.ready || 0) > 0 && document.body.dataset.busy === '0'",
        timeout=timeout,
    )


def first_plot(browser, url: str) -> tuple[float, float]:
    """Cold visit: ms to the first drawn figure, and kB the Resource Timing API counts by then
    (not printed: it misses part of what the page loads)."""
    # bypass_csp: the page's policy forbids the eval that wait_for_function uses.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        "document.querySelector('.plot .main-svg') !== null", polling="raf", timeout=60_000
    )
    ms, kb = page.evaluate(
        """() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const bytes = [nav, ...performance.getEntriesByType('resource')]
              .reduce((sum, e) => sum + (e.transferSize || 0), 0);
            return [performance.now(), bytes / 1024];
        }"""
    )
    context.close()
    return ms, kb


def bench_lab(browser, url: str, lab: str, steps: int) -> dict:
    cold_ms, cold_kb = first_plot(browser, f"{url}/{lab}.html")
    # bypass_csp: the page's policy forbids the eval that wait_for_function uses.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{url}/{lab}.html")
    wait_first_view(page)
    page.evaluate(HELPERS)
    key = SLIDERS.get(lab)
    if lab == "training":  # the step slider needs a run to move along: start in the middle
        page.evaluate(GO_TO_STEP, 40)
        wait_first_view(page)
    page.evaluate(f"window.__bench.steps({key!r}, 3)".replace("None", "null"))  # warm up
    page.evaluate("performance.clearMeasures()")
    times = page.evaluate(f"window.__bench.steps({key!r}, {steps})".replace("None", "null"))
    measures = page.evaluate(
        "performance.getEntriesByType('measure').map((m) => [m.name, m.duration])"
    )
    drag = page.evaluate(f"window.__bench.drag({key!r})".replace("None", "null"))
    page.wait_for_function("document.body.dataset.busy === '0'", timeout=60_000)
    result = {
        "lab": lab,
        "median": statistics.median(times),
        "p90": sorted(times)[int(0.9 * (len(times) - 1))],
        "drag": drag["drawn"],
        "events": drag["events"],
        "cold_ms": cold_ms,
        "cold_kb": cold_kb,
        "play": None,
        "parts": parts(measures, steps),
    }
    if lab == "training":
        result["play"] = play_rate(page)
    context.close()
    return result


def parts(measures: list, steps: int) -> str:
    """Median ms per channel and phase over the slider steps ("main:compute 12, main:render 30"):
    compute is the request as the page sees it, render the drawing code up to Plotly's return."""
    by_name: dict[str, list[float]] = {}
    for name, ms in measures:
        by_name.setdefault(name, []).append(ms)
    return ", ".join(
        f"{name} {statistics.median(v):.0f}" + (f" (x{len(v)})" if len(v) != steps else "")
        for name, v in sorted(by_name.items())
    )


def play_rate(page) -> float:
    """Steps drawn per second while Play runs (two seconds, from step 0)."""
    page.evaluate(GO_TO_STEP, 0)
    wait_first_view(page)
    before = page.evaluate("window.__drawn")
    page.click("#play")
    page.wait_for_timeout(2000)
    after = page.evaluate("window.__drawn")
    page.click("#play")
    return (after - before) / 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15, help="slider steps per lab")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to serve")
    parser.add_argument("--labs", default=",".join(SLIDERS), help="comma-separated lab ids")
    parser.add_argument(
        "--detail", action="store_true", help="also print where each step's time goes"
    )
    args = parser.parse_args()
    proc, url = start_server(args.root.resolve())
    load = os.getloadavg()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            rows = [bench_lab(browser, url, lab, args.steps) for lab in args.labs.split(",")]
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(
        f"root: {args.root}  load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}  "
        f"after: {os.getloadavg()[0]:.2f}  cores: {os.cpu_count()}"
    )
    print()
    print(
        "| lab | slider step, median (ms) | p90 (ms) | redraws in a 1 s drag "
        "| first plot, cold (ms) | Play (steps/s) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        play = f"{r['play']:.1f}" if r["play"] is not None else ""
        print(
            f"| {r['lab']} | {r['median']:.0f} | {r['p90']:.0f} | {r['drag']} "
            f"| {r['cold_ms']:.0f} | {play} |"
        )
    if args.detail:
        print()
        print("Median ms per channel and phase during the slider steps:")
        for r in rows:
            print(f"- {r['lab']}: {r['parts']}")


if __name__ == "__main__":
    main()
