"""The grouped form of a topology file: groups as ``{size: N}`` and edges between whole groups as one entry.

:func:`grouped_data` finds, in any graph, the groups whose members are
``g.0 .. g.N-1`` with the same attributes, the runs of inputs that form a
group, and the edges that connect whole groups alike, and writes
everything else perceptron by perceptron, in the order that makes the
file initialise exactly as the graph does. :mod:`dagnet.writer` turns the
data into text.
"""


def _groups(G, nodes):
    """``{group: members}`` for the groups among ``nodes`` writable as ``{size: N}``."""
    members = {}
    for n in nodes:
        g = G.nodes[n].get("group")
        if g is not None:
            members.setdefault(g, []).append(n)
    compact = {}
    for g, ms in members.items():
        if not isinstance(g, str) or g in G:
            continue
        if sorted(ms, key=str) != sorted([f"{g}.{k}" for k in range(len(ms))]):
            continue
        ms = [f"{g}.{k}" for k in range(len(ms))]
        compact[g] = ms
    return compact


def _inputs_entry(G, inputs):
    """``inputs`` as file items: runs ``g.0 .. g.N-1`` of a group become ``{g: N}``."""
    items, units, i = [], {}, 0
    while i < len(inputs):
        node = inputs[i]
        g = G.nodes[node].get("group")
        run = 0
        if isinstance(g, str) and g not in G and node == f"{g}.0":
            while i + run < len(inputs) and inputs[i + run] == f"{g}.{run}":
                run += 1
            if any(f"{g}.{run}" == n for n in G) or g in units:
                run = 0   # the group has members elsewhere: not a clean run
        if run:
            items.append({g: run})
            units[g] = inputs[i:i + run]
            i += run
        else:
            items.append(node)
            units[node] = [node]
            i += 1
    if all(isinstance(item, dict) for item in items):
        merged = {}
        for item in items:
            merged.update(item)
        return merged, units
    return items, units


def grouped_data(G, inputs, outputs, node_attrs):
    """Topology-file data for graph ``G``, groups kept compact (``h1: {size: 8}``, group edges).

    ``node_attrs(attrs)`` gives the file attributes of one perceptron.
    """
    input_set = set(inputs)
    nodes = [n for n in G if n not in input_set]

    data = {key: G.graph[key] for key in ("name", "description") if G.graph.get(key)}
    data["inputs"], units = _inputs_entry(G, inputs)
    data["outputs"] = None   # placed here, filled below
    for key in ("loss", "init"):
        if G.graph.get(key):
            data[key] = G.graph[key]

    attrs = {n: node_attrs(G.nodes[n]) for n in nodes}
    groups = {g: ms for g, ms in _groups(G, nodes).items() if g not in units and _uniform(attrs, ms)}
    group_of = {m: g for g, ms in groups.items() for m in ms}
    acts = [a["activation"] for a in attrs.values()]
    shared = max(sorted(set(acts)), key=acts.count) if acts else None
    if shared is not None and acts.count(shared) > 1:
        data["defaults"] = {"activation": shared}
    else:
        shared = None
    entries = {}
    for n in nodes:
        unit = group_of.get(n, n)
        if unit in entries:
            continue
        entry = dict(attrs[n])
        if unit in groups:
            biases = [attrs[m]["bias"] for m in groups[unit]]
            entry["bias"] = biases[0] if isinstance(biases[0], bool) else biases
            entry = {"size": len(groups[unit]), **entry}
        elif G.nodes[n].get("group") is not None:
            entry["group"] = G.nodes[n]["group"]
        if entry["bias"] is True:
            del entry["bias"]
        if entry["activation"] == shared:
            del entry["activation"]
        entries[unit] = entry
        units[unit] = groups.get(unit, [n])
    data["outputs"] = _outputs_entry(outputs, groups)
    data["nodes"] = entries
    unit_of = {m: u for u, ms in units.items() for m in ms}
    pos = {n: k for k, n in enumerate(G)}
    data["edges"] = _merge(_merge_targets(
        [e for V in entries for e in _edges_into(G, units, unit_of, V, pos)], units, unit_of))
    return data


def _uniform(attrs, members):
    """True when a group's members differ at most in their bias values (a list is allowed)."""
    first = {k: v for k, v in attrs[members[0]].items() if k != "bias"}
    if any({k: v for k, v in attrs[m].items() if k != "bias"} != first for m in members):
        return False
    biases = [attrs[m]["bias"] for m in members]
    flags = [b for b in biases if isinstance(b, bool)]
    return not flags or (len(flags) == len(biases) and len(set(flags)) == 1)


def _outputs_entry(outputs, groups):
    items, i = [], 0
    while i < len(outputs):
        for g, ms in groups.items():
            if outputs[i:i + len(ms)] == ms:
                items.append(g)
                i += len(ms)
                break
        else:
            items.append(outputs[i])
            i += 1
    return items


