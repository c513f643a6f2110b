"""Receptive fields against a brute-force oracle: push a one-hot input through the stack."""

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from core.receptive import (
    ConvLayer,
    dependency_links,
    input_paths,
    layer_paths,
    receptive_field_table,
    unit_centres,
)


def forward_ones(signal, layer, padding):
    """One layer with an all-ones kernel, no bias, identity activation, by direct loops."""
    k, s, d = layer.kernel_size, layer.stride, layer.dilation
    span = (k - 1) * d + 1
    left = (span - 1) // 2 if padding == "zero" else 0
    right = (span - 1) - left if padding == "zero" else 0
    n_out = (len(signal) + left + right - span) // s + 1
    out = []
    for i in range(n_out):
        total = 0
        for tap in range(k):
            j = s * i + d * tap - left
            if 0 <= j < len(signal):
                total += signal[j]
        out.append(total)
    return out


def oracle_paths(layers, n_input, unit, padding):
    """Count of paths from input j to the unit = response of the unit to a one-hot at j."""
    counts = []
    for j in range(n_input):
        signal = [0] * n_input
        signal[j] = 1
        for layer in layers:
            signal = forward_ones(signal, layer, padding)
        counts.append(signal[unit])
    return np.array(counts)


def test_notes_example_three_layers_of_kernel_three():
    table = receptive_field_table([ConvLayer(3)] * 3, 20)
    np.testing.assert_array_equal(table.sizes, [3, 5, 7])
    np.testing.assert_array_equal(table.jumps, [1, 1, 1])
    np.testing.assert_array_equal(table.lengths, [20, 20, 20, 20])


def test_stride_and_dilation_table():
    layers = [ConvLayer(3, 2, 1), ConvLayer(3, 1, 2), ConvLayer(2, 2, 1)]
    table = receptive_field_table(layers, 32, "valid")
    # r: 1 + 2 = 3; 3 + 2*2*2 = 11; 11 + 1*1*2 = 13. j: 2, 2, 4.
    np.testing.assert_array_equal(table.sizes, [3, 11, 13])
    np.testing.assert_array_equal(table.jumps, [2, 2, 4])
    np.testing.assert_array_equal(table.lengths, [32, 15, 11, 5])


layer_strategy = st.builds(
    ConvLayer,
    kernel_size=st.integers(1, 4),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
)


@settings(max_examples=60, deadline=None)
@given(
    layers=st.lists(layer_strategy, min_size=1, max_size=3),
    n_input=st.integers(8, 30),
    padding=st.sampled_from(["zero", "valid"]),
    unit_fraction=st.floats(0, 1),
)
@example(
    layers=[ConvLayer(3, 1, 2), ConvLayer(3, 1, 1)], n_input=12, padding="zero", unit_fraction=0.5
)
def test_paths_match_one_hot_propagation(layers, n_input, padding, unit_fraction):
    try:
        table = receptive_field_table(layers, n_input, padding)
    except ValueError:
        return  # the stack does not fit this input; covered by the error test
    unit = min(int(unit_fraction * table.lengths[-1]), int(table.lengths[-1]) - 1)
    np.testing.assert_array_equal(
        input_paths(layers, n_input, unit, padding), oracle_paths(layers, n_input, unit, padding)
    )


