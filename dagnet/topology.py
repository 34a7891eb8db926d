"""Read topology files (YAML) into blueprints: every key checked, every problem located.

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
no duplicate keys, no aliases, bounded nesting. The file becomes a
:class:`~dagnet.blueprint.Blueprint` (nodes by position, edges as arrays):
a file of a million edges is never a million Python objects beyond what
its text parses into. The edge list of a file exactly as ``net.save``
writes it is scanned with numpy by :mod:`dagnet.flatreader` (the rest of
the file read by the strict reader); other plain entries (one per target,
sources and weights as lists) are read at C speed by :mod:`dagnet.edgelists`;
any other entry, or any problem, is read entry by entry here, and the first
problem is named by its key.
"""
from operator import itemgetter

import numpy as np

from . import edgelists, flatreader
from .blueprint import Blueprint
from .errors import TopologyError, suggest
from .values import finite, group_size, is_name, is_number
from .limits import LIMITS, hint
from .strictyaml import read_document, read_json

TOP_KEYS = ("name", "description", "inputs", "outputs", "loss", "init", "defaults", "nodes", "edges",
            "metadata")
NODE_KEYS = ("size", "activation", "bias", "init", "bias_init", "trainable", "group")
EDGE_KEYS = ("from", "to", "weight", "trainable")
DEFAULT_KEYS = ("activation", "bias", "init", "bias_init", "trainable")
_COLUMNS = ("activation", "init", "bias_init", "trainable")


