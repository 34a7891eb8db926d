"""Sparse networks: sparse initialisation, and topologies that rewire themselves while they learn.

- :mod:`.init`: which edges of a dense topology to keep (Erdős–Rényi, ERK,
  uniform densities per perceptron's fan-in): :func:`sparsify`, and every
  generator's ``density=`` option;
"""
from .init import DISTRIBUTIONS, keep_mask, sparsify

__all__ = ["DISTRIBUTIONS", "keep_mask", "sparsify"]
