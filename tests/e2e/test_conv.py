"""The convolution labs driven as a student would, in Chromium."""

import io
import json

import numpy as np
from PIL import Image

from tests.e2e.helpers import (
    errors_shown,
    image_pixels,
    open_page,
    plot_data,
    scale_colour,
    set_slider,
    wait_error,
    wait_ready,
)


def hover_plot(page, plot_id: str, fx: float, fy: float):
    box = page.locator(f"#{plot_id} .nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


# ---------------------------------------------------------------------------------------------
# Image kernels


def test_image_page_draws_input_kernel_output(page, base_url, console, screenshot):
    open_page(page, base_url, "conv")
    image = plot_data(page, "input-plot")[0]["text"]
    kernel = plot_data(page, "kernel-plot")[0]["z"]
    output = plot_data(page, "output-plot")[0]["text"]
    assert len(image) == 128 and len(output) == 128
    assert kernel == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert page.locator(".katex").count() > 2
    assert "kernel=sobel_x" in page.url and "source=shapes" in page.url
    screenshot("conv-default")
    page.screenshot(path="/tmp/conv-default.png", full_page=True)


# The output's diverging colour scale: (position, rgb) from -max|z| to +max|z|.
DIVERGING = [
    (0.0, (0x21, 0x66, 0xAC)),
    (0.25, (0x92, 0xC5, 0xDE)),
    (0.5, (0xF7, 0xF7, 0xF7)),
    (0.75, (0xF4, 0xA5, 0x82)),
    (1.0, (0xB2, 0x18, 0x2B)),
]


def test_the_images_show_the_values_with_their_colour_keys(page, base_url, console):
    # Each image has one pixel per value, row 0 at the top, coloured on the scale its key shows.
    open_page(page, base_url, "conv")
    image = plot_data(page, "input-plot")[0]["text"]
    output = plot_data(page, "output-plot")[0]["text"]
    seen = image_pixels(page, "input-plot", "pixels")
    assert len(seen) == len(image) and len(seen[0]) == len(image[0])
    for i in range(0, len(image), 9):
        for j in range(0, len(image[0]), 7):
            assert all(abs(c - 255 * image[i][j]) <= 1 for c in seen[i][j][:3]), (i, j)
    top = max(abs(v) for row in output for v in row)  # the sobel output has both signs
    seen = image_pixels(page, "output-plot", "pixels")
    for i in range(0, len(output), 3):
        for j in range(0, len(output[0]), 3):
            want = scale_colour(DIVERGING, (output[i][j] / top + 1) / 2)
            assert max(abs(g - w) for g, w in zip(seen[i][j][:3], want, strict=True)) <= 1, (i, j)
    assert page.locator("#input-key .ticks").inner_text().split() == ["0", "0.5", "1"]
    ticks = page.locator("#output-key .ticks").inner_text().split()
    assert ticks == [f"−{top:.3g}", "0", f"{top:.3g}"]


def test_changing_kernel_and_padding_changes_output(page, base_url, console):
    ready = open_page(page, base_url, "conv")
    before = plot_data(page, "output-plot")[0]["text"]
    page.select_option('select[data-key="kernel"]', "gaussian_blur")
    ready = wait_ready(page, ready)
    blurred = plot_data(page, "output-plot")[0]["text"]
    assert blurred != before
    assert len(plot_data(page, "kernel-plot")[0]["z"]) == 5
    page.select_option('select[data-key="padding"]', "valid")
    wait_ready(page, ready)
    assert len(plot_data(page, "output-plot")[0]["text"]) == 124  # 128 - (5 - 1)
    assert "padding=valid" in page.url


def test_hovering_an_output_pixel_shows_patch_and_sum(page, base_url, console, screenshot):
    open_page(page, base_url, "conv", "#source=shapes&kernel=box_blur&size=64")
    hover_plot(page, "output-plot", 0.3, 0.3)
    page.wait_for_selector("#patch-panel table")
    text = page.locator("#patch-panel").inner_text()
    assert "add up to" in text and "Output pixel" in text
    # The products shown in the table add up to the output value the server sent.
    products = page.locator("#patch-panel table").nth(1).locator("td").all_inner_texts()
    shown = page.locator("#patch-panel p").first.inner_text()
    total = float(shown.split("add up to ")[1].split()[0])
    assert abs(sum(float(v) for v in products) - total) < 1e-2
    shapes = page.evaluate("document.getElementById('input-plot').layout.shapes")
    assert len(shapes) == 9  # one square per tap of the 3 x 3 kernel
    screenshot("conv-hover")
    page.screenshot(path="/tmp/conv-hover.png", full_page=True)


def test_a_new_kernel_redraws_the_output_and_keeps_the_input(page, base_url, console):
    ready = open_page(page, base_url, "conv", "#source=shapes&kernel=box_blur&size=64")
    hover_plot(page, "output-plot", 0.3, 0.3)
    page.wait_for_selector("#patch-panel table")
    # Mark the drawn input trace: a redrawn figure gets new trace objects without the mark.
    page.evaluate("document.getElementById('input-plot').data[0].unchanged = true")
    image = plot_data(page, "input-plot")[0]["text"]
    before = plot_data(page, "output-plot")[0]["text"]
    set_slider(page, "dilation", 2)
    ready = wait_ready(page, ready)
    assert plot_data(page, "output-plot")[0]["text"] != before
    assert page.evaluate("document.getElementById('input-plot').data[0].unchanged") is True
    assert plot_data(page, "input-plot")[0]["text"] == image
    # The taps outlined for the old window are cleared with it.
    assert page.evaluate("document.getElementById('input-plot').layout.shapes") == []
    set_slider(page, "size", 80)  # a new image is drawn
    wait_ready(page, ready)
    assert page.evaluate("document.getElementById('input-plot').data[0].unchanged") is None
    assert len(plot_data(page, "input-plot")[0]["text"]) == 80


def test_custom_kernel_editor(page, base_url, console):
    ready = open_page(page, base_url, "conv")
    page.select_option('select[data-key="kernel"]', "custom")
    ready = wait_ready(page, ready)
    cells = page.locator("#custom-grid input")
    assert cells.count() == 9
    cells.nth(4).fill("2")
    ready = wait_ready(page, ready)
    assert plot_data(page, "kernel-plot")[0]["z"][1][1] == 2
    assert "custom=0%2C-1%2C0%2C-1%2C2" in page.url
    page.select_option("#custom-size", "5")
    wait_ready(page, ready)
    assert page.locator("#custom-grid input").count() == 25
    assert len(plot_data(page, "kernel-plot")[0]["z"]) == 5


def test_upload_an_image(page, base_url, console, screenshot, tmp_path):
    ready = open_page(page, base_url, "conv")
    pixels = np.zeros((600, 300, 3), dtype=np.uint8)
    pixels[:, 150:] = (255, 255, 255)  # a vertical edge: Sobel x lights it up
    path = tmp_path / "edge.png"
    Image.fromarray(pixels).save(path)
    page.set_input_files("#upload", str(path))
    wait_ready(page, ready)
    image = plot_data(page, "input-plot")[0]["text"]
    assert (len(image), len(image[0])) == (512, 256)  # downscaled to fit 512 x 512
    output = np.array(plot_data(page, "output-plot")[0]["text"])
    assert output[256].argmax() in (127, 128)  # the edge, found where it is
    assert "source=upload" in page.url
    screenshot("conv-upload")
    page.screenshot(path="/tmp/conv-upload.png", full_page=True)


def test_bad_upload_shows_a_clear_error(page, base_url, console, tmp_path):
    open_page(page, base_url, "conv")
    console.allow("status of 422")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 20)).save(buffer, "PNG")
    path = tmp_path / "thin.png"
    path.write_bytes(buffer.getvalue())
    page.set_input_files("#upload", str(path))
    wait_error(page, "at least 8 x 8 pixels")
    assert len(plot_data(page, "input-plot")[0]["text"]) == 128  # the earlier view stays drawn


