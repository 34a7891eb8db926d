"""Peers for the benchmark: hand-written numpy (W1, W2) and plain PyTorch (W1-W4).

Each peer builds its state from a dagnet network's starting weights, so every
contestant performs the same arithmetic on the same numbers, and returns a
``step()`` closure: forward, loss, backward and one SGD update, nothing else.
"""
import numpy as np


def numpy_w1(net, X, labels, lr=0.01):
    """Backprop in Neural Networks' matrix formulas in their corrected form, as tight as numpy allows."""
    W1 = np.array([[net.weight(f"x{i}", f"h{j}") for j in range(500)] for i in range(2)])
    b1 = np.array([net.bias(f"h{j}") for j in range(500)])
    W2 = np.array([[net.weight(f"h{i}", f"y{j}") for j in range(2)] for i in range(500)])
    b2 = np.array([net.bias(f"y{j}") for j in range(2)])
    n = len(X)
    Y = np.eye(2)[labels.astype(int).ravel()]
    rows = np.arange(n)

    def step():
        nonlocal W1, b1, W2, b2
        a1 = np.tanh(X @ W1 + b1)
        s2 = a1 @ W2 + b2
        s2 -= s2.max(axis=1, keepdims=True)
        e = np.exp(s2)
        total = e.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(total).ravel() - s2[rows, labels.astype(int).ravel()])
        d2 = (e / total - Y) / n                      # δ2 = (ŷ − y)/n
        gW2 = a1.T @ d2                               # ∂E/∂W2 = a1ᵀ δ2
        gb2 = d2.sum(axis=0)
        d1 = (d2 @ W2.T) * (1.0 - a1 * a1)            # δ1 = (δ2 W2ᵀ) ⊙ (1 − a1²)
        gW1 = X.T @ d1                                # ∂E/∂W1 = xᵀ δ1
        gb1 = d1.sum(axis=0)
        W1 -= lr * gW1; b1 -= lr * gb1; W2 -= lr * gW2; b2 -= lr * gb2
        return loss
    return step, (W1, b1, W2, b2)


def numpy_w1_fit(net, X, labels, lr=0.01, epochs=3, batch=256, seed=0):
    """The 2-500-2 tanh/softmax network trained as ``fit`` trains it: shuffled mini-batches, ``epochs`` epochs."""
    W1 = np.array([[net.weight(f"x{i}", f"h{j}") for j in range(500)] for i in range(2)])
    b1 = np.array([net.bias(f"h{j}") for j in range(500)])
    W2 = np.array([[net.weight(f"h{i}", f"y{j}") for j in range(2)] for i in range(500)])
    b2 = np.array([net.bias(f"y{j}") for j in range(2)])
    labels = labels.astype(int).ravel()
    Y = np.eye(2)[labels]
    rng = np.random.default_rng(seed)

    def train():
        nonlocal W1, b1, W2, b2
        for _ in range(epochs):
            order = rng.permutation(len(X))
            Xs, Ys, ls = X[order], Y[order], labels[order]
            for lo in range(0, len(X), batch):
                x, y, lab = Xs[lo:lo + batch], Ys[lo:lo + batch], ls[lo:lo + batch]
                n = len(x)
                a1 = np.tanh(x @ W1 + b1)
                s2 = a1 @ W2 + b2
                s2 -= s2.max(axis=1, keepdims=True)
                e = np.exp(s2)
                total = e.sum(axis=1, keepdims=True)
                np.mean(np.log(total).ravel() - s2[np.arange(n), lab])   # the batch's loss
                d2 = (e / total - y) / n
                gW2, gb2 = a1.T @ d2, d2.sum(axis=0)
                d1 = (d2 @ W2.T) * (1.0 - a1 * a1)
                gW1, gb1 = x.T @ d1, d1.sum(axis=0)
                W1 -= lr * gW1; b1 -= lr * gb1; W2 -= lr * gW2; b2 -= lr * gb2
    return train


