"""A network's flat form, written from its arrays: JSON text, or JSON with a binary edge table.

The flat form lists every perceptron with its activation and bias, and
per target (in graph order) one edge entry of its trainable edges and one
of its fixed edges, sources in ``in_edges`` order, every value the
shortest decimal that reads back to the same float64. Nothing here walks
a networkx graph: the names, weights and biases come from the network's
:class:`~dagnet.wiring.Wiring` and parameter vector, and each line is
joined from pieces encoded once (names by the C JSON encoder, numbers by
``repr``, which is what ``json`` writes), so a million edges are written
without a Python call per edge.

The ``"table"`` form writes the same perceptrons, and the edges as a
NumPy ``.npy`` table beside the file (see :func:`edge_table`).
"""
import json
from json.encoder import encode_basestring

import numpy as np

from .edgelists import EDGE_TABLE, table_bytes


def _columns(net):
    """The perceptrons and the edge entries of ``net`` as columns.

    Returns ``(perceptrons, edges)``: ``perceptrons`` is a list of
    ``(name, activation, bias or False, group, trainable)`` in graph order;
    ``edges`` is ``(order, targets, fixed, bounds)``: the wiring's edges in
    file order, and per entry ``i`` (edges ``bounds[i]:bounds[i + 1]`` of
    ``order``) its target's name and whether its edges are fixed.
    """
    plan, params = net.plan, net.params
    bad = np.flatnonzero(~np.isfinite(params))
    if len(bad):
        raise ValueError(f"cannot save: {plan.parameter_name(int(bad[0]))} is {params[bad[0]]}")
    w = plan.wiring
    names, n = w.names, w.n_nodes
    column = np.empty(n, dtype=np.intp)
    column[plan.position] = np.arange(n)
    bias = params[plan.n_weight_slots + column].tolist()
    is_input = np.zeros(n, dtype=bool)
    is_input[w.input_at] = True
    groups = w.group or (None,) * n
    perceptrons = [(names[k], w.activation[k] or "sigmoid", bias[k] if w.bias[k] else False, groups[k],
                    bool(w.bias_trainable[k])) for k in np.flatnonzero(~is_input).tolist()]
    order = np.argsort(2 * w.dst + ~w.trainable, kind="stable")   # stable: in_edges order within a target
    dst, fixed = w.dst[order], ~w.trainable[order]
    starts = np.flatnonzero(np.concatenate([[True], (dst[1:] != dst[:-1]) | (fixed[1:] != fixed[:-1])]))
    starts = starts[:len(dst)]
    targets = list(map(names.__getitem__, dst[starts].tolist()))
    return perceptrons, (order, targets, fixed[starts].tolist(), [*starts.tolist(), len(dst)])


def _node_entry(activation, bias, group, trainable):
    entry = {"activation": activation, "bias": bias}
    if group is not None:
        entry["group"] = group
    if not trainable:
        entry["trainable"] = False
    return entry


def flat_data(net):
    """``{"nodes": ..., "edges": [...]}`` of ``net``'s flat form, as plain data."""
    perceptrons, (order, targets, fixed, bounds) = _columns(net)
    w = net.plan.wiring
    sources = list(map(w.names.__getitem__, w.src[order].tolist()))
    weights = net.params[net.plan.wiring_slot[order]].tolist()
    edges = []
    for i, target in enumerate(targets):
        a, b = bounds[i], bounds[i + 1]
        edge = {"from": sources[a:b], "to": target, "weight": weights[a:b]}
        if fixed[i]:
            edge["trainable"] = False
        edges.append(edge)
    return {"nodes": {p[0]: _node_entry(*p[1:]) for p in perceptrons}, "edges": edges}


