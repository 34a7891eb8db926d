"""A genome as plain data, its dagnet network, and the Lamarckian write-back: the fold's exact inverse.

:mod:`dagnet.interchange.neat_folding` folds neat-python's gains,
responses and aggregation factors into a network's weights and biases:

    w'_ij = gain_j · response_j · c_j · w_ij · scale_i       b'_j = gain_j · bias_j

:func:`unfold` goes back: after training, ``bias_j = b'_j / gain_j`` and
``w_ij = w'_ij / (gain_j · response_j · c_j · scale_i)``, so that
neat-python's ``FeedForwardNetwork`` of the written-back genome computes
what the trained dagnet network computes (to rounding). A node whose
response is 0 (its weights fold to 0 and training moves them) gets
response 1 and its weights unfolded against it: exact too.

Genomes travel to workers as :class:`~dagnet.interchange.neat_folding.Genome`
records (plain data: no neat-python objects, so no config is pickled).

Examples
--------
>>> from dagnet.interchange.neat_folding import Genome
>>> g = Genome([-1], [0], {0: ("tanh", "sum", 0.5, 2.0)}, [(-1, 0, 3.0, True)])
>>> net = network(g)
>>> net.set_weight(-1, 0, 10.0); net.set_bias(0, 5.0)
>>> values = unfold(g, net)
>>> values.biases, values.weights                  # 5 / 2.5, 10 / (2.5 · 2)
({0: 2.0}, {(-1, 0): 2.0})
"""
from dataclasses import dataclass

from ..interchange.neat_folding import AGGREGATIONS, NEAT_ACTIVATIONS, Genome, build


@dataclass(frozen=True)
class Values:
    """A genome's trained values in neat-python's units: ``biases`` and ``responses`` by node key,
    ``weights`` by connection key (only what the network expresses)."""

    biases: dict
    weights: dict
    responses: dict


def plain(genome, genome_config):
    """The :class:`Genome` record of a neat-python genome (its enabled and disabled genes alike)."""
    nodes = {key: (gene.activation, gene.aggregation, gene.bias, gene.response)
             for key, gene in genome.nodes.items()}
    connections = [(*gene.key, gene.weight, gene.enabled) for gene in genome.connections.values()]
    return Genome(list(genome_config.input_keys), list(genome_config.output_keys), nodes, connections,
                  name=f"neat-genome-{genome.key}", metadata={"genome": genome.key})


def loss_for(g, loss="auto"):
    """``loss``, or for "auto": binary cross-entropy when every output is a sigmoid, else mse."""
    if loss != "auto":
        return loss
    return "binary_cross_entropy" if all(g.nodes[o][0] == "sigmoid" for o in g.outputs) else "mse"


def network(g, loss="mse", name=None):
    """The dagnet network of a :class:`Genome` (gains, responses, aggregations folded in)."""
    return build(g, loss=loss, name=name)


def structure_key(g, loss):
    """What decides a genome's network apart from its values: nodes, enabled connections, the loss."""
    return (loss, tuple(g.inputs), tuple(g.outputs),
            tuple(sorted((key, activation, aggregation) for key, (activation, aggregation, _, _) in g.nodes.items())),
            tuple(sorted((u, v) for u, v, _, on in g.connections if on)))


class Networks:
    """Networks of genomes, each structure compiled once: a genome of a structure seen before gets a
    copy of that network (sharing its plan) with its own values folded in, bit for bit what
    :func:`network` builds. Most children share their parent's structure, so most builds are copies.

    Examples
    --------
    >>> from dagnet.interchange.neat_folding import Genome
    >>> networks = Networks()
    >>> a = networks.network(Genome([-1], [0], {0: ("tanh", "sum", 0.5, 2.0)}, [(-1, 0, 3.0, True)]))
    >>> b = networks.network(Genome([-1], [0], {0: ("tanh", "sum", 0.1, 2.0)}, [(-1, 0, 1.0, True)]))
    >>> a.plan is b.plan, b.weight(-1, 0), b.bias(0)              # 2.5 · 2 · 1 and 2.5 · 0.1
    (True, 5.0, 0.25)
    """

    def __init__(self, size=1024):
        self.size = size
        self.templates = {}

    def network(self, g, loss="mse"):
        """The network of :class:`Genome` ``g``, as :func:`network` builds it."""
        key = structure_key(g, loss)
        template = self.templates.pop(key, None)
        if template is None:
            template = network(g, loss=loss)
            if len(self.templates) >= self.size:           # the least recently used goes
                self.templates.pop(next(iter(self.templates)))
            self.templates[key] = template
            return template.copy()
        self.templates[key] = template                     # now the most recently used
        net = template.copy()
        fold_into(g, net)
        return net


