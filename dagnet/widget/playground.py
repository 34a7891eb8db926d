"""The notebook widget: :class:`Playground`, an anywidget on a session training the caller's network.

Imported through :mod:`dagnet.widget` (which says what to install when
anywidget is missing).
"""
import anywidget

from ..playground.attached import AttachedSession
from ..playground.edits import from_text
from ..playground.topologies import DEFAULT_TEXT
from . import bundle
from .channel import Channel


class Playground(anywidget.AnyWidget):
    """The playground in a notebook cell: ``net`` drawn, trained, inspected and edited live.

    Press play and the network trains in a thread (the kernel stays free);
    the decision regions, every perceptron's z_j map and the loss curves
    redraw as it learns; hovering a perceptron shows its s_j, z_j and δ_j
    over the training samples; clicking two nodes adds (or removes) the
    edge between them, and the menu adds perceptrons and changes
    activations (each edit written into the topology text only where it
    changes the network). Both ways: an edit in the widget changes ``net`` itself
    (``net.graph``, ``net.params``), and ``net`` changed in Python
    (``fit``, :mod:`dagnet.edits`, ``dagnet.prune(net, inplace=True)``, new weights) shows in
    the widget within half a second (:meth:`refresh` at once). Pause the
    widget before changing ``net`` in Python while it plays.

    Parameters
    ----------
    net : Network or None
        The network (default: the Backpropagation Tutorial's 2-5-1 network).
    X, Y : array-like or None
        The data, (n_samples, n_inputs) and (n_samples,) or (n_samples,
        n_targets), at most 5,000 samples; or None for a built-in data set.
    data : str or dict or None
        A built-in data set by name (``"moons"``, ``"circles"``, ...: see
        :mod:`dagnet.datasets`), or data settings (``name``, ``n_samples``,
        ``noise``, ``data_seed``, ``test_fraction``).
    lr, batch_size, optimizer, seed, speed
        Training settings (default: SGD, η = 0.5, one sample at a time, as
        the tutorial trains; ``speed`` limits epochs per second).

    Examples
    --------
    >>> from dagnet.widget import Playground                            # doctest: +SKIP
    >>> net = dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0)     # doctest: +SKIP
    >>> Playground(net, data="moons")                                   # doctest: +SKIP
    """

    _esm = bundle.esm()

    def __init__(self, net=None, X=None, Y=None, data=None, **training):
        if net is None:
            net, _ = from_text(DEFAULT_TEXT, seed=training.get("seed", 0))
        settings = {"name": data} if isinstance(data, str) else dict(data or {})
        super().__init__()
        self.session = AttachedSession(net, X, Y, data=settings, training=training)
        self.channel = Channel(self.session)
        self.on_msg(self._received)

    def _received(self, widget, content, buffers):
        with self.session.giving_way():       # training waits while a reply is made and sent
            reply, reply_buffers = self.channel.answer(content)
            self.send(reply, reply_buffers)

    @property
    def net(self):
        """The network the widget shows: the one it was given, changed by its edits and training."""
        return self.session.net

    @property
    def epoch(self):
        """Epochs trained since the widget opened (or was reset)."""
        return self.session.epoch

    @property
    def playing(self):
        return self.session.playing

    def curve(self):
        """The loss per sample per recorded epoch: ``{"epoch", "train", "test"}`` lists (thinned on long runs)."""
        with self.session.lock:
            return self.session.curve.as_dict()

    def play(self):
        """Train in the background until :meth:`pause` (or a divergence); returns at once."""
        self.session.control("play")
        self.refresh()

    def pause(self):
        """Stop training (within a few milliseconds)."""
        self.session.control("pause")
        self.refresh()

    def step(self, epochs=1):
        """Train ``epochs`` epochs now (paused afterwards)."""
        for _ in range(epochs):
            self.session.control("step")
        self.refresh()

    def reset(self):
        """Back to the weights the widget started with (epoch 0)."""
        self.session.control("reset")
        self.refresh()

    def refresh(self):
        """Redraw now: take up a change made to :attr:`net` in Python and tell the page."""
        self.session.sync()
        self.send({"event": "changed"})

    def close(self):
        """Stop training and close the widget."""
        self.session.close()
        super().close()
