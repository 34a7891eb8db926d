"""The topology loader: ``dagnet.loads`` on any text ends in a network or a TopologyError."""
import dagnet

from .harness import Target

HEAD = "inputs: [a, b]\noutputs: [y]\n"
SEEDS = [
    HEAD + "nodes: {h: {size: 3}, y: {}}\nedges: [{from: [a, b], to: h}, {from: h, to: y}]\n",
    HEAD + "loss: sse\ndefaults: {activation: tanh, bias: true, init: uniform}\nnodes:\n  h: {size: 2}\n"
           "  y: {activation: sigmoid, bias: 0.5}\nedges:\n  - {from: a, to: h, weight: 0.1}\n"
           "  - {from: h, to: y}\n  - {from: b, to: y, trainable: false}\n",
    '{"inputs": ["a"], "outputs": ["y"], "nodes": {"y": {"bias": 0.25}}, '
    '"edges": [{"from": "a", "to": "y", "weight": -1.5}]}',
    "name: t\ndescription: >\n  text\ninputs: [x]\noutputs: [o]\nmetadata: {k: [1, 2]}\n"
    "nodes: {g: {size: 2, group: g}, o: {activation: identity}}\nedges: [{from: x, to: g}, {from: g, to: o}]\n",
]
TOKENS = ["inputs", "outputs", "nodes", "edges", "from", "to", "size", "bias", "weight", "activation",
          "trainable", "group", "defaults", "loss", "name", "metadata", "init", "description", "a", "b",
          "h", "y", "sigmoid", "tanh", "softmax", "relu", "identity", "sse", "mse", "cross_entropy",
          "uniform", "glorot", "{from: h, to: h}", "{from: y, to: a}"]


def call(text):
    dagnet.loads(text, source="fuzz.yaml", seed=0)


TARGET = Target("topology", SEEDS, TOKENS, call, (dagnet.TopologyError,))
