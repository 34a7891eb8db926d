"""MNIST-1D: the published split, made locally by the mnist1d package (an optional extra)."""
import sys

import numpy as np
import pytest

from dagnet import datasets, mnist1d


@pytest.mark.slow
def test_mnist1d_is_the_published_split_of_40_values_and_10_classes():
    pytest.importorskip("mnist1d")
    state = np.random.get_state()[1].copy()
    X, Y = datasets.load("mnist1d")
    X_test, Y_test = datasets.load("mnist1d", split="test")
    assert X.shape == (4000, 40) and Y.shape == (4000, 1) and X_test.shape == (1000, 40) and Y_test.shape == (1000, 1)
    assert set(np.unique(Y)) == set(np.unique(Y_test)) == set(range(10))
    assert np.isfinite(X).all() and not (X[:, None, :] == X_test[None, :200, :]).all(axis=2).any()
    assert np.array_equal(np.random.get_state()[1], state)        # the global random state is put back
    from mnist1d.data import get_dataset_args, make_dataset     # the package's own published arguments
    args = get_dataset_args()
    assert (args.num_samples, args.train_split, args.seed) == (5000, 0.8, 42)
    made = make_dataset(args)
    assert np.array_equal(made["x"], X) and np.array_equal(made["y_test"], Y_test.ravel())


def test_without_the_package_mnist1d_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mnist1d", None)
    monkeypatch.setitem(sys.modules, "mnist1d.data", None)
    mnist1d.published_split.cache_clear()
    try:
        with pytest.raises(ValueError, match=r'the data set mnist1d needs the mnist1d package: pip install "dagnet\[mnist1d\]"'):
            datasets.load("mnist1d")
    finally:
        mnist1d.published_split.cache_clear()


def test_a_published_set_refuses_a_size_noise_or_unknown_split():
    with pytest.raises(ValueError, match="published data set"):
        datasets.load("mnist1d", n_samples=100)
    with pytest.raises(ValueError, match="split must be one of train, test"):
        datasets.load("mnist1d", split="validation")
    assert "mnist1d" in datasets.names() and "mnist1d" not in datasets.names(published=False)
