"""The lab manifest and the registries the pages build their menus from."""

from pathlib import Path

import numpy as np

from core import approximation, basis_comparison, conv, images, likelihood, losses, network
from core.activations import ACTIVATIONS
from server.labs import LABS
from server.settings import get_settings


def test_meta_lists_every_lab_in_the_manifest(client):
    body = client.get("/api/v1/meta").json()
    assert [lab["id"] for lab in body["labs"]] == [lab.id for lab in LABS]
    assert body["labs"][0] == {
        "id": "linear",
        "chapter": "1.2",
        "title": "Linear regression",
        "summary": LABS[0].summary,
        "page": "linear.html",
    }
    assert body["version"] == client.get("/openapi.json").json()["info"]["version"]


def test_meta_registries_come_from_core(client):
    registries = client.get("/api/v1/meta").json()["registries"]
    assert registries["activations"] == [
        {"name": a.name, "label": a.label} for a in ACTIVATIONS.values()
    ]
    assert [r["name"] for r in registries["losses"]] == list(losses.LOSSES)
    assert [r["name"] for r in registries["initialisations"]] == list(network.INIT_SCHEMES)
    assert [r["name"] for r in registries["paddings"]] == list(conv.PADDINGS)
    assert [r["name"] for r in registries["kernels"]] == list(images.KERNEL_NAMES)
    for kind, table in [
        ("likelihood_problems", likelihood.PROBLEMS),
        ("likelihood_models", likelihood.MODELS),
        ("likelihood_links", likelihood.LINKS),
    ]:
        assert registries[kind] == [{"name": n, "label": v} for n, v in table.items()]
    assert registries["approximation_activations"] == [
        {"name": n, "label": ACTIVATIONS[n].label} for n in approximation.HIDDEN_ACTIVATIONS
    ]
    assert [r["name"] for r in registries["comparison_activations"]] == list(
        basis_comparison.UNIT_ACTIVATIONS
    )


def test_every_lab_page_exists_and_every_router_is_served(client):
    static = Path(get_settings().static_dir)
    paths = client.get("/openapi.json").json()["paths"]
    for lab in LABS:
        if lab.page:
            assert (static / lab.page).is_file(), lab.page
        if lab.router:
            assert any(p.startswith(f"/api/v1/{lab.router}/") for p in paths), lab.router


def test_the_piecewise_linear_activations_are_those_with_straight_pieces(client):
    """The registry lists exactly the activations whose graph is straight between a few kinks:
    second differences on a fine grid vanish except at no more than two places."""
    listed = client.get("/api/v1/meta").json()["registries"]["piecewise_linear_activations"]
    z = np.linspace(-3, 3, 6001)
    straight = []
    for a in ACTIVATIONS.values():
        bends = np.abs(np.diff(a.value(z), 2)) > 1e-9
        if np.count_nonzero(bends) <= 2 * 2:  # a kink or a jump shows in at most two differences
            straight.append(a.name)
    assert [r["name"] for r in listed] == straight
    assert {"relu", "linear"} <= set(straight) and "tanh" not in straight
