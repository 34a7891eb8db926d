"""Pruning that really shrinks: rank the weights, remove the least salient, keep an ordinary smaller network.

The saliencies (magnitude, Optimal Brain Damage, Fisher) are in
:mod:`dagnet.saliency`. :func:`prune` removes the weights of lowest saliency
(over the whole network, ``scope="global"``, or the same fraction of each
perceptron's in-weights, ``scope="node"``) with
:func:`dagnet.edits.remove_edges`, which also removes every perceptron left
with no path to an output; perceptrons left with no path from an input
compute a constant, which :func:`dagnet.edits.fold_constants` folds into
the biases they feed. The Plan is recompiled, so the smaller network really
computes less. Pruning can be iterative (``rounds``), with retraining after
each round and lottery-ticket rewinding (Frankle & Carbin 2019) of the
survivors to their initial or early-training values (a :class:`Snapshot`
taken during ``fit``).

Examples
--------
>>> import dagnet, numpy as np
>>> net = dagnet.load("topologies/tanh_softmax_2_500_2.yaml", seed=0)
>>> small = prune(net, amount=0.9)                # keep 10 %, the largest |w|
>>> len(net.plan.edge_slot), len(small.plan.edge_slot) <= 200 < len(net.plan.nodes)
(2000, True)
"""
import numpy as np

from . import edits
from .callbacks import Callback
from .errors import suggest
from .reach import Cut
from .saliency import lookup

SCOPES = ("global", "node")


# -- choosing and removing -------------------------------------------------------------

def _trainable_edges(plan):
    return [(e, s) for e, s in plan.edge_slot.items() if plan.mask[s]]


def _global_choice(net, candidates, values, k):
    """The lowest, one at a time, until k trainable weights are gone, counting those that go with perceptrons."""
    trainable = {e for e, _ in candidates}
    cut, chosen, gone = Cut(net.graph, net.outputs, fold=True), [], 0
    for i in np.lexsort(([s for _, s in candidates], values)):
        if gone >= k:
            break
        e = candidates[i][0]
        if e not in cut.removed:
            chosen.append(e)
            gone += sum(1 for r in cut.remove_edge(*e) if r in trainable)
    return chosen


def _node_choice(net, candidates, values, fraction, reserved):
    """Per perceptron, the lowest ``fraction`` of its trainable in-weights (the reserved ones stay)."""
    by_target = {}
    for (e, slot), v in zip(candidates, values):
        by_target.setdefault(e[1], []).append((e in reserved, v, slot, e))
    chosen = []
    for entries in by_target.values():
        entries.sort(key=lambda t: t[:3])
        count = min(int(round(fraction * len(entries))), len(entries) - 1)   # the most salient stays
        chosen += [e for kept, _, _, e in entries[:count] if not kept]
    return chosen


def _input_paths(net, vector):
    """Each input's most salient path to an output, followed greedily: the edges pruning keeps."""
    G, slot, outputs = net.graph, net.plan.edge_slot, set(net.outputs)
    kept = set()
    for node in net.inputs:
        while node not in outputs and G.out_degree(node):
            step = max(G.successors(node), key=lambda v: (vector[slot[node, v]], -slot[node, v]))
            kept.add((node, step))
            node = step
    return kept


