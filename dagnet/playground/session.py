"""One tab's playground: a network, its data, an optimiser and a training thread, behind one lock.

A :class:`Session` owns everything a page changes. Its training thread
runs mini-batch updates in slices of about 5 ms while the session plays,
taking the lock for each slice; a frame takes the lock only to copy the
parameter vector and draws from that copy on a network of its own, so
drawing never holds training up (and training never holds a frame up for
longer than one slice). Edits replace the network under the lock and
carry every surviving weight, start weight and optimiser moment over
(:mod:`dagnet.playground.edits`). Two tabs have two sessions, so they
never share a network.

Examples
--------
>>> session = Session()
>>> session.control("step")["epoch"]
1
>>> frame = session.frame(r=40)
>>> frame["picture"]["kind"], len(frame["maps"]["nodes"])
('heat', 8)
>>> session.close()
"""
import math
import threading
import time

import numpy as np

from ..errors import TopologyError
from ..optimizers import make_optimizer
from . import describe, edits, pictures, samples, textedits
from .curve import Curve
from .frames import Frames
from .settings import check_data_settings, check_training_settings
from .topologies import DEFAULT_TEXT

#: Longest time the training thread holds the lock in one go (seconds): a frame waits at most this.
SLICE = 0.005
#: A session that plays while no page has asked for a frame for this long pauses (seconds).
UNWATCHED = 300


