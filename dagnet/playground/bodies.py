"""Request bodies: read within the playground's size and time limits, and read as JSON objects of bounded depth.

A reply to a bad body is a :class:`RequestError`: its HTTP status and one
line saying what is wrong (the server turns it into ``{"error": ...}``).

Examples
--------
>>> json_object(b'{"action": "play"}')
{'action': 'play'}
>>> json_object(b'{"a": ' + b'[' * 20 + b']' * 20 + b'}')
Traceback (most recent call last):
...
dagnet.playground.bodies.RequestError: the request body nests lists and objects more than 16 deep
"""
import json

from . import limits


class RequestError(Exception):
    """A request the server refuses: its status, message and (for topology text) the line."""

    def __init__(self, status, message, line=None):
        super().__init__(message)
        self.status, self.message, self.line = status, message, line


def deeper_than(value, depth):
    """True when ``value`` (parsed JSON) nests lists and objects more than ``depth`` deep.

    >>> deeper_than([1, {"a": [2]}], 3), deeper_than([1, {"a": [2]}], 2), deeper_than(5, 0)
    (False, True, False)
    """
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(depth):
        level = [child for item in level for child in (item.values() if isinstance(item, dict) else item)
                 if isinstance(child, (dict, list))]
    return bool(level)


def json_object(body, what="the request body"):
    """The JSON object of ``body`` (bytes; empty is ``{}``), or RequestError 400 saying why not."""
    try:
        value = json.loads(body.decode("utf-8")) if body else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise RequestError(400, f"{what} is not JSON: {err}") from None
    except RecursionError:           # json's own bound on nesting, far deeper than ours
        value = None
        deep = True
    else:
        deep = deeper_than(value, limits.MAX_JSON_DEPTH)
    if deep:
        raise RequestError(400, f"{what} nests lists and objects more than {limits.MAX_JSON_DEPTH} deep")
    if not isinstance(value, dict):
        raise RequestError(400, f"{what} must be a JSON object, got {type(value).__name__}")
    return value


async def read_body(request):
    """The body of a starlette ``request``: RequestError 413 past ``limits.MAX_BODY``, 408 past ``limits.BODY_SECONDS``."""
    import anyio
    over = RequestError(413, f"the request body is over the limit of {limits.MAX_BODY // 2**20} MiB")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limits.MAX_BODY):
        raise over
    chunks, size = [], 0
    try:
        with anyio.fail_after(limits.BODY_SECONDS):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limits.MAX_BODY:
                    raise over
                chunks.append(chunk)
    except TimeoutError:
        raise RequestError(408, f"the request body took over {limits.BODY_SECONDS:g} s to arrive") from None
    return b"".join(chunks)
