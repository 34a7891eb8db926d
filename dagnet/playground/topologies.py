"""The topology a playground opens with when it is given none: the Backpropagation Tutorial's 2-5-1 network."""

#: The Backpropagation Tutorial's section 4.1 (the same network as ``topologies/tutorial_2_5_1.yaml``).
DEFAULT_TEXT = """\
name: tutorial-2-5-1
description: >
  The 2-5-1 network of the Backpropagation Tutorial (section 4.1). Two inputs,
  five sigmoid perceptrons, one sigmoid output, trained sequentially with
  learning rate 0.5 on points no line separates.
inputs: [in_x, in_y]
outputs: [out]
loss: sse
defaults: {activation: sigmoid, bias: true, init: uniform}
nodes:
  h:   {size: 5}
  out: {}
edges:
  - {from: [in_x, in_y], to: h}
  - {from: h, to: out}
"""
