"""Trainer lab: train a network on 2D data, as a plain request or as a stream of epochs."""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing
import os
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from core import datasets, network
from core import trainer as core_trainer
from core.activations import ACTIVATION_NAMES
from core.errors import DomainError
from core.optimizers import SCHEDULE_NAMES, Schedule
from server.heavy import exit_with_parent
from server.schemas import ErrorResponse, Model, Seed
from server.settings import get_settings

router = APIRouter(
    prefix="/api/v1/trainer",
    tags=["trainer"],
    responses={422: {"model": ErrorResponse, "description": "Invalid request"}},
)

DatasetName = Literal[tuple(datasets.DATASETS)]  # type: ignore[valid-type]
FeatureName = Literal[tuple(datasets.FEATURES)]  # type: ignore[valid-type]
ActivationName = Literal[ACTIVATION_NAMES]  # type: ignore[valid-type]
OptimizerName = Literal[tuple(core_trainer.TRAINER_OPTIMIZERS)]  # type: ignore[valid-type]
RegulariserName = Literal[tuple(core_trainer.REGULARISERS)]  # type: ignore[valid-type]
ScheduleName = Literal[SCHEDULE_NAMES]  # type: ignore[valid-type]
InitName = Literal[tuple(network.INIT_SCHEMES)]  # type: ignore[valid-type]
Coordinate = Annotated[float, Field(ge=-datasets.EXTENT, le=datasets.EXTENT)]
Value = Annotated[float, Field(ge=-1e6, le=1e6)]
Parameter = Annotated[float, Field(ge=-1e6, le=1e6)]
Moment = Annotated[float, Field(ge=0, le=1e12)]

MAX_LAYERS, MAX_UNITS, MAX_POINTS = 8, 32, 2000
MAX_EPOCHS = 2000
# One request of /fit trains about a second at most on one core. An update costs about a
# quarter of a millisecond of bookkeeping plus its arithmetic (batch x parameters): the budget
# counts updates weighted by 1 + batch x parameters / 50,000. A stream has no such limit (it
# sends its progress and stops when its client leaves), only STREAM_SECONDS.
FIT_BUDGET = 4000
STREAM_INTERVAL = 0.08  # seconds of training between two streamed updates (>= 10 a second)
STREAM_SECONDS = 300  # a stream ends after this long, whatever its epochs


class DataSpec(Model):
    """A built-in data set (drawn from the seed) or the caller's own points."""

    dataset: DatasetName = Field("xor", description="Built-in data set.")
    n_points: int = Field(300, ge=10, le=MAX_POINTS, description="Points drawn, train and test.")
    noise: float = Field(
        0.0,
        ge=0,
        le=3,
        description="Std of the Gaussian noise on the points; blob sets: std 0.6 + noise; "
        "regression plane: noise on the targets.",
    )
    classes: int = Field(3, ge=3, le=5, description="Classes of the multiclass sets (3 to 5).")
    train_fraction: float = Field(
        0.5, ge=0.1, le=1.0, description="Share of the points used for training; the rest test."
    )
    data_seed: Seed = Field(0, description="Seed of the data and of the train/test split.")
    points: list[tuple[Coordinate, Coordinate, Value]] | None = Field(
        None,
        min_length=4,
        max_length=MAX_POINTS,
        description="Your own (x1, x2, label or target) rows; they replace the built-in set. "
        "Labels are 0-based classes; a regression needs task='regression'.",
    )
    task: Literal["classification", "regression"] = Field(
        "classification", description="For your own points: labels (classes) or real targets."
    )

    def make(self) -> tuple[datasets.Dataset, datasets.Dataset]:
        rng = np.random.default_rng(self.data_seed)
        if self.points is not None:
            rows = np.array(self.points, dtype=float)  # (N, 3)
            full = datasets.from_rows(rows[:, :2], rows[:, 2], self.task)
        else:
            full = datasets.make_dataset(self.dataset, self.n_points, self.noise, rng, self.classes)
        return datasets.split(full, self.train_fraction, rng)