def dump(value):
    """``json.dumps(value, ensure_ascii=False, allow_nan=False)``: what a file holds of ``value``."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _node_lines(perceptrons):
    group_key, ends = ', "group": ', ("}", ', "trainable": false}')
    return [f'  {encode_basestring(name)}: {{"activation": {encode_basestring(activation)}, "bias": '
            f'{"false" if bias is False else repr(bias)}{"" if group is None else group_key + dump(group)}'
            f'{ends[not trainable]}' for name, activation, bias, group, trainable in perceptrons]


def _layout(head, node_lines, edges):
    """JSON text: ``head``'s keys a line each, then one node a line, then ``edges`` (text)."""
    lines = ["{", *(f"{dump(key)}: {dump(value)}," for key, value in head.items())]
    lines.append('"nodes": {\n' + ",\n".join(node_lines) + "\n},")
    lines += [f'"edges": {edges}', "}"]
    return "\n".join(lines) + "\n"


def data_text(data):
    """Flat topology-file data (string node names) as JSON text, one node and one edge entry a line.

    JSON is YAML's flow style: the text is a topology file; its edge list is read by :mod:`dagnet.flatreader`.
    """
    head = {key: value for key, value in data.items() if key not in ("nodes", "edges")}
    return _layout(head, [f"  {dump(n)}: {dump(a)}" for n, a in data["nodes"].items()],
                   "[\n" + ",\n".join(f"  {dump(e)}" for e in data["edges"]) + "\n]")


def network_text(head, net, edges=None):
    """``net``'s flat form as JSON text after the keys of ``head``; ``edges``, when given, stands for the edges."""
    perceptrons, (order, targets, fixed, bounds) = _columns(net)
    if edges is None:
        edges = "[\n" + ",\n".join(_edge_lines(net, order, targets, fixed, bounds)) + "\n]"
    else:
        edges = dump(edges)
    return _layout(head, _node_lines(perceptrons), edges)


def _edge_lines(net, order, targets, fixed, bounds):
    w = net.plan.wiring
    quoted = list(map(encode_basestring, w.names))
    sources = list(map(quoted.__getitem__, w.src[order].tolist()))
    weights = list(map(float.__repr__, net.params[net.plan.wiring_slot[order]].tolist()))
    lines, ends = [], ("}", ', "trainable": false}')
    for i, target in enumerate(targets):
        a, b = bounds[i], bounds[i + 1]
        lines.append(f'  {{"from": [{", ".join(sources[a:b])}], "to": {encode_basestring(target)}, '
                     f'"weight": [{", ".join(weights[a:b])}]{ends[fixed[i]]}')
    return lines


def table_form(head, net, name):
    """``(text, table)`` of ``net``'s table form: the topology file after the keys of ``head`` (its
    edges ``{table: name, count, sha256}``) and the bytes of the ``.npy`` edge table ``name``.

    The table holds one :data:`~dagnet.edgelists.EDGE_TABLE` record per
    edge, in the flat form's order; ``from`` and ``to`` are positions in the
    order the file defines the nodes (the inputs, then ``nodes``).
    """
    w = net.plan.wiring
    perceptrons, (order, _, _, _) = _columns(net)
    position = np.empty(w.n_nodes, dtype=np.intp)      # graph position -> position in the file
    is_input = np.zeros(w.n_nodes, dtype=bool)
    is_input[w.input_at] = True
    position[w.input_at] = np.arange(len(w.input_at))
    position[~is_input] = len(w.input_at) + np.arange(len(perceptrons))
    table = np.empty(len(order), dtype=EDGE_TABLE)
    table["from"], table["to"] = position[w.src[order]], position[w.dst[order]]
    table["weight"] = net.params[net.plan.wiring_slot[order]]
    table["trainable"] = w.trainable[order]
    data, digest = table_bytes(table)
    reference = {"table": name, "count": len(table), "sha256": digest}
    if set(map(type, w.names)) <= {str}:
        return _layout(head, _node_lines(perceptrons), dump(reference)), data
    nodes = {p[0]: _node_entry(*p[1:]) for p in perceptrons}
    return {**head, "nodes": nodes, "edges": reference}, data