class Session(Frames):
    """A network being edited and trained, with its data; every method is thread-safe.

    Parameters
    ----------
    text : str or None
        Topology YAML (default: the Backpropagation Tutorial's 2-5-1 network).
    data : dict or None
        Data settings (see :func:`~dagnet.playground.settings.check_data_settings`).
    training : dict or None
        Training settings (see :func:`~dagnet.playground.settings.check_training_settings`).
    source : str or None
        The file the text came from, for error messages.
    net : Network or None
        The network to start from, instead of the text's (then ``text`` is its structure).
    table : Table or None
        The data, when the data settings name it ``own`` (see :mod:`dagnet.playground.attached`).
    """

    def __init__(self, text=None, data=None, training=None, source=None, net=None, table=None):
        self.lock = threading.RLock()
        self.frame_lock = threading.Lock()
        self.wake = threading.Event()
        self.frames_pending = 0                 # frames being drawn: training gives way meanwhile
        self.frames_lock = threading.Lock()
        self.no_frames = threading.Event()
        self.no_frames.set()
        self.closed = False
        self.thread = None
        self.last_seen = time.monotonic()
        self.training = check_training_settings(training or {})
        self.data_settings = check_data_settings(data or {})
        self.text = text if text is not None else DEFAULT_TEXT
        self.source = source
        if net is None:
            net, _ = edits.from_text(self.text, seed=self.training["seed"], source=source)
        self.version = 0
        self.net = self.plan = None
        self.table = table
        self.install(net, start=net.params.copy())
        self.start_seed = self.training["seed"]
        self.load_table()
        self.restart()

    # -- the network ---------------------------------------------------------

    def install(self, net, start):
        """Make ``net`` the session's network with ``start`` weights; carry the optimiser's state from :attr:`plan`."""
        optimizer = getattr(self, "optimizer", None)
        if self.plan is not None and optimizer is not None:
            optimizer.state = {key: edits.carry(array, self.plan, net.plan, np.zeros(net.plan.n_params))
                               for key, array in optimizer.state.items()}
        self.net, self.start, self.plan = net, start, net.plan
        self.last_good = net.params.copy()
        self.version += 1
        self.frame_net = None
        edges = list(net.graph.edges)
        self.edges = edges
        self.edge_slots = np.array([net.plan.edge_slot[e] for e in edges], dtype=np.intp)
        self.bias_nodes = list(net.plan.bias_slot)
        self.bias_slots = np.array([net.plan.bias_slot[n] for n in self.bias_nodes], dtype=np.intp)
        if self.table is not None:
            self.fit_data()

    def apply_text(self, text):
        """Build the network of ``text``, keeping surviving weights; TopologyError leaves all as it was."""
        if not isinstance(text, str):
            raise TopologyError("the topology must be text")
        with self.lock:
            old = self.net
            net, given = edits.from_text(text, previous=old, seed=self.training["seed"])
            start = edits.carry(self.start, old.plan, net.plan, net.params)
            start[given] = net.params[given]
            self.text = text
            self.install(net, start)
            return self.state()

    def edit(self, op, **arguments):
        """A structural edit by name (see :data:`~dagnet.playground.edits.EDITS`), written into the text.

        The text changes only where the edit changes it (see
        :mod:`~dagnet.playground.textedits`), and the network is the one it
        builds: trained weights, start weights and optimiser moments that
        survive are carried over; new weights, and their start, are what
        the new text draws with the seed (as the file written by hand would).
        """
        edits.check_edit(op, arguments)
        with self.lock:
            old, seed = self.net, self.training["seed"]
            result = edits.EDITS[op](old, seed=seed, **arguments)
            target, made = result if isinstance(result, tuple) else (result, None)
            self.text, net = textedits.edited_text(self.text, op, arguments, old, target, made, seed=seed)
            drawn = net.params.copy()
            net.params = edits.carry(old.params, old.plan, net.plan, drawn)
            self.install(net, edits.carry(self.start, old.plan, net.plan, drawn))
            state = self.state()
            state["made"] = made
            return state

    # -- data ------------------------------------------------------------------

    def set_data(self, settings):
        """Choose a built-in data set (``{"name", "n_samples", "noise", "data_seed", "test_fraction"}``); no name: split own data anew."""
        keep = "name" not in settings and self.data_settings["own"] is not None
        settings = check_data_settings({**self.data_settings, **settings, **({} if keep else {"csv": None, "own": None})})
        table = self.table if keep else samples.builtin(settings["name"], settings["n_samples"], settings["noise"],
                                                        settings["data_seed"])
        with self.lock:
            self.data_settings, self.table = settings, table
            self.fit_data()
            self.restart()
            return self.state()

    def set_csv(self, text, filename="upload.csv", test_fraction=None):
        """Use uploaded CSV ``text`` as the data (header row, numbers below)."""
        table = samples.from_csv(text, source=filename)
        with self.lock:
            changes = {"csv": text, "name": filename, "own": None}
            if test_fraction is not None:
                changes["test_fraction"] = test_fraction
            self.data_settings = check_data_settings({**self.data_settings, **changes})
            self.table = table
            self.fit_data()
            self.restart()
            return self.state()

    def load_table(self):
        s = self.data_settings
        if s["own"] is not None:
            if self.table is None:
                raise ValueError(f"no data given for {s['own']!r}")
        elif s.get("csv") is not None:
            self.table = samples.from_csv(s["csv"], source=s["name"])
        else:
            self.table = samples.builtin(s["name"], s["n_samples"], s["noise"], s["data_seed"])
        self.fit_data()

    def fit_data(self):
        """Fit the table to the network; a misfit pauses training and is shown, not raised."""
        try:
            self.data = samples.fit(self.net, self.table, self.data_settings["test_fraction"],
                                    self.data_settings["data_seed"])
            self.data_error = None
            self.X_train, self.Y_train = self.data.X_train, self.data.Y_train
        except ValueError as err:
            self.data, self.data_error = None, str(err)
            self.playing = False

    # -- training --------------------------------------------------------------

    def set_training(self, settings):
        """Change optimiser, learning rate, batch size, seed or speed; the optimiser keeps its moments."""
        with self.lock:
            merged = check_training_settings({**self.training, **settings})
            state = self.optimizer.state if merged["optimizer"] == self.training["optimizer"] else {}
            moment = self.optimizer.t
            self.training = merged
            self.optimizer = make_optimizer(merged["optimizer"], lr=merged["lr"])
            self.optimizer.state, self.optimizer.t = state, moment if state else 0
            self.wake.set()                     # a new speed counts from now
            return self.state()

    def restart(self):
        """Back to the start weights, epoch 0, a fresh optimiser and shuffling seeded as set."""
        with self.lock:
            self.playing = False
            self.net.params = self.start
            self.optimizer = make_optimizer(self.training["optimizer"], lr=self.training["lr"])
            self.rng = np.random.default_rng(self.training["seed"])
            self.position, self.epoch, self.updates = 0, 0, 0
            self.order = None
            self.curve = Curve()
            self.error = None
            self.last_good = self.net.params.copy()

    def control(self, action):
        """``play``, ``pause``, ``step`` (one epoch) or ``reset`` (same seed: same start)."""
        with self.lock:
            if action == "play":
                self.require_data()
                self.playing = True
                self.error = None
                self.ensure_thread()
                self.wake.set()
            elif action == "pause":
                self.playing = False
                self.wake.set()
            elif action == "step":
                self.require_data()
                self.playing = False
                self.error = None
                self.train(epochs=1)
            elif action == "reset":
                if self.training["seed"] != self.start_seed:   # a new seed: a new start
                    net, _ = edits.from_text(self.text, seed=self.training["seed"])
                    self.start_seed = self.training["seed"]
                    self.install(net, net.params.copy())
                self.restart()
            else:
                raise ValueError(f"unknown action {action!r}; known: play, pause, step, reset")
            return self.status()

    def require_data(self):
        if self.data is None:
            raise ValueError(f"cannot train: {self.data_error}")

    def ensure_thread(self):
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self.run, name="dagnet-playground-training", daemon=True)
            self.thread.start()

    def run(self):
        """The training thread: slices of updates while playing, asleep otherwise.

        Every sleep is on :attr:`wake`, which play, pause, a new setting and
        :meth:`close` set: a closed session's thread ends at once, however
        slow the speed. A failure stops the playing and is shown, not lost.
        """
        try:
            while not self.closed:
                if self.playing:
                    self.play_slice()
                    if self.pause_after():
                        self.wake.wait(timeout=self.pause_after())
                    self.no_frames.wait(timeout=0.1)   # a frame is short: let it have the interpreter
                else:
                    self.wake.wait(timeout=1.0)
                self.wake.clear()
        except Exception as err:      # a bug: the page says so instead of showing "playing" forever
            with self.lock:
                self.playing = False
                self.error = f"training stopped by an unexpected {type(err).__name__}: {err}"

    def play_slice(self):
        """One slice of training (or the pause of a session nobody watches), under the lock."""
        with self.lock:
            if self.playing and time.monotonic() - self.last_seen > UNWATCHED:
                self.playing = False
                self.error = f"paused: no page has shown this session for {UNWATCHED // 60} minutes"
            elif self.playing and self.data is not None:
                self.train(seconds=SLICE)

    def pause_after(self):
        """Seconds to sleep after a slice: the speed limit, else none (the sleep lets other threads run)."""
        limit = self.training["speed"]
        return 0.0 if limit is None else 1.0 / limit

    def train(self, seconds=None, epochs=None):
        """Run updates (caller holds the lock) for ``seconds`` or whole ``epochs``; pause on divergence."""
        data, n = self.data, len(self.X_train)
        size = n if self.training["batch_size"] is None else min(self.training["batch_size"], n)
        until = None if seconds is None else time.perf_counter() + seconds
        limited = self.training["speed"] is not None and seconds is not None
        target = self.epoch + (epochs if epochs is not None else (1 if limited else math.inf))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            while self.epoch < target and (until is None or (time.perf_counter() < until and
                                                             not self.frames_pending)):
                if self.position == 0:
                    self.order = self.rng.permutation(n)
                batch = self.order[self.position:self.position + size]
                self.net.train_step(self.X_train[batch], self.Y_train[batch], self.optimizer)
                self.updates += 1
                self.position += size
                if self.position >= n:
                    self.position = 0
                    self.epoch += 1
                    if not self.end_epoch(data):
                        return

    def end_epoch(self, data):
        train, test = pictures.losses(self.net, data)
        if not (math.isfinite(train) and np.all(np.isfinite(self.net.params))):
            self.net.params = self.last_good
            self.playing = False
            self.error = (f"training diverged in epoch {self.epoch}: the loss became {train}; the weights "
                          f"are back to epoch {self.epoch - 1}; try a smaller learning rate "
                          f"(now {self.training['lr']:g})")
            self.epoch -= 1
            return False
        self.last_good[:] = self.net.params
        self.curve.add(self.epoch, train, test)
        return True

    def status(self):
        """What changes while training: epoch, updates, playing, error."""
        return {"version": self.version, "epoch": self.epoch, "updates": self.updates,
                "playing": self.playing, "error": self.error, "data_error": self.data_error}

    def state(self):
        """Everything the page needs to draw the session from scratch (see :func:`~dagnet.playground.describe.state`)."""
        with self.lock:
            return describe.state(self)

    def trained_yaml(self):
        """The network with every current weight, as a topology file ``dagnet.load`` reads."""
        with self.lock:
            return self.net.to_yaml()

    def close(self):
        """Stop the training thread (it ends within a slice)."""
        self.closed = True
        self.playing = False
        self.wake.set()

