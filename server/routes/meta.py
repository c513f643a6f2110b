"""What the pages need to build themselves: the labs, every list of names, the version.

Every list comes from the registry that core declares once; the pages build their menus from
this answer instead of typing the names again.
"""

from importlib import metadata

from fastapi import APIRouter
from pydantic import Field

from core import (
    approximation,
    basis_comparison,
    conv,
    datasets,
    equivariance,
    images,
    landscape_models,
    likelihood,
    losses,
    network,
    optimizers,
    pooling,
    signals,
    trainer,
)
from core.activations import ACTIVATIONS
from server.labs import LABS
from server.schemas import Model

router = APIRouter(prefix="/api/v1/meta", tags=["service"])


def _version() -> str:
    try:
        return metadata.version("dl-playground")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


class Named(Model):
    name: str = Field(description="The identifier the API takes.")
    label: str = Field(description="The name a page shows.")


class LabInfo(Model):
    id: str = Field(description="Lab identifier.")
    chapter: str = Field(description="Chapter or section of the course notes.")
    title: str = Field(description="The lab's title.")
    summary: str = Field(description="One sentence on what the lab shows.")
    page: str | None = Field(description="The lab's page, or null while the chapter has none.")


class MetaResponse(Model):
    version: str = Field(description="Version of the playground.")
    labs: list[LabInfo] = Field(description="The course's labs, in the order of the notes.")
    registries: dict[str, list[Named]] = Field(
        description="Every list of names the API accepts, by kind (activations, optimizers...)."
    )


def _choices(table) -> list[Named]:
    return [Named(name=c.name, label=c.label) for c in table.values()]


def _activations(names) -> list[Named]:
    return [Named(name=n, label=ACTIVATIONS[n].label) for n in names]


def registries() -> dict[str, list[Named]]:
    return {
        "activations": [Named(name=a.name, label=a.label) for a in ACTIVATIONS.values()],
        # Those that make a network piecewise linear (its linear regions can be counted).
        "piecewise_linear_activations": [
            Named(name=a.name, label=a.label) for a in ACTIVATIONS.values() if a.piecewise_linear
        ],
        # The hidden units a shallow approximating net (and the d-dimensional comparison) takes.
        "approximation_activations": _activations(approximation.HIDDEN_ACTIVATIONS),
        "comparison_activations": _activations(basis_comparison.UNIT_ACTIVATIONS),
        "losses": [Named(name=n, label=v[0]) for n, v in losses.LOSSES.items()],
        # Loss-functions lab: the distribution, the model that predicts its parameters, the link.
        "likelihood_problems": [Named(name=n, label=v) for n, v in likelihood.PROBLEMS.items()],
        "likelihood_models": [Named(name=n, label=v) for n, v in likelihood.MODELS.items()],
        "likelihood_links": [Named(name=n, label=v) for n, v in likelihood.LINKS.items()],
        "initialisations": [Named(name=n, label=v) for n, v in network.INIT_SCHEMES.items()],
        "optimizers": [Named(name=n, label=v) for n, v in optimizers.OPTIMIZERS.items()],
        "schedules": [Named(name=n, label=v) for n, v in optimizers.SCHEDULES.items()],
        "landscapes": [Named(name=n, label=v) for n, v in landscape_models.LANDSCAPES.items()],
        # Convolution: registries of core.choices.Choice (name, label, description).
        "paddings": _choices(conv.PADDING_MODES),
        "pool_kinds": _choices(pooling.POOL_KIND_CHOICES),
        "poolings": _choices(equivariance.POOLING_CHOICES),
        "images": _choices(images.IMAGES),
        "colour_images": _choices(images.COLOUR_IMAGES),
        "kernels": _choices(images.KERNEL_CHOICES),
        "signals": _choices(signals.SIGNALS),
        "datasets": [Named(name=n, label=v[0]) for n, v in datasets.DATASETS.items()],
        "features": [Named(name=n, label=v[0]) for n, v in datasets.FEATURES.items()],
        "trainer_optimizers": [
            Named(name=n, label=v) for n, v in trainer.TRAINER_OPTIMIZERS.items()
        ],
        "regularisers": [Named(name=n, label=v) for n, v in trainer.REGULARISERS.items()],
    }


@router.get("", summary="Labs, lists of names and version for the pages")
def meta() -> MetaResponse:
    """The lab manifest and every registry of names, as the pages use them."""
    return MetaResponse(
        version=_version(),
        labs=[
            LabInfo(
                id=lab.id, chapter=lab.chapter, title=lab.title, summary=lab.summary, page=lab.page
            )
            for lab in LABS
        ],
        registries=registries(),
    )
