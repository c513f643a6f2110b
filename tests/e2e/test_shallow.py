"""The 1D shallow-network flow page, driven as a student would in Chromium."""

from tests.e2e.helpers import open_page, plot_data, set_slider, wait_ready

PLOTS = ("preact-plot", "act-plot", "weighted-plot", "output-plot")


def drawn(page, plot_id):
    """The unit curves a panel shows (a panel keeps 4, 8, ... traces, those beyond D without
    points: empty, or one missing point where a removed unit was)."""
    return [t for t in plot_data(page, plot_id) if any(v is not None for v in t["x"])]


def lines_on_screen(page, plot_id):
    """How many curves the figure's SVG draws (a curve emptied in place must not stay there)."""
    return page.evaluate(
        f"[...document.querySelectorAll('#{plot_id} .scatterlayer path.js-line')]"
        ".filter((p) => (p.getAttribute('d') || '').length > 0).length"
    )


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "shallow", hash_)


def hover_output_at(page, x: float, x_min=0.0, x_max=1.0):
    """Move the mouse over the output plot at input x (the plot's x axis is [x_min, x_max])."""
    box = page.locator("#output-plot .nsewdrag").first.bounding_box()
    fraction = (x - x_min) / (x_max - x_min)
    page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.5)


def test_book_example_draws_four_panels_and_the_regions(page, base_url, console, screenshot):
    open_lab(page, base_url)
    for plot in PLOTS[:3]:
        assert [t["name"] for t in drawn(page, plot)] == ["unit 1", "unit 2", "unit 3"], plot
        assert len(plot_data(page, plot)) == 4, plot  # room for D = 4 without a new drawing
    legend = page.locator("#unit-legend").inner_text()
    assert legend.split() == ["unit", "1", "unit", "2", "unit", "3"]
    output = plot_data(page, "output-plot")
    assert [t["name"] for t in output] == ["y", "joints"]
    assert output[1]["x"] == [0.3, 0.5, 0.5 / 0.65]
    assert "linear regions 4" in page.locator("#readouts").inner_text()
    assert "= 10" in page.locator("#readouts").inner_text()  # 1-3-1 network: 10 parameters
    rows = page.locator("#regions-table tr")
    assert rows.count() == 5  # header and 4 regions
    assert rows.nth(4).locator("td").last.inner_text() == "2.55"
    # Each region's slope written at the top of its band in the output panel.
    labels = page.evaluate(
        "document.getElementById('output-plot').layout.shapes"
        ".filter(s => s.label && s.label.text).map(s => s.label.text)"
    )
    assert labels == ["slope -2", "slope 0", "slope -2", "slope 2.55"]
    # Joints drawn on every panel as vertical lines.
    for plot in PLOTS:
        shapes = page.evaluate(f"document.getElementById('{plot}').layout.shapes")
        assert sum(s["type"] == "line" for s in shapes) == 3, plot
    assert page.locator(".katex").count() > 5
    screenshot("shallow-default")


def test_hovering_the_output_highlights_inactive_units(page, base_url, console, screenshot):
    open_lab(page, base_url)
    hover_output_at(page, 0.15)
    info = page.locator("#hover-info")
    info.filter(has_text="Region 1").wait_for()
    assert "units 2, 3 are inactive" in info.inner_text()
    assert "contribute nothing here" in info.inner_text()
    weighted = drawn(page, "weighted-plot")
    assert [t["line"]["width"] for t in weighted] == [2, 4.5, 4.5]
    hover_output_at(page, 0.9)
    info.filter(has_text="Region 4").wait_for()
    assert "unit 1 is inactive" in info.inner_text()
    assert page.locator("#regions-table tr.current td").first.inner_text() == "4"
    screenshot("shallow-hover")


def test_moving_a_slider_moves_its_joint(page, base_url, console):
    ready = open_lab(page, base_url)
    set_slider(page, "t10", 0.6)  # joint of unit 1 moves from 0.3 to 0.6
    wait_ready(page, ready)
    joints = plot_data(page, "output-plot")[1]["x"]
    assert 0.6 in joints and 0.3 not in joints
    assert "t10=0.6" in page.url