def prune_once(net, count, method="magnitude", X=None, Y=None, scope="global", keep_inputs=True,
               optimizer=None):
    """Remove ``count`` trainable weights of lowest saliency from ``net`` in place, then tidy up.

    With ``keep_inputs`` each input keeps its most salient path to an output
    (followed greedily from the input), so the network still uses every
    input. Tidying up removes perceptrons with no path to an output (their
    edges count towards ``count`` under ``scope="global"``) and folds those
    with no path from an input into later biases; an input left with no
    path keeps a fixed zero weight to the first output. Returns the list of
    weights chosen, ``[(i, j)]``.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}{suggest(str(scope), SCOPES)}; known: {', '.join(SCOPES)}")
    if count <= 0 or not net.plan.edge_slot:
        return []
    vector = lookup(method).compute(net, X, Y)
    reserved = _input_paths(net, vector) if keep_inputs else set()
    trainable = _trainable_edges(net.plan)
    candidates = [(e, s) for e, s in trainable if e not in reserved]
    if not candidates:
        return []
    if scope == "global":
        chosen = _global_choice(net, candidates, np.array([vector[s] for _, s in candidates]), count)
    else:
        chosen = _node_choice(net, trainable, np.array([vector[s] for _, s in trainable]),
                              count / len(trainable), reserved)
    edits.remove_edges(net, chosen, optimizer=optimizer, cut_inputs="reconnect")
    edits.fold_constants(net, optimizer=optimizer)
    return chosen


def rewind(net, source):
    """Set every weight and bias ``net`` shares with ``source`` to its value there, exactly; return how many.

    Lottery-ticket rewinding (Frankle & Carbin 2019): ``source`` is a copy
    of the network taken at initialisation (``net.copy()`` before ``fit``)
    or early in training. Parameters are matched by edge and node name.

    >>> import dagnet
    >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    >>> initial = net.copy()
    >>> net.params = net.params + 1.0                     # as if trained
    >>> small = prune(net, amount=2)
    >>> rewind(small, initial), small.weight("h.0", "y") == initial.weight("h.0", "y")
    (5, True)
    """
    pairs = [(s, source.plan.edge_slot[e]) for e, s in net.plan.edge_slot.items()
             if e in source.plan.edge_slot]
    pairs += [(s, source.plan.bias_slot[n]) for n, s in net.plan.bias_slot.items()
              if n in source.plan.bias_slot]
    if pairs:
        mine, theirs = np.array(pairs, dtype=np.intp).T
        net.params[mine] = source.params[theirs]
    return len(pairs)


class Snapshot(Callback):
    """A ``fit`` callback that keeps ``net.copy()`` after update number ``step``: late rewinding's target.

    Frankle et al. 2020 ("Linear Mode Connectivity and the Lottery Ticket
    Hypothesis") rewind the survivors not to their initial values but to
    an early iterate: pass ``snapshot.net`` as ``prune(..., rewind_to=...)``.
    The copy has the weights and biases after exactly ``step`` updates
    (counted from 1 over the ``fit``); it is None until then.

    >>> import dagnet, numpy as np
    >>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); Y = np.array([0, 1, 1, 0])
    >>> early = Snapshot(step=3)
    >>> _ = net.fit(X, Y, epochs=10, batch_size=2, lr=0.5, verbose=False, callback=early)
    >>> ticket = prune(net, amount=2, rewind_to=early.net)
    >>> all(ticket.weight(*e) == early.net.weight(*e) for e in ticket.graph.edges)
    True
    """

    def __init__(self, step):
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
            raise ValueError(f"step must be a whole number of updates >= 1, got {step!r}")
        self.step = self.every = int(step)
        self.net = None

    def on_step(self, net, optimizer, step, X, Y):
        if step == self.step:
            self.net = net.copy()


def _amount(amount, total):
    if isinstance(amount, bool) or not isinstance(amount, (int, float, np.integer, np.floating)):
        raise ValueError(f"amount must be a fraction in [0, 1) or a whole number of weights, got {amount!r}")
    if isinstance(amount, (float, np.floating)):
        if not 0.0 <= amount < 1.0:
            raise ValueError(f"amount must be a fraction in [0, 1) of the weights to remove, got {amount}")
        return int(round(amount * total))
    if not 0 <= amount <= total:
        raise ValueError(f"amount {amount} is more weights than the {total} trainable ones")
    return int(amount)


def prune(net, amount=0.9, method="magnitude", X=None, Y=None, scope="global", rounds=1,
          retrain=None, rewind_to=None, keep_inputs=True, inplace=False, optimizer=None):
    """Remove the least salient weights (and what they alone fed); return the smaller network.

    Parameters
    ----------
    net : Network
    amount : float or int
        The fraction of the trainable weights to remove, in [0, 1) (as
        ``torch.nn.utils.prune`` has it: 0.9 keeps 10 %), or a number of weights.
    method : {"magnitude", "obd", "fisher"}
        See :data:`dagnet.saliency.METHODS`; ``obd`` and ``fisher`` need ``X`` and ``Y``.
    X : array of shape (n_samples, n_inputs) or None
    Y : array of shape (n_samples, n_outputs), class labels, or None
    scope : {"global", "node"}
        Rank all weights together, or remove the same fraction of each
        perceptron's in-weights.
    rounds : int
        Prune in this many rounds, each removing the same fraction of the
        weights left, so that ``amount`` is reached after the last;
        saliencies are measured anew before each.
    retrain : dict or None
        Keyword arguments of :meth:`Network.fit` (``epochs``, ``lr``, ...);
        given, the network is trained on ``X``, ``Y`` after every round.
    rewind_to : Network or None
        Before each retraining, reset the surviving weights and biases to
        their values in this network (lottery-ticket rewinding, see :func:`rewind`).
    keep_inputs : bool
        Keep each input's most salient path to an output, so the smaller
        network still uses every input (False may cut an input off; it then
        keeps a fixed zero weight to the first output).
    inplace : bool
        Prune ``net`` itself; by default a copy is pruned and ``net`` stays.
    optimizer : Optimizer or None
        Carried across the edits (its state follows the surviving weights).

    Returns
    -------
    Network
        An ordinary network whose Plan has fewer edges (and perceptrons).

    Examples
    --------
    >>> import dagnet
    >>> from dagnet import datasets
    >>> X, Y = datasets.load("moons", n_samples=100, seed=0)
    >>> net = dagnet.load("topologies/mlp_one_hidden_ce.yaml", seed=0)      # 2 -> 8 -> 2, 32 weights
    >>> small = prune(net, amount=0.5, method="fisher", X=X, Y=Y, retrain={"epochs": 50, "lr": 0.1})
    >>> len(small.plan.edge_slot) <= 16 < len(net.plan.edge_slot)
    True
    """
    method_record = lookup(method)
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}{suggest(str(scope), SCOPES)}; known: {', '.join(SCOPES)}")
    if isinstance(rounds, bool) or not isinstance(rounds, (int, np.integer)) or rounds < 1:
        raise ValueError(f"rounds must be a whole number >= 1, got {rounds!r}")
    if (method_record.needs_data or retrain) and (X is None or Y is None):
        raise ValueError(f"{'retraining' if retrain else method} needs the samples X and Y")
    net = net if inplace else net.copy()
    total = len(_trainable_edges(net.plan))
    goal = _amount(amount, total)
    fit_args = {"verbose": False, **(retrain or {})}
    for r in range(1, rounds + 1):
        target = goal if r == rounds else int(round(total * (1 - (1 - goal / total) ** (r / rounds))))
        removed = total - len(_trainable_edges(net.plan))
        prune_once(net, target - removed, method, X, Y, scope, keep_inputs, optimizer)
        if rewind_to is not None:
            rewind(net, rewind_to)
        if retrain:
            net.fit(X, Y, **fit_args)
    return net
