"""Hooks into :func:`dagnet.training.fit`: at its start, after chosen update steps, after each epoch, at its end.

``fit(..., callback=...)`` takes a plain function ``f(epoch, history)``
(called after every epoch; returning False stops training), a
:class:`Callback`, or a list of either. A :class:`Callback` overrides the
methods it needs:

- ``on_fit_begin(net, optimizer, steps_per_epoch, epochs)``: before the first update;
- ``on_step(net, optimizer, step, X, Y)``: after update number ``step``
  (counted from 1 over the whole ``fit``) whenever ``step`` is a multiple
  of the callback's :attr:`Callback.every`; ``X``, ``Y`` are that update's
  batch (checked float64 arrays);
- ``on_epoch_end(net, epoch, history)``: after each epoch; False stops;
- ``on_fit_end(net, history)``: after the last epoch (also when stopped early).

A callback may change the network's structure (with :mod:`dagnet.edits`,
passing it ``optimizer`` so the optimiser's state follows the surviving
parameters): ``fit`` picks up the new parameter vector and engine at once.
The native kernel's whole-epoch loop still runs: an epoch is cut into runs
of updates at the steps where an ``on_step`` is due, so a callback that is
due every 100 steps costs no speed in between.

Examples
--------
>>> import dagnet, numpy as np
>>> class Count(Callback):
...     every = 2
...     def __init__(self):
...         self.steps = []
...     def on_step(self, net, optimizer, step, X, Y):
...         self.steps.append((step, len(X)))
>>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); Y = np.array([0, 1, 1, 0])
>>> counter = Count()
>>> _ = net.fit(X, Y, epochs=3, batch_size=2, verbose=False, callback=counter)
>>> counter.steps                                  # 2 updates an epoch, 6 in all
[(2, 2), (4, 2), (6, 2)]
"""


class Callback:
    """Base class of a ``fit`` callback: every hook does nothing until overridden.

    Attributes
    ----------
    every : int or None
        ``on_step`` is called after every ``every``-th update; None (the
        default) never calls it.
    """

    every = None

    def on_fit_begin(self, net, optimizer, steps_per_epoch, epochs):
        """Before the first update; ``steps_per_epoch`` updates make an epoch."""

    def on_step(self, net, optimizer, step, X, Y):
        """After update ``step`` (1-based over the fit), when ``step % every == 0``."""

    def on_epoch_end(self, net, epoch, history):
        """After epoch ``epoch`` (1-based) is recorded in ``history``; return False to stop."""

    def on_fit_end(self, net, history):
        """After training, whether it ran out of epochs or stopped early."""


class EpochFunction(Callback):
    """A plain ``f(epoch, history)`` as a :class:`Callback` (its ``on_epoch_end``)."""

    def __init__(self, function):
        self.function = function

    def on_epoch_end(self, net, epoch, history):
        return self.function(epoch, history)


def as_callbacks(callback):
    """``callback`` (None, a function, a Callback, or a list of them) as a list of Callbacks."""
    if callback is None:
        return []
    items = list(callback) if isinstance(callback, (list, tuple)) else [callback]
    out = []
    for item in items:
        if isinstance(item, Callback):
            every = item.every
            if every is not None and (isinstance(every, bool) or not isinstance(every, int) or every < 1):
                raise ValueError(f"{type(item).__name__}.every must be a whole number >= 1 or None, "
                                 f"got {every!r}")
            out.append(item)
        elif callable(item):
            out.append(EpochFunction(item))
        else:
            raise TypeError(f"callback must be a function f(epoch, history), a dagnet.callbacks.Callback "
                            f"or a list of them, got {item!r}")
    return out


class Hooks:
    """The callbacks of one ``fit``, and the step counter they share."""

    def __init__(self, callbacks):
        self.callbacks = callbacks
        self.stepping = [c for c in callbacks if c.every is not None]
        self.step = 0          # updates made so far in this fit

    def begin(self, net, optimizer, steps_per_epoch, epochs):
        for c in self.callbacks:
            c.on_fit_begin(net, optimizer, steps_per_epoch, epochs)

    def stops(self, n_batches):
        """The batch counts (1..n_batches) of this epoch after which an ``on_step`` is due, ascending."""
        due = set()
        for c in self.stepping:
            first = c.every - self.step % c.every
            due.update(range(first, n_batches + 1, c.every))
        return sorted(due)

    def after(self, net, optimizer, batches, X, Y):
        """``batches`` more updates were made; call each ``on_step`` now due with the last batch ``X``, ``Y``."""
        self.step += batches
        for c in self.stepping:
            if self.step % c.every == 0:
                c.on_step(net, optimizer, self.step, X, Y)

    def epoch_end(self, net, epoch, history):
        """True when every callback lets training go on."""
        go_on = True
        for c in self.callbacks:
            go_on = (c.on_epoch_end(net, epoch, history) is not False) and go_on
        return go_on

    def end(self, net, history):
        for c in self.callbacks:
            c.on_fit_end(net, history)