def test_more_units_and_a_second_output(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    set_slider(page, "D", 6)
    ready = wait_ready(page, ready)
    assert len(drawn(page, "preact-plot")) == 6
    assert len(drawn(page, "act-plot")) == 6
    assert "unit 6" in page.locator("#unit-legend").inner_text()
    # The figure's title and its description follow the new count of regions.
    regions = page.locator("#readouts").inner_text().split("linear regions")[1].split()[0]
    title = page.locator("#output-plot .gtitle").text_content()
    assert title.endswith(f"{regions} linear regions")
    label = page.get_attribute("#output-plot", "aria-label")
    assert label.split("; ")[0].endswith(f"{regions} linear regions")
    set_slider(page, "D", 2)  # fewer units: the others' curves are emptied, not left behind
    ready = wait_ready(page, ready)
    assert [t["name"] for t in drawn(page, "act-plot")] == ["unit 1", "unit 2"]
    assert len(plot_data(page, "act-plot")) == 8  # the panel keeps the room D = 6 needed
    for plot in PLOTS[:3]:
        assert lines_on_screen(page, plot) == 2, plot
    assert "unit 3" not in page.locator("#unit-legend").inner_text()
    set_slider(page, "D", 6)
    ready = wait_ready(page, ready)
    assert page.locator('fieldset.unit[data-unit="6"]').is_visible()
    assert not page.locator('fieldset.unit[data-unit="7"]').is_visible()
    page.check('input[data-key="two_outputs"]')
    wait_ready(page, ready)
    names = [t["name"] for t in plot_data(page, "output-plot")]
    assert names == ["y", "y₂", "joints", "joints"]
    assert len(drawn(page, "weighted-plot")) == 12  # 6 units, for each output
    assert "slope dy₂/dx" in page.locator("#regions-table").inner_text()
    screenshot("shallow-two-outputs")


def test_smooth_activation_says_regions_are_undefined(page, base_url, console):
    ready = open_lab(page, base_url)
    page.select_option("#activation-select", "tanh")
    wait_ready(page, ready)
    assert "not defined" in page.locator("#readouts").inner_text()
    assert page.locator("#regions-table tr").count() == 0
    assert "not piecewise linear" in page.locator("#region-note").inner_text()


def test_a_link_reproduces_the_view(page, base_url, console):
    open_lab(page, base_url, "#activation=leaky_relu&D=2&x_min=-1&x_max=2")
    assert page.locator("#activation-select").input_value() == "leaky_relu"
    assert len(drawn(page, "preact-plot")) == 2
    layout_range = page.evaluate("document.getElementById('output-plot').layout.xaxis.range")
    assert layout_range == [-1, 2]


def test_random_parameters_use_the_seed(page, base_url, console):
    ready = open_lab(page, base_url)
    before = plot_data(page, "output-plot")[0]["y"]
    page.click("#randomise")
    wait_ready(page, ready)
    assert "seed=1" in page.url
    assert plot_data(page, "output-plot")[0]["y"] != before


def test_the_activation_menus_list_the_apis_activations(page, base_url, console):
    """Declared once, in core: the shallow, regions and 1D-convolution pages offer the names and
    labels the API lists, in its order."""
    registry = page.request.get(f"{base_url}/api/v1/meta").json()["registries"]["activations"]
    expected = [[a["name"], a["label"]] for a in registry]
    assert len(expected) >= 10
    for lab, select in (
        ("shallow", "#activation-select"),
        ("regions", "#activation-select"),
        ("conv1d", "select.activation"),
    ):
        open_page(page, base_url, lab)
        options = page.eval_on_selector(
            select, "el => [...el.options].map((o) => [o.value, o.textContent])"
        )
        assert options == expected, lab


def shapes_shown(page, plot_id):
    """The figure's shapes (bands, joints, slope labels) as its layout holds them, checked
    against what its SVG draws: one path per shape, one text per label."""
    layout, paths, texts = page.evaluate(
        """(id) => {
          const el = document.getElementById(id);
          const q = (sel) => [...el.querySelectorAll(`.shapelayer ${sel}`)];
          return [el.layout.shapes || [], q('path').length,
                  q('text').map((t) => t.textContent).filter((t) => t)];
        }""",
        plot_id,
    )
    assert paths == len(layout), plot_id
    assert texts == [s["label"]["text"] for s in layout if s.get("label", {}).get("text")], plot_id
    return layout


def test_shapes_moved_in_place_match_a_fresh_drawing(page, base_url, console):
    # Bands, joints and labels move with the curves in one update: after a series of moves
    # (regions appear and disappear, labels come and go) the figures must hold and draw what a
    # fresh load of the same link does.
    ready = open_lab(page, base_url)
    for key, value in [("D", 5), ("t11", 1.5), ("D", 4), ("t20", 0.4), ("D", 2)]:
        set_slider(page, key, value)
        ready = wait_ready(page, ready)
    page.wait_for_timeout(300)  # figures off screen are drawn when the lab is still
    moved = {plot: shapes_shown(page, plot) for plot in PLOTS}
    assert any("label" in s for s in moved["output-plot"])
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page)
    page.wait_for_timeout(300)
    assert {plot: shapes_shown(page, plot) for plot in PLOTS} == moved
