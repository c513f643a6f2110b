"""The 1D convolution page with a kernel that is not numbers: a clear message, and the page keeps
working once the kernel is fixed."""

from tests.e2e.helpers import wait_ready


def test_a_bad_kernel_in_the_link_shows_a_clear_error_and_the_page_recovers(
    page, base_url, console
):
    page.goto(f"{base_url}/conv1d.html#kernel=abc")
    ready = wait_ready(page)
    # The message sits next to the kernel box, which is marked invalid.
    message = page.locator("#kernel-error")
    assert message.is_visible()
    text = message.inner_text()
    assert "kernel" in text and "numbers" in text
    assert "is not a function" not in text
    assert page.locator('[data-key="kernel"]').get_attribute("aria-invalid") == "true"
    assert page.locator("#signal-plot.stale").count() == 1
    # The other sections are drawn from their own requests.
    assert page.evaluate("document.getElementById('channel-outputs').data.length") > 0
    assert page.locator("#channel-outputs.stale").count() == 0

    # Fixing the kernel draws the connections, and hovering an output highlights its inputs.
    page.locator('[data-key="kernel"]').fill("1, 2, 1")
    wait_ready(page, ready)
    assert message.count() == 0
    assert page.locator('[data-key="kernel"]').get_attribute("aria-invalid") is None
    plot = page.locator("#connections-plot")
    plot.scroll_into_view_if_needed()
    outputs = page.evaluate(
        "(() => { const d = document.getElementById('connections-plot');"
        " return d.data.findIndex((t) => t.name === 'outputs h_i'); })()"
    )
    assert outputs >= 0
    box = page.locator("#connections-plot .nsewdrag").first.bounding_box()
    # Sweep the output row (y = 1 near the top of the plot area) until a hover selects one.
    for fx in [0.3, 0.4, 0.5, 0.6, 0.7]:
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.18)
        page.wait_for_timeout(150)
        selected = page.evaluate(
            "document.getElementById('connections-plot').data"
            ".find((t) => t.name === 'selected output').x.length"
        )
        if selected:
            break
    assert selected > 0
