"""Structural edits of a network that keep every weight and bias surviving them.

An edit copies ``net.graph`` (a snapshot whose weights are current), changes
the copy and builds a new network with :meth:`dagnet.Network.from_graph`:
what the copy still holds keeps its value, and only new edges and biases
are drawn (seeded). The graph rules of :mod:`dagnet.graph` judge every
edit, so a cycle, a node that no longer reaches an output or a softmax on a
hidden node is refused with dagnet's own :class:`~dagnet.TopologyError`
and the old network stays.

Per-parameter arrays (the start weights, an optimiser's moments) follow
a structural change through :func:`carry`, which moves every surviving
slot of the old plan to its slot in the new one.

Examples
--------
>>> import dagnet
>>> net = dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0)
>>> skip = toggle_edge(net, "in_x", "out", seed=0)          # a skip edge past h
>>> skip.weight("h.0", "out") == net.weight("h.0", "out")
True
>>> toggle_edge(net, "out", "h.0", seed=0)
Traceback (most recent call last):
...
dagnet.errors.TopologyError: cycle 'h.0' -> 'out' -> 'h.0': a topology must be loop-free
"""
import inspect

import numpy as np

from .. import graph as graph_rules
from .. import topology, writer
from ..errors import TopologyError, suggest
from ..features import check_feature, is_feature, split_inputs
from ..graph import is_number
from ..network import Network
from ..strictyaml import read_document
from . import limits


def _node(net, name, what="node"):
    if name not in net.graph:
        raise TopologyError(f"no {what} {name!r}{suggest(name, net.graph.nodes)}")
    return name


def rebuild(G, seed):
    """The network of graph ``G`` (weights it holds are kept, missing ones drawn with ``seed``)."""
    limits.check_network(G.number_of_nodes(), G.number_of_edges())
    return Network.from_graph(G, seed=seed)


def toggle_edge(net, source, target, seed=0):
    """A new network with the edge ``source -> target`` added (weight drawn) or, if present, removed."""
    _node(net, source, "source node")
    _node(net, target, "target node")
    G = net.graph.copy()
    if G.has_edge(source, target):
        G.remove_edge(source, target)
    else:
        G.add_edge(source, target)
    return rebuild(G, seed)


def _free_name(G, group):
    if group is not None:
        size = sum(1 for _, g in G.nodes(data="group") if g == group)
        if f"{group}.{size}" not in G:
            return f"{group}.{size}"
    k = 1
    while f"p{k}" in G:
        k += 1
    return f"p{k}"


def add_perceptron(net, beside=None, seed=0):
    """A new network with one more perceptron, and its name.

    Beside a hidden perceptron, the new one copies its activation, group
    and connections (a layer grows by one); otherwise it takes every input
    and feeds every output.
    """
    G = net.graph.copy()
    if beside is not None:
        _node(net, beside)
        if G.nodes[beside]["role"] != "hidden":
            raise TopologyError(f"{beside!r} is an {G.nodes[beside]['role']}: a new perceptron goes "
                                f"beside a hidden one (or select nothing)")
        group = G.nodes[beside].get("group")
        name = _free_name(G, group)
        G.add_node(name, activation=G.nodes[beside]["activation"], group=group)
        G.add_edges_from((u, name) for u in G.predecessors(beside))
        G.add_edges_from((name, v) for v in list(G.successors(beside)))
    else:
        hidden = [a for _, a in G.nodes(data="activation") if a and a != "softmax"]
        name = _free_name(G, None)
        G.add_node(name, activation=max(sorted(set(hidden)), key=hidden.count) if hidden else "sigmoid")
        G.add_edges_from((u, name) for u in net.inputs)
        G.add_edges_from((name, v) for v in net.outputs)
    return rebuild(G, seed), name


def remove_perceptron(net, node, seed=0):
    """A new network without perceptron ``node`` and its edges (inputs and outputs stay)."""
    _node(net, node)
    role = net.graph.nodes[node]["role"]
    if role != "hidden":
        raise TopologyError(f"{node!r} is an {role}; only hidden perceptrons can be removed")
    G = net.graph.copy()
    G.remove_node(node)
    return rebuild(G, seed)