def numpy_w2(net, X, Y, lr=0.5):
    """The Backpropagation Tutorial's 2-5-1 network, one example per update (sse), as tight as numpy allows."""
    W1 = np.array([[net.weight(f"x{i}", f"h{j}") for j in range(5)] for i in range(2)])
    b1 = np.array([net.bias(f"h{j}") for j in range(5)])
    w2 = np.array([net.weight(f"h{i}", "y0") for i in range(5)])
    b2 = np.array([net.bias("y0")])
    exp, outer = np.exp, np.outer

    def epoch():
        nonlocal W1, b1, w2, b2
        for x, y in zip(X, Y):
            z1 = 1.0 / (1.0 + exp(-(x @ W1 + b1)))
            z2 = 1.0 / (1.0 + exp(-(z1 @ w2 + b2)))
            d2 = 2.0 * (z2 - y) * z2 * (1.0 - z2)     # ∂E/∂s6 for E = (z6 − y)²
            d1 = d2 * w2 * z1 * (1.0 - z1)
            w2 -= lr * d2 * z1; b2 -= lr * d2
            W1 -= lr * outer(x, d1); b1 -= lr * d1
    return epoch, (W1, b1, w2, b2)


# -- PyTorch ------------------------------------------------------------------------

def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def torch_sequential(net, X, Y, sizes, hidden, output, loss, lr):
    """``nn.Sequential`` with the network's starting weights, float64, SGD."""
    import torch
    from torch import nn
    n_in, n_hidden, n_out = sizes
    act = {"tanh": nn.Tanh, "sigmoid": nn.Sigmoid}[hidden]
    layers = [nn.Linear(n_in, n_hidden), act(), nn.Linear(n_hidden, n_out)]
    if output == "sigmoid":
        layers.append(nn.Sigmoid())
    model = nn.Sequential(*layers).double()
    with torch.no_grad():
        for layer, (a, b) in [(layers[0], ("x", "h")), (layers[2], ("h", "y"))]:
            rows = range(layer.out_features)
            cols = range(layer.in_features)
            layer.weight.copy_(torch.tensor([[net.weight(f"{a}{i}", f"{b}{j}") for i in cols] for j in rows]))
            layer.bias.copy_(torch.tensor([net.bias(f"{b}{j}") for j in rows]))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    Xt = torch.tensor(X)
    if loss == "cross_entropy":
        Yt = torch.tensor(Y.astype(int).ravel())
        criterion = nn.CrossEntropyLoss()
    else:
        Yt = torch.tensor(Y).reshape(len(Y), -1)
        criterion = nn.MSELoss(reduction="sum")
    return model, opt, criterion, Xt, Yt


def torch_w1(net, X, Y, lr=0.01):
    model, opt, criterion, Xt, Yt = torch_sequential(net, X, Y, (2, 500, 2), "tanh", "softmax",
                                                     "cross_entropy", lr)

    def step():
        opt.zero_grad()
        loss = criterion(model(Xt), Yt)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def torch_w1_fit(net, X, Y, lr=0.01, epochs=3, batch=256, seed=0):
    """``nn.Sequential`` trained like ``fit``: shuffled mini-batches, the batch loss read each step."""
    import torch
    model, opt, criterion, Xt, Yt = torch_sequential(net, X, Y, (2, 500, 2), "tanh", "softmax",
                                                     "cross_entropy", lr)
    generator = torch.Generator().manual_seed(seed)

    def train():
        for _ in range(epochs):
            order = torch.randperm(len(Xt), generator=generator)
            for lo in range(0, len(Xt), batch):
                idx = order[lo:lo + batch]
                opt.zero_grad()
                loss = criterion(model(Xt[idx]), Yt[idx])
                loss.backward()
                opt.step()
                loss.item()
    return train


def torch_w2(net, X, Y, lr=0.5):
    model, opt, criterion, Xt, Yt = torch_sequential(net, X, Y, (2, 5, 1), "sigmoid", "sigmoid", "sse", lr)
    pairs = [(Xt[i:i + 1], Yt[i:i + 1]) for i in range(len(Xt))]

    def epoch():
        for x, y in pairs:
            opt.zero_grad()
            criterion(model(x), y).backward()
            opt.step()
    return epoch


