"""A perceptron's formula with its current weights plugged in, as the inspector shows it.

``z_j = σ_j(Σ_i w_{i→j} · z_i + b_j)`` written out for one perceptron:
each term a weight and the name of its source, then the bias, inside the
perceptron's activation.

Examples
--------
>>> import dagnet
>>> net = dagnet.load("topologies/xor_skip.yaml")
>>> formula(net, "y")
'z_y = σ(10·a + 10·b − 20·n − 5)'
>>> formula(net, "a") is None          # an input has no formula: z is the input itself
True
"""

#: How an activation is written around its sum; the others by their name, ``tanh(…)``.
SYMBOLS = {"sigmoid": "σ", "linear": "", "identity": ""}
#: Terms written out before the rest are counted instead (a perceptron may have hundreds of inputs).
MAX_TERMS = 8


def number(value, digits=3):
    """``value`` to ``digits`` significant digits, without a sign (``0.52``, ``1.3e+03``)."""
    return f"{abs(value):.{digits}g}"


def weighted_sum(terms, bias, digits=3, max_terms=MAX_TERMS):
    """``w·name + … + b`` of ``terms`` [(weight, name)] and ``bias`` (None: no bias), signs between terms.

    >>> weighted_sum([(0.52, "x"), (-1.3, "y")], 0.1)
    '0.52·x − 1.3·y + 0.1'
    >>> weighted_sum([(1.0, f"x{k}") for k in range(10)], None, max_terms=2)
    '1·x0 + 1·x1 + … (8 more)'
    """
    parts = [(w, f"{number(w, digits)}·{name}") for w, name in terms[:max_terms]]
    rest = len(terms) - len(parts)
    if bias is not None:
        parts.append((bias, number(bias, digits)))
    text = ""
    for k, (value, part) in enumerate(parts):
        negative = value < 0
        text += ("−" if negative else "") + part if k == 0 else (" − " if negative else " + ") + part
        if k == min(len(terms), max_terms) - 1 and rest:
            text += f" + … ({rest} more)"
    return text or "0"


def formula(net, node, digits=3):
    """``z_node = σ(w·source + … + b)`` for perceptron ``node`` of ``net``, or None for an input."""
    activation = net.plan.activation[node]
    if activation is None:
        return None
    terms = [(net.weight(source, node), str(source)) for source in net.graph.predecessors(node)]
    total = weighted_sum(terms, net.bias(node), digits)
    if activation == "softmax":     # one softmax over every output: z_j = e^{s_j} / Σ_k e^{s_k}
        return f"z_{node} = softmax(s)_{node}, s_{node} = {total}"
    symbol = SYMBOLS.get(activation, activation)
    return f"z_{node} = {total}" if not symbol else f"z_{node} = {symbol}({total})"