@settings(max_examples=40, deadline=None)
@given(layers=st.lists(layer_strategy, min_size=1, max_size=3))
def test_size_is_the_span_of_an_interior_unit(layers):
    # Valid padding on a long input: no path is cut, so the span of the inputs that feed a
    # unit is exactly r_L, and neighbouring units start j_L inputs apart.
    n_input = 200
    table = receptive_field_table(layers, n_input, "valid")
    first = np.flatnonzero(oracle_paths(layers, n_input, 0, "valid"))
    second = np.flatnonzero(oracle_paths(layers, n_input, 1, "valid"))
    assert first[-1] - first[0] + 1 == table.sizes[-1]
    assert second[0] - first[0] == table.jumps[-1]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: receptive_field_table([], 10), "the stack needs at least one layer"),
        (
            lambda: receptive_field_table([ConvLayer(5), ConvLayer(5)], 6, "valid"),
            "layer 2: the dilated kernel spans 5 inputs but the input has only 2",
        ),
        (lambda: input_paths([ConvLayer(3)], 10, 10), "unit must be between 0 and 9, got 10"),
        (lambda: receptive_field_table([ConvLayer(3, 0)], 10), "stride must be at least 1"),
    ],
)
def test_errors_explain_themselves(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_layer_paths_match_the_oracle_at_every_layer():
    layers = [ConvLayer(3, 2, 1), ConvLayer(2, 1, 2), ConvLayer(3, 1, 1)]
    per_layer = layer_paths(layers, 20, 3)
    table = receptive_field_table(layers, 20)
    assert [p.size for p in per_layer] == table.lengths.tolist()
    np.testing.assert_array_equal(per_layer[-1], np.eye(table.lengths[-1], dtype=int)[3])
    # Paths from layer 1 to the unit: the oracle on the sub-stack that starts at layer 1.
    np.testing.assert_array_equal(
        per_layer[1], oracle_paths(layers[1:], table.lengths[1], 3, "zero")
    )
    np.testing.assert_array_equal(per_layer[0], oracle_paths(layers, 20, 3, "zero"))


def oracle_extent(layers, layer_index, unit, padding):
    """First and last input position a unit's window reaches, by walking back tap by tap
    with no border (padding positions count)."""
    lo = hi = unit
    for layer in layers[:layer_index][::-1]:
        k, s, d = layer.kernel_size, layer.stride, layer.dilation
        left = ((k - 1) * d) // 2 if padding == "zero" else 0
        lo, hi = s * lo - left, s * hi + d * (k - 1) - left
    return lo, hi


@settings(max_examples=40, deadline=None)
@given(
    layers=st.lists(layer_strategy, min_size=1, max_size=3),
    padding=st.sampled_from(["zero", "valid"]),
)
def test_unit_centres_are_the_middle_of_each_window(layers, padding):
    n_input = 60
    try:
        table = receptive_field_table(layers, n_input, padding)
    except DomainError:
        assume(False)  # a stack whose windows outgrow the input without padding has no units
    centres = unit_centres(layers, n_input, padding)
    assert [c.size for c in centres] == table.lengths.tolist()
    for index, row in enumerate(centres):
        for unit, centre in enumerate(row):
            lo, hi = oracle_extent(layers, index, unit, padding)
            assert centre == (lo + hi) / 2


@settings(max_examples=40, deadline=None)
@given(
    layers=st.lists(layer_strategy, min_size=1, max_size=3),
    n_input=st.integers(8, 30),
    padding=st.sampled_from(["zero", "valid"]),
    unit_fraction=st.floats(0, 1),
)
def test_dependency_links_join_exactly_the_units_on_a_path(layers, n_input, padding, unit_fraction):
    try:
        table = receptive_field_table(layers, n_input, padding)
    except ValueError:
        return
    unit = min(int(unit_fraction * table.lengths[-1]), int(table.lengths[-1]) - 1)
    links = dependency_links(layers, n_input, unit, padding)
    paths = layer_paths(layers, n_input, unit, padding)
    assert len(links) == len(layers)
    for index, (layer, pairs) in enumerate(zip(layers, links, strict=True), start=1):
        # Oracle: every (j, i) with unit i of layer index on a path and j one of its reads.
        k, s, d = layer.kernel_size, layer.stride, layer.dilation
        left = ((k - 1) * d) // 2 if padding == "zero" else 0
        expected = [
            (s * i + d * tap - left, i)
            for i in range(table.lengths[index])
            if paths[index][i]
            for tap in range(k)
            if 0 <= s * i + d * tap - left < table.lengths[index - 1]
        ]
        assert [tuple(p) for p in pairs.tolist()] == expected
        # Each unit below that is reached is itself on a path, and the other way round.
        assert set(pairs[:, 0].tolist()) == set(np.flatnonzero(paths[index - 1]).tolist())