class NetworkSpec(Model):
    """Inputs, hidden layers and how to train them."""

    features: list[FeatureName] = Field(
        ["x1", "x2"], min_length=1, max_length=9, description="Input features, in order."
    )
    hidden: list[Annotated[int, Field(ge=1, le=MAX_UNITS)]] = Field(
        [6, 6], max_length=MAX_LAYERS, description="Units of each hidden layer (0 to 8 layers)."
    )
    activations: list[ActivationName] = Field(
        ["tanh", "tanh"], max_length=MAX_LAYERS, description="Activation of each hidden layer."
    )
    init: InitName = Field("glorot", description="Initialisation of the weights (biases 0).")
    optimizer: OptimizerName = Field("adam", description="Update rule.")
    learning_rate: float = Field(0.03, gt=0, le=10, description="Learning rate alpha_0.")
    schedule: ScheduleName = Field("constant", description="Learning-rate schedule.")
    schedule_gamma: float = Field(0.5, gt=0, le=1, description="Decay factor of the schedule.")
    schedule_period: int = Field(1000, ge=1, le=1_000_000, description="Steps per decay period.")
    batch_size: int = Field(10, ge=1, le=MAX_POINTS, description="Points per mini-batch.")
    regulariser: RegulariserName = Field("none", description="Penalty on the weights.")
    regularisation: float = Field(0.0, ge=0, le=10, description="Penalty strength lambda.")
    seed: Seed = Field(0, description="Seed of the initial weights and of the mini-batches.")

    @model_validator(mode="after")
    def _layers(self):
        if len(self.hidden) != len(self.activations):
            raise ValueError("give one activation per hidden layer")
        if len(set(self.features)) != len(self.features):
            raise ValueError("each input feature can be chosen once")
        return self

    def config(self) -> core_trainer.TrainerConfig:
        return core_trainer.TrainerConfig(
            feature_names=tuple(self.features),
            hidden=tuple(self.hidden),
            activations=tuple(self.activations),
            init=self.init,
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            schedule=Schedule(self.schedule, self.schedule_gamma, self.schedule_period),
            batch_size=self.batch_size,
            regulariser=self.regulariser,
            regularisation=self.regularisation,
        )


class StateSpec(Model):
    """A run's state, as an answer gave it: resume or import from here."""

    parameters: list[Parameter] = Field(
        max_length=10_000, description="All weights and biases: beta_0, Omega_0 row by row, ..."
    )
    m: list[Parameter] = Field(max_length=10_000, description="First moments (same layout).")
    v: list[Moment] = Field(max_length=10_000, description="Second moments (same layout).")
    step: int = Field(ge=0, le=10**9, description="Updates taken so far.")
    epoch: int = Field(ge=0, le=10**7, description="Epochs completed.")


class StopRules(Model):
    epochs: int = Field(
        100, ge=0, le=MAX_EPOCHS, description="Epochs to run at most (0: only describe the state)."
    )
    loss_below: float | None = Field(
        None, ge=0, le=1e6, description="Stop once the mean training loss is below this."
    )
    patience: int | None = Field(
        None,
        ge=1,
        le=MAX_EPOCHS,
        description="Stop when the test loss (training loss without a test set) has not "
        "improved for this many epochs.",
    )


