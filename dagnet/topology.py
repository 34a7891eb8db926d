"""Read topology files (YAML) into networkx graphs: every key checked, every problem located.

The format is documented in ``docs/topology-format.md``. In short::

    name: tutorial-2-5-1
    inputs: [x1, x2]            # names, or {name: size} for a group
    outputs: [out]
    loss: sse
    defaults: {activation: sigmoid, bias: true}
    nodes:
      h:   {size: 5}            # a group: perceptrons h.0 .. h.4
      out: {}
    edges:
      - {from: [x1, x2], to: h} # every source to every target
      - {from: h, to: out}

YAML is read by :mod:`dagnet.strictyaml`: plain data only, YAML 1.2 scalars,
no duplicate keys, no aliases, bounded nesting.
"""
import math

import networkx as nx

from .errors import TopologyError, suggest
from .graph import finite, is_name, is_number
from .limits import LIMITS, hint
from .strictyaml import read_document

TOP_KEYS = ("name", "description", "inputs", "outputs", "loss", "init", "defaults", "nodes", "edges",
            "metadata")
NODE_KEYS = ("size", "activation", "bias", "init", "bias_init", "trainable", "group")
EDGE_KEYS = ("from", "to", "weight", "trainable")
DEFAULT_KEYS = ("activation", "bias", "init", "bias_init", "trainable")


