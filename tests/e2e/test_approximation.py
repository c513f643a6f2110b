"""The universal-approximation lab driven as a student would, in Chromium."""

import math
import re

from tests.e2e.helpers import (
    errors_shown,
    open_page,
    plot_data,
    set_slider,
    wait_error,
    wait_ready,
)


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "approximation", hash_)


def trace(page, plot_id, prefix):
    return next(t for t in plot_data(page, plot_id) if str(t.get("name", "")).startswith(prefix))


def test_page_loads_with_every_panel(page, base_url, console, screenshot):
    open_lab(page, base_url)
    assert len(plot_data(page, "fit-plot")) == 5
    names = [t["name"] for t in plot_data(page, "error-plot")]
    assert names[0].startswith("reference slope c/n") and names[0].endswith("not a bound")
    assert names[1].startswith("fitted power law, measured slope")
    assert names[2].startswith("ReLU net (slope")
    assert "bound line" not in page.locator("#readouts").inner_text()
    assert "never makes the fit worse" not in page.content()
    assert len(plot_data(page, "counts-plot")) == 2
    assert len(plot_data(page, "radial-plot")) == 10  # 5 dimensions x (bars, line)
    assert page.locator(".katex").count() > 10
    assert "seed=0" in page.url and "target=sine" in page.url
    assert "25 parameters" in page.locator("#readouts").inner_text()
    screenshot("approximation-default")


def test_unit_menus_come_from_the_core_registries(page, base_url, console):
    open_lab(page, base_url)
    registries = page.evaluate("fetch('api/v1/meta').then((r) => r.json())")["registries"]
    for key, kind in [
        ("activation", "approximation_activations"),
        ("cmp_activation", "comparison_activations"),
    ]:
        options = page.locator(f'select[data-key="{key}"] option')
        assert options.evaluate_all("(els) => els.map((e) => [e.value, e.textContent])") == [
            [r["name"], r["label"]] for r in registries[kind]
        ]


def test_more_hidden_units_follow_the_target_more_closely(page, base_url, console):
    ready = open_lab(page, base_url)
    before = trace(page, "fit-plot", "ReLU net")["y"]
    err_before = trace(page, "error-plot", "your net")["y"][0]
    set_slider(page, "n_hidden", 32)
    wait_ready(page, ready)
    assert trace(page, "fit-plot", "ReLU net")["y"] != before
    assert len(trace(page, "fit-plot", "joints")["x"]) == 32
    your = trace(page, "error-plot", "your net")
    assert your["x"] == [32] and your["y"][0] < err_before / 100
    assert "n_hidden=32" in page.url


def test_the_step_target_follows_the_c_over_n_line(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    page.select_option('select[data-key="target"]', "step")
    wait_ready(page, ready)
    name = trace(page, "error-plot", "ReLU net")["name"]
    slope = float(re.search(r"slope (-?[\d.]+)", name).group(1))
    assert -1.15 < slope < -0.85
    screenshot("approximation-step")


def test_gradient_descent_moves_the_joints_and_lowers_the_loss(page, base_url, console, screenshot):
    ready = open_lab(page, base_url, "#target=step&n_hidden=6")
    joints_before = trace(page, "fit-plot", "joints")["x"]
    set_slider(page, "gd_steps", 500)
    wait_ready(page, ready)
    losses = plot_data(page, "loss-curve")[0]["y"]
    assert len(losses) == 501 and losses[-1] < losses[0]
    assert trace(page, "fit-plot", "joints")["x"] != joints_before
    assert "finished" in page.locator("#readouts .badge").inner_text()
    screenshot("approximation-descent")


def test_typed_points_with_a_clear_error_for_bad_input(page, base_url, console):
    ready = open_lab(page, base_url)
    assert page.locator("#points-control").is_hidden()
    page.select_option('select[data-key="target"]', "points")
    ready = wait_ready(page, ready)
    assert page.locator("#points-control").is_visible()
    assert trace(page, "fit-plot", "target")["x"][0] == -2
    page.fill('textarea[data-key="points"]', "0, 1\nbanana")
    wait_error(page, 'line 2 ("banana")')
    # in place: right under the text area that holds the bad line
    assert page.locator("#points-error").count() == 1
    console.allow("status of 422")  # Chromium logs every 4xx answer; this one is wanted
    page.fill('textarea[data-key="points"]', "0, 1\n0, 2")
    wait_error(page, "distinct x")
    page.fill('textarea[data-key="points"]', "0 0\n1 1\n2 0\n3 1")
    wait_ready(page, ready)
    assert errors_shown(page) == []
    assert trace(page, "fit-plot", "target")["x"][-1] == 3


def test_a_copied_link_reopens_the_same_view(page, base_url, console):
    open_lab(page, base_url, "#seed=7&noise=0.2&joint_placement=random&n_hidden=12&sweep_max=32")
    first = plot_data(page, "fit-plot")
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page)
    assert plot_data(page, "fit-plot") == first
    assert page.locator('input[data-key="n_hidden"]').input_value() == "12"