class TrainRequest(Model):
    """Data, network, optional starting state, and when to stop."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "data": {"dataset": "xor", "n_points": 200, "noise": 0.0},
                    "network": {"hidden": [6], "activations": ["tanh"], "learning_rate": 0.03},
                    "stop": {"epochs": 30},
                    "grid": 20,
                    "thumbnail": 8,
                }
            ]
        }
    )

    data: DataSpec = Field(default_factory=DataSpec)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    state: StateSpec | None = Field(
        None, description="Resume from this state (from an earlier answer or an export)."
    )
    stop: StopRules = Field(default_factory=StopRules)
    grid: int = Field(40, ge=5, le=100, description="Pixels per side of the output map.")
    thumbnail: int = Field(16, ge=4, le=40, description="Pixels per side of each unit's map.")


class EpochRecord(Model):
    epoch: int = Field(description="Epochs completed.")
    train_loss: float = Field(description="Mean training loss (the penalty not included).")
    test_loss: float | None = Field(description="Mean test loss; null without a test set.")
    train_accuracy: float | None = Field(description="Share of training points classified right.")
    test_accuracy: float | None = Field(description="Share of test points classified right.")


class LayerWeights(Model):
    beta: list[float] = Field(description="beta_k, shape (D_{k+1},).")
    omega: list[list[float]] = Field(description="Omega_k, shape (D_{k+1}, D_k), row by row.")


class PictureOut(Model):
    axis: list[float] = Field(description="Grid coordinates, the same along x1 and x2.")
    output: list[list[float]] = Field(
        description="output[j][i] at (x1 = axis[i], x2 = axis[j]): Pr(y = 1) for two classes, "
        "the winning class's probability for more, the prediction for regression."
    )
    predicted_class: list[list[int]] | None = Field(
        description="The most probable class per pixel (multiclass only), 0-based."
    )
    thumbnail_axis: list[float] = Field(description="Grid coordinates of the unit maps.")
    inputs: list[list[list[float]]] = Field(
        description="inputs[f][j][i]: input feature f at thumbnail pixel (i, j)."
    )
    neurons: list[list[list[list[float]]]] = Field(
        description="neurons[k][d][j][i]: unit d of hidden layer k + 1 at thumbnail pixel (i, j)."
    )


class TrainResponse(Model):
    status: Literal["finished", "loss_below", "no_improvement", "diverged"] = Field(
        description="Why training stopped."
    )
    message: str = Field(description="Why training stopped, in words.")
    task: Literal["binary", "multiclass", "regression"] = Field(description="The problem type.")
    classes: int = Field(description="Number of classes (1 for regression).")
    widths: list[int] = Field(description="(D_i, D_1, ..., D_K, D_o).")
    parameter_count: int = Field(description="Number of weights and biases.")
    history: list[EpochRecord] = Field(description="One record per epoch run by this request.")
    state: StateSpec = Field(description="The final state: resume or export from here.")
    layers: list[LayerWeights] = Field(description="The final weights, layer by layer.")
    picture: PictureOut = Field(description="The final network over the plane.")
    regions: int | None = Field(
        description="Linear regions of the final network in [-6, 6]^2 (exact), or null when "
        "they are not defined or not counted; see regions_note."
    )
    regions_note: str = Field(description="What the region count means, or why there is none.")


class DataRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"data": {"dataset": "spiral", "n_points": 100}}]}
    )
    data: DataSpec = Field(default_factory=DataSpec)


class DataResponse(Model):
    task: Literal["binary", "multiclass", "regression"] = Field(description="The problem type.")
    classes: int = Field(description="Number of classes (1 for regression).")
    train: list[list[float]] = Field(description="Training rows (x1, x2, label or target).")
    test: list[list[float]] = Field(description="Test rows (x1, x2, label or target).")


def _rows(data: datasets.Dataset) -> list[list[float]]:
    return np.column_stack([data.x, data.y]).tolist()


@router.post("/data", response_model=DataResponse, summary="The training and test points")
def data_points(req: DataRequest) -> DataResponse:
    """The points a run trains and tests on (the same fields always give the same points)."""
    train, test = req.data.make()
    return DataResponse(
        task=train.task, classes=train.classes, train=_rows(train), test=_rows(test)
    )


class _Run:
    """One training request set up: data, config, start state and the stop rules."""

    def __init__(self, req: TrainRequest, budget: float | None = None):
        self.req = req
        self.train, self.test = req.data.make()
        self.config = req.network.config()
        core_trainer.validate(self.config, self.train)
        self.widths = core_trainer.widths(self.config, self.train)
        count = network.parameter_count(self.widths)
        batch = min(req.network.batch_size, self.train.y.size)
        updates = req.stop.epochs * math.ceil(self.train.y.size / batch)
        if budget is not None and updates * (1 + batch * count / 50_000) > budget:
            raise DomainError(
                f"this run is too large for one request ({updates} updates of a network with "
                f"{count} parameters); use fewer epochs, a larger batch or the stream"
            )
        if req.state is None:
            self.start = core_trainer.initial_state(self.config, self.train, req.network.seed)
        else:
            arrays = [
                np.array(a, dtype=float) for a in (req.state.parameters, req.state.m, req.state.v)
            ]
            if any(a.shape != (count,) for a in arrays):
                raise DomainError(
                    f"the state must hold {count} parameters, moments m and v for this network"
                )
            self.start = core_trainer.TrainerState(*arrays, req.state.step, req.state.epoch)
        self.best = np.inf
        self.since_best = 0

    def snapshots(self) -> Iterator[tuple[core_trainer.Snapshot, str | None]]:
        """Each epoch's snapshot with the stop reason once one applies."""
        rules = self.req.stop
        seen = 0
        for snap in core_trainer.train(
            self.config, self.train, self.test, self.start, self.req.network.seed, rules.epochs
        ):
            seen += 1
            if snap.status == "diverged":
                yield snap, "diverged"
                return
            watched = (snap.test or snap.train).loss
            if watched < self.best - 1e-12:
                self.best, self.since_best = watched, 0
            else:
                self.since_best += 1
            if rules.loss_below is not None and snap.train.loss < rules.loss_below:
                yield snap, "loss_below"
                return
            if rules.patience is not None and self.since_best >= rules.patience:
                yield snap, "no_improvement"
                return
            yield snap, ("finished" if seen == rules.epochs else None)