def test_image_link_reopens_the_same_view(page, base_url, console):
    open_page(page, base_url, "conv", "#source=noise&seed=3&size=32&kernel=laplacian")
    first = plot_data(page, "output-plot")[0]["text"]
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page)
    assert plot_data(page, "output-plot")[0]["text"] == first
    assert page.locator('select[data-key="kernel"]').input_value() == "laplacian"


def test_stride_and_dilation_change_the_output_size(page, base_url, console):
    ready = open_page(page, base_url, "conv")
    set_slider(page, "stride", 2)
    ready = wait_ready(page, ready)
    assert len(plot_data(page, "output-plot")[0]["text"]) == 64  # ceil(128 / 2)
    assert "output 64 × 64" in page.locator("#readouts").inner_text()
    page.select_option('select[data-key="padding"]', "valid")
    ready = wait_ready(page, ready)
    set_slider(page, "dilation", 3)
    wait_ready(page, ready)
    # E = (3 - 1) 3 + 1 = 7: floor((128 - 7) / 2) + 1 = 61
    assert len(plot_data(page, "output-plot")[0]["text"]) == 61
    assert "E = 7" in page.locator("#readouts").inner_text()
    assert "stride=2" in page.url and "dilation=3" in page.url


def test_a_shared_link_to_an_upload_opens_the_built_in_image(page, base_url, console, screenshot):
    open_page(page, base_url, "conv", "#source=upload&kernel=laplacian&size=96")
    assert len(plot_data(page, "input-plot")[0]["text"]) == 96
    assert len(plot_data(page, "output-plot")[0]["text"]) == 96
    assert page.locator("#link-note").is_visible()
    assert "source=shapes" in page.url
    assert errors_shown(page) == []


