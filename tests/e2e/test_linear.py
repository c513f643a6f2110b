"""The linear-regression lab driven as a student would, in Chromium."""

import re

import pytest

from tests.e2e.helpers import (
    api_post,
    errors_shown,
    marker_centre,
    open_page,
    plot_data,
    set_slider,
    shapes,
    shown,
    wait_error,
    wait_ready,
)


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "linear", hash_)


def test_page_loads_with_all_plots_and_math(page, base_url, console, screenshot):
    open_lab(page, base_url)
    for plot in ("fit-plot", "loss-map", "loss-curve"):
        assert len(plot_data(page, plot)) >= 2, plot
    assert page.locator(".katex").count() > 5  # formulas typeset by the local KaTeX
    assert "#source=generated" in page.url and "seed=0" in page.url
    readouts = page.locator("#readouts").inner_text()
    assert readouts.startswith("L[φ] =")
    answer = api_post(page, "api/v1/linear/view", {"phi0": -0.5, "phi1": -1.0, "surface": False})
    assert f"|∇L| = {shown(answer['gradient_norm'])}" in readouts
    assert f"angle(∇L, level line) = {answer['gradient_level_angle']:.1f}°" in readouts
    assert answer["gradient_level_angle"] == pytest.approx(90)
    current = next(t for t in plot_data(page, "fit-plot") if t["name"] == "current φ")
    assert current["x"] == answer["lines"]["x"] and current["y"] == answer["lines"]["current"]
    screenshot("linear-default")


def test_moving_a_slider_moves_the_line_and_the_point(page, base_url, console):
    ready = open_lab(page, base_url)
    before = plot_data(page, "fit-plot")[2]["y"]
    set_slider(page, "phi1", 2.0)
    wait_ready(page, ready)
    after = plot_data(page, "fit-plot")[2]["y"]
    assert after != before
    assert marker_centre(page, "loss-map", "current φ")[1] == pytest.approx(2.0)
    assert "phi1=2" in page.url


def test_clicking_the_loss_map_moves_phi(page, base_url, console):
    ready = open_lab(page, base_url)
    box = page.locator("#loss-map .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.2)
    wait_ready(page, ready)
    x, y = marker_centre(page, "loss-map", "current φ")
    assert x > 1 and y > 1  # upper-right quadrant of the [-3, 3] view
    assert re.search(r"phi0=[12]\.", page.url)


def test_descent_runs_converges_and_jumps(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    assert "converged" in page.locator("#readouts").inner_text()
    path = shapes(page, "loss-map", "descent")
    assert path[0]["path"].count("L") > 10
    page.click("#to-end")
    wait_ready(page, ready)
    exact = page.evaluate(
        "document.getElementById('loss-map').data.find(t => t.name === 'exact minimum').x[0]"
    )
    current = marker_centre(page, "loss-map", "current φ")[0]
    assert abs(exact - current) < 0.05
    screenshot("linear-descent")


def arrows(page):
    return shapes(page, "loss-map", "∇L")


def length(arrow):
    """Length of the arrow's shaft: its path starts "M x0,y0 L x1,y1"."""
    start, end = arrow["path"][1:].split("M")[0].split("L")
    (x0, y0), (x1, y1) = (map(float, start.split(",")), map(float, end.split(",")))
    return ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5


def test_gradient_arrow_scales_with_its_length_and_vanishes_at_the_minimum(page, base_url, console):
    ready = open_lab(page, base_url, "#phi0=-2&phi1=-2")
    far_length = length(arrows(page)[0])
    page.click("#to-end")  # where descent stopped: close to the minimum, a small gradient
    ready = wait_ready(page, ready)
    near = arrows(page)
    assert near == [] or length(near[0]) < far_length / 10
    page.click("#to-exact")  # at the minimum: no direction, no arrow, no angle
    wait_ready(page, ready)
    assert arrows(page) == []
    readouts = page.locator("#readouts").inner_text()
    assert "∇L = 0" in readouts and "no gradient" in readouts and "47" not in readouts


def test_too_large_learning_rate_shows_divergence(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    set_slider(page, "learning_rate", 0.5)  # log10 scale slider: 10^0.5 ~ 3.16
    wait_ready(page, ready)
    badge = page.locator("#readouts .badge")
    assert badge.inner_text() == "diverged"
    assert "diverged" in page.locator("#loss-curve .gtitle").text_content()
    screenshot("linear-diverged")


def test_custom_points_and_a_clear_error(page, base_url, console):
    ready = open_lab(page, base_url)
    page.select_option('select[data-key="source"]', "custom")
    ready = wait_ready(page, ready)
    assert plot_data(page, "fit-plot")[1]["x"] == [0, 0.5, 1, 1.5, 2]
    console.allow("status of 422")  # Chromium logs every 4xx answer; this one is wanted
    page.fill('textarea[data-key="points"]', "1, 2\n1, 3")  # a vertical line cannot be fitted
    wait_error(page, "two distinct x")
    # The figures it affects say so. Two channels ask and either 422 may come back first,
    # so wait for the mark rather than read it the moment the first message shows.
    page.wait_for_selector("#fit-plot.stale", timeout=20_000)
    page.fill('textarea[data-key="points"]', "0 1\n1 3\n2 5")
    wait_ready(page, ready)
    assert errors_shown(page) == []
    assert page.locator(".plot.stale").count() == 0
    exact = page.evaluate(
        "document.getElementById('loss-map').data.find(t => t.name === 'exact minimum')"
    )
    assert abs(exact["x"][0] - 1) < 1e-9 and abs(exact["y"][0] - 2) < 1e-9


def test_a_copied_link_reopens_the_same_view(page, base_url, console):
    open_lab(page, base_url, "#seed=5&n_points=40&phi0=1.5&phi1=-2&learning_rate=0.02")
    first = plot_data(page, "fit-plot")
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page)
    assert plot_data(page, "fit-plot") == first
    assert page.locator('input[data-key="n_points"]').input_value() == "40"


def test_complexity_panel_measures(page, base_url, console, screenshot):
    open_lab(page, base_url)
    with page.expect_response(lambda r: r.url.endswith("api/v1/linear/complexity")) as answer:
        page.click("#measure")
    page.wait_for_function(
        "document.getElementById('complexity-d').data?.length === 4", timeout=20_000
    )
    assert "ns per N·D²" in page.locator("#complexity-note").inner_text()
    t = answer.value.json()
    cubic = next(c for c in plot_data(page, "complexity-d") if c["name"] == "b·D³")
    k = len(plot_data(page, "complexity-n")[0]["x"])  # the first measurements sweep N
    assert cubic["y"] == pytest.approx([1e3 * v for v in t["solve_model_seconds"][k:]])
    screenshot("linear-complexity")


def test_a_small_step_moves_the_lines_and_keeps_the_axes(page, base_url, console):
    ready = open_lab(page, base_url)
    ranges = (
        "(() => { const l = document.getElementById('fit-plot').layout;"
        " return [l.xaxis.range, l.yaxis.range]; })()"
    )
    before_ranges = page.evaluate(ranges)
    before = plot_data(page, "fit-plot")
    set_slider(page, "phi0", -0.4)
    wait_ready(page, ready)
    after = plot_data(page, "fit-plot")
    assert page.evaluate(ranges) == before_ranges
    # The current line y = phi0 + phi1 x rose by the step of phi0 at both ends.
    assert after[2]["y"] == pytest.approx([y + 0.1 for y in before[2]["y"]])
    assert after[1] == before[1]  # the data stay
    assert "Data, the current line" in page.locator("#fit-plot .gtitle").text_content()