MESSAGES = {
    "finished": "ran every epoch asked for",
    "loss_below": "the training loss fell below the threshold",
    "no_improvement": "the loss stopped improving",
    "diverged": "the parameters blew up (learning rate too large?); the last finite state is kept",
}


def _record(snap: core_trainer.Snapshot) -> dict:
    return {
        "epoch": snap.state.epoch,
        "train_loss": snap.train.loss,
        "test_loss": snap.test.loss if snap.test else None,
        "train_accuracy": snap.train.accuracy,
        "test_accuracy": snap.test.accuracy if snap.test else None,
    }


def _state(state: core_trainer.TrainerState) -> dict:
    return {
        "parameters": state.parameters.tolist(),
        "m": state.m.tolist(),
        "v": state.v.tolist(),
        "step": state.step,
        "epoch": state.epoch,
    }


def _picture(run: _Run, state: core_trainer.TrainerState) -> dict:
    pic = core_trainer.picture(run.config, run.train, state, run.req.grid, run.req.thumbnail)
    return {
        "axis": pic.axis.tolist(),
        "output": pic.output.tolist(),
        "predicted_class": None if pic.predicted_class is None else pic.predicted_class.tolist(),
        "thumbnail_axis": pic.thumbnail_axis.tolist(),
        "inputs": pic.inputs.tolist(),
        "neurons": [n.tolist() for n in pic.neurons],
    }


def _regions(run: _Run, state: core_trainer.TrainerState) -> dict:
    count = core_trainer.count_regions(run.config, run.train, state)
    return {"regions": count.regions, "regions_note": count.note}


def _layers(run: _Run, state: core_trainer.TrainerState) -> list[dict]:
    net = core_trainer.state_network(run.config, run.train, state)
    return [
        {"beta": b.tolist(), "omega": o.tolist()}
        for b, o in zip(net.betas, net.omegas, strict=True)
    ]


def _fit(req: TrainRequest, budget: float | None = None) -> dict:
    run = _Run(req, budget)
    history, last, reason = [], None, "finished"
    for snap, stop in run.snapshots():
        if snap.status != "diverged":
            history.append(_record(snap))
        last, reason = snap, stop or reason
        if stop:
            break
    state = last.state if last else run.start
    return {
        "status": reason,
        "message": MESSAGES[reason],
        "task": run.train.task,
        "classes": run.train.classes,
        "widths": list(run.widths),
        "parameter_count": network.parameter_count(run.widths),
        "history": history,
        "state": _state(state),
        "layers": _layers(run, state),
        "picture": _picture(run, state),
        **_regions(run, state),
    }


@router.post("/fit", response_model=TrainResponse, summary="Train and return history and weights")
def fit(req: TrainRequest) -> dict:
    """Run the whole training in one request: the loss and accuracy after every epoch, the
    final weights and optimiser state (to resume or export), and the final picture."""
    return _fit(req, FIT_BUDGET)


def _chunk(run: _Run, snapshots: Iterator, interval: float) -> dict:
    """Train for about ``interval`` seconds (at least one epoch); describe the newest state."""
    records, last, reason = [], None, None
    deadline = time.perf_counter() + interval
    for snap, stop in snapshots:
        if snap.status != "diverged":
            records.append(_record(snap))
        last, reason = snap, stop
        if stop or time.perf_counter() > deadline:
            break
    if last is None:
        return {"done": True, "status": "finished", "message": MESSAGES["finished"]}
    event = {
        "done": reason is not None,
        "status": reason or "running",
        "message": MESSAGES.get(reason or "", "training"),
        "history": records,
        "state": _state(last.state),
        "picture": _picture(run, last.state),
        **_regions(run, last.state),
    }
    return event


