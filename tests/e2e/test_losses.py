"""The loss-functions lab driven as a student would, in Chromium: every panel."""

import re

from tests.e2e.helpers import (
    errors_shown,
    image_pixels,
    open_page,
    plot_data,
    set_slider,
    shown,
    wait_error,
    wait_ready,
)


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "losses", hash_)


def named(page, plot_id, start):
    return [t for t in plot_data(page, plot_id) if str(t.get("name", "")).startswith(start)]


def readout(page, section):
    return page.locator(f"#{section}").inner_text()


def move_parameter(page, index, value):
    page.locator(f'input.param[data-index="{index}"]').evaluate(
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        str(value),
    )


def test_page_loads_every_panel_with_math(page, base_url, console, screenshot):
    open_lab(page, base_url)
    for plot in (
        "model-plot",
        "points-plot",
        "softmax-plot",
        "temperature-plot",
        "discrete-plot",
        "terms-plot",
        "gauss-plot",
        "integrand-plot",
        "nll-map",
        "kl-map",
        "slice-plot",
        "histogram-plot",
    ):
        assert len(plot_data(page, plot)) >= 1, plot
    assert page.locator(".katex").count() > 15
    assert "problem=regression" in page.url and "seed=0" in page.url
    assert readout(page, "readouts").startswith("L[φ] =")
    assert page.locator("input.param").count() == 2
    assert "tick" in page.locator("#fit-plot .gtitle").text_content()  # no fit until asked
    screenshot("losses-default")


def test_moving_a_parameter_changes_the_mean_and_the_nll(page, base_url, console):
    ready = open_lab(page, base_url)
    before = named(page, "model-plot", "mean μ")[0]["y"]
    nll_before = readout(page, "readouts")
    move_parameter(page, 1, 2.0)
    wait_ready(page, ready)
    assert named(page, "model-plot", "mean μ")[0]["y"] != before
    assert readout(page, "readouts") != nll_before
    assert "params=0%2C2" in page.url or "params=0,2" in page.url
    # The affine relation is checked on the numbers shown: the difference is rounding only.
    difference = float(page.locator("#affine-difference").inner_text().replace("–", "0"))
    assert abs(difference) < 1e-9


def density_alpha(page):
    """The model figure's density image: its opacity, rows top first."""
    return [[p[3] for p in row] for row in image_pixels(page, "model-plot", "density Pr(y | x)")]


