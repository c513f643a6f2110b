"""Every page works under its Content-Security-Policy (no external source, no eval): the labs
draw, KaTeX typesets, Plotly plots, and /docs (Swagger UI, served offline) renders."""

import time
from pathlib import Path

import pytest

PAGES = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "static").glob("*.html"))


@pytest.fixture
def strict_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})  # CSP enforced
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(f"page error: {e}"))
    outside: list[str] = []
    page.on(
        "request",
        lambda r: r.url.startswith(("http://127.0.0.1", "data:", "blob:")) or outside.append(r.url),
    )
    yield page, messages, outside
    context.close()


def poll(page, expression: str, timeout: float = 30.0):
    """Wait for a JavaScript expression to be truthy without eval() in the page (page.evaluate
    runs outside the page's policy, unlike wait_for_function)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(expression)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {expression}")


@pytest.mark.parametrize("name", PAGES)
def test_page_works_under_its_policy(strict_page, base_url, name):
    page, messages, outside = strict_page
    response = page.goto(f"{base_url}/{name}.html")
    policy = response.headers["content-security-policy"]
    assert "http" not in policy and "frame-ancestors 'none'" in policy
    if name != "index":
        poll(page, "Number(document.body.dataset.ready || 0) > 0")
        assert poll(page, "document.querySelectorAll('.js-plotly-plot .main-svg').length") > 0
        assert poll(page, "document.querySelectorAll('.katex').length") > 0
    else:
        assert poll(page, "document.querySelectorAll('#labs .card').length") > 0
    violations = [m for m in messages if "Content Security Policy" in m or "page error" in m]
    assert violations == []
    assert outside == []


def test_api_docs_render_offline_under_the_policy(strict_page, base_url):
    page, messages, outside = strict_page
    page.goto(f"{base_url}/docs")
    poll(page, "document.querySelectorAll('.opblock').length > 10")
    assert "DL Playground API" in page.locator(".info .title").inner_text()
    assert [m for m in messages if "Content Security Policy" in m] == []
    assert outside == []
