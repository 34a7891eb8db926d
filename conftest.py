"""Doctest collection: skip modules whose optional dependency is not installed."""
import importlib.util

collect_ignore = [] if importlib.util.find_spec("sklearn") else ["dagnet/sklearn.py"]
