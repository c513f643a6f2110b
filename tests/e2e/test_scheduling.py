"""The scheduler: one request in flight per channel, the newest state sent when it returns, an
answer drawn when newer than the screen and never over a newer one, errors shown in place.

Answers are held back with Playwright's `page.route` so the order of events is fixed by the test,
not by the speed of the machine.
"""

import json

from tests.e2e.helpers import errors_shown, marker_centre, open_page, set_slider, wait_ready

VIEW = "**/api/v1/linear/view"


def is_point(request) -> bool:
    """The lab's moving part asks /view without the surface; the slow part asks with it."""
    return request.post_data_json.get("surface") is False


def pump_until(page, condition, timeout_ms: int = 10_000):
    """Let the page and Playwright's event loop run until `condition()` holds."""
    waited = 0
    while not condition():
        assert waited < timeout_ms, "the page did not send the expected request"
        page.wait_for_timeout(20)
        waited += 20


def current_phi(page):
    x, y = marker_centre(page, "loss-map", "current φ")
    return round(x, 9), round(y, 9)


def hold_points(page):
    """Hold the moving part's requests in a list; the test releases them one by one."""
    held = []
    page.route(
        VIEW, lambda route: held.append(route) if is_point(route.request) else route.continue_()
    )
    return held


def test_one_request_in_flight_and_the_newest_state_follows(page, base_url, console):
    ready = open_page(page, base_url, "linear")
    held = hold_points(page)
    set_slider(page, "phi0", 0.1)
    pump_until(page, lambda: len(held) == 1)
    for value in (0.2, 0.3, 0.4):  # the hand keeps moving while the first answer is out
        set_slider(page, "phi0", value)
    page.wait_for_timeout(300)
    assert len(held) == 1, "a second request was sent while one was in flight"
    assert held[0].request.post_data_json["phi0"] == 0.1

    held[0].continue_()
    pump_until(page, lambda: len(held) == 2)  # the newest state, the ones between are skipped
    assert held[1].request.post_data_json["phi0"] == 0.4
    page.wait_for_function(f"Number(document.body.dataset.ready) > {ready}")
    assert current_phi(page)[0] == 0.1  # the first answer is newer than the screen: drawn
    assert page.evaluate("document.body.dataset.busy") == "1"  # and the page knows more is due

    held[1].continue_()
    wait_ready(page, ready)
    assert current_phi(page)[0] == 0.4
    assert "phi0=0.4" in page.url


def test_the_newest_state_leaves_before_the_answer_is_drawn(page, base_url, console):
    """While an answer is drawn, the newest state's request is already on its way (the server
    computes it meanwhile): each request notes how many drawings the page had made when it
    left."""
    ready = open_page(page, base_url, "linear")
    page.evaluate(
        """() => {
            window.sent = [];
            const original = window.fetch;
            window.fetch = (url, options) => {
              const body = options?.body ? JSON.parse(options.body) : {};
              if (String(url).includes('linear/view') && body.surface === false) {
                window.sent.push([body.phi0, Number(document.body.dataset.ready)]);
              }
              return original(url, options);
            };
        }"""
    )
    held = hold_points(page)
    set_slider(page, "phi0", 0.1)
    pump_until(page, lambda: len(held) == 1)
    set_slider(page, "phi0", 0.4)
    held[0].continue_()
    pump_until(page, lambda: len(held) == 2)
    # Both left before the first answer was drawn; one request in flight at a time all along.
    assert page.evaluate("window.sent") == [[0.1, ready], [0.4, ready]]
    held[1].continue_()
    wait_ready(page, ready)
    assert current_phi(page)[0] == 0.4


