"""A session's frames: what the page draws, computed while training gives way.

:class:`Frames` is the part of :class:`~dagnet.playground.session.Session`
that answers the page's frame requests: it copies the parameter vector
under the session's lock and computes the pictures from that copy on a
network of its own, so drawing never holds training up.
"""
import contextlib
import time

import numpy as np

from . import limits, pictures


class Frames:
    """Frames of a session (mixed into :class:`~dagnet.playground.session.Session`, whose state it reads)."""

    @contextlib.contextmanager
    def giving_way(self):
        """Within this block the training thread waits (it resumes when the last such block ends).

        A frame takes a few milliseconds; two threads taking turns at the
        interpreter's lock would make both slower (and the page wait).
        """
        with self.frames_lock:
            self.frames_pending += 1
            self.no_frames.clear()
        try:
            yield
        finally:
            with self.frames_lock:
                self.frames_pending -= 1
                if not self.frames_pending:
                    self.no_frames.set()

    def frame(self, r=100, node=None, edge=None):
        """A live frame: the output picture, z_j maps, losses, weights, and details of ``node`` or ``edge``.

        Training gives way while it is computed (see :meth:`giving_way`);
        ``compute_ms`` says how long that took.
        """
        started = time.perf_counter()
        with self.giving_way(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            out = self.draw(r, node, edge)
        out["compute_ms"] = round(1000 * (time.perf_counter() - started), 2)
        return out

    def draw(self, r, node, edge):
        """The body of :meth:`frame`."""
        if not (isinstance(r, int) and limits.GRID[0] <= r <= limits.GRID[1]):
            raise ValueError(f"grid must be a whole number from {limits.GRID[0]} to {limits.GRID[1]}, got {r!r}")
        with self.lock:
            self.last_seen = time.monotonic()
            if self.frame_net is None:
                self.frame_net = self.net.copy()
            frame_net, data, params = self.frame_net, self.data, self.net.params.copy()
            status, curve = self.status(), self.curve.as_dict()
        out = {**status, "curve": curve, "weights": params[self.edge_slots], "biases": params[self.bias_slots]}
        if data is None:
            return out
        if node is not None and node not in frame_net.graph:
            raise ValueError(f"no node {node!r}")
        if edge is not None and (not isinstance(edge, list) or len(edge) != 2 or
                                 not all(isinstance(end, (str, int)) for end in edge) or
                                 not frame_net.graph.has_edge(*edge)):
            raise ValueError(f"no edge {edge!r}")
        with self.frame_lock:
            frame_net.params = params
            out.update(pictures.measure(frame_net, data))
            Z = pictures.plane_activations(frame_net, data, r)
            out["picture"] = pictures.output_picture(frame_net, data, r, Z)
            out["maps"] = pictures.neuron_maps(frame_net, data, r, limits.MAX_MAPS, Z)
            if node is not None:
                out["node"] = pictures.node_details(frame_net, data, node)
            if edge is not None:
                out["edge"] = pictures.edge_details(frame_net, data, *edge)
        return out
