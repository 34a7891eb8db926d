"""The topology loader: ``dagnet.loads`` on any text ends in a network or a TopologyError.

Inputs run under small size limits: the fuzzer looks for limits not
honoured before time or memory is spent, not for how long the large
networks the default limits allow take to build (docs/fuzzing.md).
"""
import dagnet
from dagnet import limits

from .harness import Target

#: The limits in force while an input is loaded (networks of this size build in well under a second).
SMALL = {"max_nodes": 2_000, "max_edges": 20_000}

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
    # explicit tags, on values of their type and not
    "inputs: !!seq [a, b]\noutputs: [!!str y]\nnodes: !!map {y: {bias: !!float 1, trainable: !!bool true}}\n"
    "edges: [{from: [a, b], to: y, weight: !!int 2}]\n",
    HEAD + "nodes: {y: {bias: !!null ~, activation: !!str sigmoid}}\nedges: [{from: a, to: y}, {from: b, to: y}]\n",
    # groups of inputs and outputs, sizes near the limits in force
    "inputs: {x: 4}\noutputs: {y: 3}\nloss: cross_entropy\nnodes: {h: {size: 100}, y: {size: 3, activation: "
    "softmax}}\nedges: [{from: x, to: h}, {from: h, to: y}, {from: x, to: y}]\n",
    # JSON with escapes
    '{"name": "caf\\u00e9 \\ud83d\\ude00", "inputs": ["a"], "outputs": ["y"], "nodes": {"y": {}}, '
    '"edges": [{"from": "a", "to": "y"}]}',
]
TOKENS = ["inputs", "outputs", "nodes", "edges", "from", "to", "size", "bias", "weight", "activation",
          "trainable", "group", "defaults", "loss", "name", "metadata", "init", "description", "a", "b",
          "h", "y", "x", "sigmoid", "tanh", "softmax", "relu", "identity", "sse", "mse", "cross_entropy",
          "binary_cross_entropy", "uniform", "glorot", "{from: h, to: h}", "{from: y, to: a}",
          "!!float [a]", "!!int abc", "!!bool maybe", "!!null 1", "!!str [a]", "!!map [a]", "!!seq {a: 1}",
          "!!int 0x", "!!float .inf", "1000", "3000", "99999", "9" * 4400, "\\ud800", "\\udc00",
          '"\\ud83d\\ude00"', "n" * 300, "{x: 4}", "{y: 3}"]


def call(text):
    with limits.raised(**SMALL):
        dagnet.loads(text, source="fuzz.yaml", seed=0)


TARGET = Target("topology", SEEDS, TOKENS, call, (dagnet.TopologyError,))