def test_the_density_image_shows_the_apis_density(page, base_url, console):
    ready = open_lab(page, base_url)
    with page.expect_response(lambda r: r.url.endswith("api/v1/losses/view")) as answer:
        move_parameter(page, 1, 1.5)
        wait_ready(page, ready)
    d = answer.value.json()
    density = d["density"]  # rows go up the y axis
    # Opacity 0 where the density is 0, 0.55 from twice the median of the columns' peaks up.
    peaks = sorted(max(row[j] for row in density) for j in range(len(d["grid"])))
    top = 2 * peaks[len(peaks) // 2]
    alpha = density_alpha(page)  # top row first
    assert len(alpha) == len(density) and len(alpha[0]) == len(density[0])
    for i in range(0, len(density), 9):
        for j in range(0, len(density[0]), 11):
            want = 255 * 0.55 * min(1.0, density[i][j] / top)
            assert abs(alpha[len(density) - 1 - i][j] - want) <= 1, (i, j)
    # The mean stays in view: the y axis holds the curve and the data.
    low, high = page.evaluate("document.getElementById('model-plot').layout.yaxis.range")
    mean = named(page, "model-plot", "mean μ")[0]["y"]
    assert low <= min(mean + d["y"]) and max(mean + d["y"]) <= high


def test_sigma_slider_and_jump_to_the_mle(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    set_slider(page, "sigma", -1)  # log scale: sigma = 0.1
    ready = wait_ready(page, ready)
    assert "sigma=0.1" in page.url
    # A small sigma makes densities far above 1: the second axis (set without a redraw) grew.
    likelihood = named(page, "points-plot", "Pr(yᵢ | θᵢ)")[0]["y"]
    top = page.evaluate("document.getElementById('points-plot').layout.yaxis2.range[1]")
    assert max(likelihood) > 1 and top >= max(likelihood)
    page.click("#to-mle")
    wait_ready(page, ready)
    mean = named(page, "model-plot", "mean μ")[0]["y"]
    mle = named(page, "model-plot", "maximum likelihood")[0]["y"]
    assert max(abs(a - b) for a, b in zip(mean, mle, strict=True)) < 1e-6
    screenshot("losses-mle")


def test_fit_runs_and_jumps_to_its_end(page, base_url, console):
    ready = open_lab(page, base_url)
    page.check("#fit-toggle")
    ready = wait_ready(page, ready)
    curve = named(page, "fit-plot", "L = summed NLL")[0]["y"]
    assert len(curve) > 10 and curve[-1] < curve[0]
    assert "fit" in readout(page, "readouts")
    page.click("#to-fit")
    wait_ready(page, ready)
    assert "params=" in page.url and "params=&" not in page.url


def test_heteroscedastic_option_predicts_sigma(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    page.check('input[data-key="heteroscedastic"]')
    ready = wait_ready(page, ready)
    assert page.locator("input.param").count() == 4
    assert page.locator('input[data-key="sigma"]').is_disabled()
    move_parameter(page, 3, 0.4)  # sigma grows with x
    wait_ready(page, ready)
    title = page.locator("#model-plot .gtitle").text_content()
    assert "predicted mean and σ" in title
    screenshot("losses-heteroscedastic")


def test_binary_linear_output_leaves_zero_one(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    page.select_option('select[data-key="problem"]', "binary")
    ready = wait_ready(page, ready)
    lam = named(page, "model-plot", "λ = sig")[0]["y"]
    assert 0 < min(lam) and max(lam) < 1
    assert page.locator("#view-message").inner_text() == ""
    page.select_option('select[data-key="link"]', "linear")
    wait_ready(page, ready)
    lam = named(page, "model-plot", "λ = f")[0]["y"]
    assert min(lam) < 0 or max(lam) > 1
    assert len(named(page, "model-plot", "NLL undefined")[0]["x"]) > 0
    assert "outside [0, 1]" in page.locator("#view-message").inner_text()
    assert "L[φ] = –" in readout(page, "readouts")
    screenshot("losses-binary-linear")


def test_multiclass_probabilities_stack_to_one(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    page.select_option('select[data-key="problem"]', "multiclass")
    ready = wait_ready(page, ready)
    bands = named(page, "model-plot", "Pr(y =")
    assert len(bands) == 3
    totals = [sum(b["y"][j] for b in bands) for j in range(len(bands[0]["y"]))]
    assert all(abs(t - 1) < 1e-9 for t in totals)
    set_slider(page, "n_classes", 4)
    ready = wait_ready(page, ready)
    assert len(named(page, "model-plot", "Pr(y =")) == 4
    assert page.locator("input.param").count() == 8
    page.select_option('select[data-key="model"]', "shallow")
    wait_ready(page, ready)
    assert page.locator("input.param").count() == 3 * 2 + 4 * 4
    screenshot("losses-multiclass")


def test_softmax_explorer_shift_and_temperature(page, base_url, console):
    ready = open_lab(page, base_url)
    before = named(page, "softmax-plot", "softmax[z / T]")[0]["y"]
    set_slider(page, "sm_shift", 40)
    ready = wait_ready(page, ready)
    shifted = named(page, "softmax-plot", "softmax[(z + c)")[0]["y"]
    # Adding a constant changes nothing (up to the last bit of rounding).
    assert all(abs(a - b) < 1e-12 for a, b in zip(shifted, before, strict=True))
    set_slider(page, "sm_temperature", 1)  # log scale: T = 10
    ready = wait_ready(page, ready)
    flat = named(page, "softmax-plot", "softmax[z / T]")[0]["y"]
    assert max(flat) < max(before)
    page.click("#huge-logits")
    wait_ready(page, ready)
    huge = named(page, "softmax-plot", "softmax[z / T]")[0]["y"]
    assert all(v is not None for v in huge) and abs(sum(huge) - 1) < 1e-12


def test_discrete_kl_is_asymmetric_and_can_be_infinite(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    text = readout(page, "discrete-readouts")
    assert "KL[p‖q]" in text and "∞" not in text
    # The default p and q show the asymmetry (mirror-image defaults once gave equal values).
    forward = float(re.search(r"KL\[p‖q\] = (\S+)", text).group(1))
    backward = float(re.search(r"KL\[q‖p\] = (\S+)", text).group(1))
    assert abs(forward - backward) > 0.05
    set_slider(page, "q3", 0)  # q gives outcome 3 nothing, p does: KL[p||q] is infinite
    wait_ready(page, ready)
    text = readout(page, "discrete-readouts")
    assert "KL[p‖q] = ∞" in text and "KL[q‖p] = ∞" not in text
    screenshot("losses-kl")


def test_gaussian_kl_closed_form_beside_its_integral(page, base_url, console):
    ready = open_lab(page, base_url)
    before = named(page, "gauss-plot", "q")[0]["y"]
    set_slider(page, "g_mu2", -2)
    wait_ready(page, ready)
    assert named(page, "gauss-plot", "q")[0]["y"] != before
    text = readout(page, "gauss-readouts")
    closed, integral = re.search(r"KL\[p‖q\] = (\S+) \(integral: ([^)]+)\)", text).groups()
    assert abs(float(closed) - float(integral)) < 1e-5


def test_empirical_kl_and_nll_share_the_minimiser(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    mle = named(page, "nll-map", "MLE")[0]
    grid_min = named(page, "nll-map", "grid minimum")[0]
    assert abs(mle["x"][0] - grid_min["x"][0]) < 0.05
    set_slider(page, "e_bins", 50)
    ready = wait_ready(page, ready)
    kl_min = named(page, "kl-map", "KL minimum")[0]
    assert abs(kl_min["x"][0] - mle["x"][0]) < 0.05
    page.click("#new-sample")
    wait_ready(page, ready)
    assert named(page, "nll-map", "MLE")[0]["x"] != mle["x"]
    assert "e_seed=1" in page.url
    screenshot("losses-empirical")


def test_state_in_the_hash_reproduces_the_view(page, base_url, console):
    open_lab(page, base_url, "#problem=binary&link=relu&params=0.2,1&seed=3")
    assert page.locator('select[data-key="link"]').input_value() == "relu"
    assert named(page, "model-plot", "λ = max(0, f)")[0]["y"][0] == 0
    values = page.locator("input.param").evaluate_all("els => els.map(e => Number(e.value))")
    assert values == [0.2, 1]


def test_fit_with_adam_from_the_optimiser_menu(page, base_url, console):
    ready = open_lab(page, base_url, "#problem=binary&fit=1")
    gd = named(page, "fit-plot", "L = summed NLL")[0]["y"]
    options = page.locator("#optimizer-select option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["gd", "momentum", "nesterov", "adam"]
    page.select_option("#optimizer-select", "adam")
    wait_ready(page, ready)
    adam = named(page, "fit-plot", "L = summed NLL")[0]["y"]
    assert adam != gd and adam[-1] < adam[0]
    assert "optimizer=adam" in page.url


def test_a_typing_error_in_the_logits_is_shown_in_place(page, base_url, console):
    ready = open_lab(page, base_url)
    page.fill('input[data-key="sm_logits"]', "1, two, 3")
    wait_error(page, "logits")
    assert any("numbers separated by commas" in e for e in errors_shown(page))
    set_slider(page, "g_mu2", 2)  # the other panels still answer
    wait_ready(page, ready)
    assert named(page, "gauss-plot", "q")[0]["x"][-1] > 5


def test_a_phone_screen_needs_no_horizontal_scrolling(page, base_url, console):
    # Wide formulas, tables and the inspector once widened the whole page to 600-800 px at 390.
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, base_url, "losses")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_gradient_length_readout_is_the_api_value(page, base_url, console):
    with page.expect_response(lambda r: r.url.endswith("api/v1/losses/view")) as answer:
        open_lab(page, base_url)
    norm = answer.value.json()["gradient_norm"]
    assert norm > 0
    assert f"|∂L/∂φ| = {shown(norm)}" in readout(page, "readouts")
    open_lab(page, base_url, "#problem=binary&link=linear&params=0.5,1")
    assert "|∂L/∂φ| = –" in readout(page, "readouts")  # no gradient where the NLL is undefined
