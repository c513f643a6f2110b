"""The polar-coordinates lab driven as a student would, in Chromium."""

from tests.e2e.helpers import (
    api_post,
    errors_shown,
    image_pixels,
    open_page,
    plot_data,
    scale_colour,
    set_slider,
    shown,
    wait_error,
    wait_ready,
)

# The four maps are the panels of one figure, told apart by their axes.
PANELS = {"cart-xy": "x", "cart-polar": "x2", "polar-polar": "x3", "polar-xy": "x4"}
# The probability scale of the maps: p = 0, 0.5 and 1.
SCALE = [(0.0, (0xC9, 0xDC, 0xF2)), (0.5, (0xF7, 0xF7, 0xF7)), (1.0, (0xF6, 0xCD, 0xD2))]


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "polar", hash_)


def panel(page, name):
    """One panel of the maps figure: its map (a layout image) and its boundary (a path shape)."""
    lay = page.evaluate(
        "(() => { const l = document.getElementById('maps').layout;"
        " return {images: l.images, shapes: l.shapes}; })()"
    )
    image = next(i for i in lay["images"] if i["name"] == name)
    boundary = next(
        s for s in lay["shapes"] if s["xref"] == PANELS[name] and s["name"] == "boundary p = 0.5"
    )
    return {"image": image, "boundary": boundary}


def boundary_points(shape):
    """The vertices of a boundary path ("Mx,yLx,y..." with an M per piece)."""
    return [seg for piece in shape["path"].split("M")[1:] for seg in piece.split("L")]


def pixels(page, name):
    """The map image of one panel: rows of [r, g, b], the top row first."""
    return [[p[:3] for p in row] for row in image_pixels(page, "maps", name)]


def points(page, name, label):
    """One class's points in one panel, read from its path shape ("Mx,yLx,y" per point)."""
    shapes = page.evaluate("document.getElementById('maps').layout.shapes")
    shape = next(s for s in shapes if s["xref"] == PANELS[name] and s["name"].startswith(label))
    pairs = [seg.split("L")[0].split(",") for seg in shape["path"].split("M")[1:]]
    return {"x": [float(x) for x, _ in pairs], "y": [float(y) for _, y in pairs]}


def headings(page):
    return page.evaluate(
        "document.getElementById('maps').layout.annotations.map(a => [a.name, a.text])"
    )


def test_page_loads_with_four_maps_and_the_accuracies(page, base_url, console, screenshot):
    open_lab(page, base_url)
    # The legend's entries are traces of no point; maps, boundaries and points are layout, and
    # an invisible heatmap over each map answers hover.
    traces = plot_data(page, "maps")
    legend = [(t["name"], t.get("mode")) for t in traces[:3]]
    assert legend == [
        ("class 0 (inner)", "markers"),
        ("class 1 (outer)", "markers"),
        ("boundary p = 0.5", "lines"),
    ]
    hover = traces[3:]
    assert [(t["type"], t["opacity"], t.get("xaxis", "x")) for t in hover] == [
        ("heatmap", 0, axis) for axis in PANELS.values()
    ]
    for name in PANELS:
        for label in ("class 0", "class 1"):
            assert len(points(page, name, label)["x"]) == 100, (name, label)
        shown_panel = panel(page, name)
        assert shown_panel["image"]["source"].startswith("data:image/png;base64,"), name
        assert len(boundary_points(shown_panel["boundary"])) > 100, name  # traced by the API
    titles = dict(headings(page))
    assert list(titles) == list(PANELS)
    assert titles["cart-xy"].startswith("Classifier on (x₁, x₂), seen in (x₁, x₂) · accuracy")
    assert titles["polar-polar"] == "Classifier on (r, θ), seen in (r, θ) · accuracy 100.0%"
    assert titles["polar-xy"] == "Same classifier, mapped back to (x₁, x₂)"
    maps = page.locator("#maps")
    assert maps.get_attribute("role") == "figure"
    assert "class 1 (outer)" in maps.get_attribute("aria-label")
    legend = maps.locator(".legend").text_content()
    assert "class 0 (inner)" in legend and "class 1 (outer)" in legend
    # Each point is a segment of no length drawn with round ends: a dot.
    caps = page.evaluate(
        "[...document.querySelectorAll('#maps .shapelayer path')]"
        ".map(p => getComputedStyle(p).strokeLinecap)"
    )
    assert len(caps) == 12 and set(caps) == {"round"}  # 8 of points, 4 boundaries
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
    # Each classifier's map is drawn in both planes; the points are the same in each plane.
    assert points(page, "polar-xy", "class 1")["x"] == xy["x"]
    assert points(page, "cart-polar", "class 1")["y"] == rt["y"]
    assert panel(page, "cart-xy")["image"]["source"] != panel(page, "polar-xy")["image"]["source"]


