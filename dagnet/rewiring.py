"""Many edges out and in at once, checked, in one step of array operations: :func:`rewire`.

The structural edit that dynamic sparse training makes every few hundred
updates (drop thousands of weights, grow as many): the rules are checked
on arrays, then :meth:`dagnet.Network.rewire` compiles the new plan from
the old one's arrays without walking the graph. It is also
:func:`dagnet.edits.rewire`.

Examples
--------
>>> import dagnet
>>> net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
>>> _ = rewire(net, remove=[("a", "h.0")], add=[("a", "y")])   # a skip edge in, one out
>>> net.weight("a", "y"), net.graph.has_edge("a", "h.0")
(0.0, False)
>>> rewire(net, remove=[("h.0", "y")])
Traceback (most recent call last):
...
dagnet.errors.TopologyError: this edit leaves 'h.0' feeding nothing: rewire keeps every perceptron (remove_edges removes it and what it alone fed)
"""
import numpy as np

from .errors import TopologyError
from .slotmap import carry_state


def _columns(net, edges, columns, what):
    if columns:
        pairs = np.asarray(edges, dtype=np.intp).reshape(-1, 2)
        if len(pairs) and (pairs.min() < 0 or pairs.max() >= net.plan.n_nodes):
            raise TopologyError(f"{what}: a column outside 0..{net.plan.n_nodes - 1}")
        return pairs
    column = net.plan.column
    out = []
    for edge in edges:
        try:
            i, j = edge
            out.append((column[i], column[j]))
        except (TypeError, ValueError):
            raise TopologyError(f"{what}: an edge is a pair (source, target), got {edge!r}") from None
        except KeyError as err:
            raise TopologyError(f"{what}: no node {err.args[0]!r}") from None
    return np.array(out, dtype=np.intp).reshape(-1, 2)


def rewire(net, remove=(), add=(), optimizer=None, columns=False):
    """Remove the edges ``remove`` and add the edges ``add`` (at weight 0) in one recompile.

    Unlike :func:`dagnet.edits.remove_edges`, no perceptron goes: a removal
    that would leave a perceptron (or an input) feeding nothing is refused.
    An edge may be removed and added back (its weight and optimiser state
    then start again at 0).

    Parameters
    ----------
    net : Network
    remove, add : list of (source, target), or arrays of shape (k, 2)
        Node names, or with ``columns=True`` columns of ``net.plan``.
    optimizer : Optimizer or None
        Its per-parameter state is carried over: survivors keep theirs, new
        weights start at zero.
    columns : bool

    Returns
    -------
    SlotMap

    Raises
    ------
    TopologyError
        For an absent edge to remove, a present one to add, an edge into an
        input or out of a softmax output, a cycle, or a node left feeding
        nothing; the network is left as it was.
    """
    plan = net.plan
    remove = _columns(net, remove, columns, "remove")
    add = _columns(net, add, columns, "add")
    nodes = plan.nodes
    if plan.softmax and len(add):
        outputs = np.isin(add[:, 0], plan.output_columns)
        if outputs.any():
            raise TopologyError(f"softmax output {nodes[add[outputs][0, 0]]!r} cannot feed other nodes")
    feeds = np.bincount(plan.edges[:, 0], minlength=plan.n_nodes)
    feeds -= np.bincount(remove[:, 0], minlength=plan.n_nodes)
    feeds += np.bincount(add[:, 0], minlength=plan.n_nodes)
    feeds[plan.output_columns] = 1
    if len(remove) and (feeds[remove[:, 0]] < 1).any():
        lost = remove[feeds[remove[:, 0]] < 1][0, 0]
        raise TopologyError(f"this edit leaves {nodes[lost]!r} feeding nothing: rewire keeps every "
                            f"perceptron (remove_edges removes it and what it alone fed)")
    try:
        slots = net.rewire(remove, add)
    except ValueError as err:
        raise TopologyError(f"rewire: {err}") from None
    if optimizer is not None:
        carry_state(optimizer, slots, net.plan.mask)
    return slots