def set_activation(net, node, activation, seed=0):
    """A new network where perceptron ``node`` has ``activation`` (checked by the graph rules)."""
    _node(net, node)
    if net.graph.nodes[node]["role"] == "input":
        raise TopologyError(f"{node!r} is an input: inputs have no activation")
    if not isinstance(activation, str):
        raise TopologyError(f"activation must be a name, got {activation!r}")
    G = net.graph.copy()
    G.nodes[node]["activation"] = activation
    return rebuild(G, seed)


def set_loss(net, loss, seed=0):
    """A new network trained with ``loss`` (its output activations checked against it)."""
    if not isinstance(loss, str):
        raise TopologyError(f"loss must be a name, got {loss!r}")
    G = net.graph.copy()
    G.graph["loss"] = loss
    return rebuild(G, seed)


def toggle_feature(net, feature, seed=0):
    """A new network with the derived input ``feature`` (``"x^2"``, ``"sin(x)"``... see :mod:`dagnet.features`)
    added, feeding what the first input feeds, or, if it has it, without it."""
    G = net.graph.copy()
    inputs = list(net.inputs)
    if feature in G:
        if feature not in inputs or not is_feature(feature):
            raise TopologyError(f"{feature!r} is a node of the network, not a derived input")
        G.remove_node(feature)
        inputs.remove(feature)
    else:
        own, _ = split_inputs(inputs)
        try:
            check_feature(feature, len(own))
        except ValueError as err:
            inputs_now = f" ({', '.join(map(repr, own))})" if own and is_feature(feature) else ""
            raise TopologyError(f"{err}{inputs_now}") from None
        G.add_node(feature)
        G.add_edges_from((feature, v) for v in G.successors(own[0]))
        inputs.append(feature)
    G.graph["inputs"] = inputs
    return rebuild(G, seed)


def matching_slots(old_plan, new_plan):
    """``(old_slots, new_slots)``: int arrays pairing every edge and bias both plans have."""
    pairs = [(s, new_plan.edge_slot[e]) for e, s in old_plan.edge_slot.items() if e in new_plan.edge_slot]
    pairs += [(s, new_plan.bias_slot[n]) for n, s in old_plan.bias_slot.items() if n in new_plan.bias_slot]
    old, new = zip(*pairs) if pairs else ((), ())
    return np.array(old, dtype=np.intp), np.array(new, dtype=np.intp)


def carry(vector, old_plan, new_plan, fill):
    """``fill`` (shape (new_plan.n_params,)) with the surviving slots of ``vector`` moved into it.

    >>> import dagnet
    >>> net = dagnet.load("topologies/xor_skip.yaml")
    >>> smaller = toggle_edge(net, "a", "y")
    >>> carry(net.params, net.plan, smaller.plan, np.zeros(smaller.plan.n_params)).tolist() == \\
    ...     smaller.params.tolist()
    True
    """
    out = np.array(fill, dtype=np.float64, copy=True)
    old, new = matching_slots(old_plan, new_plan)
    out[new] = vector[old]
    return out


def from_text(text, previous=None, seed=0, source=None):
    """The network of topology ``text`` and the slots whose values the text gives.

    Read through dagnet's strict reader and judged by its graph rules.
    Weights and biases the text gives are its own; the others keep their
    value in ``previous`` (the network before the edit) where it has the
    same edge or node, and are drawn with ``seed`` where it has not.

    Returns
    -------
    net : Network
    given : ndarray of int
        Parameter slots of ``net`` whose value the text states.
    """
    if len(text.encode("utf-8")) > limits.MAX_TEXT:
        raise TopologyError(f"the text is over the playground's limit of {limits.MAX_TEXT // 1024} KiB",
                            source=source)
    data = read_document(text, source)
    if isinstance(data, dict):
        limits.check_topology(data, source)
    blueprint, locate = topology.read(text, source=source)   # every error named by dagnet's own rules
    limits.check_network(blueprint.n_nodes, blueprint.n_edges, source)
    names = blueprint.names
    stated_edges = [(names[u], names[v]) for u, v, w in
                    zip(blueprint.src.tolist(), blueprint.dst.tolist(), blueprint.weight.tolist()) if w == w]
    stated_biases = [names[k] for k, b in enumerate(blueprint.bias) if is_number(b)]
    graph_rules.complete(blueprint, seed=seed, source=source, locate=locate)
    net = Network(blueprint, seed=seed)
    given = [net.plan.edge_slot[e] for e in stated_edges]
    given += [net.plan.bias_slot[n] for n in stated_biases if n in net.plan.bias_slot]
    given = np.array(given, dtype=np.intp)
    if previous is not None:
        kept = net.params[given].copy()
        net.params = carry(previous.params, previous.plan, net.plan, net.params)
        net.params[given] = kept
    return net, given


