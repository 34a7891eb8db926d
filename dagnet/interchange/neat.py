"""Import neat-python genomes: from the objects, from its JSON export, or from a pickle and its config.

neat-python evaluates a node as ``v_j = act_j(bias_j + response_j · agg_j(v_i · w_ij))``
where several built-in activations carry a gain (its sigmoid is
``1 / (1 + e^(−5x))``) and softplus an output scale. dagnet folds all of it
into weights and biases, so that z_j = σ_j(s_j) with s_j = b_j + Σ w'_ij z_i:

    w'_ij = gain_j · response_j · c_j · w_ij · scale_i       b'_j = gain_j · bias_j

(c_j is 1 for ``sum`` aggregation, 1/n_j for ``mean`` over n_j links). The
imported network computes what neat-python's ``FeedForwardNetwork.activate``
computes, and trains by backpropagation like any other.

==============  ================  ======  =====  ========================================
neat-python     dagnet            gain    scale  equal to neat-python
==============  ================  ======  =====  ========================================
sigmoid         sigmoid           5       1      to rounding (its clamp at ±60 moves < 1e-26)
tanh            tanh              2.5     1      to rounding
gauss           gaussian          √5      1      to rounding (its clamp moves < 1e-25)
relu            relu              1       1      to rounding
elu             elu               1       1      to rounding
identity        linear            1       1      to rounding
sin             sin               5       1      while |5x| ≤ 60, where neat-python clamps
softplus        softplus          5       0.2    while |5x| ≤ 60 (see below for outputs)
==============  ================  ======  =====  ========================================

Everything else is refused with an error naming the node and the
activation (``lelu`` and ``selu`` have other slopes than dagnet's
``leaky_relu`` and ``elu``; ``abs``, ``clamped``, ``cube``, ``exp``,
``hat``, ``inv``, ``log``, ``square`` have no dagnet counterpart), as are
aggregations other than ``sum`` and ``mean``, custom functions, and
genomes whose enabled connections form a cycle. Disabled connections and
nodes that reach no output are dropped (neat-python ignores them too); an
input that reaches no output gets a fixed edge of weight 0 to the first
output, because a dagnet network keeps every input as a column of X.
An output with softplus is computed by a perceptron named ``"KEY:softplus"``
that feeds the output ``KEY`` (linear, no bias) through a fixed weight 0.2.

Node names are neat-python's keys (inputs −1, −2, …, outputs 0, 1, …).

Examples
--------
>>> genome = {"format_version": "1.0", "network_type": "feedforward",
...           "topology": {"input_keys": [-1, -2], "output_keys": [0]},
...           "nodes": [{"id": 0, "type": "output", "activation": {"name": "sigmoid"},
...                      "aggregation": {"name": "sum"}, "bias": -1.0, "response": 1.0}],
...           "connections": [{"from": -1, "to": 0, "weight": 2.0, "enabled": True},
...                           {"from": -2, "to": 0, "weight": 0.5, "enabled": False}]}
>>> net = from_json(genome)
>>> net.weight(-1, 0), net.bias(0), net.weight(-2, 0)      # 5·2, 5·(−1), and −2 fixed at 0
(10.0, -5.0, 0.0)
"""
import json
import os

from ..files import MAX_BYTES, read_text
from ..graph import finite, is_number
from . import InterchangeError, require
from .neat_folding import NEAT_ACTIVATIONS, Genome, build, check_size
from .neat_pickle import loads_genome

__all__ = ["NEAT_ACTIVATIONS", "from_json", "from_neat", "load"]