def test_input_and_output_are_drawn_at_the_same_size(page, base_url, console):
    open_page(page, base_url, "conv")
    sizes = [
        page.locator(f"#{plot} .nsewdrag").first.bounding_box()
        for plot in ("input-plot", "output-plot")
    ]
    assert abs(sizes[0]["width"] - sizes[1]["width"]) < 2
    assert sizes[0]["width"] > 380  # about 3 screen pixels per image pixel at 128 x 128


def test_the_window_slides_step_by_step(page, base_url, console, screenshot):
    open_page(page, base_url, "conv", "#kernel=sobel_x&stride=2&padding=zero")
    page.locator("#slide-section").scroll_into_view_if_needed()

    def shapes(plot):
        return page.evaluate(f"document.getElementById('{plot}').layout.shapes")

    first = shapes("slide-input")
    assert len(first) == 1 + 9  # the padding frame and one square per tap
    assert len(plot_data(page, "slide-output")[0]["z"]) == 8  # 16 pixels, stride 2
    page.click("#slide-step")
    after_step = shapes("slide-input")
    assert after_step != first
    assert "(0, 1)" in page.locator("#slide-pos-out").inner_text()
    page.locator("#slide-pos").evaluate(
        "el => { el.value = 20; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    assert "(2, 4)" in page.locator("#slide-pos-out").inner_text()
    veil = shapes("slide-output")
    assert len(veil) == 3  # current pixel, rest of its row, rows below
    page.click("#slide-play")
    page.wait_for_function("document.getElementById('slide-pos').value !== '20'")
    page.click("#slide-play")
    assert page.locator("#slide-play").inner_text() == "Play"
    assert (
        "products" in page.locator("#slide-math").inner_text()
        or "sum" in page.locator("#slide-math").inner_text()
    )
    screenshot("conv-slide")


def test_pooling_panel_follows_its_controls(page, base_url, console, screenshot):
    ready = open_page(page, base_url, "conv")
    before = plot_data(page, "pool-output")[0]["z"]
    assert len(before) == 32  # 64 pixels, P = S = 2
    set_slider(page, "pool_size", 3)
    ready = wait_ready(page, ready)
    set_slider(page, "pool_stride", 3)
    ready = wait_ready(page, ready)
    after = plot_data(page, "pool-output")[0]["z"]
    assert len(after) == 21 and after != before  # floor((64 - 3) / 3) + 1
    page.select_option('select[data-key="pool_kind"]', "average")
    wait_ready(page, ready)
    assert plot_data(page, "pool-output")[0]["z"] != after
    assert "parameters 0" in page.locator("#pool-readouts").inner_text()
    page.locator("#pool-section").scroll_into_view_if_needed()
    screenshot("conv-pool")


def test_shifting_the_image_shows_equivariance_and_invariance(page, base_url, console, screenshot):
    ready = open_page(page, base_url, "conv")
    before = plot_data(page, "shift-tx")[0]["z"]
    set_slider(page, "eq_cols", -3)
    ready = wait_ready(page, ready)
    assert plot_data(page, "shift-tx")[0]["z"] != before
    text = page.locator("#shift-readouts").inner_text()
    assert "equivariant" in text and "(4, -3)" in text
    page.locator("#shift-section").scroll_into_view_if_needed()
    screenshot("conv-shift")
    page.select_option('select[data-key="eq_pooling"]', "global_max")
    ready = wait_ready(page, ready)
    assert plot_data(page, "shift-ftx")[0]["z"] and len(plot_data(page, "shift-ftx")[0]["z"]) == 1
    assert "invariant" in page.locator("#shift-readouts").inner_text()
    page.select_option('select[data-key="eq_pooling"]', "max")
    set_slider(page, "eq_cols", 3)  # an odd shift: half a pooled pixel
    wait_ready(page, ready)
    assert "undefined" in page.locator("#shift-readouts").inner_text()


def test_colour_image_as_three_channels(page, base_url, console, screenshot):
    ready = open_page(page, base_url, "conv")
    text = page.locator("#colour-readouts").inner_text()
    assert "3 × 2 × 3 × 3 = 54" in text and "parameters 56" in text
    before = plot_data(page, "colour-outputs")[0]["z"]
    set_slider(page, "ch_out", 3)
    ready = wait_ready(page, ready)
    assert plot_data(page, "colour-outputs")[0]["z"] != before
    assert "3 × 3 × 3 × 3 = 81" in page.locator("#colour-readouts").inner_text()
    set_slider(page, "ch_k", 5)
    wait_ready(page, ready)
    assert "parameters 228" in page.locator("#colour-readouts").inner_text()  # 3*3*25 + 3
    page.locator("#colour-section").scroll_into_view_if_needed()
    screenshot("conv-colour")


# ---------------------------------------------------------------------------------------------
# 1D convolution


def test_conv1d_page_draws_every_section(page, base_url, console, screenshot):
    open_page(page, base_url, "conv1d")
    for plot in ("signal-plot", "connections-plot", "matrix-plot", "channel-inputs",
                 "channel-outputs", "rf-plot", "eq-input", "eq-output"):  # fmt: skip
        assert len(plot_data(page, plot)) >= 1, plot
    matrix = plot_data(page, "matrix-plot")[0]["z"]
    assert len(matrix) == 16 and len(matrix[0]) == 16
    assert "parameters" in page.locator("#conv-readouts").inner_text()
    assert "receptive field" in page.locator("#rf-table").inner_text()
    assert "7" in page.locator("#rf-readouts").inner_text()
    screenshot("conv1d-default")
    page.screenshot(path="/tmp/conv1d-default.png", full_page=True)


def test_stride_and_dilation_change_output_and_matrix(page, base_url, console):
    ready = open_page(page, base_url, "conv1d")
    set_slider(page, "stride", 2)
    ready = wait_ready(page, ready)
    assert len(plot_data(page, "matrix-plot")[0]["z"]) == 8
    set_slider(page, "dilation", 3)
    wait_ready(page, ready)
    matrix = np.array(plot_data(page, "matrix-plot")[0]["z"])
    # Row 3 reads inputs 3, 6, 9 (2 * 3 + 3k - 3) with weights -1, 0, 1.
    assert matrix[3, 3] == -1 and matrix[3, 9] == 1
    assert "stride=2" in page.url and "dilation=3" in page.url


def test_hovering_an_output_highlights_its_inputs(page, base_url, console):
    open_page(page, base_url, "conv1d")
    page.locator("#connections-plot").scroll_into_view_if_needed()
    outputs = [t for t in plot_data(page, "connections-plot") if t["name"] == "outputs h_i"][0]
    x_mid = outputs["x"][8]
    layout = page.evaluate(
        "(() => { const l = document.getElementById('connections-plot')._fullLayout;"
        " return {x: l.xaxis.range, y: l.yaxis.range}; })()"
    )
    fx = (x_mid - layout["x"][0]) / (layout["x"][1] - layout["x"][0])
    fy = (layout["y"][1] - 1) / (layout["y"][1] - layout["y"][0])
    hover_plot(page, "connections-plot", fx, fy)
    page.wait_for_function(
        "document.getElementById('connections-plot').data"
        ".find(t => t.name === 'selected output').x.length > 0"
    )
    selected = [t for t in plot_data(page, "connections-plot") if t["name"] == "selected output"][0]
    assert sorted({x for x in selected["x"] if x is not None}) == [7, 8, 9]
    assert page.evaluate("document.getElementById('matrix-plot').layout.shapes.length") == 1


def test_channels_and_receptive_field_controls(page, base_url, console, screenshot):
    ready = open_page(page, base_url, "conv1d")
    set_slider(page, "ch_out", 5)
    ready = wait_ready(page, ready)
    feature_maps = [t for t in plot_data(page, "channel-outputs") if t["name"] == "feature map h"]
    assert len(feature_maps) == 5
    page.fill('textarea[data-key="rf_layers"]', "3, 1, 1\n3, 2, 1\n3, 1, 2")
    wait_ready(page, ready)
    # r: 3, 5, 5 + 2*2*2 = 13
    assert "13" in page.locator("#rf-readouts").inner_text()
    screenshot("conv1d-channels-rf")
    page.screenshot(path="/tmp/conv1d-channels-rf.png", full_page=True)


def test_shift_shows_equivariance_and_pooling_invariance(page, base_url, console, screenshot):
    ready = open_page(page, base_url, "conv1d")
    assert "equivariant away from the borders" in page.locator("#eq-readouts").inner_text()
    page.select_option('select[data-key="eq_pooling"]', "global_max")
    ready = wait_ready(page, ready)
    assert "invariant: f[t[x]] = f[x] exactly" in page.locator("#eq-readouts").inner_text()
    page.select_option('select[data-key="eq_pooling"]', "max")
    set_slider(page, "eq_shift", 3)
    wait_ready(page, ready)
    assert "not a multiple of the pool stride" in page.locator("#eq-readouts").inner_text()
    screenshot("conv1d-equivariance")


def test_a_typing_error_is_explained_and_other_sections_stay(page, base_url, console):
    ready = open_page(page, base_url, "conv1d")
    page.fill('input[data-key="kernel"]', "1, two, 3")
    page.wait_for_selector("#kernel-error")
    assert "kernel: use numbers" in page.locator("#kernel-error").inner_text()
    assert page.locator(".plot.stale").count() == 3  # the convolution section's figures only
    page.fill('input[data-key="kernel"]', "1, 2, 3")
    wait_ready(page, ready)
    page.wait_for_selector("#kernel-error", state="detached")
    assert page.locator(".plot.stale").count() == 0


def test_kernel_size_slider_and_a_copied_link(page, base_url, console):
    ready = open_page(page, base_url, "conv1d")
    page.locator("#kernel-size").evaluate(
        "el => { el.value = 5; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    ready = wait_ready(page, ready)
    assert page.locator('input[data-key="kernel"]').input_value() == "0, -1, 0, 1, 0"
    page.click("#edit-values")
    wait_ready(page, ready)
    assert page.locator('textarea[data-key="values"]').input_value().startswith("0, 0, 0")
    first = plot_data(page, "matrix-plot")[0]["z"]
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    wait_ready(page)
    assert plot_data(page, "matrix-plot")[0]["z"] == first
    assert page.locator("#kernel-size").input_value() == "5"


def test_landing_page_links_to_both_labs(page, base_url, console):
    page.goto(f"{base_url}/index.html")
    page.wait_for_selector('a[href="conv.html"]')
    with page.expect_navigation():
        page.click('.card[href="conv1d.html"]')
    page.wait_for_load_state()
    wait_ready(page)
    assert page.url.split("#")[0].endswith("/conv1d.html")
    assert page.locator('#nav a[aria-current="page"]').inner_text() == "1D convolution"


def test_an_equivariance_error_is_shown_at_its_own_kernel_menu(page, base_url, console):
    # Two sections send a field named "kernel": each 422 goes to its own section's control.
    open_page(page, base_url, "conv")
    console.allow("status of 422")
    detail = [{"type": "enum", "loc": ["body", "kernel"], "msg": "Input should be 'sobel_x'"}]
    page.route(
        "**/api/v1/conv/equivariance2d",
        lambda route: route.fulfill(
            status=422, content_type="application/json", body=json.dumps({"detail": detail})
        ),
    )
    set_slider(page, "eq_cols", -2)
    page.wait_for_selector("#eq_kernel-error")
    assert page.locator("#kernel-error").count() == 0
    assert page.locator("#shift-tx.stale").count() == 1
    assert page.locator("#output-plot.stale").count() == 0
