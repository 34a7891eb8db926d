"""The topology text after an edit made by clicking: the person's text, changed only where the edit changes it.

A structural edit (:mod:`dagnet.playground.edits`) says what the new
network is; this module writes the change into the text as a person
would: an edge is one more line under ``edges``, a perceptron beside
``h.4`` is ``h: {size: 6}``, an activation one key. Comments, the
description's layout and ``defaults`` (``init: uniform``, ``bias: true``)
stay, so the text still draws the weights the person's file draws.

Each change is checked by reading the new text back: it must build the
same structure as the structural edit (nodes, roles, activations, groups,
biases, edges, fixed weights, inputs, outputs, loss). Where no small
change does (a perceptron taken out of the middle of a group), only the
sections that changed (``nodes``, ``edges``, ...) are written anew, the
rest kept; the whole text is rewritten only if that fails too.

Examples
--------
>>> import dagnet
>>> from dagnet.playground import edits
>>> text = open("topologies/tutorial_2_5_1.yaml").read()
>>> net = dagnet.loads(text, seed=0)
>>> new, _ = edited_text(text, "toggle_edge", {"source": "in_x", "target": "out"}, net,
...                      edits.toggle_edge(net, "in_x", "out"))
>>> print(new[new.index("edges:"):], end="")
edges:
  - {from: [in_x, in_y], to: h}
  - {from: h, to: out}
  - {from: in_x, to: out}
"""
import yaml

from ..errors import TopologyError
from ..topology import group_size, read_topology
from ..writer import flow, scalar, to_data
from . import edits
from . import yamlspans as spans
from .yamlspans import Unplaceable


class Document:
    """A topology text being changed: its node tree, its data, its groups, and the changes so far."""

    def __init__(self, text):
        self.text = text
        self.root = spans.compose(text)
        if not isinstance(self.root, yaml.MappingNode):
            raise Unplaceable("the topology is not a mapping")
        self.data = read_topology(text)
        self.defaults = self.data.get("defaults") or {}
        self.groups = {}             # group written with a size -> its members, in order
        inputs = self.data["inputs"]
        items = [{k: v} for k, v in inputs.items()] if isinstance(inputs, dict) else \
            (inputs if isinstance(inputs, list) else [inputs])
        sized = [(k, v) for item in items if isinstance(item, dict) for k, v in item.items()]
        sized += [(k, (a or {}).get("size")) for k, a in (self.data["nodes"] or {}).items()
                  if isinstance(a, dict) and a.get("size") is not None]
        for name, size in sized:
            self.groups[name] = [f"{name}.{k}" for k in range(group_size(size))]
        self.splices = []
        self.new_edges = []          # flow texts of edge entries to append

    def top(self, key):
        return spans.entry(self.root, key)

    def section(self, key):
        """``(key node, value node)`` of a top-level key the change needs."""
        found = self.top(key)
        if found is None:
            raise Unplaceable(f"no {key}")
        return found

    def group_of(self, node):
        """The sized group ``node`` is a member of, or None."""
        return next((g for g, members in self.groups.items() if node in members), None)

    def node_entry(self, name):
        return spans.entry(self.section("nodes")[1], name)

    def names(self, members):
        """``members`` as a file writes them: whole groups (in order) by their name, one name bare."""
        out, i = [], 0
        while i < len(members):
            group = self.group_of(members[i])
            whole = self.groups.get(group)
            if whole and members[i:i + len(whole)] == whole:
                out.append(group)
                i += len(whole)
            else:
                out.append(members[i])
                i += 1
        return scalar(out[0]) if len(out) == 1 else flow(out)

    def members(self, written):
        """The nodes a ``from`` or ``to`` of the file (a name or a list of names) stands for."""
        names = written if isinstance(written, list) else [written]
        return [m for n in names for m in self.groups.get(n, [n])]

    def edge_index(self, source, target):
        """The index of the ``edges`` entry that makes the edge ``source -> target``."""
        for index, written in enumerate(self.data.get("edges") or []):
            if source in self.members(written["from"]) and target in self.members(written["to"]):
                return index
        raise Unplaceable(f"no entry makes the edge {source!r} -> {target!r}")

    def finish(self):
        """The text with every change made."""
        splices = list(self.splices)
        if self.new_edges:
            splices.append(spans.append_items(self.text, self.section("edges")[1], self.new_edges))
        return spans.apply(self.text, splices)


# -- the small changes, one per edit ---------------------------------------------------------------