def _genome_from_objects(genome, config, source=None):
    g = Genome([], [], {}, [], source=source)
    genome_config = getattr(config, "genome_config", config)
    try:
        g.inputs, g.outputs = list(genome_config.input_keys), list(genome_config.output_keys)
    except (AttributeError, TypeError):
        g.fail(f"expected a neat-python Config (or its genome_config) with input_keys and "
               f"output_keys, got {type(config).__name__}")
    nodes, connections = getattr(genome, "nodes", None), getattr(genome, "connections", None)
    if not isinstance(nodes, dict) or not isinstance(connections, dict):
        g.fail(f"expected a neat-python genome (with dicts nodes and connections), got "
               f"{type(genome).__name__}")
    check_size(g, len(g.inputs) + len(nodes), len(connections))
    custom = _custom_functions(genome_config)
    for key, gene in nodes.items():
        activation, aggregation = getattr(gene, "activation", None), getattr(gene, "aggregation", "sum")
        for function in (activation, aggregation):
            if not isinstance(function, str):
                g.fail(f"node {key!r}: expected the name of a neat-python function, got {function!r}")
            if function in custom:
                g.fail(f"node {key!r}: {function!r} is a custom function registered in the config; "
                       f"dagnet imports neat-python's built-in functions only")
        g.nodes[key] = (activation, aggregation, getattr(gene, "bias", None), getattr(gene, "response", None))
    for gene in connections.values():
        ends = getattr(gene, "key", None)
        if not isinstance(ends, tuple) or len(ends) != 2:
            g.fail(f"expected connection genes keyed by (from, to), got key {ends!r}")
        g.connections.append((*ends, getattr(gene, "weight", None), getattr(gene, "enabled", None)))
    key = getattr(genome, "key", None)
    g.metadata = {"genome": key} if _is_key(key) else {}
    fitness = getattr(genome, "fitness", None)
    if is_number(fitness) and finite(fitness):
        g.metadata["fitness"] = float(fitness)
    g.name = f"neat-genome-{key}" if _is_key(key) else "neat-genome"
    return g


def _custom_functions(genome_config):
    """Names of activations and aggregations in the config that are not neat-python's own."""
    custom = set()
    for defs in (getattr(genome_config, "activation_defs", None),
                 getattr(genome_config, "aggregation_function_defs", None)):
        for name, function in getattr(defs, "functions", {}).items():
            if getattr(function, "__module__", None) not in ("neat.activations", "neat.aggregations"):
                custom.add(name)
    return custom


def from_neat(genome, config, loss="mse", name=None):
    """A :class:`dagnet.Network` computing what neat-python's ``FeedForwardNetwork`` computes.

    Parameters
    ----------
    genome : neat.DefaultGenome (or any object with ``nodes`` and ``connections`` as neat-python's)
    config : neat.Config or its ``genome_config``
        Gives the input keys (the columns of X) and output keys.
    loss : str
        The loss for further training with :meth:`dagnet.Network.fit`.
    name : str or None
        The network's name (default ``neat-genome-KEY``).

    Returns
    -------
    dagnet.Network
        ``net.predict(X)`` row by row equals ``FeedForwardNetwork.create(genome,
        config).activate(x)`` (see the module docstring for the two activations
        where that holds only inside neat-python's clamp).

    Raises
    ------
    InterchangeError
        For a cycle among enabled connections, an activation or aggregation
        without dagnet counterpart (named, with the node), a broken genome,
        or one larger than :data:`dagnet.limits.LIMITS` (checked on the
        counts, before anything is built).
    """
    return build(_genome_from_objects(genome, config), loss=loss, name=name)


# -- neat-python's JSON export -------------------------------------------------------------------

def _function_name(value, what, where, g):
    if isinstance(value, dict):
        if value.get("custom") is True:
            g.fail(f"custom {what} {value.get('name')!r}: dagnet imports neat-python's built-in "
                   f"functions only", where)
        value = value.get("name")
    if not isinstance(value, str):
        g.fail(f"{what} must be a name (or {{name: ...}}), got {value!r}", where)
    return value


