"""The loss-functions lab's fit against the optimisers' update rules applied by hand."""

import numpy as np
import pytest

from core import likelihood as lk
from core import likelihood_fit as lf
from core import likelihood_view as lv
from core import optimizers
from core.errors import DomainError
from core.optimizers import OptimizerConfig
from tests.core.test_likelihood import IDS, SPECS, data_for


def config(kind="gd", lr=0.05, beta=0.9):
    return OptimizerConfig(kind, lr, beta=beta)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
@pytest.mark.parametrize("kind", lf.FIT_OPTIMIZERS)
def test_fit_lowers_the_nll(spec, kind):
    data = data_for(spec, n=30)
    start = lk.default_parameters(spec, np.random.default_rng(0))
    run = lf.fit(spec, data, start, 0.7, config(kind, 0.02), max_steps=60)
    assert run.status in ("converged", "max_steps")
    assert run.losses[-1] < run.losses[0]
    end = lv.explore(spec, data, run.parameters, np.random.default_rng(0), sigma=0.7).total
    assert end == pytest.approx(run.losses[-1], rel=1e-12)


@pytest.mark.parametrize("kind", lf.FIT_OPTIMIZERS)
def test_fit_steps_are_the_optimisers_update_rules(kind):
    # Oracle: the update rules of core.optimizers applied by hand to the gradient of L / I.
    spec = SPECS[6]
    data = data_for(spec)
    phi = lk.default_parameters(spec, np.random.default_rng(0))
    m, v, alpha, beta = np.zeros_like(phi), np.zeros_like(phi), 0.1, 0.8
    for t in range(4):
        if kind == "nesterov":
            g = lf.mean_nll_gradient(spec, data, optimizers.nesterov_point(phi, m, alpha, beta))
        else:
            g = lf.mean_nll_gradient(spec, data, phi)
        if kind == "gd":
            phi = phi - alpha * g
        elif kind == "adam":
            phi, m, v = optimizers.adam_step(phi, m, v, g, alpha, beta, 0.99, 1e-8, t)
        else:
            m = beta * m + (1 - beta) * g
            phi = phi - alpha * m
    start = lk.default_parameters(spec, np.random.default_rng(0))
    run = lf.fit(spec, data, start, 1.0, config(kind, alpha, beta), max_steps=4, tolerance=0)
    np.testing.assert_allclose(run.parameters, phi, rtol=1e-12, atol=1e-15)
    assert run.steps == 4 and run.status == "max_steps"


def test_fit_of_a_line_reaches_the_least_squares_solution():
    spec = lk.ModelSpec("regression", "line")
    data = data_for(spec, n=30)
    run = lf.fit(spec, data, np.zeros(2), 1.0, config("gd", 0.5), max_steps=5000, tolerance=1e-10)
    assert run.status == "converged"
    np.testing.assert_allclose(run.parameters, lk.closed_form(spec, data).parameters, atol=1e-8)


def test_too_large_a_learning_rate_diverges_and_says_so():
    spec = lk.ModelSpec("regression", "line")
    run = lf.fit(spec, data_for(spec), np.zeros(2), 0.1, config("gd", 5), max_steps=500)
    assert run.status == "diverged" and "diverged" in run.message
    assert np.all(np.isfinite(run.parameters)) and np.all(np.isfinite(run.losses))
    with pytest.raises(DomainError, match="fit uses one of"):
        lf.fit(spec, data_for(spec), np.zeros(2), 1.0, config("sgd"))
