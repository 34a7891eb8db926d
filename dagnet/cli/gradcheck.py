"""``dagnet gradcheck``: backpropagation against central differences and forward mode."""
import numpy as np

from dagnet.gradient_check import gradcheck, relative_error
from dagnet.text import plural

from .common import (EXIT_INVALID, EXIT_OK, columns, command, error, load, positive_float, positive_int,
                     seed)
from .data import fit_targets, read_data


def add(subparsers):
    p = command(subparsers, "gradcheck", "compare backprop with numerical and forward-mode gradients",
                 "Compute ∂E/∂w and ∂E/∂b three ways (backpropagation, central differences, forward\n"
                 "mode) and print the worst relative error of each against backprop and the time\n"
                 "each took. Exit 1 when an error exceeds --tolerance.",
                 "  dagnet gradcheck topologies/deep_skip.yaml --data moons --samples 16")
    p.add_argument("topology", metavar="FILE", help="topology YAML file")
    p.add_argument("--data", metavar="NAME|CSV",
                   help="samples to check on (default: random inputs and targets)")
    p.add_argument("--inputs", type=columns, metavar="COLS", help="CSV input columns")
    p.add_argument("--targets", type=columns, metavar="COLS", help="CSV target columns")
    p.add_argument("--samples", type=positive_int, default=8, metavar="N",
                   help="use this many samples (default 8)")
    p.add_argument("--seed", type=seed, default=0, metavar="N",
                   help="seeds the initial weights and random data (default 0)")
    p.add_argument("--max-params", type=positive_int, metavar="N",
                   help="check at most N parameters, chosen at random (default: all, or 300 when "
                        "there are more than 1000)")
    p.add_argument("--tolerance", type=positive_float, default=1e-6, metavar="X",
                   help="largest relative error accepted (default 1e-6)")
    p.set_defaults(func=run)


def _random_pair(net, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(net.inputs)))
    m, loss = len(net.outputs), net.loss_function
    if loss.integer_labels:
        Y = rng.integers(0, m, size=n)
    elif loss.classification:
        Y = rng.integers(0, 2, size=(n, m)).astype(float)
    else:
        Y = rng.uniform(0.0, 1.0, size=(n, m))
    return X, Y


def run(args):
    net = load(args.topology, args)
    if args.data:
        X, Y, about = read_data(args.data, net, args)
        Y = fit_targets(net, X, Y, about)
        X, Y = X[:args.samples], Y[:args.samples]
        source = f"the first {plural(len(X), 'sample')} of {about['source']}"
    else:
        X, Y = _random_pair(net, args.samples, args.seed)
        source = f"{len(X)} random samples (seed {args.seed})"
    max_params = args.max_params
    if max_params is None and net.n_params > 1000:
        max_params = 300
    result = gradcheck(net, X, Y, tolerance=args.tolerance, max_params=max_params)
    checked = net.n_params if max_params is None else min(max_params, net.n_params)
    print(f"{net.name or args.topology}: {checked} of {net.n_params} parameters on {source}")
    # where forward mode disagrees most, over the parameters gradcheck compared
    slots = np.flatnonzero(net.plan.mask)
    if max_params is not None:
        slots = slots[(result.numerical[slots] != 0) | (result.forward_mode[slots] != 0)]
    forward_where = ""
    if len(slots):
        worst = slots[int(np.argmax(relative_error(result.backprop[slots], result.forward_mode[slots])))]
        forward_where = f" at {net.plan.parameter_name(int(worst))}"
    rows = [("method", "worst relative error vs backprop", "time"),
            ("backprop", "-", f"{result.seconds['backprop'] * 1e3:.2f} ms"),
            ("numerical", f"{result.max_rel_error:.2e} at {result.where}",
             f"{result.seconds['numerical'] * 1e3:.2f} ms"),
            ("forward mode", f"{result.forward_mode_error:.2e}{forward_where}",
             f"{result.seconds['forward_mode'] * 1e3:.2f} ms")]
    widths = [max(len(r[k]) for r in rows) for k in range(3)]
    for r in rows:
        print(f"  {r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}")
    if result.ok:
        print(f"ok: every gradient agrees within {args.tolerance:g}")
        return EXIT_OK
    error(f"gradients disagree: worst relative error {max(result.max_rel_error, result.forward_mode_error):.2e} "
           f"> tolerance {args.tolerance:g}")
    return EXIT_INVALID