def _edges_into(G, units, unit_of, V, pos):
    """Edge entries into unit ``V``: whole source units as group edges, the rest per perceptron.

    ``Network.from_graph`` draws missing weights into each perceptron with
    its predecessors in graph order, and the loader in file order; the
    entries follow graph order (else everything into ``V`` is written
    perceptron by perceptron), so the file and the graph initialise alike.
    """
    members = units[V]
    preds = {v: sorted(G.predecessors(v), key=pos.__getitem__) for v in members}
    sources = sorted({unit_of[u] for v in members for u in preds[v]}, key=lambda U: pos[units[U][0]])
    segments = []   # [(whole unit entry or None, [source units])]
    for U in sources:
        entry = _whole_edge(G, units[U], members, U, V)
        if entry is not None:
            segments.append((entry, [U]))
        elif segments and segments[-1][0] is None:
            segments[-1][1].append(U)
        else:
            segments.append((None, [U]))
    entries, expected = [], {v: [] for v in members}
    for entry, group in segments:
        if entry is not None:
            entries.append(entry)
            for v in members:
                expected[v] += units[group[0]]
            continue
        inside = set(group)
        for v in members:
            rest = [u for u in preds[v] if unit_of[u] in inside]
            entries += _node_entries(G, rest, v, units, unit_of)
            expected[v] += rest
    if any(expected[v] != preds[v] for v in members):   # an order group edges cannot keep
        entries = [e for v in members for e in _node_entries(G, preds[v], v, units, unit_of)]
    return entries


def _whole_edge(G, sources, members, U, V):
    """``{from: U, to: V}`` (with a weight matrix when weighted) if every pair is an edge alike."""
    pairs = [(u, v) for u in sources for v in members]
    if not all(G.has_edge(u, v) for u, v in pairs):
        return None
    weights = [G.edges[p].get("weight") for p in pairs]
    trainable = {G.edges[p].get("trainable", True) for p in pairs}
    weighted = {w is not None for w in weights}
    if len(trainable) > 1 or len(weighted) > 1:
        return None
    entry = {"from": U, "to": V}
    if weighted.pop():
        width = len(members)
        entry["weight"] = [weights[r * width:(r + 1) * width] for r in range(len(sources))]
    if not trainable.pop():
        entry["trainable"] = False
    return entry


def _node_entries(G, sources, v, units, unit_of):
    """Entries for the edges ``sources -> v``, one per run of the same kind (weighted, trainable).

    A run of sources that is a whole group, in order, is written as the group's name.
    """
    runs = []
    kind = None
    for u in sources:
        d = G.edges[u, v]
        w, trainable = d.get("weight"), d.get("trainable", True)
        if (w is None, trainable) != kind:
            kind = (w is None, trainable)
            runs.append(({} if w is None else {"weight": []}) | ({} if trainable else {"trainable": False}))
            runs[-1]["from"] = []
        runs[-1]["from"].append(u)
        if w is not None:
            runs[-1]["weight"].append(w)
    entries = []
    for run in runs:
        names, i, src = [], 0, run["from"]
        while i < len(src):
            members = units[unit_of[src[i]]]
            if len(members) > 1 and src[i:i + len(members)] == members:
                names.append(unit_of[src[i]])
                i += len(members)
            else:
                names.append(src[i])
                i += 1
        entry = {"from": names[0] if len(names) == 1 else names, "to": v}
        if "weight" in run:
            entry["weight"] = run["weight"][0] if len(run["weight"]) == 1 else run["weight"]
        if "trainable" in run:
            entry["trainable"] = False
        entries.append(entry)
    return entries


def _plain(entry):
    return set(entry) == {"from", "to"}


def _merge_targets(entries, units, unit_of):
    """Consecutive plain entries with the same sources share one entry with a list of targets.

    Each target keeps its predecessors' order: the parser adds an entry's
    edges source by source for every target.
    """
    merged = []
    for e in entries:
        prev = merged[-1] if merged else None
        if prev is not None and _plain(prev) and _plain(e) and prev["from"] == e["from"]:
            prev["to"] = (prev["to"] if isinstance(prev["to"], list) else [prev["to"]]) + [e["to"]]
        else:
            merged.append(dict(e))
    for e in merged:   # a list of targets that is a whole group, in order: the group's name
        to = e["to"]
        if isinstance(to, list) and to[0] in unit_of and units[unit_of[to[0]]] == to:
            e["to"] = unit_of[to[0]]
    return merged


def _merge(entries):
    """Consecutive plain entries into the same targets share one entry: ``{from: [x, h1], to: h2}``."""
    merged = []
    as_list = lambda names: names if isinstance(names, list) else [names]
    for e in entries:
        prev = merged[-1] if merged else None
        if prev is not None and _plain(prev) and _plain(e) and prev["to"] == e["to"]:
            prev["from"] = as_list(prev["from"]) + as_list(e["from"])
        else:
            merged.append(e)
    return merged
