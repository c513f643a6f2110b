"""The training lab driven as a student would, in Chromium."""

import re

from tests.e2e.helpers import open_page, plot_data, set_slider, wait_ready


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "training", hash_)


def traces(page, plot_id, name_start=""):
    return [t for t in plot_data(page, plot_id) if str(t.get("name", "")).startswith(name_start)]


def arrow_labels(page, plot_id):
    return page.evaluate(
        f"(document.getElementById('{plot_id}').layout.annotations || [])"
        ".filter((a) => a.text).map((a) => a.text)"
    )


def test_page_loads_with_all_plots_and_math(page, base_url, console, screenshot):
    with page.expect_response(lambda r: r.url.endswith("api/v1/training/point")) as answer:
        open_lab(page, base_url)
    point = answer.value.json()
    for plot in ("loss-map", "fit-plot", "loss-curve", "batch-map"):
        assert len(plot_data(page, plot)) >= 3, plot
    assert page.locator(".katex").count() > 10
    assert "seed=0" in page.url and "landscape=gabor" in page.url
    names = [t.get("name", "") for t in plot_data(page, "loss-map")]
    for label in ("gradient descent", "SGD (|B|=8)", "momentum (|B|=8)", "Adam (|B|=8)"):
        assert label in names
    assert any(n.startswith("global minimum") for n in names)
    assert "local minima" in names
    assert "Mini-batch loss" in page.locator("#batch-map .gtitle").text_content()
    assert len(traces(page, "fit-plot", "mini-batch of step 0")[0]["x"]) == 8
    # an arrow for each gradient the API says does not vanish
    assert point["gradient_vanishes"] is False and point["batch_gradient_vanishes"] is False
    assert arrow_labels(page, "batch-map") == ["−∇L", "−∇L_B"]
    screenshot("training-default")


def test_clicking_the_map_moves_the_start_and_the_model_curve(page, base_url, console):
    ready = open_lab(page, base_url)
    curve_before = traces(page, "fit-plot", "f[x")[0]["y"]
    box = page.locator("#loss-map .nsewdrag").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.2)
    wait_ready(page, ready)
    start = traces(page, "loss-map", "start (click")[0]
    assert start["x"][0] < -2 and start["y"][0] > 15  # upper-left of [-10, 10] x [2.5, 22.5]
    assert re.search(r"phi0=-\d", page.url)
    gd = traces(page, "loss-map", "gradient descent")[0]
    assert gd["x"][0] == start["x"][0] and gd["y"][0] == start["y"][0]
    assert traces(page, "fit-plot", "f[x")[0]["y"] != curve_before


