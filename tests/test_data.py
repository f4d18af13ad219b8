"""Tests for minigrad.data: the digits loader and the DataLoader (batching, shuffling)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.data import DataLoader, load_digits


def test_load_digits_matches_the_uci_description():
    images, labels = load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 16
    assert np.array_equal(images, np.round(images))
    # Class counts of the UCI test set (optdigits.tes), as listed in the data set's description.
    expected = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert np.bincount(labels).tolist() == expected


def test_load_digits_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"digits\.csv\.gz"):
        load_digits(tmp_path / "nope.csv.gz")


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 50),
    batch_size=st.integers(1, 20),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_batches_cover_the_data_like_torch(n, batch_size, shuffle, drop_last, seed):
    x = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    y = np.arange(n) * 10
    loader = DataLoader(
        x, y, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, generator=seed
    )
    reference = torch.utils.data.DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == len(reference)
    assert [len(xb) for xb, _ in batches] == [len(b) for b in reference]
    seen = np.concatenate([yb for _, yb in batches]) // 10 if batches else np.array([], int)
    # Rows stay paired across arrays, and no example appears twice.
    for xb, yb in batches:
        np.testing.assert_array_equal(xb, x[yb // 10])
    assert len(set(seen.tolist())) == len(seen)
    if not drop_last:
        assert sorted(seen.tolist()) == list(range(n))
    if not shuffle:
        assert seen.tolist() == list(range(len(seen)))


def test_each_epoch_reshuffles_and_a_seed_reproduces():
    x = np.arange(100)
    first = DataLoader(x, batch_size=100, shuffle=True, generator=0)
    epoch1, epoch2 = next(iter(first)), next(iter(first))
    assert not np.array_equal(epoch1, epoch2)
    second = DataLoader(x, batch_size=100, shuffle=True, generator=0)
    np.testing.assert_array_equal(next(iter(second)), epoch1)
    np.testing.assert_array_equal(next(iter(second)), epoch2)


def test_shuffling_follows_minigrad_manual_seed():
    import minigrad

    x = np.arange(100)
    minigrad.manual_seed(3)
    a = next(iter(DataLoader(x, batch_size=100, shuffle=True)))
    minigrad.manual_seed(3)
    b = next(iter(DataLoader(x, batch_size=100, shuffle=True)))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, x)


def test_single_array_yields_arrays_not_tuples():
    batches = list(DataLoader(np.arange(5), batch_size=2))
    assert all(isinstance(b, np.ndarray) for b in batches)
    assert [b.tolist() for b in batches] == [[0, 1], [2, 3], [4]]


@pytest.mark.parametrize(
    ("arrays", "kwargs", "message"),
    [
        ((), {}, "at least one array"),
        ((np.zeros(3), np.zeros(4)), {}, "share their first dimension"),
        ((np.float64(1.0),), {}, "share their first dimension"),
        ((np.zeros(3),), {"batch_size": 0}, "positive int"),
        ((np.zeros(3),), {"batch_size": 1.5}, "positive int"),
    ],
)
def test_bad_input_is_explained(arrays, kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(*arrays, **kwargs)
