"""The polar-coordinates lab driven as a student would, in Chromium."""

from tests.e2e.helpers import (
    errors_shown,
    open_page,
    plot_data,
    set_slider,
    wait_error,
    wait_ready,
)

PLOTS = ("cart-xy", "cart-polar", "polar-polar", "polar-xy")


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "polar", hash_)


def points(page, plot_id, label):
    return next(t for t in plot_data(page, plot_id) if t.get("name", "").startswith(label))


def test_page_loads_with_four_maps_and_the_accuracies(page, base_url, console, screenshot):
    open_lab(page, base_url)
    for plot in PLOTS:
        types = [t.get("type", "scatter") for t in plot_data(page, plot)]
        assert types == ["heatmap", "contour", "scatter", "scatter"], plot
    text = page.locator("#readouts").inner_text()
    assert "on (r, θ): accuracy 100.0%" in text
    assert "rings in r: separated" in text
    cart = float(text.split("on (x₁, x₂): accuracy ")[1].split("%")[0])
    assert cart < 65
    assert page.locator(".katex").count() > 5
    assert "seed=0" in page.url
    screenshot("polar-default")


def test_points_are_plotted_in_both_coordinate_systems(page, base_url, console):
    open_lab(page, base_url)
    xy = points(page, "cart-xy", "class 1")
    rt = points(page, "polar-polar", "class 1")
    for x1, x2, r in zip(xy["x"][:10], xy["y"][:10], rt["x"][:10], strict=True):
        assert abs((x1 * x1 + x2 * x2) ** 0.5 - r) < 1e-9


def test_moving_the_rings_redraws_and_a_bad_pair_is_explained(page, base_url, console):
    ready = open_lab(page, base_url)
    before = points(page, "cart-xy", "class 1")["x"]
    set_slider(page, "outer_radius", 4)
    ready = wait_ready(page, ready)
    assert points(page, "cart-xy", "class 1")["x"] != before
    assert "outer_radius=4" in page.url
    console.allow("status of 422")  # Chromium logs every 4xx answer; this one is wanted
    set_slider(page, "inner_radius", 4.5)
    wait_error(page, "inner < outer")
    set_slider(page, "inner_radius", 1)
    wait_ready(page, ready)
    assert errors_shown(page) == []


def test_noise_makes_the_rings_overlap(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    set_slider(page, "noise", 0.8)
    wait_ready(page, ready)
    text = page.locator("#readouts").inner_text()
    polar_acc = float(text.split("on (r, θ): accuracy ")[1].split("%")[0])
    assert 60 < polar_acc < 100
    assert "rings in r: overlap (unpenalised weights are finite)" in text
    assert "a spiral arc, seam of" in text
    screenshot("polar-noisy")


def test_new_data_and_a_copied_link(page, base_url, console):
    ready = open_lab(page, base_url)
    before = points(page, "cart-xy", "class 0")["x"]
    page.click("#new-data")
    wait_ready(page, ready)
    assert points(page, "cart-xy", "class 0")["x"] != before
    assert "seed=1" in page.url
    first = plot_data(page, "polar-xy")
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page)
    assert plot_data(page, "polar-xy") == first


def test_landing_page_and_nav_lead_to_both_labs(page, base_url, console):
    page.goto(f"{base_url}/index.html")
    with page.expect_navigation():
        page.click('.card[href="polar.html"]')
    wait_ready(page)
    assert page.locator('#nav a[aria-current="page"]').inner_text() == "Polar coordinates"
    with page.expect_navigation():
        page.click('#nav a[href="approximation.html"]')
    wait_ready(page, timeout=20_000)
    assert page.locator('#nav a[aria-current="page"]').inner_text() == "Universal approximation"