def from_json(data, loss="mse", name=None, source=None):
    """A Network from neat-python's JSON export (``neat.export.export_network_json``): a dict or text.

    Only ``network_type: feedforward`` is imported (a recurrent network
    computes something else). See :func:`from_neat` for the rest; errors
    name the place in the JSON (``connections[4]``, ``nodes[2].bias``).
    """
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError) as err:
            raise InterchangeError(f"not JSON ({err})", source=source) from None
    g = Genome([], [], {}, [], source=source, node_where={}, listed=True, metadata={})
    if not isinstance(data, dict):
        g.fail(f"expected a JSON object from neat-python's export, got a {type(data).__name__}")
    kind = data.get("network_type", "feedforward")
    if kind != "feedforward":
        g.fail(f"a {kind!r} network: dagnet imports neat-python's feed-forward networks only",
               "network_type")
    topology = data.get("topology")
    if not isinstance(topology, dict):
        g.fail("no topology with input_keys and output_keys: is this a neat-python JSON export?",
               "topology")
    for key in ("input_keys", "output_keys"):
        keys = topology.get(key)
        if not isinstance(keys, list) or not keys or not all(_is_key(k) for k in keys):
            g.fail(f"must be a non-empty list of node ids (integers), got {keys!r}", f"topology.{key}")
        if len(set(keys)) < len(keys):
            twice = next(k for k in keys if keys.count(k) > 1)
            g.fail(f"node {twice} is listed twice", f"topology.{key}")
    g.inputs, g.outputs = list(topology["input_keys"]), list(topology["output_keys"])
    nodes, connections = data.get("nodes"), data.get("connections")
    if not isinstance(nodes, list) or not isinstance(connections, list):
        g.fail("expected lists 'nodes' and 'connections'")
    check_size(g, len(nodes), len(connections))   # the export lists the inputs among the nodes
    inputs = set(g.inputs)
    for k, node in enumerate(nodes):
        if not isinstance(node, dict) or not _is_key(node.get("id")):
            g.fail("expected an object with an integer id", f"nodes[{k}]")
        key = node["id"]
        if key in inputs or node.get("type") == "input":
            continue
        if key in g.nodes:
            g.fail(f"node {key} is listed twice (first at {g.node_at(key)})", f"nodes[{k}]")
        g.nodes[key] = (_function_name(node.get("activation"), "activation", f"nodes[{k}].activation", g),
                        _function_name(node.get("aggregation", "sum"), "aggregation",
                                       f"nodes[{k}].aggregation", g),
                        node.get("bias"), node.get("response", 1.0))
        g.node_where[key] = f"nodes[{k}]"
    check_size(g, len(inputs) + len(g.nodes), len(connections))
    g.connections = _connection_list(connections, g)
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    g.metadata = {key: meta[key] for key in ("genome_id", "fitness", "generation")
                  if is_number(meta.get(key)) and finite(meta[key])}
    g.name = f"neat-genome-{meta['genome_id']}" if _is_key(g.metadata.get("genome_id")) else "neat-genome"
    return build(g, loss=loss, name=name)


def _connection_list(connections, g):
    """``(from, to, weight, enabled)`` of each JSON connection, whose ids must be integers."""
    try:   # at C speed when all is well, which the loop below checks one by one otherwise
        listed = [(c["from"], c["to"], c["weight"], c.get("enabled", True)) for c in connections]
        if {type(u) for u, _, _, _ in listed} | {type(v) for _, v, _, _ in listed} <= {int}:
            return listed
    except (TypeError, KeyError, AttributeError):
        pass
    listed = []
    for k, conn in enumerate(connections):
        if not isinstance(conn, dict) or not all(field in conn for field in ("from", "to", "weight")):
            g.fail("expected an object with from, to and weight", f"connections[{k}]")
        for end in ("from", "to"):
            if not _is_key(conn[end]):
                g.fail(f"expected a node id (an integer), got {conn[end]!r}", f"connections[{k}].{end}")
        listed.append((conn["from"], conn["to"], conn["weight"], conn.get("enabled", True)))
    return listed


def _is_key(value):
    return isinstance(value, int) and not isinstance(value, bool)


# -- files ---------------------------------------------------------------------------------------

PICKLE_SUFFIXES = (".pkl", ".pickle")


