"""The backpropagation lab driven as a student would, in Chromium."""

from tests.e2e.helpers import open_page, plot_data, set_slider, wait_ready


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "backprop", hash_)


def cells(page, table_id):
    return [
        [c.inner_text() for c in row.locator("td").all()]
        for row in page.locator(f"#{table_id} tr").all()[1:]
    ]


def blocks(page, state):
    """Names of the inspector's matrices drawn as `state` (read, written, pending)."""
    return page.locator(f"#inspector .mat.{state}").evaluate_all(
        "els => els.map(e => e.dataset.block)"
    )


def test_chain_shows_the_book_example_and_its_check(page, base_url, console, screenshot):
    open_lab(page, base_url)
    table = cells(page, "chain-table")
    assert table[0][0].startswith("forward value")
    assert table[0][1] == "1.23"  # f_0 = beta_0 + omega_0 x = 1 + 0.1 * 2.3
    params = cells(page, "chain-params")
    assert len(params) == 8
    assert all(row[-1] == "✓" for row in params)
    assert params[3][2] == "0.74452822"  # dl/dbeta_3 = 2 (f_3 - y), 8 digits
    assert page.locator(".katex").count() > 30
    screenshot("backprop-default")


def test_editing_the_chain_changes_every_product(page, base_url, console):
    ready = open_lab(page, base_url)
    before = cells(page, "chain-table")[2]
    set_slider(page, "w2", 1.0)
    wait_ready(page, ready)
    after = cells(page, "chain-table")[2]
    assert after[-1] == before[-1] == "1"  # dl/dl
    assert after[1:-1] != before[1:-1]
    assert "w2=1" in page.url
    assert all(row[-1] == "✓" for row in cells(page, "chain-params"))