def torch_dag(net, X, Y, lr=0.01):
    """A plain-PyTorch rendering of any DAG: one masked dense block per topological generation.

    Node values live in a list of per-generation tensors; generation g reads the
    concatenation of all earlier ones through a dense weight matrix whose entries
    without an edge are masked to zero (so their gradient is zero too).
    """
    import networkx as nx
    import torch
    G = net.graph
    generations = [list(g) for g in nx.topological_generations(G)]
    inputs = list(net.inputs)
    rest = [[v for v in g if v not in set(inputs)] for g in generations]
    rest = [g for g in rest if g]
    order = inputs + [v for g in rest for v in g]
    col = {v: k for k, v in enumerate(order)}
    acts = {"tanh": torch.tanh, "linear": lambda s: s, "sigmoid": torch.sigmoid}
    weights, masks, biases, groups = [], [], [], []
    start = len(inputs)
    for g in rest:
        W = torch.zeros(start, len(g), dtype=torch.float64)
        M = torch.zeros(start, len(g), dtype=torch.float64)
        for j, v in enumerate(g):
            for u in G.predecessors(v):
                W[col[u], j] = net.weight(u, v)
                M[col[u], j] = 1.0
        weights.append(W.requires_grad_())
        masks.append(M)
        biases.append(torch.tensor([net.bias(v) for v in g], dtype=torch.float64, requires_grad=True))
        kinds = {}
        for j, v in enumerate(g):
            kinds.setdefault(G.nodes[v]["activation"], []).append(j)
        groups.append([(acts[a], torch.tensor(js)) for a, js in kinds.items()])
        start += len(g)
    out_cols = torch.tensor([col[o] for o in net.outputs])
    Xt, Yt = torch.tensor(X), torch.tensor(Y).reshape(len(Y), -1)
    params = weights + biases
    opt = torch.optim.SGD(params, lr=lr)

    def step():
        opt.zero_grad()
        values = Xt
        for W, M, b, kinds in zip(weights, masks, biases, groups):
            s = values @ (W * M) + b
            if len(kinds) == 1:
                z = kinds[0][0](s)
            else:
                z = torch.empty_like(s)
                for f, js in kinds:
                    z[:, js] = f(s[:, js])
            values = torch.cat([values, z], dim=1)
        loss = torch.mean((values[:, out_cols] - Yt) ** 2)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def sklearn_w1(X, Y, lr=0.01):
    """scikit-learn's MLPClassifier, 500 tanh units, one SGD step per ``partial_fit`` on the batch.

    For two classes scikit-learn uses one logistic output instead of a 2-way
    softmax; the hidden layer, which is the cost, is the same.
    """
    import warnings

    from sklearn.neural_network import MLPClassifier
    model = MLPClassifier(hidden_layer_sizes=(500,), activation="tanh", solver="sgd", alpha=0.0,
                          batch_size=len(X), learning_rate_init=lr, momentum=0.0, shuffle=False,
                          random_state=0)
    y = Y.astype(int).ravel()
    model.partial_fit(X, y, classes=[0, 1])

    def step():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.partial_fit(X, y)
    return step


def torch_dag_gather(net, X, Y, lr=0.01):
    """A plain-PyTorch rendering of any DAG with gathers: per generation, the sources' values
    times the edge weights, summed into the targets with ``index_add``."""
    import networkx as nx
    import torch
    G = net.graph
    inputs = list(net.inputs)
    rest = [[v for v in g if v not in set(inputs)] for g in nx.topological_generations(G)]
    rest = [g for g in rest if g]
    order = inputs + [v for g in rest for v in g]
    col = {v: k for k, v in enumerate(order)}
    acts = {"tanh": torch.tanh, "linear": lambda s: s, "sigmoid": torch.sigmoid}
    plan, params = [], []
    for g in rest:
        src, dst, w = [], [], []
        for j, v in enumerate(g):
            for u in G.predecessors(v):
                src.append(col[u]); dst.append(j); w.append(net.weight(u, v))
        weight = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        bias = torch.tensor([net.bias(v) for v in g], dtype=torch.float64, requires_grad=True)
        kinds = {}
        for j, v in enumerate(g):
            kinds.setdefault(G.nodes[v]["activation"], []).append(j)
        plan.append((torch.tensor(src), torch.tensor(dst), weight, bias, len(g),
                     [(acts[a], torch.tensor(js)) for a, js in kinds.items()]))
        params += [weight, bias]
    out_cols = torch.tensor([col[o] for o in net.outputs])
    Xt, Yt = torch.tensor(X), torch.tensor(Y).reshape(len(Y), -1)
    opt = torch.optim.SGD(params, lr=lr)

    def step():
        opt.zero_grad()
        values = Xt
        for src, dst, weight, bias, width, kinds in plan:
            terms = values.index_select(1, src) * weight
            s = torch.zeros(len(Xt), width, dtype=torch.float64).index_add(1, dst, terms) + bias
            if len(kinds) == 1:
                z = kinds[0][0](s)
            else:
                z = torch.cat([f(s[:, js]) for f, js in kinds], dim=1)[:, torch.argsort(
                    torch.cat([js for _, js in kinds]))]
            values = torch.cat([values, z], dim=1)
        loss = torch.mean((values[:, out_cols] - Yt) ** 2)
        loss.backward()
        opt.step()
        return loss.item()
    return step
