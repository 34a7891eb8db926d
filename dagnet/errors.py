"""The one exception a broken topology raises."""


class TopologyError(ValueError):
    """A topology (file, YAML text or graph) that dagnet cannot build.

    The message names where the problem is: the file (when there is one),
    the key path inside it, and the node or edge at fault.

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


def suggest(name, known):
    """Return ``" (did you mean 'x'?)"`` for the closest of ``known``, or ``""``."""
    from difflib import get_close_matches

    text = {str(k): k for k in known}
    close = get_close_matches(str(name), list(text), n=1, cutoff=0.5)
    return f" (did you mean {text[close[0]]!r}?)" if close else ""
