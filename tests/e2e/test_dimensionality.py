"""The curse-of-dimensionality lab driven as a student would, in Chromium."""

from tests.e2e.helpers import open_page, plot_data, set_slider, shown, wait_ready


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "dimensionality", hash_)


def trace(page, plot_id, prefix):
    return next(t for t in plot_data(page, plot_id) if str(t.get("name", "")).startswith(prefix))


def test_page_loads_with_four_panels(page, base_url, console, screenshot):
    open_lab(page, base_url)
    empty = trace(page, "grid-plot", "test points in an empty block")["y"]
    assert empty[0] == 0 and empty[-1] > 0.9  # D = 1: every block has data; D = 12: few do
    growing = trace(page, "coef-plot", "degree M = D")["y"]
    assert growing[:4] == [2, 6, 20, 70]  # C(2D, D)
    assert len(plot_data(page, "dist-plot")) == 5
    assert len(plot_data(page, "roll-3d")[0]["x"]) == 800
    assert len(plot_data(page, "roll-flat")[0]["x"]) == 800
    assert page.locator(".katex").count() > 5
    assert "seed=0" in page.url and "cells_per_side=4" in page.url
    screenshot("dimensionality-default")


def test_more_blocks_empty_the_grid_sooner(page, base_url, console):
    ready = open_lab(page, base_url)
    before = trace(page, "grid-plot", "test points in an empty block")["y"]
    set_slider(page, "cells_per_side", 8)
    wait_ready(page, ready)
    after = trace(page, "grid-plot", "test points in an empty block")["y"]
    assert "cells_per_side=8" in page.url
    assert after[3] > before[3]  # D = 4: 4096 blocks for 1000 points instead of 256
    assert "k = 8 blocks per side" in page.locator("#grid-readouts").inner_text()


def test_fixed_degree_follows_the_slider_and_distances_follow_the_typed_dimensions(
    page, base_url, console
):
    ready = open_lab(page, base_url)
    set_slider(page, "coef_degree", 2)
    ready = wait_ready(page, ready)
    fixed = trace(page, "coef-plot", "fixed degree M = 2")["y"]
    assert fixed[:3] == [3, 6, 10]  # C(2 + D, D)
    box = page.locator('input[data-key="dist_dims"]')
    box.fill("3, 300")
    with page.expect_response(lambda r: r.url.endswith("dimensionality/distances")) as answer:
        box.dispatch_event("input")
        wait_ready(page, ready)
    assert [t["name"] for t in plot_data(page, "dist-plot")] == ["D = 3", "D = 300"]
    text = page.locator("#dist-readouts").inner_text()
    body = answer.value.json()
    assert body["dims"] == [3, 300]
    for k in range(2):  # the readouts are the API's numbers
        rms, predicted = shown(body["rms"][k], 3), shown(body["predicted_rms"][k], 3)
        assert f"root mean square {rms} (predicted √(D/6) = {predicted})" in text


def test_a_copied_link_reopens_the_same_roll(page, base_url, console):
    ready = open_lab(page, base_url)
    before = plot_data(page, "roll-3d")[0]["x"]
    set_slider(page, "roll_az", 90)
    ready = wait_ready(page, ready)
    turned = plot_data(page, "roll-3d")[0]["x"]
    assert turned != before and "roll_az=90" in page.url
    set_slider(page, "roll_turns", 2.5)
    wait_ready(page, ready)
    xs = plot_data(page, "roll-3d")[0]["x"]
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page)
    assert plot_data(page, "roll-3d")[0]["x"] == xs


def test_a_bad_list_of_dimensions_is_explained_at_its_box(page, base_url, console):
    ready = open_lab(page, base_url)
    box = page.locator('input[data-key="dist_dims"]')
    box.fill("2, zero")
    box.dispatch_event("input")
    page.wait_for_selector(".field-error")
    assert "whole numbers from 1 to 5000" in page.locator(".field-error").first.inner_text()
    box.fill("2, 20")
    box.dispatch_event("input")
    wait_ready(page, ready)
    assert [t["name"] for t in plot_data(page, "dist-plot")] == ["D = 2", "D = 20"]
