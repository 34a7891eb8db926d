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
import pickle

from ..files import MAX_BYTES, read_text
from ..graph import is_number
from . import InterchangeError, MissingDependency, require
from .neat_folding import NEAT_ACTIVATIONS, Genome, build

__all__ = ["NEAT_ACTIVATIONS", "from_json", "from_neat", "load"]


def _genome_from_objects(genome, config):
    genome_config = getattr(config, "genome_config", config)
    try:
        inputs, outputs = list(genome_config.input_keys), list(genome_config.output_keys)
    except (AttributeError, TypeError):
        raise InterchangeError(f"expected a neat-python Config (or its genome_config) with input_keys "
                               f"and output_keys, got {type(config).__name__}") from None
    if not hasattr(genome, "nodes") or not hasattr(genome, "connections"):
        raise InterchangeError(f"expected a neat-python genome (with nodes and connections), got "
                               f"{type(genome).__name__}")
    custom = _custom_functions(genome_config)
    nodes = {}
    for key, gene in genome.nodes.items():
        activation, aggregation = getattr(gene, "activation", None), getattr(gene, "aggregation", "sum")
        if activation in custom or aggregation in custom:
            raise InterchangeError(f"node {key!r}: {activation if activation in custom else aggregation!r} "
                                   f"is a custom function registered in the config; dagnet imports "
                                   f"neat-python's built-in functions only")
        nodes[key] = (activation, aggregation, getattr(gene, "bias", None), getattr(gene, "response", None))
    connections = [(*gene.key, gene.weight, gene.enabled) for gene in genome.connections.values()]
    key = getattr(genome, "key", None)
    metadata = {"genome": key} if isinstance(key, int) else {}
    if is_number(getattr(genome, "fitness", None)):
        metadata["fitness"] = float(genome.fitness)
    return Genome(inputs, outputs, nodes, connections, name=f"neat-genome-{key}" if key is not None
                  else "neat-genome", metadata=metadata)


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
        without dagnet counterpart (named, with the node), or a broken genome.
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
    computes something else). See :func:`from_neat` for the rest.
    """
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except ValueError as err:
            raise InterchangeError(f"not JSON ({err})", source=source) from None
    g = Genome([], [], {}, [], source=source, metadata={})
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
            g.fail(f"must be a non-empty list of node ids, got {keys!r}", f"topology.{key}")
    g.inputs, g.outputs = list(topology["input_keys"]), list(topology["output_keys"])
    nodes, connections = data.get("nodes"), data.get("connections")
    if not isinstance(nodes, list) or not isinstance(connections, list):
        g.fail("expected lists 'nodes' and 'connections'")
    g.where = {}
    inputs = set(g.inputs)
    for k, node in enumerate(nodes):
        if not isinstance(node, dict) or not _is_key(node.get("id")):
            g.fail("expected an object with an integer id", f"nodes[{k}]")
        key = node["id"]
        if key in inputs or node.get("type") == "input":
            continue
        if key in g.nodes:
            g.fail(f"node {key} is listed twice", f"nodes[{k}]")
        g.nodes[key] = (_function_name(node.get("activation"), "activation", f"nodes[{k}].activation", g),
                        _function_name(node.get("aggregation", "sum"), "aggregation",
                                       f"nodes[{k}].aggregation", g),
                        node.get("bias"), node.get("response", 1.0))
        g.where[("node", key)] = f"nodes[{k}]"
    for k, conn in enumerate(connections):
        if not isinstance(conn, dict) or not all(field in conn for field in ("from", "to", "weight")):
            g.fail("expected an object with from, to and weight", f"connections[{k}]")
        g.connections.append((conn["from"], conn["to"], conn["weight"], conn.get("enabled", True)))
        g.where[("connection", len(g.connections) - 1)] = f"connections[{k}]"
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    g.metadata = {key: meta[key] for key in ("genome_id", "fitness", "generation")
                  if is_number(meta.get(key))}
    g.name = f"neat-genome-{meta['genome_id']}" if "genome_id" in g.metadata else "neat-genome"
    return build(g, loss=loss, name=name)


def _is_key(value):
    return isinstance(value, int) and not isinstance(value, bool)


# -- files ---------------------------------------------------------------------------------------

def _config(path):
    neat = require("neat", "reading a neat-python config file")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise InterchangeError("no such config file", source=path)
    try:
        return neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                           neat.DefaultStagnation, path)
    except Exception as err:   # neat-python raises RuntimeError, KeyError, ValueError, configparser errors
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise InterchangeError(f"not a neat-python config file for DefaultGenome ({reason})",
                               source=path) from None


def _unpickle(path):
    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise InterchangeError(f"is {size / 2**20:.1f} MiB, over the {MAX_BYTES >> 20} MiB limit",
                                   source=path)
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise InterchangeError("no such file", source=path) from None
    if data[:2] == b"\x1f\x8b":
        raise InterchangeError("a gzip file, likely a neat-python checkpoint: restore it with "
                               "neat.Checkpointer.restore_checkpoint, pickle the genome you want, and "
                               "import that", source=path)
    try:
        obj = pickle.loads(data)
    except ModuleNotFoundError as err:
        if err.name and err.name.split(".")[0] == "neat":
            raise MissingDependency('reading a pickled neat-python genome needs neat-python: '
                                    'pip install "dagnet[neat]"') from None
        raise InterchangeError(f"not a pickled neat-python genome (it needs module {err.name!r})",
                               source=path) from None
    except Exception as err:
        raise InterchangeError(f"not a pickled neat-python genome ({type(err).__name__}: {err})",
                               source=path) from None
    if isinstance(obj, (tuple, list)):   # (genome, config) pairs some scripts pickle
        obj = next((o for o in obj if hasattr(o, "nodes") and hasattr(o, "connections")), obj)
    if not (hasattr(obj, "nodes") and hasattr(obj, "connections")):
        raise InterchangeError(f"holds a {type(obj).__name__}, not a neat-python genome", source=path)
    return obj


def load(path, config=None, loss="mse", name=None):
    """A Network from a neat-python file: its JSON export, or a pickled genome with its ``config`` file.

    Parameters
    ----------
    path : str or path
        A ``.json`` file written by ``neat.export.export_network_json``, or a
        genome saved with ``pickle.dump`` (unpickling runs code from the file:
        import only pickles you trust).
    config : str, path or None
        The neat-python config file the genome was evolved with (pickles only).
    loss, name
        As in :func:`from_neat`.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise InterchangeError("is a directory, not a neat-python file", source=path)
    try:
        with open(path, "rb") as f:
            head = f.read(64).lstrip()
    except FileNotFoundError:
        raise InterchangeError("no such file", source=path) from None
    if head[:1] in (b"{", b"["):
        text = read_text(path, InterchangeError, what="neat-python JSON file")
        return from_json(text, loss=loss, name=name, source=path)
    if config is None:
        raise InterchangeError("not JSON, so a pickled genome: give the neat-python config file it "
                               "was evolved with too", source=path)
    genome = _unpickle(path)
    config = _config(config)
    try:
        return from_neat(genome, config, loss=loss, name=name)
    except InterchangeError as err:
        raise InterchangeError(err.problem, source=path, key=err.key) from None