def test_stepping_and_playing_move_through_the_trajectory(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    batch_before = traces(page, "fit-plot", "mini-batch")[0]["x"]
    page.click("#step-forward")
    ready = wait_ready(page, ready)
    assert "step=1" in page.url
    assert "step 1" in page.locator("#batch-map .gtitle").text_content()
    assert traces(page, "fit-plot", "mini-batch")[0]["x"] != batch_before  # the next batch
    set_slider(page, "step", 40)
    ready = wait_ready(page, ready)
    assert "step 40" in page.locator("#fit-plot .gtitle").text_content()
    page.click("#play")
    page.wait_for_function("/step=(\\d+)/.exec(location.hash)[1] > 60", timeout=20_000)
    page.click("#play")  # pause
    assert page.locator("#play").inner_text() == "▶ Play"
    screenshot("training-stepped")


def test_linear_landscape_is_convex_and_a_large_rate_diverges(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    page.select_option("#landscape-select", "linear")
    ready = wait_ready(page, ready)
    assert "convex: one valley" in page.locator("#loss-map .gtitle").text_content()
    assert "phi0=-1.5" in page.url and "lr=0.2" in page.url
    assert page.locator("#readouts .badge.diverged").count() == 0
    set_slider(page, "lr", 0.5)  # log scale: alpha = 10^0.5 ~ 3.2
    wait_ready(page, ready)
    assert page.locator("#readouts .badge.diverged").count() >= 2
    screenshot("training-linear-diverged")


def test_several_starts_show_the_valleys(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    page.select_option('select[data-key="mode"]', "starts")
    ready = wait_ready(page, ready)
    paths = [t for t in plot_data(page, "loss-map") if t.get("mode") == "lines"]
    assert len(paths) == 3 * 3 + 1
    assert re.search(
        r"\d+ of 10 starts ended in the global minimum", page.locator("#readouts").inner_text()
    )
    set_slider(page, "grid", 4)
    wait_ready(page, ready)
    paths = [t for t in plot_data(page, "loss-map") if t.get("mode") == "lines"]
    assert len(paths) == 4 * 4 + 1
    screenshot("training-starts")


def test_unticking_an_optimiser_and_changing_the_detail(page, base_url, console):
    ready = open_lab(page, base_url)
    page.uncheck('input[data-key="use_adam"]')
    ready = wait_ready(page, ready)
    assert traces(page, "loss-map", "Adam") == []
    page.select_option('select[data-key="focus"]', "gd")
    wait_ready(page, ready)
    assert "uses all samples" in page.locator("#batch-map .gtitle").text_content()
    assert traces(page, "fit-plot", "mini-batch") == []


def test_network_slice_and_a_copied_link(page, base_url, console):
    open_lab(page, base_url, "#landscape=network&phi0=-2&phi1=-3&lr=0.5&seed=3&step=12")
    assert page.locator("#loss-map .g-ytitle").text_content() == "θ₁₁"
    assert page.locator("#loss-map .g-xtitle").text_content() == "φ₁"
    first = plot_data(page, "fit-plot")
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page, timeout=30_000)
    assert plot_data(page, "fit-plot") == first
    assert page.locator('input[data-key="step"]').input_value() == "12"


def test_detail_falls_back_to_a_racer(page, base_url, console):
    ready = open_lab(page, base_url)
    page.select_option('select[data-key="focus"]', "nesterov")  # not ticked: not in the race
    wait_ready(page, ready)
    title = page.locator("#fit-plot .gtitle").text_content()
    assert title.startswith("Data and model · gradient descent")  # the first racer


def test_default_sgd_stays_in_view_and_reaches_the_deepest_valley(page, base_url, console):
    open_lab(page, base_url)
    names = [t.get("name", "") for t in plot_data(page, "loss-map")]
    assert not any("leaves the view" in n for n in names)
    best = float(re.search(r"global minimum \(L = ([\d.]+)\)", " ".join(names)).group(1))
    readout = page.locator("#readouts").inner_text()
    sgd = float(re.search(r"SGD \(\|B\|=8\)\s*max steps\s*L = ([\d.]+)", readout).group(1))
    gd = float(re.search(r"gradient descent\s*converged\s*L = ([\d.]+)", readout).group(1))
    assert sgd < 1.2 * best < gd  # SGD ends in the deepest valley, GD in a shallower one


def test_a_path_that_leaves_the_view_is_marked(page, base_url, console):
    open_lab(page, base_url, "#landscape=linear&phi0=-1.5&phi1=-1.5&lr=3.2&lr_adam=0.1")
    names = [t.get("name", "") for t in plot_data(page, "loss-map")]
    assert "gradient descent (leaves the view)" in names
    marks = traces(page, "loss-map", "leaves the view here")[0]
    assert len(marks["x"]) >= 1
    assert "outside the view for" in page.locator("#readouts").inner_text()


def test_saddle_landscape_gd_stops_at_the_saddle_and_sgd_escapes(
    page, base_url, console, screenshot
):
    ready = open_lab(page, base_url)
    page.select_option("#landscape-select", "saddle")
    wait_ready(page, ready)
    assert "phi1=0" in page.url and "phi0=-1" in page.url
    saddle = traces(page, "loss-map", "saddle points")[0]
    assert len(saddle["x"]) == 1 and abs(saddle["y"][0]) < 1e-6
    gd = traces(page, "loss-map", "gradient descent")[0]
    assert abs(gd["x"][-1] - saddle["x"][0]) < 1e-3 and abs(gd["y"][-1]) < 1e-6  # stuck there
    sgd = traces(page, "loss-map", "SGD")[0]
    assert abs(sgd["y"][-1]) > 0.5  # off the ridge line, in a valley
    assert "1 saddle point in view" in page.locator("#loss-map .gtitle").text_content()
    assert "converged at a saddle point, not a minimum" in page.locator("#readouts").inner_text()
    screenshot("training-saddle")


def test_exact_line_search_races(page, base_url, console):
    ready = open_lab(page, base_url)
    page.check('input[data-key="use_exact_line_search"]')
    wait_ready(page, ready)
    assert traces(page, "loss-map", "GD + exact line search")