def fold_into(g, net):
    """Write genome ``g``'s values, folded, into ``net`` (built from a genome of the same structure):
    the same arithmetic in the same order as :func:`dagnet.interchange.neat_folding.build`."""
    names = _names(g)
    edge_slot, bias_slot, params = net.plan.edge_slot, net.plan.bias_slot, net.params
    expressed = [(u, v, w) for u, v, w, on in g.connections
                 if on and v in names and (names.get(u, u), names[v]) in edge_slot]
    links = {}
    for _, v, _ in expressed:
        links[v] = links.get(v, 0) + 1
    for key, name in names.items():
        slot = bias_slot.get(name)
        if slot is not None:
            activation, _, bias, _ = g.nodes[key]
            params[slot] = NEAT_ACTIVATIONS[activation].gain * bias
    for u, v, w in expressed:
        activation, aggregation, _, response = g.nodes[v]
        scale = NEAT_ACTIVATIONS[g.nodes[u][0]].scale if u in g.nodes else 1.0
        params[edge_slot[names.get(u, u), names[v]]] = (NEAT_ACTIVATIONS[activation].gain * response
                                                        * AGGREGATIONS[aggregation](links[v]) * float(w) * scale)


def _names(g):
    """Genome node key -> the name of the dagnet node holding its bias and incoming weights."""
    return {key: f"{key}:{activation}" if key in g.outputs and NEAT_ACTIVATIONS[activation].scale != 1.0
            else key for key, (activation, *_) in g.nodes.items() if activation in NEAT_ACTIVATIONS}


def unfold(g, net):
    """The trained values of ``net`` (built from ``g`` by :func:`network`) in neat-python's units.

    Returns
    -------
    Values
        For every node and enabled connection that ``net`` expresses.
    """
    names = _names(g)
    edge_slot, bias_slot, params = net.plan.edge_slot, net.plan.bias_slot, net.params
    expressed = [(u, v) for u, v, _, on in g.connections
                 if on and v in names and (names.get(u, u), names[v]) in edge_slot]
    links = {}
    for _, v in expressed:
        links[v] = links.get(v, 0) + 1
    biases, responses = {}, {}
    for key, name in names.items():
        slot = bias_slot.get(name)
        if slot is None:
            continue
        activation, aggregation, _, response = g.nodes[key]
        biases[key] = float(params[slot]) / NEAT_ACTIVATIONS[activation].gain
        if response == 0:
            responses[key] = 1.0
    weights = {}
    for u, v in expressed:
        activation, aggregation, _, response = g.nodes[v]
        response = responses.get(v, response)
        scale = NEAT_ACTIVATIONS[g.nodes[u][0]].scale if u in g.nodes else 1.0
        factor = NEAT_ACTIVATIONS[activation].gain * response * AGGREGATIONS[aggregation](links[v]) * scale
        weights[u, v] = float(params[edge_slot[names.get(u, u), names[v]]]) / factor
    return Values(biases, weights, responses)


def write_back(genome, values):
    """Write :class:`Values` into a neat-python genome (in place): the Lamarckian inheritance."""
    for key, bias in values.biases.items():
        genome.nodes[key].bias = bias
    for key, response in values.responses.items():
        genome.nodes[key].response = response
    for key, weight in values.weights.items():
        genome.connections[key].weight = weight


def complexity(net):
    """(hidden nodes, connections) that the network expresses (fixed zero edges of unused inputs and
    the helper perceptron of a scaled output aside)."""
    plan = net.plan
    connections = sum(1 for slot in plan.edge_slot.values() if plan.mask[slot])
    G = net.structure
    hidden = sum(1 for node, role in G.nodes(data="role") if role == "hidden" and not isinstance(node, str))
    return hidden, connections
