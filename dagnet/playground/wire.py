"""Frames and states as they travel: JSON for the HTTP routes, binary buffers for the notebook widget.

A session's frames and states hold their many numbers (the output
picture and z_j maps as bytes, the weights, the data's points) as numpy
arrays and ``bytes``. :func:`to_json` makes plain JSON data of them, as the
HTTP routes send it: bytes as base64 text, arrays as (nested) lists with
NaN and infinities as None. :func:`to_buffers` keeps them binary, as the
widget sends them (Jupyter messages carry binary buffers beside their
JSON): each becomes ``{"$buffer": k, "dtype": ..., "shape": [...]}`` and
its bytes the k-th buffer; the page's ``unpack`` (``static/channel.js``)
turns them back into typed arrays.

Examples
--------
>>> import numpy as np
>>> to_json({"map": b"\\x00\\x80\\xff", "w": np.array([0.5, np.nan])})
{'map': 'AID/', 'w': [0.5, None]}
>>> message, buffers = to_buffers({"map": b"\\x00\\x80\\xff", "w": np.array([0.5, 2.0])})
>>> message, [bytes(b) for b in buffers][0], len(buffers[1])
({'map': {'$buffer': 0, 'dtype': 'uint8', 'shape': [3]}, 'w': {'$buffer': 1, 'dtype': 'float64', 'shape': [2]}}, b'\\x00\\x80\\xff', 16)
"""
import base64

import numpy as np

#: Array types a page can read as typed arrays, and what other types are sent as.
_DTYPES = {np.dtype(np.uint8): "uint8", np.dtype(np.bool_): "uint8", np.dtype(np.int32): "int32",
           np.dtype(np.int64): "int32", np.dtype(np.intp): "int32", np.dtype(np.float64): "float64",
           np.dtype(np.float32): "float64"}


def _finite(value):
    return value if np.isfinite(value) else None


def to_json(value):
    """``value`` as plain JSON data: bytes as base64 text, arrays as lists, non-finite floats as None."""
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            flat = [_finite(v) for v in value.ravel().tolist()]
            return flat if value.ndim == 1 else [flat[i:i + value.shape[1]]
                                                 for i in range(0, len(flat), value.shape[1])]
        return value.tolist()
    if isinstance(value, float):
        return _finite(value)
    return value


def to_buffers(value):
    """``(message, buffers)``: ``value`` with every array and bytes object moved to a binary buffer."""
    buffers = []

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [walk(x) for x in v]
        if isinstance(v, (bytes, bytearray)):
            v = np.frombuffer(v, dtype=np.uint8)
        if isinstance(v, np.ndarray):
            if v.dtype not in _DTYPES or v.ndim > 2:
                raise TypeError(f"cannot send an array of {v.dtype} with {v.ndim} dimensions")
            kind = _DTYPES[v.dtype]
            buffers.append(np.ascontiguousarray(v, dtype=kind).tobytes())
            return {"$buffer": len(buffers) - 1, "dtype": kind, "shape": list(v.shape)}
        if isinstance(v, float):
            return _finite(v)
        return v

    return walk(value), buffers
