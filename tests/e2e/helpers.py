"""Helpers for browser tests: read what the page shows, wait for it to update."""


def wait_ready(page, after: int = 0, timeout: float = 20_000) -> int:
    """Wait until the lab has drawn an answer newer than `after` and nothing newer is pending
    (the answer to the latest state change is on screen); return the answer's number."""
    page.wait_for_function(
        f"Number(document.body.dataset.ready || 0) > {after} && document.body.dataset.busy === '0'",
        timeout=timeout,
    )
    return int(page.evaluate("Number(document.body.dataset.ready)"))


def plot_data(page, plot_id: str):
    """The traces currently drawn in a Plotly figure (what the user sees)."""
    return page.evaluate(f"JSON.parse(JSON.stringify(document.getElementById('{plot_id}').data))")