def test_an_old_answer_never_overwrites_a_newer_one(page, base_url, console):
    """Answers are released newest first: an old one arriving last must not be drawn over the
    newer one (a page with several requests in flight and no guard would end on 1.0)."""
    open_page(page, base_url, "linear")
    page.evaluate(
        """() => {
            const el = document.getElementById('loss-map');
            window.drawn = [];
            el.on('plotly_relayout', () => {
              const s = el.layout.shapes.find((s) => s.name === 'current φ');
              window.drawn.push(Math.round(s.xanchor * 1e9) / 1e9);
            });
        }"""
    )
    held = hold_points(page)
    set_slider(page, "phi0", 1.0)
    pump_until(page, lambda: len(held) == 1)
    set_slider(page, "phi0", 2.0)
    page.wait_for_timeout(300)
    released = 0
    for _ in range(100):
        if released < len(held):
            for route in reversed(held[released:]):  # the newest answer first
                route.continue_()
            released = len(held)
        elif page.evaluate("document.body.dataset.busy") == "0":
            break
        page.wait_for_timeout(50)
    drawn = page.evaluate("window.drawn")
    assert drawn[-1] == 2.0 and current_phi(page)[0] == 2.0
    assert drawn == sorted(drawn), f"an older state was drawn after a newer one: {drawn}"


def test_the_slow_part_is_not_asked_again_while_the_point_moves(page, base_url, console):
    ready = open_page(page, base_url, "linear")
    views = []
    page.on(
        "request",
        lambda r: r.url.endswith("/api/v1/linear/view") and not is_point(r) and views.append(r),
    )
    for value in (0.5, 0.6, 0.7):
        set_slider(page, "phi0", value)
        ready = wait_ready(page, ready)
    assert views == []  # the loss surface stays: only the point and its traces move
    set_slider(page, "noise", 0.5)  # new data: the surface is asked for again
    wait_ready(page, ready)
    assert len(views) == 1


def test_redraws_keep_coming_while_a_slider_is_dragged(page, base_url, console):
    """Twenty input events, 50 ms apart: drawings happen before the hand stops."""
    ready = open_page(page, base_url, "linear")
    drawn_while_dragging = page.evaluate(
        """async () => {
            const el = document.querySelector('input[data-key="phi0"]');
            const before = Number(document.body.dataset.ready);
            for (let i = 0; i < 20; i++) {
              el.value = String(-1 + i * 0.05);
              el.dispatchEvent(new Event('input', {bubbles: true}));
              await new Promise((r) => setTimeout(r, 50));
            }
            return Number(document.body.dataset.ready) - before;
        }"""
    )
    assert drawn_while_dragging >= 2
    wait_ready(page, ready)
    assert abs(current_phi(page)[0] - (-1 + 19 * 0.05)) < 1e-9


def test_a_422_is_shown_at_its_control_and_the_figures_are_marked_stale(page, base_url, console):
    ready = open_page(page, base_url, "linear")
    console.allow("status of 422")
    page.route(
        VIEW,
        lambda route: route.fulfill(
            status=422,
            content_type="application/json",
            body=json.dumps(
                {
                    "detail": [
                        {
                            "type": "greater_than_equal",
                            "loc": ["body", "n_points"],
                            "msg": "Input should be greater than or equal to 2",
                        }
                    ]
                }
            ),
        ),
    )
    set_slider(page, "n_points", 30)
    page.wait_for_selector("#n_points-error")
    message = page.locator("#n_points-error").inner_text()
    assert message.startswith("Points N")  # in the page's words, not "body.n_points"
    assert "body" not in message
    # right after its own control, which says it is invalid
    control = page.locator('input[data-key="n_points"]')
    assert control.get_attribute("aria-invalid") == "true"
    assert control.get_attribute("aria-describedby") == "n_points-error"
    assert page.evaluate(
        "document.getElementById('n_points-error').previousElementSibling"
        ".contains(document.querySelector('input[data-key=\"n_points\"]'))"
    )
    assert page.locator("#fit-plot.stale").count() == 1

    page.unroute(VIEW)
    set_slider(page, "n_points", 31)
    wait_ready(page, ready)
    assert errors_shown(page) == []
    assert page.locator(".plot.stale").count() == 0
    assert control.get_attribute("aria-invalid") is None


def test_reset_clamp_note_and_disabled_controls(page, base_url, console):
    ready = open_page(page, base_url, "linear", "#phi0=2&learning_rate=0.5&descent=0")
    # descent off: its settings do nothing, so they are disabled
    assert page.locator('input[data-key="learning_rate"]').is_disabled()
    field = page.locator('input[data-key="phi0_min"]')
    page.locator("details summary").first.click()
    field.fill("-5000")
    field.dispatch_event("change")
    assert "kept -1000" in page.locator("#phi0_min-clamp-note").inner_text()
    ready = wait_ready(page, ready)
    page.get_by_role("button", name="Reset to defaults").click()
    wait_ready(page, ready)
    assert "phi0=-0.5" in page.url and "descent=1" in page.url
    assert not page.locator('input[data-key="learning_rate"]').is_disabled()