def _short(value, limit=60):
    """``repr(value)``, cut short: a hostile file must not make a huge message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _column(mappings, key, default, given):
    """``[m.get(key, default) for m in mappings]``, at C speed when every mapping has ``key`` or none does."""
    if not given:
        return [default] * len(mappings)
    try:
        return list(map(itemgetter(key), mappings))
    except KeyError:
        return [m.get(key, default) for m in mappings]


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
    """Turns the plain data of one topology file into a Blueprint."""

    def __init__(self, data, source, scanned=None):
        self.data = data
        self.source = source
        self.scanned = scanned    # the edges, scanned by flatreader (data's own edges list is empty)
        self.names = []           # node names in order
        self.position = {}        # node name -> position
        self.where = []           # key path of each node
        self.groups = {}          # group name -> (first position, size): members are consecutive
        self.columns = {key: [] for key in ("group", *_COLUMNS, "bias")}
        self.entry = None         # the file's edge entry of each edge (int array)
        self.entry_key = "edges[{}]"              # the key of edge entry k
        self.blueprint = None

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
        if not self.add_plain_nodes(nodes, defaults):
            for name, attrs in nodes.items():
                self.add_node(name, attrs, defaults)
        edges = data.get("edges") or []
        if self.scanned is not None:
            found = self.scanned.resolve(self.names, LIMITS.max_edges)
            if found is None:
                return None       # a name the scan cannot place: the caller reads the file the strict way
            src, dst, weight, trainable, self.entry = found
        elif isinstance(edges, dict):                 # {table: NAME, count: N, sha256: HEX}
            self.unknown_keys(edges, edgelists.TABLE_KEYS, "edges")
            src, dst, weight, trainable = edgelists.read_table(edges, self.source, len(self.names),
                                                               LIMITS.max_edges)
            self.entry, self.entry_key = np.arange(len(src)), "edges.table[{}]"
        elif not isinstance(edges, list):
            self.fail("edges must be a list of {from, to} mappings (or an edge table)", "edges")
        else:
            src, dst, weight, trainable, self.entry = (
                edgelists.read(edges, self.position, LIMITS.max_edges) or self.read_edges(edges))
        self.check_duplicates(src, dst)
        outputs = [n for i, name in enumerate(self.as_list(data["outputs"], "outputs"))
                   for n in self.members(name, f"outputs[{i}]")]
        if data.get("metadata") is not None and not isinstance(data["metadata"], dict):
            self.fail("metadata must be a mapping", "metadata")
        graph = {key: data[key] for key in ("name", "loss", "init", "description", "metadata")
                 if data.get(key) is not None}
        graph.update(inputs=inputs, outputs=outputs)
        c = self.columns
        self.blueprint = Blueprint(self.names, graph, c["group"], c["activation"], c["init"], c["bias_init"],
                                   c["trainable"], c["bias"], src, dst, weight, trainable)
        return self.blueprint

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
                    names += self.new_members(name, size, key, name, {})
            else:
                names += self.new_members(item, None, key, None, {})
        return names

    def new_members(self, name, size, key, group, attrs):
        """Add node ``name`` (or group ``name`` of ``size`` members ``name.0``...) with ``attrs``."""
        if not is_name(name):
            self.fail(f"a node name must be a string or an integer, got {_short(name)}", key)
        if name in self.position or name in self.groups:
            first = self.position[name] if name in self.position else self.groups[name][0]
            self.fail(f"duplicate node name {name!r} (first defined at {self.key_of(first)})", key)
        if size is None:
            members = [name]
        else:
            count = group_size(size)
            if count is None:
                self.fail(f"size must be a whole number >= 1, got {_short(size)}", f"{key}.size")
            if len(self.names) + count > LIMITS.max_nodes:
                self.fail(f"size {count:,} would make more than {LIMITS.max_nodes:,} nodes "
                          f"{hint('max_nodes')}", f"{key}.size")
            members = [f"{name}.{k}" for k in range(count)]
            self.groups[name] = (len(self.names), len(members))
        if len(self.names) + len(members) > LIMITS.max_nodes:
            self.fail(f"more than {LIMITS.max_nodes:,} nodes {hint('max_nodes')}", key)
        for m in members:
            if m in self.position:
                self.fail(f"duplicate node name {m!r} (group {name!r} member; first defined at "
                          f"{self.key_of(self.position[m])})", key)
            self.position[m] = len(self.names)
            self.names.append(m)
        self.where += [key] * len(members)
        c, count = self.columns, len(members)
        c["group"] += [group] * count
        for column in _COLUMNS:
            c[column] += [attrs.get(column)] * count
        c["bias"] += [None] * count                 # an input's; a perceptron's is set by add_node
        return members

    def add_plain_nodes(self, nodes, defaults):
        """Add every node at once when all are single perceptrons of plain attributes (as ``net.save``
        writes them); False (nothing added) when any needs a closer look."""
        names, attrs = list(nodes), list(nodes.values())
        if not set(map(type, attrs)) <= {dict} or not set(map(type, names)) <= {str}:
            return False
        given = set().union(*attrs)
        if not given <= set(NODE_KEYS) - {"size"} or len(self.names) + len(names) > LIMITS.max_nodes:
            return False
        known = set(self.names)
        if len(known.union(names)) != len(known) + len(names) or not self.groups.keys().isdisjoint(names):
            return False
        merged = {key: _column(attrs, key, defaults.get(key, True if key == "bias" else None), key in given)
                  for key in (*_COLUMNS, "group", "bias")}
        kinds = {"activation": {str}, "init": {str}, "bias_init": {str}, "trainable": {bool},
                 "group": {str, int}, "bias": {float, int, bool}}
        for key, types in kinds.items():
            if not set(map(type, merged[key])) <= types | {type(None)}:
                return False
        bias = merged["bias"]
        try:
            numbers = np.array(bias if set(map(type, bias)) == {float} else
                               [b for b in bias if type(b) is float or type(b) is int], dtype=float)
        except OverflowError:      # an integer beyond any float
            return False
        if not np.isfinite(numbers).all():
            return False
        first = len(self.names)
        self.names += names
        self.position.update(zip(names, range(first, first + len(names))))
        self.where += [None] * len(names)                 # nodes.NAME (see key_of)
        for key, column in merged.items():
            self.columns[key] += column
        return True

    def key_of(self, k):
        """The key path of the node at position ``k``."""
        return self.where[k] or f"nodes.{self.names[k]}"

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
        members = self.new_members(name, size, key, name if size is not None else group, merged)
        if isinstance(bias, list):
            if len(bias) != len(members):
                self.fail(f"bias list has {len(bias)} values for {len(members)} members", f"{key}.bias")
            biases = bias
        else:
            biases = [bias] * len(members)
        for b in biases if isinstance(bias, list) else biases[:1]:
            if not (b is None or isinstance(b, bool) or is_number(b)):
                self.fail(f"bias must be true, false or a number, got {_short(b)}", f"{key}.bias")
            if is_number(b) and not finite(b):
                self.fail(f"bias must be finite, got {_short(b)}", f"{key}.bias")
        self.columns["bias"][-len(members):] = biases

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
            first, size = self.groups[name]
            return self.names[first:first + size]
        if name in self.position:
            return [name]
        known = self.names + list(self.groups)
        self.fail(f"unknown node {name!r}{suggest(name, known)}", key)

    def positions(self, value, key):
        """The positions of the nodes (and group members) ``value`` names, as an int array."""
        parts = []
        for name in self.as_list(value, key):
            if name in self.groups:
                first, size = self.groups[name]
                parts.append(np.arange(first, first + size))
            else:
                self.members(name, key)
                parts.append([self.position[name]])
        return np.concatenate(parts).astype(np.intp) if parts else np.zeros(0, dtype=np.intp)

    def read_edges(self, edges):
        """Every edge entry in turn: (src, dst, weight, trainable, entry) arrays, edges in file order."""
        parts, total = [], 0
        for i, edge in enumerate(edges):
            key = f"edges[{i}]"
            if not isinstance(edge, dict):
                self.fail(f"an edge must be a mapping like {{from: a, to: b}}, got {edge!r}", key)
            self.unknown_keys(edge, EDGE_KEYS, key)
            for end in ("from", "to"):
                if end not in edge:
                    self.fail(f"edge without {end!r}", key)
            sources = self.positions(edge["from"], f"{key}.from")
            targets = self.positions(edge["to"], f"{key}.to")
            count = len(sources) * len(targets)
            if total + count > LIMITS.max_edges:
                self.fail(f"{len(sources):,} sources × {len(targets):,} targets would make more than "
                          f"{LIMITS.max_edges:,} edges {hint('max_edges')}", key)
            total += count
            weights = self.edge_weights(edge.get("weight"), len(sources), len(targets), f"{key}.weight")
            trainable = edge.get("trainable", True)
            if not isinstance(trainable, bool):
                self.fail(f"trainable must be true or false, got {_short(trainable)}", f"{key}.trainable")
            parts.append((np.repeat(sources, len(targets)), np.tile(targets, len(sources)),
                          np.full(count, np.nan) if weights is None else np.array(weights, dtype=float),
                          np.full(count, trainable), np.full(count, i, dtype=np.int32)))
        if not parts:
            return (np.zeros(0, dtype=np.intp),) * 2 + (np.zeros(0), np.zeros(0, dtype=bool),
                                                         np.zeros(0, dtype=np.int32))
        return tuple(np.concatenate(column) for column in zip(*parts))

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

    def check_duplicates(self, src, dst):
        """No edge twice: the first entry that repeats one is named, with where it came first."""
        repeat = edgelists.first_repeat(src, dst, len(self.names), self.entry)
        if repeat is not None:
            e, at, first = repeat
            pair = f"{self.names[src[e]]!r} -> {self.names[dst[e]]!r}"
            where = "listed twice here" if first is None else f"first at {self.entry_key.format(first)}"
            self.fail(f"duplicate edge {pair} ({where})", self.entry_key.format(at))

    def locate(self, kind, item):
        """The key path of a node or edge (for errors found after parsing)."""
        if kind == "node":
            k = self.position.get(item)
            return None if k is None else self.key_of(k)
        if kind == "edge":
            if item is None:
                return "edges"
            bp = self.blueprint
            u, v = (self.position.get(end) for end in item)
            found = np.flatnonzero((bp.src == u) & (bp.dst == v)) if None not in (u, v) else []
            return self.entry_key.format(self.entry[found[0]]) if len(found) else None
        return kind


def read(text, source=None):
    """Read topology YAML ``text`` into ``(blueprint, locate)``.

    ``blueprint`` is a :class:`~dagnet.blueprint.Blueprint` with the file's
    explicit attributes only (missing weights are filled in by
    :func:`dagnet.graph.complete`); ``locate(kind, item)`` maps a node or
    edge back to its key path for error messages.
    """
    fast = flatreader.split(text)       # the flat form's edges, scanned; None: read them the strict way
    data = fast and read_json(fast[0])
    if data:
        parser = _Parser(data, source, fast[1])
        if parser.parse() is not None:
            return parser.blueprint, parser.locate
    parser = _Parser(read_topology(text, source), source)
    return parser.parse(), parser.locate


def parse(text, source=None):
    """Parse topology YAML ``text`` into ``(graph, locate)``: :func:`read`, as a networkx.DiGraph."""
    blueprint, locate = read(text, source)
    return blueprint.to_graph(), locate
