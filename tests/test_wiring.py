"""Graph walks on arrays (dagnet.wiring): the plain-Python walk of small graphs equals the array walk."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dagnet import wiring


def _both(function, *args):
    """``function(*args)`` by the array walk and by the small-graph walk (or the error each raises)."""
    out = []
    for small in (-1, 10**9):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(wiring, "SMALL", small)
            try:
                out.append(function(*args))
            except ValueError as err:
                out.append(str(err))
    return out


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 12), data=st.data())
def test_small_graphs_walk_as_the_arrays_do(n, data):
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=30, unique=True))
    acyclic = data.draw(st.booleans())
    if acyclic:        # edges from lower to higher index only; else anything, cycles included
        pairs = [(min(a, b), max(a, b)) for a, b in pairs if a != b]
        pairs = list(dict.fromkeys(pairs))
    src = np.array([a for a, _ in pairs], dtype=np.intp)
    dst = np.array([b for _, b in pairs], dtype=np.intp)
    arrays, small = _both(wiring.generations, n, src, dst)
    assert type(arrays) is type(small) and np.array_equal(arrays, small)
    if not isinstance(arrays, str):
        targets = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3))
        arrays, small = _both(wiring.reaches, n, src, dst, targets)
        assert arrays.dtype == small.dtype == bool and np.array_equal(arrays, small)


def test_a_cycle_is_refused_by_either_walk():
    src, dst = np.array([0, 1, 2]), np.array([1, 2, 1])
    assert _both(wiring.generations, 3, src, dst) == ["the edges make a cycle"] * 2


@pytest.mark.parametrize("n, high", [(10, 5), (4095, 3), (4096, 70_000), (50_000, 2**32 - 1), (6000, 2**40)])
def test_stable_order_is_numpys_stable_argsort_small_and_large(n, high):
    """Small arrays take one sort, large ones two 16-bit radix passes: both give argsort's stable order."""
    values = np.random.default_rng(n).integers(0, high, n)
    assert np.array_equal(wiring.stable_order(values), np.argsort(values, kind="stable"))