def curve_losses(page):
    return page.evaluate(
        "(document.getElementById('loss-curve').data || []).map(t => JSON.stringify(t.y))"
    )


def test_a_figure_off_screen_is_drawn_when_the_lab_is_still_or_scrolled_in(page, base_url, console):
    page.set_viewport_size({"width": 1440, "height": 420})  # the loss curve is below the fold
    open_page(page, base_url, "linear", "#descent=1")
    first = curve_losses(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)  # the observer has seen the curve leave the screen
    # At the moment the figures on screen are drawn, the curve still waits (the lab is still
    # 250 ms later): seen by an observer, which runs before any timer can.
    page.evaluate(
        """() => { window.__atDrawn = new Promise((resolve) => {
          const obs = new MutationObserver(() => {
            if (document.body.dataset.busy !== '0') return;
            obs.disconnect();
            resolve([document.body.dataset.pending,
              document.getElementById('loss-curve').data.map(t => JSON.stringify(t.y))]);
          });
          obs.observe(document.body, {attributes: true, attributeFilter: ['data-busy']});
        }); }"""
    )
    set_slider(page, "phi0", 0.9)
    pending, curve = page.evaluate("window.__atDrawn")
    assert pending == "1"
    assert curve == first
    wait_ready(page)
    second = curve_losses(page)
    assert second != first
    # While controls keep moving, scrolling the curve into view draws it at once.
    for value in (1.1, 1.2, 1.3):
        set_slider(page, "phi0", value)
        page.wait_for_timeout(30)
    page.wait_for_function("document.body.dataset.busy === '0'")
    page.locator("#loss-curve").scroll_into_view_if_needed()
    wait_ready(page)
    assert curve_losses(page) not in (first, second)


def test_move_gives_scatter_traces_new_coordinates_and_keeps_the_axes(page, base_url, console):
    open_page(page, base_url, "linear")
    before = page.evaluate(
        "(() => { const el = document.getElementById('fit-plot'); "
        "return [el._fullLayout.xaxis.range.slice(), el._fullLayout.yaxis.range.slice(), "
        "el.data.length]; })()"
    )
    index = before[2] - 1
    moved = page.evaluate(
        """async (i) => {
          const plots = await import('/js/plots.js');
          return plots.move('fit-plot', { x: [[0, 1]], y: [[0.25, 0.5]] }, [i]);
        }""",
        index,
    )
    assert moved is True
    page.wait_for_function("document.body.dataset.pending === '0'")
    after = page.evaluate(
        "(i) => { const el = document.getElementById('fit-plot'); "
        "return [el._fullLayout.xaxis.range.slice(), el._fullLayout.yaxis.range.slice(), "
        "Array.from(el.data[i].x), Array.from(el.data[i].y)]; }",
        index,
    )
    assert after[:2] == before[:2]
    assert after[2:] == [[0, 1], [0.25, 0.5]]


def test_a_drag_rewrites_the_address_a_few_times_and_it_ends_on_the_last_state(
    page, base_url, console
):
    open_page(page, base_url, "linear")
    page.wait_for_timeout(400)  # the first view's address is written
    writes = page.evaluate(
        """async () => {
          let n = 0;
          const t0 = performance.now();
          const original = history.replaceState.bind(history);
          history.replaceState = (...args) => { n += 1; return original(...args); };
          const el = document.querySelector('input[data-key="phi0"]');
          for (let i = 0; i < 30; i++) {  // 30 input events, 5 ms or more apart
            el.value = String(-1 + i * 0.05);
            el.dispatchEvent(new Event('input', {bubbles: true}));
            await new Promise((r) => setTimeout(r, 5));
          }
          return [n, performance.now() - t0];
        }"""
    )
    count, ms = writes
    assert 1 <= count <= 1 + ms // 350 + 1 < 30
    wait_ready(page)
    assert "phi0=0.45&" in page.url or page.url.endswith("phi0=0.45")
