"""dagnet's fuzzers: one module per reader, each defining ``TARGET`` (see harness.py)."""

#: The readers fuzzed, by name: ``fuzz/<name>.py`` defines ``TARGET`` (or the module MODULES names).
TARGETS = ["topology", "experiment", "csv", "neat_json", "playground"]

#: Modules whose name is not the reader's: ``fuzz/csv.py`` would shadow the standard ``csv``
#: module for code run from inside this folder.
MODULES = {"csv": "csv_table"}


def target(name):
    """The ``Target`` of the reader called ``name``."""
    import importlib
    return importlib.import_module(f"fuzz.{MODULES.get(name, name)}").TARGET
