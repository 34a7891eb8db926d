"""The pictures' colours: TensorFlow Playground's blue and orange, class colours, activation fills.

Blue is positive (a weight above 0, a high activation, class 1), orange
negative (a weight below 0, a low activation, class 0). A perceptron is
filled with its activation record's ``colour`` (:mod:`dagnet.activations`),
so a new activation brings its own.

Examples
--------
>>> fill("tanh"), fill(None), class_colour(11) == class_colour(1)
('#cfe3f3', '#ffffff', True)
>>> weight_colour(-0.5) == ORANGE
True
"""
#: TensorFlow Playground's orange (negative, low) and blue (positive, high), and the middle.
ORANGE, BLUE, NEUTRAL = "#f59322", "#0877bd", "#e8eaeb"
#: Class colours: class 0 orange and class 1 blue as in the binary pictures, then more.
CLASS_COLOURS = [ORANGE, BLUE, "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2", "#7f7f7f",
                 "#bcbd22", "#17becf"]
#: Fill of an input node, which has no activation.
INPUT_FILL = "#ffffff"
#: Outline of nodes and boxes, and the grey of notes.
OUTLINE, NOTE = "#555555", "#777777"


def fill(activation):
    """The fill colour of a perceptron with ``activation`` (an input's is white)."""
    from ..activations import record   # numpy and scipy: not for a caller wanting only a colour constant

    return INPUT_FILL if activation is None else record(activation).colour


def class_colour(k):
    """The colour of class ``k`` (colours repeat after ten classes)."""
    return CLASS_COLOURS[k % len(CLASS_COLOURS)]


def weight_colour(w):
    """Blue for a weight >= 0, orange below."""
    return BLUE if w >= 0 else ORANGE
