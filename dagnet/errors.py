"""dagnet's errors: one base that knows its source, and one way to suggest a near miss."""
from difflib import get_close_matches


class DagnetError(ValueError):
    """A file or value dagnet cannot use; the message names where the problem is.

    ``source`` is the file (or None), ``key`` the key path or line inside
    it, ``problem`` the message alone.

    Examples
    --------
    >>> raise TopologyError("unknown node 'hiden'", source="net.yaml", key="edges[0].to")
    Traceback (most recent call last):
    ...
    dagnet.errors.TopologyError: net.yaml: edges[0].to: unknown node 'hiden'
    """

    def __init__(self, message, source=None, key=None):
        self.problem = message
        self.source = source
        self.key = key
        where = [str(part) for part in (source, key) if part]
        super().__init__(": ".join(where + [message]))


class TopologyError(DagnetError):
    """A topology (file, YAML text or graph) that dagnet cannot build."""


class ExperimentError(DagnetError):
    """An experiment file (``dagnet sweep``) that cannot run."""


class CSVError(DagnetError):
    """A CSV file of samples (for training, prediction or a sweep) that dagnet cannot read."""


def suggest(name, known):
    """``" (did you mean 'x'?)"`` for the closest of ``known``, or ``""``.

    >>> suggest("sigmiod", ["sigmoid", "tanh"])
    " (did you mean 'sigmoid'?)"
    """
    text = {str(k): k for k in known}
    close = get_close_matches(str(name), list(text), n=1, cutoff=0.5)
    return f" (did you mean {text[close[0]]!r}?)" if close else ""