def test_inspector_steps_forward_then_backward(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    assert page.locator("#step-count").inner_text() == "all 18 steps done"  # K = 3
    assert page.locator("#inspector .mat.pending").count() == 0
    page.click("#step-first")
    ready = wait_ready(page, ready)
    assert "step=0" in page.url
    # Before any step, every computed value waits; x, y and the parameters are there.
    assert page.locator('#inspector .mat.pending[data-block="f_0"]').count() == 1
    assert page.locator('#inspector .mat:not(.pending)[data-block="x"]').count() == 1
    page.click("#step-next")
    ready = wait_ready(page, ready)
    assert blocks(page, "written") == ["f_0"]
    reads = blocks(page, "read")
    assert sorted(reads) == ["Omega_0", "beta_0", "x"]
    assert "forward" in page.locator("#step-info").inner_text()
    for _ in range(7):  # h_1, f_1, h_2, f_2, h_3, f_3 and the loss: steps 2 to 8
        page.click("#step-next")
        ready = wait_ready(page, ready)
    assert page.locator("#step-count").inner_text() == "step 8 of 18"
    page.click("#step-next")  # first backward step: dl/dbeta_3, dl/dOmega_3
    ready = wait_ready(page, ready)
    written = blocks(page, "written")
    assert sorted(written) == ["dl/dOmega_3", "dl/dbeta_3"]
    assert "backward" in page.locator("#step-info").inner_text()
    assert page.locator('#inspector .mat.pending[data-block="dl/df_0"]').count() == 1
    page.click("#step-next")  # dl/dh_3 = Omega_3^T dl/df_3
    page.click("#step-next")  # dl/df_2 = mask * dl/dh_3: the mask is read
    wait_ready(page, ready)
    written = blocks(page, "written")
    assert "dl/df_2" in written and "mask_3" in written
    screenshot("backprop-stepping")


def test_relu_mask_is_visible_and_matches_f(page, base_url, console):
    open_lab(page, base_url, "#K=2&D=6&n=3&seed=5")
    mask = page.locator('#inspector .mat[data-block="mask_1"] td')
    f0 = page.locator('#inspector .mat[data-block="f_0"] td')
    assert mask.count() == f0.count() == 18
    texts = mask.all_inner_texts()
    assert set(texts) <= {"0", "1", ""}
    # Dark cells where f_0 <= 0, light where f_0 > 0: read the values the page holds.
    values = page.evaluate(
        """() => [...document.querySelectorAll('#inspector .mat[data-block="mask_1"] td')]
        .map(td => td.style.backgroundColor)"""
    )
    assert len(set(values)) == 2


def test_editing_a_weight_moves_the_gradients_and_the_check_holds(
    page, base_url, console, screenshot
):
    ready = open_lab(page, base_url)
    before = plot_data(page, "check-plot")[0]["y"]
    loss_before = page.locator("#net-readouts").inner_text()
    # A weight from a unit of h_2 that is on (a unit that is off would change nothing).
    h2 = page.locator('#inspector .mat[data-block="h_2"] td').all_inner_texts()
    on = next(j for j, v in enumerate(h2) if v != "0")
    page.locator('#inspector .mat[data-block="Omega_2"] td').nth(4 + on).click()
    page.fill("#weight-editor-value", "3.5")
    page.click("#weight-editor-set")
    ready = wait_ready(page, ready)
    assert f"edits=o2.1.{on}%3D3.5" in page.url
    cell = page.locator('#inspector .mat[data-block="Omega_2"] td').nth(4 + on)
    assert "edited" in cell.get_attribute("class")
    assert page.locator("#net-readouts").inner_text() != loss_before
    after = plot_data(page, "check-plot")[0]["y"]
    assert after != before
    assert all(e < 1e-5 for e in after)
    assert all(row[-1] == "✓" for row in cells(page, "check-table"))
    cell.hover()
    assert "finite difference" in page.locator("#cell-info").inner_text()
    # The weight's gradient, in the backward column, is outlined with it.
    twin = page.locator('#inspector .mat[data-block="dl/dOmega_2"] td').nth(4 + on)
    assert "twin" in twin.get_attribute("class")
    page.click("#clear-edits")
    wait_ready(page, ready)
    assert "edits=&" in page.url or page.url.endswith("edits=")
    screenshot("backprop-edited")


def test_cost_and_depth_plots_follow_the_controls(page, base_url, console, screenshot):
    ready = open_lab(page, base_url)
    cost = plot_data(page, "cost-plot")
    assert [t["name"] for t in cost][:3] == [
        "finite differences 2PF",
        "backprop: forward + backward",
        "one forward pass F",
    ]
    assert all(fd > bp for fd, bp in zip(cost[0]["y"], cost[1]["y"], strict=True))
    set_slider(page, "D", 8)
    ready = wait_ready(page, ready)
    assert plot_data(page, "cost-plot")[1]["y"] != cost[1]["y"]
    depth = plot_data(page, "depth-plot")
    assert len(depth) == 6  # two activations x three scales
    assert len(depth[0]["x"]) == 21
    # Its text, not its rendering: a section off screen is not laid out (content-visibility).
    note = page.locator("#depth-note").text_content()
    assert "ReLU, scale 1:" in note and "per layer toward the input" in note
    page.select_option('select[data-key="ga3"]', "sigmoid")
    ready = wait_ready(page, ready)
    assert len(plot_data(page, "depth-plot")) == 9
    page.fill('input[data-key="gscales"]', "1")
    ready = wait_ready(page, ready)
    assert len(plot_data(page, "depth-plot")) == 3
    page.locator("#depth-plot").scroll_into_view_if_needed()
    screenshot("backprop-depth")


def test_a_loss_sets_the_outputs_it_needs(page, base_url, console):
    ready = open_lab(page, base_url)
    page.select_option("#loss-select", "cross_entropy")
    ready = wait_ready(page, ready)
    assert "dout=3" in page.url and "loss=cross_entropy" in page.url
    assert page.locator('#inspector .mat[data-block="f_3"] .shape').inner_text() == "3×1"
    assert page.locator("#error-banner").is_hidden()


def test_the_largest_network_draws_every_layer(page, base_url, console, screenshot):
    open_lab(page, base_url, "#K=8&D=16&din=16&dout=16&n=8&act=tanh&step=999")
    assert (
        page.locator("#inspector .mat").count() == 3 + 6 * 9 + 3 * 8
    )  # x, y, l; six per layer; h, dl/dh, mask
    assert page.locator('#inspector .mat[data-block="Omega_4"] .shape').inner_text() == "16×16"
    assert page.locator('#inspector .mat[data-block="f_8"] .shape').inner_text() == "16×8"
    assert (
        page.locator("#step-count").inner_text() == "all 43 steps done"
    )  # 1 + 2K forward, the loss, K + 1 + 2K backward
    assert all(row[-1] == "✓" for row in cells(page, "check-table"))
    screenshot("backprop-largest")


def test_a_phone_screen_needs_no_horizontal_scrolling(page, base_url, console):
    # Wide formulas, tables and the inspector once widened the whole page to 600-800 px at 390.
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, base_url, "backprop")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
