"""Helpers for browser tests: read what the page shows, wait for it to update."""


def wait_ready(page, after: int = 0, timeout: float = 20_000) -> int:
    """Wait until the lab has drawn an answer newer than `after` and nothing newer is pending
    (the answer to the latest state change is on screen, off-screen figures included, and the
    address holds the state); return the answer's number."""
    page.wait_for_function(
        f"Number(document.body.dataset.ready || 0) > {after} && document.body.dataset.busy === '0'"
        " && document.body.dataset.pending !== '1'"
        " && document.documentElement.dataset.hashPending !== '1'",
        timeout=timeout,
    )
    return int(page.evaluate("Number(document.body.dataset.ready)"))


def plot_data(page, plot_id: str):
    """The traces currently drawn in a Plotly figure (what the user sees)."""
    return page.evaluate(f"JSON.parse(JSON.stringify(document.getElementById('{plot_id}').data))")


def open_page(page, base_url, name: str, hash_: str = "", timeout: float = 30_000) -> int:
    """Load static/<name>.html (with an optional #state) and wait for its first drawing."""
    page.goto(f"{base_url}/{name}.html{hash_}")
    return wait_ready(page, timeout=timeout)


def set_slider(page, key: str, value: float):
    """Move a range input the way a user's drag does: set the value and fire 'input'."""
    page.locator(f'input[data-key="{key}"]').evaluate(
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('input', {bubbles: true})); }",
        str(value),
    )


ERRORS_JS = (
    "[...document.querySelectorAll('.field-error, #error-banner:not([hidden])')]"
    ".map(e => e.textContent)"
)


def wait_error(page, text: str, timeout: float = 20_000) -> None:
    """Wait until a message containing `text` is shown, in place or in the page's banner."""
    page.wait_for_function(f"t => {ERRORS_JS}.some(m => m.includes(t))", arg=text, timeout=timeout)


def errors_shown(page) -> list[str]:
    """Every error message the page shows now."""
    return page.evaluate(ERRORS_JS)


def shapes(page, plot_id: str, name_prefix: str = ""):
    """The layout shapes of a figure (marks that move without redrawing its traces)."""
    return page.evaluate(
        "([id, prefix]) => (document.getElementById(id).layout.shapes || [])"
        ".filter(s => String(s.name || '').startsWith(prefix))",
        [plot_id, name_prefix],
    )


def marker_centre(page, plot_id: str, name: str) -> tuple[float, float]:
    """Centre of a circle shape (e.g. the current point on a loss map)."""
    s = shapes(page, plot_id, name)[0]
    if s.get("xsizemode") == "pixel":  # sized in pixels around a point in data coordinates
        return s["xanchor"], s["yanchor"]
    return (s["x0"] + s["x1"]) / 2, (s["y0"] + s["y1"]) / 2


def api_post(page, path: str, body: dict) -> dict:
    """POST `body` to the page's own API (e.g. "api/v1/linear/view") and return the answer."""
    return page.evaluate(
        "([path, body]) => fetch(path, {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify(body)}).then((r) => r.json())",
        [path, body],
    )


def shown(value: float, digits: int = 4) -> str:
    """A number as the pages' `fmt` writes it (`digits` significant digits)."""
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5):
        return f"{value:.{digits - 1}e}".replace("e-0", "e-").replace("e+0", "e+")
    return repr(float(f"{value:.{digits}g}")).removesuffix(".0")


def image_pixels(page, plot_id: str, name: str):
    """A figure's image named `name` (a layout image or an image trace, see plots.gridImage)
    decoded in the page: rows of [r, g, b, alpha], the top row first."""
    return page.evaluate(
        """async ([id, name]) => {
          const el = document.getElementById(id);
          const image = (el.layout.images || []).find((i) => i.name === name)
            || el.data.find((t) => t.type === 'image' && t.name === name);
          const img = new Image();
          img.src = image.source;
          await img.decode();
          const c = document.createElement('canvas');
          c.width = img.width;
          c.height = img.height;
          const ctx = c.getContext('2d');
          ctx.drawImage(img, 0, 0);
          const d = ctx.getImageData(0, 0, img.width, img.height).data;
          const at = (i, j) => 4 * (i * img.width + j);
          return Array.from({length: img.height}, (_, i) => Array.from({length: img.width},
            (_, j) => [d[at(i, j)], d[at(i, j) + 1], d[at(i, j) + 2], d[at(i, j) + 3]]));
        }""",
        [plot_id, name],
    )


def scale_colour(stops, t):
    """The colour [r, g, b] at position t in [0, 1] of a colour scale given as (position, rgb)
    stops, interpolated in RGB between the two stops around t (as Plotly and gridImage do)."""
    for (a, lo), (b, hi) in zip(stops, stops[1:], strict=False):
        if t <= b:
            f = (t - a) / (b - a)
            return [round(lo[c] + f * (hi[c] - lo[c])) for c in range(3)]
    return list(stops[-1][1])
