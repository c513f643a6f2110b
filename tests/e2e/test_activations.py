"""The activation-functions page in Chromium: pick functions, read value and derivative."""

from tests.e2e.helpers import open_page, plot_data, wait_ready


def open_lab(page, base_url, hash_=""):
    return open_page(page, base_url, "activations", hash_)


def test_value_and_derivative_side_by_side(page, base_url, console, screenshot):
    open_lab(page, base_url)
    names = [t["name"] for t in plot_data(page, "value-plot")]
    assert names == ["ReLU", "Leaky ReLU", "GELU", "Logistic sigmoid", "tanh"]
    assert [t["name"] for t in plot_data(page, "derivative-plot")] == names
    relu = plot_data(page, "derivative-plot")[0]
    assert relu["y"][0] == 0 and relu["y"][-1] == 1
    assert page.locator("#activation-table tr").count() == 11
    assert page.locator("#activation-table .katex").count() == 10
    screenshot("activations-default")


def test_buttons_and_checkboxes_choose_the_functions(page, base_url, console):
    ready = open_lab(page, base_url)
    page.click("#show-all")
    ready = wait_ready(page, ready)
    assert len(plot_data(page, "value-plot")) == 10
    page.uncheck('input[data-key="show_relu"]')
    wait_ready(page, ready)
    assert "ReLU" not in [t["name"] for t in plot_data(page, "value-plot")]
    assert "show_relu=0" in page.url


def test_range_slider_and_link(page, base_url, console):
    open_lab(page, base_url, "#z_min=-10&z_max=2&show_relu=0&show_sigmoid=1")
    value = plot_data(page, "value-plot")
    assert value[0]["x"][0] == -10 and value[0]["x"][-1] == 2
    assert "ReLU" not in [t["name"] for t in value]
