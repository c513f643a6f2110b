"""Every page of the lab manifest: no serious or critical axe-core violation, no horizontal
scrolling on a phone, nothing fetched from another host; screenshots at 1440x900 and 390x844
land in build/screenshots/ to be looked at."""

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe

from server.labs import LABS
from tests.e2e.helpers import wait_ready

PAGES = ["index"] + [lab.page.removesuffix(".html") for lab in LABS if lab.page]
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


TITLES_CUT = """[...document.querySelectorAll('.js-plotly-plot')].flatMap((fig) => {
  const box = fig.getBoundingClientRect();
  const title = fig.querySelector('.gtitle');
  if (!title || !title.textContent) return [];
  const t = title.getBoundingClientRect();
  const legend = fig.querySelector('.legend .bg');
  const l = legend ? legend.getBoundingClientRect() : null;
  const under = l && l.width > 0 && t.bottom > l.top + 1 && l.bottom > t.top + 1
    && t.right > l.left + 1 && l.right > t.left + 1;
  const outside = t.left < box.left - 1 || t.right > box.right + 1 || t.top < box.top - 1;
  return outside || under ? [fig.id + ': ' + title.textContent] : [];
})"""


def serious(violations):
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:4])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("size", SIZES)
def test_page_is_accessible_fits_the_screen_and_stays_offline(
    page, base_url, console, screenshot, name, size
):
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base_url}/{name}.html")
    wait_ready(page, timeout=60_000)
    page.wait_for_function("document.querySelector('#nav a[href]:not(.brand)') !== null")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{name} scrolls sideways by {overflow} px at {width} px"
    # Every figure title is whole: inside its figure, not cut at an edge, not under the legend.
    cut = page.evaluate(TITLES_CUT)
    assert cut == [], f"{name}: titles outside their figure or under its legend at {width} px"
    screenshot(f"{name}-{size}")
    results = Axe().run(page)
    assert serious(results.response["violations"]) == []


def test_every_slider_is_named_and_log_sliders_say_their_value(page, base_url, console):
    page.goto(f"{base_url}/linear.html")
    wait_ready(page)
    unnamed = page.evaluate(
        "[...document.querySelectorAll('input[type=range]')]"
        ".filter(el => !el.getAttribute('aria-label')).map(el => el.dataset.key)"
    )
    assert unnamed == []
    slider = page.locator('input[data-key="learning_rate"]')
    assert slider.get_attribute("aria-label") == "Learning rate λ"
    assert slider.get_attribute("aria-valuetext") == "Learning rate λ = 0.1"
    assert page.locator("#readouts").get_attribute("aria-live") == "polite"
    label = page.locator("#loss-map").get_attribute("aria-label")
    assert label.startswith("Loss map L[φ₀, φ₁]") and "current φ" in label


def test_hover_read_out_is_reachable_from_the_keyboard(page, base_url, console):
    page.goto(f"{base_url}/linear.html")
    wait_ready(page)
    page.locator("#fit-plot").focus()
    page.keyboard.press("ArrowDown")  # to the data points
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#fit-plot .hoverlayer .hovertext")


def test_keyboard_walks_the_cells_of_a_heatmap(page, base_url, console):
    page.goto(f"{base_url}/regions.html")
    wait_ready(page)
    page.locator("#output-map").focus()
    texts = []
    for key in ["ArrowRight", "ArrowRight", "ArrowUp"]:  # two columns right, one row up
        page.keyboard.press(key)
        page.wait_for_selector("#output-map .hoverlayer .hovertext")
        texts.append(page.locator("#output-map .hoverlayer .hovertext").first.text_content())
    z = page.evaluate("document.getElementById('output-map').data[0]")
    x, y = z["x"], z["y"]
    assert f"{x[0]:.3f}" in texts[0]
    assert f"{x[1]:.3f}" in texts[1] and f"{y[0]:.3f}" in texts[1]
    assert f"{x[1]:.3f}" in texts[2] and f"{y[1]:.3f}" in texts[2]


def test_projector_mode_enlarges_the_type(page, base_url, console):
    page.goto(f"{base_url}/linear.html?projector")
    wait_ready(page)
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= 20
    font = page.evaluate("document.getElementById('fit-plot')._fullLayout.font.size")
    assert font >= 18
    assert "projector" in page.locator("#nav a.brand").get_attribute("href")


def test_course_map_and_navigation_come_from_the_manifest(page, base_url, console):
    labs = httpx.get(f"{base_url}/api/v1/meta").json()["labs"]
    page.goto(f"{base_url}/index.html")
    wait_ready(page)
    titles = page.locator("#labs .card h2").all_inner_texts()
    assert titles == [lab["title"] for lab in labs]
    nav = page.locator("#nav a:not(.brand)").all_inner_texts()
    assert nav[:-1] == [lab["title"] for lab in labs if lab["page"]] and nav[-1] == "API"
