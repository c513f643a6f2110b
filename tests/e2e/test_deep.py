"""The deep-networks page in Chromium: composition, generic MLP, deep against shallow."""

from tests.e2e.helpers import open_page, plot_data, set_slider, wait_ready


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "deep", hash_, timeout=60_000)


def text(page, selector):
    return page.locator(selector).inner_text()


def test_folding_example_copies_network_2(page, base_url, console, screenshot):
    with page.expect_response(lambda r: r.url.endswith("api/v1/deep/compose")) as answer:
        open_lab(page, base_url)
    body = answer.value.json()
    assert text(page, "#regions1") == "3"
    assert text(page, "#regions2") == "4"
    assert text(page, "#regions-composed") == "12"
    composed = plot_data(page, "composed-plot")
    crossings = next(t for t in composed if t["name"] == "crossings of network 2's joints")
    assert len(crossings["x"]) == 9
    # every joint marker sits at the API's output there
    assert crossings["y"] == [j["output"] for j in body["joints"] if j["source"] == "network 2"]
    net2 = next(t for t in plot_data(page, "net2-plot") if t["name"] == "joints of network 2")
    assert net2["x"] == body["joints2"] and net2["y"] == body["joints2_output"]
    # The composition's matrices: beta_0, Omega_0, beta_1, Omega_1, beta_2, Omega_2.
    heatmaps = [t for t in plot_data(page, "compose-matrices") if t["type"] == "heatmap"]
    assert len(heatmaps) == 6
    assert len(heatmaps[3]["z"]) == 3 and len(heatmaps[3]["z"][0]) == 3
    assert "largest difference" in text(page, "#compose-check")
    assert page.locator(".katex").count() > 5
    screenshot("deep-default")


def test_moving_network_1_changes_the_composition(page, base_url, console):
    ready = open_lab(page, base_url)
    before = plot_data(page, "composed-plot")[0]["y"]
    set_slider(page, "p2", 0)  # unit 2 of network 1 no longer folds the line back
    ready = wait_ready(page, ready)
    after = plot_data(page, "composed-plot")[0]["y"]
    assert after != before
    assert int(text(page, "#regions1")) < 3 or int(text(page, "#regions-composed")) < 12
    assert "p2=0" in page.url
    set_slider(page, "n2", 1)
    wait_ready(page, ready)
    assert page.locator('[data-net2="2"]').is_hidden()


def test_mlp_one_input_layers_and_matrices(page, base_url, console, screenshot):
    with page.expect_response(lambda r: r.url.endswith("api/v1/deep/line")) as answer:
        ready = open_lab(page, base_url)
    line = answer.value.json()
    assert int(text(page, "#mlp-regions")) >= 1
    joints = next(t for t in plot_data(page, "mlp-output") if t["name"] == "joints")
    assert len(joints["x"]) >= 1  # markers at the API's outputs at the joints
    assert joints["x"] == [j["x"] for j in line["joints"]]
    assert joints["y"] == [j["y"] for j in line["joints"]]
    assert page.locator("#mlp-layers .plot:visible").count() == 3
    layer = plot_data(page, "mlp-layer-1")
    assert len(layer) == 6  # one curve per unit
    set_slider(page, "K", 5)
    ready = wait_ready(page, ready)
    assert page.locator("#mlp-layers .plot:visible").count() == 5
    heatmaps = [t for t in plot_data(page, "mlp-matrices") if t["type"] == "heatmap"]
    assert len(heatmaps) == 12  # beta_k and Omega_k for k = 0..5
    widths = [1, 6, 6, 6, 6, 6, 1]
    expected = sum(o * (i + 1) for i, o in zip(widths[:-1], widths[1:], strict=True))
    assert text(page, "#mlp-params") == str(expected)
    counts = plot_data(page, "mlp-counts")
    assert len(counts[0]["x"]) == 5
    screenshot("deep-mlp-1d")


def test_mlp_two_inputs_draws_regions_after_each_layer(page, base_url, console, screenshot):
    open_lab(page, base_url, "#inputs=2&K=3&W=8")
    traces = plot_data(page, "mlp-output")
    assert traces[0]["type"] == "heatmap"
    assert traces[1]["name"] == "region boundaries" and len(traces[1]["x"]) > 0
    regions = int(text(page, "#mlp-regions"))
    assert regions > 3
    assert page.locator("#mlp-layers .plot:visible").count() == 3
    page.locator("#mlp-layers").scroll_into_view_if_needed()
    screenshot("deep-mlp-2d")


