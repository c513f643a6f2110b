"""The polar-coordinates lab driven as a student would, in Chromium."""

from tests.e2e.helpers import (
    errors_shown,
    open_page,
    plot_data,
    set_slider,
    shown,
    wait_error,
    wait_ready,
)

# The four maps are the panels of one figure, told apart by their axes.
PANELS = {"cart-xy": "x", "cart-polar": "x2", "polar-polar": "x3", "polar-xy": "x4"}


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "polar", hash_)


def panel(page, name):
    """The traces of one panel of the maps figure."""
    return [t for t in plot_data(page, "maps") if t.get("xaxis") == PANELS[name]]


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
    for name in PANELS:
        types = [t.get("type", "scatter") for t in panel(page, name)]
        # The first panel also holds the classes' legend entries (traces of no point).
        assert types == ["heatmap", "scatter"] + ["scatter"] * 2 * (name == "cart-xy"), name
        for label in ("class 0", "class 1"):
            assert len(points(page, name, label)["x"]) == 100, (name, label)
        boundary = panel(page, name)[1]
        assert boundary["name"] == "boundary p = 0.5" and boundary["mode"] == "lines"
        assert len([v for v in boundary["x"] if v is not None]) > 100, name  # traced by the API
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
    assert len(caps) == 8 and set(caps) == {"round"}
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
    cart = next(t for t in panel(page, "cart-xy") if t["type"] == "heatmap")
    polar = next(t for t in panel(page, "polar-xy") if t["type"] == "heatmap")
    assert cart["z"] != polar["z"]


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
