"""dagnet's fuzzers: one module per reader, each defining ``TARGET`` (see harness.py)."""

#: The readers fuzzed, by name: ``fuzz/<name>.py`` defines ``TARGET``.
TARGETS = ["topology", "experiment", "neat_json", "playground"]


def target(name):
    """The ``Target`` of the reader called ``name``."""
    import importlib
    return importlib.import_module(f"fuzz.{name}").TARGET