def test_linear_network_collapses_and_edits_apply(page, base_url, console):
    ready = open_lab(page, base_url, "#act=linear&K=3&W=4")
    assert page.locator("#collapse-box").is_visible()
    assert text(page, "#collapse-rank") == "1"
    assert text(page, "#mlp-regions") == "1"
    # Edit one weight through the state (what clicking a matrix entry and "Set" does).
    page.evaluate("location.hash = location.hash.replace(/edits=[^&]*/, 'edits=0:0:0:5')")
    wait_ready(page, ready)
    heatmaps = [t for t in plot_data(page, "mlp-matrices") if t["type"] == "heatmap"]
    assert heatmaps[1]["z"][0][0] == 5


def test_deep_against_shallow_and_huge_bounds(page, base_url, console, screenshot):
    with page.expect_response(lambda r: r.url.endswith("api/v1/deep/compare")) as answer:
        ready = open_lab(page, base_url)
    traces = plot_data(page, "compare-plot")
    saw = next(t for t in traces if t["name"] == "sawtooth, counted")
    assert saw["y"] == [4**k for k in range(1, 7)]
    mean = next(t for t in traces if t["name"] == "deep: K layers of D (mean)")
    assert mean["y"] == answer.value.json()["deep_mean"]  # the API's mean over the seeds
    table = text(page, "#bounds-table")
    assert "× 10" in table  # 65^30 and friends as powers of ten
    set_slider(page, "ck", 3)
    wait_ready(page, ready)
    saw = next(t for t in plot_data(page, "compare-plot") if t["name"] == "sawtooth, counted")
    assert saw["y"] == [4, 16, 64]
    page.locator("#compare-plot").scroll_into_view_if_needed()
    screenshot("deep-compare")


def test_bad_per_layer_activations_show_an_error(page, base_url, console):
    console.allow("422")
    open_page(page, base_url, "deep")
    page.locator('input[data-key="acts"]').fill("relu, nonsense")
    page.locator('input[data-key="acts"]').dispatch_event("input")
    message = page.locator("#acts-error")
    message.wait_for(state="visible")
    assert "relu" in message.inner_text()  # the allowed names are listed
    assert "stale" in page.locator("#mlp-output").get_attribute("class")
    # The composition is another channel: it keeps its plots.
    assert "stale" not in (page.locator("#composed-plot").get_attribute("class") or "")


def test_clicking_a_matrix_entry_edits_it(page, base_url, console):
    ready = open_lab(page, base_url, "#K=2&W=3")
    page.locator("#mlp-matrices").scroll_into_view_if_needed()
    # Plotly hands the click to the page's handler as it would for a click on Omega_1[2, 1].
    page.evaluate(
        "document.getElementById('mlp-matrices').emit('plotly_click',"
        " {points: [{customdata: [1, 2, 1], z: 0.25}]})"
    )
    assert page.locator("#edit-box").is_visible()
    assert text(page, "#edit-label") == "Ω_1[2, 1]"
    page.locator("#edit-value").fill("-3.5")
    page.locator("#edit-apply").click()
    wait_ready(page, ready)
    assert "edits=1%3A2%3A1%3A-3.5" in page.url
    heatmaps = [t for t in plot_data(page, "mlp-matrices") if t["type"] == "heatmap"]
    assert heatmaps[3]["z"][2][1] == -3.5
    page.locator("#mlp-clear-edits").click()
    wait_ready(page, ready)
    assert "edits=&" in page.url or page.url.endswith("edits=")


def test_heaviside_composition_and_the_state_link(page, base_url, console):
    ready = open_lab(page, base_url)
    page.locator("#compose-activation").select_option("heaviside")
    ready = wait_ready(page, ready)
    composed = plot_data(page, "composed-plot")[0]["y"]
    assert len(set(composed)) <= 3  # a step of steps takes few values
    link = page.url
    page.goto("about:blank")
    page.goto(link)
    wait_ready(page)
    assert page.locator("#compose-activation").input_value() == "heaviside"
    assert plot_data(page, "composed-plot")[0]["y"] == composed