def test_each_map_shows_the_apis_probabilities_cell_by_cell(page, base_url, console):
    open_lab(page, base_url)
    request = {
        "seed": 0,
        "n_per_class": 100,
        "inner_radius": 1,
        "outer_radius": 2,
        "noise": 0.15,
        "l2": 1e-3,
        "grid_size": 60,
    }  # the page's defaults
    answer = api_post(page, "api/v1/polar/fit", request)
    grids = {
        "cart-xy": ("cartesian", "prob_xy", "x1_grid", "x2_grid"),
        "polar-polar": ("polar", "prob_polar", "r_grid", "theta_grid"),
    }
    for name, (clf, key, xs, ys) in grids.items():
        prob = answer[clf][key]  # rows go up the y axis
        image = pixels(page, name)  # top row first
        assert len(image) == len(prob) and len(image[0]) == len(prob[0])
        for i in range(0, len(prob), 7):
            for j in range(0, len(prob[0]), 5):
                got = image[len(prob) - 1 - i][j]
                want = scale_colour(SCALE, prob[i][j])
                assert max(abs(g - w) for g, w in zip(got, want, strict=True)) <= 1, (name, i, j)
        # The invisible heatmap over the image holds the same probabilities (for hover).
        layer = next(
            t
            for t in plot_data(page, "maps")
            if t.get("xaxis", "x") == PANELS[name] and t.get("type") == "heatmap"
        )
        assert layer["z"] == prob
        # Each cell reaches half a step beyond its centre, as on a heatmap.
        x, y = answer[xs], answer[ys]
        placed = panel(page, name)["image"]
        dx, dy = (x[-1] - x[0]) / (len(x) - 1), (y[-1] - y[0]) / (len(y) - 1)
        assert abs(placed["x"] - (x[0] - dx / 2)) < 1e-9
        assert abs(placed["sizex"] - dx * len(x)) < 1e-9
        assert abs(placed["y"] - (y[-1] + dy / 2)) < 1e-9
        assert abs(placed["sizey"] - dy * len(y)) < 1e-9
        assert (placed["xref"], placed["yanchor"]) == (PANELS[name], "top")


def slider_value(page, key):
    return float(page.locator(f'input[data-key="{key}"]').input_value())


def test_moving_the_rings_redraws_and_the_inner_ring_stays_inside(page, base_url, console):
    ready = open_lab(page, base_url)
    before = points(page, "cart-xy", "class 1")["x"]
    set_slider(page, "outer_radius", 4)
    ready = wait_ready(page, ready)
    assert points(page, "cart-xy", "class 1")["x"] != before
    assert "outer_radius=4" in page.url
    # Dragging the inner ring past the outer one pushes the outer ring along, and back.
    set_slider(page, "inner_radius", 4.5)
    ready = wait_ready(page, ready)
    assert "inner_radius=4.5&outer_radius=4.6" in page.url
    assert slider_value(page, "outer_radius") == 4.6
    set_slider(page, "outer_radius", 0.5)
    ready = wait_ready(page, ready)
    assert "inner_radius=0.4&outer_radius=0.5" in page.url
    assert slider_value(page, "inner_radius") == 0.4
    assert errors_shown(page) == []


def test_a_link_with_crossed_rings_is_explained(page, base_url, console):
    console.allow("status of 422")  # Chromium logs every 4xx answer; this one is wanted
    page.goto(f"{base_url}/polar.html#inner_radius=3&outer_radius=2")
    wait_error(page, "inner < outer")


def test_noise_makes_the_rings_overlap(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    with page.expect_response(lambda r: r.url.endswith("api/v1/polar/fit")) as answer:
        set_slider(page, "noise", 0.8)
        wait_ready(page, ready)
    text = page.locator("#readouts").inner_text()
    b = answer.value.json()["boundary"]  # the boundary r = a + b θ as the API gives it
    sign = "+" if b["b"] >= 0 else "−"
    assert f"boundary r = {shown(b['a'], 3)} {sign} {shown(abs(b['b']), 3)}·θ" in text
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
    first = panel(page, "polar-xy")
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page)
    assert panel(page, "polar-xy") == first


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


def test_hover_reads_the_probability_after_a_move(page, base_url, console):
    # A step moves the images; the hover layer follows when the lab is still, and then reads the
    # new map.
    ready = open_lab(page, base_url)
    with page.expect_response(lambda r: r.url.endswith("api/v1/polar/fit")) as answer:
        set_slider(page, "noise", 0.6)
        wait_ready(page, ready)
    prob = answer.value.json()["polar"]["prob_polar"]
    layer = next(
        t for t in plot_data(page, "maps") if t.get("xaxis") == "x3" and t["type"] == "heatmap"
    )
    assert layer["z"] == prob
    panel = page.locator('#maps .nsewdrag[data-subplot="x3y3"]')
    panel.scroll_into_view_if_needed()
    box = panel.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.5)
    label = page.locator("#maps .hoverlayer .hovertext")
    label.wait_for()
    assert label.text_content().startswith("p(class 1) = ")