def toggle_edge_text(doc, old, new, made, source, target):
    if not old.graph.has_edge(source, target):
        doc.new_edges.append(f"{{from: {scalar(source)}, to: {scalar(target)}}}")
        return
    index = doc.edge_index(source, target)
    written = doc.data["edges"][index]
    if isinstance(written.get("weight"), list):
        raise Unplaceable("an entry with a weight per edge")
    extra = "".join(f", {k}: {flow(v)}" for k, v in written.items() if k not in ("from", "to"))
    sources, targets = doc.members(written["from"]), doc.members(written["to"])
    entries = []
    others = [u for u in sources if u != source]
    if others:       # the other sources keep every target: the entry as written, less this source
        entries.append(f"{{from: {doc.names(others)}, to: {flow(written['to'])}{extra}}}")
    kept = [v for v in targets if v != target]
    if kept:
        entries.append(f"{{from: {scalar(source)}, to: {doc.names(kept)}{extra}}}")
    doc.splices.append(spans.replace_item(doc.text, doc.section("edges")[1], index, entries))


def add_perceptron_text(doc, old, new, made, beside=None):
    group = doc.group_of(beside) if beside is not None else None
    if group is not None:            # a layer grows by one: its size
        if made != f"{group}.{len(doc.groups[group])}":
            raise Unplaceable("a new member not at the end of its group")
        key_node, value_node = doc.node_entry(group)
        doc.splices.append(spans.set_key(doc.text, key_node, value_node, "size", str(len(doc.groups[group]) + 1)))
        return
    attributes = {}
    if new.plan.activation[made] != doc.defaults.get("activation", "sigmoid"):
        attributes["activation"] = new.plan.activation[made]
    if new.graph.nodes[made].get("group") is not None:
        attributes["group"] = new.graph.nodes[made]["group"]
    if new.graph.nodes[made].get("bias") is not None and doc.defaults.get("bias", True) is not True:
        attributes["bias"] = True
    nodes_key, nodes = doc.section("nodes")
    outputs = {str(o) for o in new.outputs}
    hidden = [key.value for key, _ in getattr(nodes, "value", [])      # a new perceptron goes before the outputs
              if not outputs & {str(m) for m in doc.groups.get(key.value, [key.value])}]
    after = beside if beside is not None else (hidden[-1] if hidden else None)
    doc.splices.append(spans.add_entry(doc.text, nodes_key, nodes, scalar(made), flow(attributes), after=after))
    doc.new_edges.append(f"{{from: {doc.names(list(new.graph.predecessors(made)))}, to: {scalar(made)}}}")
    doc.new_edges.append(f"{{from: {scalar(made)}, to: {doc.names(list(new.graph.successors(made)))}}}")


def _drop_from_edges(doc, node, also=()):
    """Take ``node`` (and the names in ``also``) out of every edge entry; an entry left without an end goes."""
    gone = {str(node), *map(str, also)}
    sequence = doc.section("edges")[1]
    entries_gone = []
    for index, written in enumerate(doc.data["edges"]):
        ends = {end: written[end] if isinstance(written[end], list) else [written[end]] for end in ("from", "to")}
        if not any(str(n) in gone for names in ends.values() for n in names):
            continue
        if any(all(str(n) in gone for n in names) for names in ends.values()):
            entries_gone.append(index)
            continue
        if isinstance(written.get("weight"), list):
            raise Unplaceable("an entry with a weight per edge")
        item = sequence.value[index]
        for end, names in ends.items():
            hits = [k for k, n in enumerate(names) if str(n) in gone]
            if hits:
                doc.splices += spans.remove_items(doc.text, spans.entry(item, end)[1], hits)
    if entries_gone:
        doc.splices += spans.remove_items(doc.text, sequence, entries_gone)


def remove_perceptron_text(doc, old, new, made, node):
    group = doc.group_of(node)
    if group is None:
        doc.splices.append(spans.remove_entry(doc.text, doc.section("nodes")[1], node))
        _drop_from_edges(doc, node)
        return
    members = doc.groups[group]
    if len(members) == 1:
        doc.splices.append(spans.remove_entry(doc.text, doc.section("nodes")[1], group))
        _drop_from_edges(doc, node, also=[group])
    elif node == members[-1]:        # the last member: one size less
        key_node, value_node = doc.node_entry(group)
        doc.splices.append(spans.set_key(doc.text, key_node, value_node, "size", str(len(members) - 1)))
        _drop_from_edges(doc, node)
    else:
        raise Unplaceable("a member out of the middle of a group")


def set_activation_text(doc, old, new, made, node, activation):
    group = doc.group_of(node)
    if group is not None and len(doc.groups[group]) > 1:
        raise Unplaceable("one member of a group")
    key_node, value_node = doc.node_entry(group if group is not None else node)
    doc.splices.append(spans.set_key(doc.text, key_node, value_node, "activation", scalar(activation)))


def set_loss_text(doc, old, new, made, loss):
    if doc.top("loss") is None:
        doc.splices.append(spans.add_entry(doc.text, None, doc.root, "loss", scalar(loss), after="outputs"))
    else:
        doc.splices.append(spans.set_key(doc.text, None, doc.root, "loss", scalar(loss)))