def test_new_seed_button_draws_new_noise(page, base_url, console):
    ready = open_lab(page, base_url, "#noise=0.2")
    before = trace(page, "fit-plot", "training")["y"]
    page.click("#new-seed")
    wait_ready(page, ready)
    assert trace(page, "fit-plot", "training")["y"] != before
    assert "seed=1" in page.url


def test_counts_panel_grows_with_the_degree(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    before = trace(page, "counts-plot", "polynomial")["y"]
    assert before[-1] == math.comb(3 + 50, 50)
    set_slider(page, "count_degree", 6)
    wait_ready(page, ready)
    after = trace(page, "counts-plot", "polynomial")["y"]
    assert after[-1] == math.comb(6 + 50, 50)
    assert trace(page, "counts-plot", "shallow net")["y"][-1] == 52 * 100 + 1
    page.locator("#counts-plot").scroll_into_view_if_needed()
    screenshot("approximation-counts")


def test_radial_panel_follows_the_typed_dimensions(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    page.fill('input[data-key="dims"]', "3, 30")
    wait_ready(page, ready)
    lines = [t for t in plot_data(page, "radial-plot") if t.get("type") != "bar"]
    assert [t["name"].split(",")[0] for t in lines] == ["D = 3", "D = 30"]
    assert "r* = 5.39" in lines[1]["name"]  # sqrt(29) = 5.385
    bars = [t for t in plot_data(page, "radial-plot") if t.get("type") == "bar"]
    assert len(bars) == 2 and max(bars[1]["y"]) > 0
    screenshot("approximation-radial")


def test_fewer_samples_pull_the_degree_down_instead_of_failing(page, base_url, console):
    ready = open_lab(page, base_url)
    set_slider(page, "degree", 40)
    ready = wait_ready(page, ready)
    assert trace(page, "fit-plot", "polynomial")["name"] == "polynomial, M = 40"
    set_slider(page, "n_samples", 10)  # sqrt(8 * 10) = 8.9: degree 40 would swing wildly
    wait_ready(page, ready)
    assert trace(page, "fit-plot", "polynomial")["name"] == "polynomial, M = 8"
    assert page.locator('input[data-key="degree"]').get_attribute("max") == "8"
    assert errors_shown(page) == []
    assert "degree=8" in page.url


def test_sigmoid_units_fit_and_the_step_lies_above_the_reference_line(page, base_url, console):
    ready = open_lab(page, base_url, "#target=step")
    relu = trace(page, "fit-plot", "ReLU net")["y"]
    page.select_option('select[data-key="activation"]', "sigmoid")
    wait_ready(page, ready)
    assert "activation=sigmoid" in page.url
    sigmoid = trace(page, "fit-plot", "Logistic sigmoid net")["y"]
    assert sigmoid != relu
    assert len(trace(page, "fit-plot", "sigmoid centres")["x"]) == 8
    errors = trace(page, "error-plot", "Logistic sigmoid net")["y"]
    reference = trace(page, "error-plot", "reference slope")["y"]
    assert all(e > r for e, r in zip(errors[1:], reference[1:], strict=True))


def test_fixed_basis_against_networks_in_three_dimensions(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    grid = trace(page, "compare-plot", "hat grid")
    assert grid["x"][0] == 4  # d = 2: the smallest grid has 2^2 coefficients
    page.select_option('select[data-key="cmp_d"]', "3")
    wait_ready(page, ready, timeout=60_000)
    assert "cmp_d=3" in page.url
    grid = trace(page, "compare-plot", "hat grid")
    net = trace(page, "compare-plot", "trained network")
    assert grid["x"][0] == 8 and net["x"][:3] == [6, 11, 21]
    slope = float(re.search(r"slope (-?[\d.]+)", grid["name"]).group(1))
    assert -1.7 < slope < -1.0  # about -4/3
    assert "(1/n)^(2/d), d = 3" in [t["name"] for t in plot_data(page, "compare-plot")]
    # the predicted slopes come from the API: -4/3 and -2/3
    assert "(−4/d = -1.33, (1/n)^(2/d): -0.67)" in page.locator("#compare-readouts").inner_text()
    screenshot("approximation-compare-3d")
