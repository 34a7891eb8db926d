"""A session on a network of the caller's own: what the notebook widget shows and edits.

An :class:`AttachedSession` is a :class:`~dagnet.playground.session.Session`
whose network is the caller's object, never a copy: training updates its
``params``, and an edit from the page (an edge, a perceptron, an
activation, the loss, new topology text) changes it in place
(:func:`~dagnet.playground.edits.adopt`), so ``net.graph`` shows it. The
other way round, a change made to the network from outside the session
(``dagnet.edits``, ``dagnet.prune(..., inplace=True)``, a new ``params``, ``fit``) shows
too: new weights in the next frame, which copies them, and a new
structure (its plan replaced) through :meth:`AttachedSession.sync`, which
every frame, every state and every training slice calls first. Its data
may be the caller's arrays (the data setting ``own``).

Examples
--------
>>> import dagnet, numpy as np
>>> net = dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0)
>>> X, Y = dagnet.datasets.load("moons", n_samples=60)
>>> session = AttachedSession(net, X, Y)
>>> session.control("step")["epoch"], session.net is net
(1, True)
>>> _ = session.edit("toggle_edge", source="in_x", target="out")
>>> net.graph.has_edge("in_x", "out")
True
>>> _ = dagnet.edits.remove_edge(net, "in_x", "out")       # changed in Python: the session follows
>>> session.state()["version"] > 2, len(session.state()["edges"])
(True, 15)
>>> session.close()
"""
import weakref

from . import edits, samples
from .session import Session

#: The name the page shows for data given as arrays.
OWN_DATA = "your data (X, Y)"
#: The latest session on each network: a new one pauses it, so that two never train one network at once
#: (a notebook cell run again makes a new widget while the old one may still play).
LATEST = weakref.WeakKeyDictionary()


class AttachedSession(Session):
    """A session training and editing ``net`` itself (see the module's docstring).

    Parameters
    ----------
    net : Network
        The caller's network: the session changes it, and follows its changes.
    X, Y : array-like or None
        The data, (n_samples, n_inputs) and (n_samples,) or (n_samples,
        n_targets); None for a built-in data set named in ``data``.
    data : dict or None
        Data settings (see :func:`~dagnet.playground.settings.check_data_settings`).
    training : dict or None
        Training settings (see :func:`~dagnet.playground.settings.check_training_settings`).
    """

    def __init__(self, net, X=None, Y=None, data=None, training=None):
        if (X is None) != (Y is None):
            raise ValueError("give both X and Y, or neither (for a built-in data set)")
        data = dict(data or {})
        table = None
        if X is not None:
            table = samples.from_arrays(X, Y, source=OWN_DATA)
            data["own"] = OWN_DATA
        super().__init__(edits.structure_text(net), data=data, training=training, net=net, table=table)
        previous = LATEST.get(net)
        if previous is not None and not previous.closed:
            previous.control("pause")
        LATEST[net] = self

    def install(self, net, start):
        """Give the caller's network the structure and values of ``net`` (in place), then install it."""
        if self.net is not None and net is not self.net:
            built = net
            net = edits.adopt(self.net, built)
            start = edits.carry(start, built.plan, net.plan, net.params)
        super().install(net, start)

    def sync(self):
        """Take up a structure the network was given from outside the session; True if there was one.

        The start weights and the optimiser's state move to the new
        structure (surviving weights keep theirs), the text is written
        anew and the version goes up, so the page redraws the graph.
        """
        with self.lock:
            if self.net.plan is self.plan:
                return False
            self.text = edits.structure_text(self.net)
            self.install(self.net, edits.carry(self.start, self.plan, self.net.plan, self.net.params))
            return True

    # every way in looks for a structure changed from outside first
    def state(self):
        self.sync()
        return super().state()

    def control(self, action):
        self.sync()
        return super().control(action)

    def edit(self, op, **arguments):
        self.sync()
        return super().edit(op, **arguments)

    def apply_text(self, text):
        self.sync()
        return super().apply_text(text)

    def set_data(self, settings):
        self.sync()
        return super().set_data(settings)

    def draw(self, r, node, edge):
        self.sync()
        return super().draw(r, node, edge)

    def play_slice(self):
        self.sync()
        super().play_slice()
