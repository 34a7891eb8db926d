"""Pictures of training: loss curves, and GIFs of the decision regions as a network learns.

Examples
--------
>>> import dagnet, numpy as np
>>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
>>> recorder = TrainingRecorder(net, epochs=50, frames=5)
>>> sorted(recorder.frame_epochs)
[0, 1, 3, 7, 19, 50]
>>> history = net.fit(np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0]),
...                   epochs=50, lr=2.0, batch_size=1, seed=0, callback=recorder, verbose=False)
>>> recorder.finish(history)
>>> [epoch for epoch, _, _ in recorder.snapshots]
[0, 1, 3, 7, 19, 50]
"""
import os

import numpy as np

from .figures import finish, gif_frame, require_matplotlib, save_gif
from .plane import accuracy, draw_regions, require_two_inputs
from .style import BLUE, ORANGE


def _history_lists(history):
    if hasattr(history, "as_dict"):
        return history.as_dict()
    if isinstance(history, dict):
        return history
    return {"loss": list(history)}


def loss_curves(history, path=None, title=None, log=None, dpi=120):
    """Training and validation loss per epoch, and accuracy beside it when recorded.

    Parameters
    ----------
    history : History, its ``as_dict()``, or a list of losses
    log : bool or None
        Logarithmic loss axis; None chooses it when the loss spans more than
        two decades.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _, Figure = require_matplotlib()
    h = _history_lists(history)
    loss = list(h.get("loss") or [])
    if not loss:
        raise ValueError("no epochs recorded: nothing to plot")
    with_accuracy = bool(h.get("accuracy"))
    fig = Figure(figsize=(9.5 if with_accuracy else 5.6, 3.8), layout="constrained")
    axes = fig.subplots(1, 2 if with_accuracy else 1, squeeze=False)[0]
    epochs = np.arange(1, len(loss) + 1)
    ax = axes[0]
    ax.plot(epochs, loss, color=BLUE, lw=1.6, label="training")
    val = list(h.get("val_loss") or [])
    if val:
        ax.plot(np.arange(1, len(val) + 1), val, color=ORANGE, lw=1.6, label="validation")
    values = np.array([v for v in loss + val if np.isfinite(v)])
    if log is None:
        log = bool(len(values) and values.min() > 0 and values.max() / values.min() > 100)
    if log:
        ax.set_yscale("log")
    kept = h.get("weights_epoch") or len(loss)          # the epoch whose weights the network holds
    marked = kept if kept != len(loss) else None
    for a in axes:
        if marked:
            a.axvline(marked, color="#888888", ls=":", lw=1)
        a.set_xlabel("epoch")
        a.grid(alpha=0.3)
    ax.set_ylabel("loss E")
    ax.legend(fontsize=8, title=f"weights kept: epoch {marked}" if marked else None, title_fontsize=8)
    if with_accuracy:
        acc = axes[1]
        acc.plot(np.arange(1, len(h["accuracy"]) + 1), h["accuracy"], color=BLUE, lw=1.6, label="training")
        if h.get("val_accuracy"):
            acc.plot(np.arange(1, len(h["val_accuracy"]) + 1), h["val_accuracy"], color=ORANGE, lw=1.6,
                     label="validation")
        acc.set_ylabel("accuracy")
        acc.set_ylim(-0.02, 1.02)
        acc.legend(fontsize=8)
    at = f" (epoch {kept}, whose weights are kept)" if marked else ""
    # the figures measured on the kept weights after training, else those recorded for their epoch
    figures = {"loss": loss[kept - 1], **({"accuracy": h["accuracy"][kept - 1]} if with_accuracy else {}),
               **(h.get("kept") or {})}
    final = f"loss {figures['loss']:.4g}" + (f", accuracy {figures['accuracy']:.3f}" if with_accuracy else "")
    fig.suptitle(f"{title + ': ' if title else ''}{len(loss)} epochs, {final}{at}", fontsize=10)
    return finish(fig, path, dpi)


class TrainingRecorder:
    """A ``fit`` callback that keeps copies of the parameters at chosen epochs, for animations.

    Frames are spread geometrically over the epochs (training changes most
    early on); epoch 0, the start, is recorded when the recorder is made.
    ``snapshots`` is a list of ``(epoch, parameter vector, loss)``; ``then``
    is another callback called after it.
    """

    def __init__(self, net, epochs, frames=30, then=None):
        self.net = net
        self.frame_epochs = {0} | {int(round(e)) for e in np.geomspace(1, max(epochs, 1), max(frames, 1))}
        self.snapshots = [(0, net.params.copy(), None)]
        self.then = then

    def __call__(self, epoch, history):
        if epoch in self.frame_epochs:
            self.snapshots.append((epoch, self.net.params.copy(), history.loss[-1]))
        if self.then is not None:
            return self.then(epoch, history)
        return None

    def finish(self, history):
        """Record the last epoch too (training may stop before the planned end)."""
        if history.epochs and self.snapshots[-1][0] != history.epochs:
            self.snapshots.append((history.epochs, self.net.params.copy(), history.loss[-1]))


def animate(net, X, Y, snapshots, path, resolution=100, fps=6, dpi=80, title=None):
    """Write a GIF of the decision regions at each snapshot ``(epoch, params, loss)``.

    The network's parameters are restored afterwards. Returns the Figure
    (showing the last frame).
    """
    require_two_inputs(net, "decision-region animations")
    _, Figure = require_matplotlib()
    path = os.fspath(path)
    if not path.lower().endswith(".gif"):
        raise ValueError(f"animations are written as GIF; {path!r} should end in .gif")
    keep = net.params.copy()
    fig = Figure(figsize=(5.0, 4.4), dpi=dpi, layout="constrained")
    ax = fig.add_subplot()
    name = title if title is not None else (net.name or "network")
    frames = []
    try:
        for epoch, params, loss in snapshots:
            net.params[:] = params
            ax.clear()
            artists = draw_regions(ax, net, X, Y, resolution)
            text = f"{name}: epoch {epoch}"
            if loss is not None:
                text += f", loss {loss:.4g}"
            if Y is not None and artists["labels"] is not None:
                text += f", accuracy {accuracy(net, X, artists['labels']):.2f}"
            ax.set_title(text, fontsize=9)
            frames.append(gif_frame(fig))
    finally:
        net.params[:] = keep
    save_gif(frames, path, fps=fps)
    return fig


def animate_training(net, X, Y, path, fit_kwargs=None, frames=30, resolution=100, fps=6, dpi=80):
    """Train ``net`` on (X, Y) and write a GIF of its decision regions evolving.

    Parameters
    ----------
    net : Network with two inputs
        Trained in place by ``net.fit(X, Y, **fit_kwargs)``.
    X : array of shape (n_samples, 2)
    Y : array of shape (n_samples, n_outputs) or labels
    path : str
        A ``.gif`` file.
    fit_kwargs : dict or None
        Passed to :meth:`Network.fit` (``epochs``, ``lr``, ...); a
        ``callback`` there is still called.
    frames : int
        About this many frames, spread geometrically over the epochs.

    Returns
    -------
    matplotlib.figure.Figure
        The last frame; ``fig.history`` is the History of the training run.
    """
    require_two_inputs(net, "decision-region animations")
    require_matplotlib()
    fit_kwargs = dict(fit_kwargs or {})
    fit_kwargs.setdefault("verbose", False)
    recorder = TrainingRecorder(net, fit_kwargs.get("epochs", 100), frames,
                                then=fit_kwargs.pop("callback", None))
    history = net.fit(X, Y, callback=recorder, **fit_kwargs)
    recorder.finish(history)
    fig = animate(net, X, Y, recorder.snapshots, path, resolution=resolution, fps=fps, dpi=dpi)
    fig.history = history
    return fig