def toggle_feature_text(doc, old, new, made, feature):
    inputs = doc.section("inputs")[1]
    if feature in old.inputs:
        index = next(k for k, item in enumerate(inputs.value) if getattr(item, "value", None) == feature)
        doc.splices.append(spans.remove_item(doc.text, inputs, index))
        _drop_from_edges(doc, feature)
        return
    if not isinstance(inputs, yaml.SequenceNode):
        raise Unplaceable("inputs that are not a list")
    doc.splices.append(spans.append_items(doc.text, inputs, [scalar(feature)]))
    doc.new_edges.append(f"{{from: {scalar(feature)}, to: {doc.names(list(new.graph.successors(feature)))}}}")


#: The small change of each structural edit of :data:`dagnet.playground.edits.EDITS`.
TEXT_EDITS = {
    "toggle_edge": toggle_edge_text,
    "add_perceptron": add_perceptron_text,
    "remove_perceptron": remove_perceptron_text,
    "set_activation": set_activation_text,
    "set_loss": set_loss_text,
    "toggle_feature": toggle_feature_text,
}


# -- when no small change will do: the sections that changed, written anew ----------------------------

def sections_text(doc, new):
    """``doc``'s text with the sections ``new`` changes (inputs, outputs, loss, nodes, edges) written anew."""
    written = to_data(edits.structure_graph(new), "grouped")
    shared = (written.get("defaults") or {}).get("activation")
    default_activation = doc.defaults.get("activation", "sigmoid")
    old_nodes = doc.data.get("nodes") or {}
    for name, attributes in written["nodes"].items():      # said against the text's own defaults
        activation = attributes.pop("activation", shared)
        if activation != default_activation:
            attributes["activation"] = activation
        if "bias" not in attributes and doc.defaults.get("bias", True) is not True:
            attributes["bias"] = True
        if doc.defaults.get("trainable", True) is False and "trainable" not in attributes:
            attributes["trainable"] = True
        kept = old_nodes.get(name) if isinstance(old_nodes.get(name), dict) else {}
        attributes.update({k: kept[k] for k in ("init", "bias_init") if k in kept})
    blocks = {"nodes": [f"{scalar(n)}: {flow(a)}" for n, a in written["nodes"].items()],
              "edges": [f"- {flow(e)}" for e in written["edges"]]}
    splices = []
    for key in ("inputs", "outputs", "loss", "nodes", "edges"):
        value = written.get(key)
        if value is None or doc.data.get(key) == value:
            continue
        found = doc.top(key)
        if found is None:
            splices.append(spans.add_entry(doc.text, None, doc.root, key, flow(value)))
        else:
            splices.append(spans.replace_value(doc.text, *found, flow(value), blocks.get(key)))
    return spans.apply(doc.text, splices)


# -- checked: the text must read back as the structure -------------------------------------------------

def node_signature(graph, node):
    d = graph.nodes[node]
    fixed = d.get("trainable", True) is False
    return (d.get("role"), d.get("activation"), d.get("group"), d.get("bias") is None,
            fixed, d.get("bias") if fixed else None)


def edge_signature(graph, edge):
    d = graph.edges[edge]
    fixed = d.get("trainable", True) is False
    return fixed, d.get("weight") if fixed else None


def same_structure(a, b):
    """Do graphs ``a`` and ``b`` (of built networks) have the same structure (trainable values aside)?"""
    if any(a.graph.get(k) != b.graph.get(k) for k in ("inputs", "outputs", "loss")):
        return False
    if set(a.nodes) != set(b.nodes) or set(a.edges) != set(b.edges):
        return False
    return (all(node_signature(a, n) == node_signature(b, n) for n in a.nodes) and
            all(edge_signature(a, e) == edge_signature(b, e) for e in a.edges))


def edited_text(text, op, arguments, old, new, made=None, seed=0):
    """``(text, network)`` after edit ``op``: ``text`` changed as little as reads back as ``new``'s structure.

    ``old`` is the network ``text`` built, ``new`` the structural edit's
    result (``made``: the perceptron it added); the network returned is
    built from the new text with ``seed`` (weights not carried over yet).
    """
    def small():
        doc = Document(text)
        TEXT_EDITS[op](doc, old, new, made, **arguments)
        return doc.finish()

    for attempt in (small, lambda: sections_text(Document(text), new), lambda: edits.structure_text(new)):
        try:
            candidate = attempt()
            built, _ = edits.from_text(candidate, seed=seed)
        except (Unplaceable, TopologyError, yaml.YAMLError):
            continue
        if same_structure(built.graph, new.graph):
            return candidate, built
    return edits.structure_text(new), new.copy()