def structure_graph(net):
    """A copy of ``net.graph`` with its structure only: trainable weights left out, trainable biases ``True``."""
    G = net.graph.copy()
    for _, _, d in G.edges(data=True):
        if d.get("trainable", True):
            d.pop("weight", None)
    for _, d in G.nodes(data=True):
        if d.get("bias") is not None and d.get("trainable", True):
            d["bias"] = True
    return G


def structure_text(net):
    """The topology of ``net`` as a person writes it: groups compact, trainable weights left out.

    Fixed (untrainable) weights stay in the text; trainable weights and
    biases live in the network, survive every edit and are in the trained
    file (``net.to_yaml()``).
    """
    return writer.to_yaml(structure_graph(net), form="grouped")


def adopt(net, built):
    """Make ``net`` the network ``built`` is, in place, and return ``net``.

    ``net.graph`` is edited to match ``built.graph`` (nodes, edges, every
    attribute and value), then :meth:`~dagnet.Network.restructure` compiles
    it once: the object, and a graph a caller holds, stay the same. This is
    how the notebook widget's edits reach the caller's own network.

    >>> import dagnet
    >>> net = dagnet.load("topologies/tutorial_2_5_1.yaml", seed=0)
    >>> graph = net.graph
    >>> adopt(net, toggle_edge(net, "in_x", "out")) is net, graph.has_edge("in_x", "out"), net.graph is graph
    (True, True, True)
    """
    G, H = net.graph, built.graph
    G.remove_nodes_from([n for n in G if n not in H])
    G.remove_edges_from([(u, v) for u, v in G.edges if not H.has_edge(u, v)])
    for n, attributes in H.nodes(data=True):
        G.add_node(n)
        _match(G.nodes[n], attributes)
    for u, v, attributes in H.edges(data=True):
        G.add_edge(u, v)
        _match(G.edges[u, v], attributes)
    G.graph.clear()
    G.graph.update(H.graph)
    net.restructure(G)
    return net


def _match(mine, theirs):
    """Give the :class:`~dagnet.graphview.Attributes` ``mine`` exactly the keys and values of ``theirs``."""
    if mine.vector is not None and theirs.get(mine.key) is None:
        mine.bind(None, None, None)            # a bias the node no longer has: no longer a view
    for key in [k for k in mine if k not in theirs]:
        del mine[key]
    for key, value in theirs.items():
        mine[key] = value                       # a weight or bias through its view, the rest as data


#: Structural edits by the name the page sends, each taking the network and its arguments.
EDITS = {
    "toggle_edge": lambda net, seed, source, target: toggle_edge(net, source, target, seed),
    "add_perceptron": lambda net, seed, beside=None: add_perceptron(net, beside, seed),
    "remove_perceptron": lambda net, seed, node: remove_perceptron(net, node, seed),
    "set_activation": lambda net, seed, node, activation: set_activation(net, node, activation, seed),
    "set_loss": lambda net, seed, loss: set_loss(net, loss, seed),
    "toggle_feature": lambda net, seed, feature: toggle_feature(net, feature, seed),
}


def check_edit(op, arguments):
    """ValueError unless ``op`` names an edit of :data:`EDITS` that takes ``arguments`` (a dict)."""
    if not isinstance(op, str) or op not in EDITS:
        raise ValueError(f"unknown edit {op!r}; known: {', '.join(EDITS)}")
    try:
        inspect.signature(EDITS[op]).bind(None, seed=0, **arguments)
    except TypeError:
        wanted = [p for p in inspect.signature(EDITS[op]).parameters if p not in ("net", "seed")]
        raise ValueError(f"edit {op} takes {', '.join(wanted)}; got {', '.join(arguments) or 'nothing'}") \
            from None
