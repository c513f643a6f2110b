"""The trainer lab driven as a student would: play, pause, step, reload, export and import."""

import json

from tests.e2e.helpers import open_page, plot_data, set_slider, wait_ready


def epoch_on_screen(page) -> int:
    return int(page.locator("#readouts").inner_text().split("epoch")[1].split()[0])


def play_until(page, epochs: int):
    page.click("#play")
    page.wait_for_function(f"Number(document.body.dataset.epoch || 0) >= {epochs}", timeout=30_000)
    page.click("#play", force=True)  # pause
    page.wait_for_function("document.getElementById('play').textContent === 'Play'")


def test_play_pause_and_the_link_reproduces_the_run(page, base_url, console, screenshot):
    open_page(page, base_url, "trainer", "#layers=4&activations=tanh&max_epochs=2000")
    assert [t["type"] for t in plot_data(page, "map")][:2] == ["heatmap", "contour"]
    start = plot_data(page, "map")[0]["z"]
    play_until(page, 5)
    epoch = epoch_on_screen(page)
    assert epoch >= 5 and f"at={epoch}" in page.url
    assert plot_data(page, "map")[0]["z"] != start
    curves = plot_data(page, "curves")
    assert curves[0]["x"] == list(range(1, epoch + 1))  # every epoch once, in order
    readout = page.locator("#readouts").inner_text().split("\n")
    screenshot("trainer-paused")
    # A reload replays the run to the same epoch: the same numbers, bit for bit.
    page.reload()
    wait_ready(page)
    again = page.locator("#readouts").inner_text().split("\n")
    assert again[:4] == readout[:4]
    assert plot_data(page, "curves")[0]["y"] == curves[0]["y"]


def test_step_and_restart_and_a_new_setting_starts_over(page, base_url, console):
    open_page(page, base_url, "trainer")
    page.click("#step")
    page.wait_for_function("location.hash.includes('at=1')")
    page.click("#step")
    page.wait_for_function("location.hash.includes('at=2')")
    assert epoch_on_screen(page) == 2
    units_before = page.locator("#units canvas").count()
    page.click("#add-layer")
    wait_ready(page)
    assert "at=0" in page.url and epoch_on_screen(page) == 0
    assert page.locator("#units canvas").count() == units_before + 2  # a layer of 2 more units
    page.click("#step")
    page.wait_for_function("location.hash.includes('at=1')")
    page.click("#restart")
    page.wait_for_function("location.hash.includes('at=0')")
    wait_ready(page)
    assert epoch_on_screen(page) == 0


def points_on_map(page) -> int:
    return sum(len(t["x"]) for t in plot_data(page, "map") if t["type"] == "scatter")


def test_new_points_start_over_with_the_untrained_network(page, base_url, console):
    ready = open_page(page, base_url, "trainer")
    start = plot_data(page, "map")[0]["z"]
    assert points_on_map(page) == 300
    page.click("#step")
    page.wait_for_function("location.hash.includes('at=1')")
    assert plot_data(page, "map")[0]["z"] != start
    ready = int(page.evaluate("document.body.dataset.ready"))
    set_slider(page, "n_points", 500)
    page.wait_for_function(
        "location.hash.includes('at=0') && location.hash.includes('n_points=500')"
    )
    ready = wait_ready(page, ready)
    assert epoch_on_screen(page) == 0
    assert plot_data(page, "map")[0]["z"] == start  # the seed's untrained network again
    assert points_on_map(page) == 500
    assert plot_data(page, "curves")[0]["x"] == []
    # Untrained, more moves of the points keep the network and move the points.
    set_slider(page, "n_points", 200)
    wait_ready(page, ready)
    assert points_on_map(page) == 200
    assert plot_data(page, "map")[0]["z"] == start


def test_export_then_import_restores_the_state(page, base_url, console, tmp_path):
    open_page(page, base_url, "trainer", "#dataset=circle&layers=3&activations=relu")
    play_until(page, 3)
    with page.expect_download() as download:
        page.click("#export")
    path = tmp_path / "run.json"
    download.value.save_as(path)
    exported = json.loads(path.read_text())
    assert exported["format"] == "dl-playground-trainer"
    assert exported["settings"]["dataset"] == "circle"
    readout = page.locator("#readouts").inner_text().split("\n")[:4]
    page.goto(f"{base_url}/trainer.html")
    wait_ready(page)
    page.set_input_files("#import-file", str(path))
    page.wait_for_function(f"location.hash.includes('at={exported['state']['epoch']}')")
    wait_ready(page)
    assert "dataset=circle" in page.url
    assert page.locator("#readouts").inner_text().split("\n")[:2] == readout[:2]


def test_csv_upload_and_a_clear_error(page, base_url, console, tmp_path):
    open_page(page, base_url, "trainer")
    good = tmp_path / "points.csv"
    good.write_text(
        "x1,x2,label\n" + "\n".join(f"{i % 5 - 2},{i % 3 - 1},{i % 2}" for i in range(40))
    )
    page.set_input_files("#csv-file", str(good))
    page.wait_for_function("document.getElementById('csv-note').textContent.includes('40 points')")
    wait_ready(page)
    assert "dataset=custom" in page.url
    bad = tmp_path / "bad.csv"
    bad.write_text("0,0,0\n1,oops,1\n2,2,0\n3,3,1\n")
    page.set_input_files("#csv-file", str(bad))
    page.wait_for_function("document.getElementById('csv-note').textContent.includes('line 2')")
    console.allow("422")


def test_multiclass_and_regression_pictures(page, base_url, console):
    open_page(page, base_url, "trainer", "#dataset=rings&classes=4")
    heat = plot_data(page, "map")[0]
    assert {v for row in heat["z"] for v in row} <= {0, 1, 2, 3}
    open_page(page, base_url, "trainer", "#dataset=plane&layers=&activations=")
    assert "No hidden layer" in page.locator("#layers").inner_text()
    assert "accuracy" not in page.locator("#readouts").inner_text()


def test_a_phone_screen_needs_no_horizontal_scrolling(page, base_url, console):
    # Wide formulas, tables and the inspector once widened the whole page to 600-800 px at 390.
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, base_url, "trainer")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