def _short(value, limit=60):
    """``repr(value)``, cut short: a hostile file must not make a huge message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def group_size(size):
    """The number of members a group's ``size`` makes, or None when it is not a whole number >= 1.

    A whole number written as a float counts as that number, as YAML reads
    ``1e3``: the loader builds 1,000 members for it, and every count made
    before building (the playground's limits) uses this same function.

    >>> group_size(5), group_size(1e3), group_size(2.5), group_size(True), group_size(0)
    (5, 1000, None, None, None)
    """
    if not is_number(size) or not finite(size) or size != int(size) or size < 1:
        return None
    return int(size)


def read_topology(text, source=None):
    """The plain data of topology ``text``, a mapping, or a TopologyError naming the line."""
    data = read_document(text, source)
    if data is None:
        raise TopologyError("empty topology: expected a mapping with inputs, outputs, nodes and edges",
                            source=source)
    if not isinstance(data, dict):
        raise TopologyError(f"a topology must be a mapping of keys (inputs, outputs, nodes, edges), "
                            f"got a {type(data).__name__}", source=source)
    return data


class _Parser:
    """Turns the plain data of one topology file into a DiGraph."""

    def __init__(self, data, source):
        self.data = data
        self.source = source
        self.G = nx.DiGraph()
        self.groups = {}          # group name -> member node names
        self.where_node = {}      # node -> key path
        self.where_edge = {}      # (u, v) -> key path

    def fail(self, message, key):
        raise TopologyError(message, source=self.source, key=key)

    def unknown_keys(self, mapping, allowed, key):
        for k in mapping:
            if k not in allowed:
                self.fail(f"unknown key {k!r}{suggest(k, allowed)}; allowed: {', '.join(allowed)}",
                          f"{key}.{k}" if key else k)

    def parse(self):
        data = self.data
        self.unknown_keys(data, TOP_KEYS, "")
        for required in ("inputs", "outputs", "nodes"):
            if required not in data:
                self.fail(f"missing key {required!r}", None)
        for key in ("name", "description", "loss", "init"):
            if data.get(key) is not None and not isinstance(data[key], str):
                self.fail(f"{key} must be text, got {data[key]!r}", key)
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            self.fail("defaults must be a mapping", "defaults")
        self.unknown_keys(defaults, DEFAULT_KEYS, "defaults")
        self.check_attributes(defaults, "defaults")
        inputs = self.parse_inputs(data["inputs"])
        nodes = data["nodes"] or {}
        if not isinstance(nodes, dict):
            self.fail("nodes must be a mapping of name -> attributes", "nodes")
        for name, attrs in nodes.items():
            self.add_node(name, attrs, defaults)
        edges = data.get("edges") or []
        if not isinstance(edges, list):
            self.fail("edges must be a list of {from, to} mappings", "edges")
        for i, edge in enumerate(edges):
            self.add_edges(edge, f"edges[{i}]")
        outputs = [n for i, name in enumerate(self.as_list(data["outputs"], "outputs"))
                   for n in self.members(name, f"outputs[{i}]")]
        if data.get("metadata") is not None and not isinstance(data["metadata"], dict):
            self.fail("metadata must be a mapping", "metadata")
        for key in ("name", "loss", "init", "description", "metadata"):
            if data.get(key) is not None:
                self.G.graph[key] = data[key]
        self.G.graph["inputs"] = inputs
        self.G.graph["outputs"] = outputs
        return self.G

    def as_list(self, value, key):
        """Node names from one name or a list of names (each a string or an integer)."""
        names = value if isinstance(value, list) else [value]
        if set(map(type, names)) <= {str}:            # the common case, checked at C speed
            return names
        for k, name in enumerate(names):
            if not is_name(name):
                where = f"{key}[{k}]" if isinstance(value, list) else key
                self.fail(f"expected a node name (text or a whole number), got {_short(name)}", where)
        return names

    def parse_inputs(self, value):
        if isinstance(value, dict):
            value = [{k: v} for k, v in value.items()]
        names = []
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            key = f"inputs[{i}]"
            if isinstance(item, dict):  # {name: size}: a group of inputs
                for name, size in item.items():
                    names += self.new_members(name, size, key, group_attrs={"group": name})
            else:
                names += self.new_members(item, None, key, group_attrs={})
        return names

    def new_members(self, name, size, key, group_attrs):
        """Add node ``name`` (or group ``name`` of ``size`` members ``name.0``...)."""
        if not is_name(name):
            self.fail(f"a node name must be a string or an integer, got {_short(name)}", key)
        if name in self.where_node or name in self.groups:
            self.fail(f"duplicate node name {name!r} (first defined at "
                      f"{self.where_node.get(name) or self.where_node[self.groups[name][0]]})", key)
        if size is None:
            members = [name]
        else:
            count = group_size(size)
            if count is None:
                self.fail(f"size must be a whole number >= 1, got {_short(size)}", f"{key}.size")
            if len(self.where_node) + count > LIMITS.max_nodes:
                self.fail(f"size {count:,} would make more than {LIMITS.max_nodes:,} nodes "
                          f"{hint('max_nodes')}", f"{key}.size")
            members = [f"{name}.{k}" for k in range(count)]
            self.groups[name] = members
        if len(self.where_node) + len(members) > LIMITS.max_nodes:
            self.fail(f"more than {LIMITS.max_nodes:,} nodes {hint('max_nodes')}", key)
        for m in members:
            if m in self.where_node:
                self.fail(f"duplicate node name {m!r} (group {name!r} member; first defined at "
                          f"{self.where_node[m]})", key)
            self.where_node[m] = key
            self.G.add_node(m, **group_attrs)
        return members

    def add_node(self, name, attrs, defaults):
        key = f"nodes.{name}"
        attrs = {} if attrs is None else attrs
        if not isinstance(attrs, dict):
            self.fail(f"node attributes must be a mapping, got {attrs!r}", key)
        self.unknown_keys(attrs, NODE_KEYS, key)
        self.check_attributes(attrs, key)
        merged = {**defaults, **attrs}
        size = merged.pop("size", None)
        group = merged.pop("group", None)
        bias = merged.pop("bias", True)
        members = self.new_members(name, size, key, {"group": name if size is not None else group})
        if isinstance(bias, list):
            if len(bias) != len(members):
                self.fail(f"bias list has {len(bias)} values for {len(members)} members", f"{key}.bias")
            biases = bias
        else:
            biases = [bias] * len(members)
        for m, b in zip(members, biases):
            if not (b is None or isinstance(b, bool) or is_number(b)):
                self.fail(f"bias must be true, false or a number, got {_short(b)}", f"{key}.bias")
            if is_number(b) and not finite(b):
                self.fail(f"bias must be finite, got {_short(b)}", f"{key}.bias")
            self.G.nodes[m].update(merged, bias=b)

    def check_attributes(self, attrs, key):
        """The types of a node's (or the defaults') attributes, before they are used."""
        for name in ("activation", "init", "bias_init"):
            if name in attrs and not isinstance(attrs[name], str):
                self.fail(f"{name} must be a name, got {_short(attrs[name])}", f"{key}.{name}")
        if "trainable" in attrs and not isinstance(attrs["trainable"], bool):
            self.fail(f"trainable must be true or false, got {_short(attrs['trainable'])}", f"{key}.trainable")
        if attrs.get("group") is not None and not is_name(attrs["group"]):
            self.fail(f"group must be a name, got {_short(attrs['group'])}", f"{key}.group")

    def members(self, name, key):
        if name in self.groups:
            return self.groups[name]
        if name in self.where_node:
            return [name]
        known = list(self.where_node) + list(self.groups)
        self.fail(f"unknown node {name!r}{suggest(name, known)}", key)

    def add_edges(self, edge, key):
        if not isinstance(edge, dict):
            self.fail(f"an edge must be a mapping like {{from: a, to: b}}, got {edge!r}", key)
        self.unknown_keys(edge, EDGE_KEYS, key)
        for end in ("from", "to"):
            if end not in edge:
                self.fail(f"edge without {end!r}", key)
        sources = [m for n in self.as_list(edge["from"], f"{key}.from") for m in self.members(n, f"{key}.from")]
        targets = [m for n in self.as_list(edge["to"], f"{key}.to") for m in self.members(n, f"{key}.to")]
        if len(self.where_edge) + len(sources) * len(targets) > LIMITS.max_edges:
            self.fail(f"{len(sources):,} sources × {len(targets):,} targets would make more than "
                      f"{LIMITS.max_edges:,} edges {hint('max_edges')}", key)
        weights = self.edge_weights(edge.get("weight"), len(sources), len(targets), f"{key}.weight")
        trainable = edge.get("trainable", True)
        if not isinstance(trainable, bool):
            self.fail(f"trainable must be true or false, got {_short(trainable)}", f"{key}.trainable")
        where = self.where_edge
        new = [(u, v) for u in sources for v in targets]
        if not where.keys().isdisjoint(new):
            e = next(e for e in new if e in where)
            self.fail(f"duplicate edge {e[0]!r} -> {e[1]!r} (first at {where[e]})", key)
        if len(set(new)) != len(new):
            twice = next(e for e in new if new.count(e) > 1)
            self.fail(f"duplicate edge {twice[0]!r} -> {twice[1]!r} (listed twice here)", key)
        where.update(dict.fromkeys(new, key))
        fixed = {} if trainable else {"trainable": False}
        if weights is None:
            self.G.add_edges_from((u, v, dict(fixed)) for u, v in new)
        else:
            self.G.add_edges_from((u, v, {"weight": w, **fixed}) for (u, v), w in zip(new, weights))

    def edge_weights(self, weight, n_from, n_to, key):
        """A number for all, or an (n_from × n_to) nested list; returned flat, row by row (or None)."""
        if weight is None:
            return None
        if isinstance(weight, list):
            nested = any(isinstance(w, list) for w in weight)
            if not nested and (n_to == 1 or n_from == 1) and len(weight) == n_from * n_to:
                flat = weight                                    # one target, or one source
            elif nested and len(weight) == n_from and all(isinstance(r, list) and len(r) == n_to
                                                             for r in weight):
                flat = [w for row in weight for w in row]
            else:
                self.fail(f"weight must be one number, or {n_from} rows of {n_to} numbers (one "
                          f"row per source; a flat list when there is one source or one target)", key)
        else:
            flat = [weight] * (n_from * n_to)
        for w in flat:
            if type(w) is not float or w - w != 0.0:       # the common case, a finite float, is quick
                if not is_number(w) or not finite(w):
                    self.fail(f"weight must be a finite number, got {_short(w)}", key)
        return flat

    def locate(self, kind, item):
        """The key path of a node or edge (for errors found after parsing)."""
        if kind == "node":
            return self.where_node.get(item)
        if kind == "edge":
            return self.where_edge.get(tuple(item)) if item is not None else "edges"
        return kind


def parse(text, source=None):
    """Parse topology YAML ``text`` into ``(graph, locate)``.

    ``graph`` is a networkx.DiGraph with the file's explicit attributes only
    (missing weights are filled in by :func:`dagnet.graph.build`); ``locate``
    maps a node or edge back to its key path for error messages.
    """
    parser = _Parser(read_topology(text, source), source)
    return parser.parse(), parser.locate
