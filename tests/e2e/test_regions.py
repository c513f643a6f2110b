"""The 2D linear-regions page in Chromium: regions, their count, the bound and parameters."""

from tests.e2e.helpers import (
    image_pixels,
    open_page,
    plot_data,
    scale_colour,
    set_slider,
    wait_ready,
)


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "regions", hash_)


def test_notes_example_has_seven_regions_and_thirteen_parameters(
    page, base_url, console, screenshot
):
    open_lab(page, base_url)
    assert page.locator("#exact-count").inner_text() == "7"
    assert page.locator("#bound").inner_text() == "7"
    assert page.locator("#param-count").inner_text() == "13"
    traces = plot_data(page, "output-map")
    assert traces[0]["type"] == "heatmap"
    labels = next(t for t in traces if t.get("name") == "region labels")
    assert sorted(labels["text"], key=int) == [str(k) for k in range(1, 8)]
    units = plot_data(page, "units-plot")
    assert sum(t.get("type") == "heatmap" for t in units) == 6
    assert "13 parameters" in page.locator("#calc-result").inner_text()
    assert page.locator("#bounds-table tr").count() == 6
    patterns = next(t for t in plot_data(page, "bounds-plot") if t.get("name") == "2^D")
    assert patterns["y"] == [2**d for d in patterns["x"]]  # the API's pattern counts
    screenshot("regions-default")


def test_more_units_raise_the_bound(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    set_slider(page, "D", 8)
    wait_ready(page, ready)
    assert page.locator("#bound").inner_text() == "37"
    assert page.locator("#param-count").inner_text() == str(8 * 3 + 9)
    exact = int(page.locator("#exact-count").inner_text())
    assert 8 < exact <= 37
    assert sum(t.get("type") == "heatmap" for t in plot_data(page, "units-plot")) == 16
    screenshot("regions-d8")


def test_hover_reads_the_region_under_the_cursor(page, base_url, console):
    open_lab(page, base_url)
    box = page.locator("#output-map .nsewdrag").first.bounding_box()
    # Upper middle of the view: above the line x2 = 0.3 where unit 1 is active.
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.1)
    info = page.locator("#hover-info")
    info.filter(has_text="Region").wait_for()
    assert "active units 1" in info.inner_text()
    assert "gradient" in info.inner_text()
    # The units that are off in this region are marked in the units figure.
    titles = page.evaluate(
        "document.getElementById('units-plot').layout.annotations.map(a => a.text)"
    )
    inactive = info.inner_text().split("inactive ")[1].split(" ·")[0]
    for unit in [] if inactive == "none" else inactive.split(", "):
        assert titles[2 * (int(unit) - 1)].endswith("off here")
    assert not titles[0].endswith("off here")


def test_colour_by_region_and_random_network(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    page.select_option('select[data-key="color_by"]', "region")
    ready = wait_ready(page, ready)
    heat = plot_data(page, "output-map")[0]
    assert {v for row in heat["z"] for v in row} == set(range(7))
    set_slider(page, "D", 12)
    ready = wait_ready(page, ready)
    page.click("#randomise")
    wait_ready(page, ready)
    assert "seed=1" in page.url
    assert int(page.locator("#exact-count").inner_text()) <= 79
    screenshot("regions-random-by-region")


def test_parameter_calculator_and_smooth_activation(page, base_url, console):
    ready = open_lab(page, base_url)
    page.fill('input[data-key="calc_d"]', "10")
    ready = wait_ready(page, ready)
    assert "10·(2 + 1) + 1·(10 + 1) = 41 parameters" in page.locator("#calc-result").inner_text()
    assert "at most 56 linear regions" in page.locator("#calc-result").inner_text()
    page.select_option("#activation-select", "softplus")
    wait_ready(page, ready)
    assert page.locator("#exact-count").inner_text() == "not defined"
    assert "not defined" in page.locator("#region-note").inner_text()


def test_a_link_reproduces_the_view(page, base_url, console):
    open_lab(page, base_url, "#D=2&x1_min=-2&x1_max=2&x2_min=-2&x2_max=2")
    assert page.locator("#bound").inner_text() == "4"
    assert page.evaluate("document.getElementById('output-map').layout.xaxis.range") == [-2, 2]


# The map's diverging colour scale: (position, rgb) from y = -max|y| to +max|y|.
DIVERGING = [
    (0.0, (5, 10, 172)),
    (0.35, (106, 137, 247)),
    (0.5, (190, 190, 190)),
    (0.6, (220, 170, 132)),
    (0.7, (230, 145, 90)),
    (1.0, (178, 10, 28)),
]


def test_the_map_image_and_its_hover_layer_follow_the_output(page, base_url, console):
    # The map is an image of one pixel per grid point; the invisible heatmap over it (for hover
    # and the keyboard) holds the same values once the lab is still.
    ready = open_lab(page, base_url)
    with page.expect_response(lambda r: r.url.endswith("api/v1/shallow/regions")) as answer:
        set_slider(page, "w0", 0.8)
        wait_ready(page, ready)
    m = answer.value.json()
    out = m["output"]  # rows go up the x2 axis
    heat = plot_data(page, "output-map")[0]
    assert heat["type"] == "heatmap" and heat["opacity"] == 0 and heat["z"] == out
    assert heat["customdata"][5][7] == [m["region_index"][5][7] + 1, out[5][7]]
    top = max(abs(v) for row in out for v in row)
    pixels = image_pixels(page, "output-map", "output map")  # top row first
    assert len(pixels) == len(out) and len(pixels[0]) == len(out[0])
    for i in range(0, len(out), 7):
        for j in range(0, len(out[0]), 5):
            want = scale_colour(DIVERGING, (out[i][j] / top + 1) / 2)
            got = pixels[len(out) - 1 - i][j][:3]
            assert max(abs(g - w) for g, w in zip(got, want, strict=True)) <= 1, (i, j)