def _config(path):
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise InterchangeError("no such config file", source=path)
    neat = require("neat", "reading a neat-python config file")
    try:
        return neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                           neat.DefaultStagnation, path)
    except Exception as err:   # neat-python raises RuntimeError, KeyError, ValueError, configparser errors
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InterchangeError(f"not a neat-python config file for DefaultGenome ({reason})",
                               source=path) from None


def _read_bytes(path):
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InterchangeError("no such file", source=path) from None
    if len(data) > MAX_BYTES:
        raise InterchangeError(f"over the {MAX_BYTES >> 20} MiB limit (dagnet.files.MAX_BYTES)",
                               source=path)
    return data


def _head(path):
    """The file's first bytes, a UTF-8 byte-order mark and white space left out."""
    try:
        with open(path, "rb") as f:
            return f.read(64).removeprefix(b"\xef\xbb\xbf").lstrip()
    except FileNotFoundError:
        raise InterchangeError("no such file", source=path) from None


def load(path, config=None, loss="mse", name=None, allow_pickle=False):
    """A Network from a neat-python file: its JSON export, or a pickled genome with its ``config`` file.

    Parameters
    ----------
    path : str or path
        A ``.json`` file written by ``neat.export.export_network_json``, or a
        genome saved with ``pickle.dump`` (named ``.pkl`` or ``.pickle``, or
        anything but ``.json``). A file's content must match its name: a
        ``.json`` file is never unpickled.
    config : str, path or None
        The neat-python config file the genome was evolved with (pickles only),
        read before the pickle is.
    loss, name
        As in :func:`from_neat`.
    allow_pickle : bool
        Pickles are read only when True. Even then dagnet unpickles only
        neat-python's genome and gene classes and plain Python values
        (:mod:`dagnet.interchange.neat_pickle`), so a file naming any other
        callable is refused without running it.

    Raises
    ------
    InterchangeError
        For a file that is not what its name says, a pickle without
        ``allow_pickle=True`` or without ``config``, or any problem
        :func:`from_json` and :func:`from_neat` name.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise InterchangeError("is a directory, not a neat-python file", source=path)
    if os.path.exists(path) and not os.path.isfile(path):   # a FIFO would block the read below
        raise InterchangeError("not a regular file (a device, pipe or socket)", source=path)
    suffix = os.path.splitext(path)[1].lower()
    head = _head(path)
    holds_json = head[:1] in (b"{", b"[")
    if suffix in PICKLE_SUFFIXES and holds_json:
        raise InterchangeError(f"named {suffix} but holds JSON text: name it .json", source=path)
    if suffix == ".json" or holds_json:
        if head[:1] == b"\x80":            # pickle protocols 2 to 5 start so
            raise InterchangeError("named .json but holds a pickle, and dagnet never unpickles a .json "
                                   "file; export the genome as JSON (neat.export.export_network_json)",
                                   source=path)
        text = read_text(path, InterchangeError, what="neat-python JSON file")
        return from_json(text, loss=loss, name=name, source=path)
    if not allow_pickle:
        raise InterchangeError("not JSON, so a pickled genome; unpickling can run code from the file, "
                               "so dagnet reads a pickle only when told to trust it (allow_pickle=True, "
                               "or --trust-pickle on the command line); neat-python's JSON export "
                               "(neat.export.export_network_json) needs no trust", source=path)
    if config is None:
        raise InterchangeError("a pickled genome: give the neat-python config file it was evolved "
                               "with too", source=path)
    config = _config(config)
    genome = loads_genome(_read_bytes(path), path)
    if isinstance(genome, (tuple, list)):   # (genome, fitness) pairs some scripts pickle
        genome = next((o for o in genome if hasattr(o, "nodes") and hasattr(o, "connections")), genome)
    if not (hasattr(genome, "nodes") and hasattr(genome, "connections")):
        raise InterchangeError(f"holds a {type(genome).__name__}, not a neat-python genome", source=path)
    return build(_genome_from_objects(genome, config, source=path), loss=loss, name=name)