_PROCESSES: ProcessPoolExecutor | None = None
CHUNKS_TRAINED = [0]  # chunks of streamed training run in this process's lifetime


def training_processes() -> ProcessPoolExecutor:
    """The processes that train streamed runs, started on first use: one fewer than the
    cores (at least one), or ``DLP_TRAINER_PROCESSES``."""
    global _PROCESSES
    if _PROCESSES is None:
        count = get_settings().trainer_processes or max(1, (os.cpu_count() or 2) - 1)
        _PROCESSES = ProcessPoolExecutor(
            count, mp_context=multiprocessing.get_context("spawn"), initializer=exit_with_parent
        )
    return _PROCESSES


def close_training_processes() -> None:
    """End the training processes (the worker is shutting down); the next stream starts anew."""
    global _PROCESSES
    processes, _PROCESSES = _PROCESSES, None
    if processes is not None:
        processes.shutdown(wait=True, cancel_futures=True)


def _chunk_in_process(body: dict, best: float, since_best: int) -> tuple[dict, float, int]:
    """One chunk of a stream, in a training process: the request as JSON (its state and the
    epochs left), the stop rules' memory in and out."""
    run = _Run(TrainRequest.model_validate(body))
    run.best, run.since_best = best, since_best
    event = _chunk(run, run.snapshots(), STREAM_INTERVAL)
    return event, run.best, run.since_best


@router.post(
    "/stream",
    summary="Train and stream progress (server-sent events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"}},
)
async def stream(req: TrainRequest, request: Request) -> StreamingResponse:
    """The same training as `/fit`, sent as it goes: an event `snapshot` about every 80 ms with
    the epochs completed since the last one (`history`), the newest `state` (resume from it)
    and `picture`; the last event has `done: true` and the stop reason. Closing the connection
    stops the training at once."""
    run = await run_in_threadpool(_Run, req)
    header = {
        "task": run.train.task,
        "classes": run.train.classes,
        "widths": list(run.widths),
        "parameter_count": network.parameter_count(run.widths),
        "state": _state(run.start),
        "picture": await run_in_threadpool(_picture, run, run.start),
        **(await run_in_threadpool(_regions, run, run.start)),
    }

    request_body = req.model_dump(mode="json")

    async def events():
        yield f"event: start\ndata: {json.dumps(header)}\n\n"
        loop = asyncio.get_running_loop()
        state, remaining, best, since_best = header["state"], req.stop.epochs, math.inf, 0
        started = time.monotonic()
        while True:
            if await request.is_disconnected():
                return
            # Each chunk runs in a training process from the state the last one reached, so
            # the server's own threads (and the other labs' answers) keep their core.
            body = {
                **request_body,
                "state": state,
                "stop": {**req.stop.model_dump(), "epochs": remaining},
            }
            event, best, since_best = await loop.run_in_executor(
                training_processes(), _chunk_in_process, body, best, since_best
            )
            CHUNKS_TRAINED[0] += 1
            remaining -= len(event.get("history", []))
            state = event.get("state", state)
            if time.monotonic() - started > STREAM_SECONDS and not event["done"]:
                event.update(done=True, status="finished", message="the stream's time ran out")
            yield f"event: snapshot\ndata: {json.dumps(event)}\n\n"
            if event["done"]:
                return

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


class CsvRequest(Model):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"text": "x1,x2,label\n0,0,0\n1,1,1\n-1,2,1\n2,-1,0\n", "task": "classification"}
            ]
        }
    )
    text: str = Field(max_length=200_000, description="CSV rows x1,x2,value; a header is allowed.")
    task: Literal["classification", "regression"] = Field(
        "classification", description="Whether the third column holds labels or targets."
    )


class CsvResponse(Model):
    task: Literal["binary", "multiclass", "regression"] = Field(description="The problem type.")
    classes: int = Field(description="Number of classes (1 for regression).")
    points: list[list[float]] = Field(description="The rows read, (x1, x2, value) each.")


@router.post("/csv", response_model=CsvResponse, summary="Read your own points from CSV text")
def read_csv(req: CsvRequest) -> CsvResponse:
    """Check a CSV of your own points; a problem is reported with its line number."""
    data = datasets.parse_csv(req.text, "regression" if req.task == "regression" else "binary")
    return CsvResponse(task=data.task, classes=data.classes, points=_rows(data))
