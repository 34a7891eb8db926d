"""``dagnet generate``: write the topology file of a generator (mlp, residual, dense, ...)."""
import os

import dagnet
from dagnet import generate
from dagnet.errors import suggest
from dagnet.limits import LIMITS
from dagnet.strictyaml import read_value
from dagnet.text import plural
from dagnet.writer import flow

from .common import EXIT_OK, InputError, UsageError, command


def _kinds_text():
    """Every generator kind with its own parameters and defaults, then the shared ones."""
    shared = [p for p in generate.parameters("mlp")
              if all(p in generate.parameters(k) for k in generate.GENERATORS)]
    width = max(map(len, generate.GENERATORS))
    lines = ["kinds (parameters and defaults):"]
    for kind, fn in generate.GENERATORS.items():
        own = ", ".join(f"{p}={flow(_plain(v))}" for p, v in generate.parameters(kind).items()
                        if p not in shared)
        summary = " ".join(fn.__doc__.strip().split("\n\n")[0].replace("``", "").split())
        lines.append(f"  {kind:<{width}}  {summary}")
        lines.append(f"  {'':<{width}}  {own}")
    defaults = ", ".join(f"{p}={flow(v)}" for p, v in generate.parameters("mlp").items()
                         if p in shared)
    lines.append(f"every kind also takes: {defaults}")
    return "\n".join(lines)


def _plain(value):
    return list(value) if isinstance(value, tuple) else value


def add(subparsers):
    p = command(
        subparsers, "generate", "write a topology file from a generator (mlp, residual, dense, ...)",
        "Write the topology of a generator kind as a YAML file that 'dagnet train', 'dagnet sweep'\n"
        "and dagnet.load read. Parameters are KEY=VALUE with YAML values ([8, 8], tanh, 0.5, null);\n"
        "weights are left for the loader's seed. A network over "
        f"{LIMITS.max_nodes:,} perceptrons or\n{LIMITS.max_edges:,} edges is refused before "
        "it is built (dagnet.limits.LIMITS).\n\n" + _kinds_text(),
        "  dagnet generate residual --param sizes=[8,8,8,8] every=2 --out residual.yaml\n"
        "  dagnet generate watts_strogatz --param n=32 k=4 p=0.25 graph_seed=1 --out ws.yaml")
    p.add_argument("kind", metavar="KIND", help="generator kind (listed above)")
    p.add_argument("--param", "-p", dest="params", action="extend", nargs="+", default=[],
                   metavar="KEY=VALUE", help="a generator parameter (repeatable)")
    p.add_argument("--out", required=True, metavar="FILE", help="topology YAML file to write")
    p.set_defaults(func=run)


def parse_params(kind, items):
    """``{key: value}`` from ``KEY=VALUE`` texts, values read as YAML; names checked against ``kind``."""
    if kind not in generate.GENERATORS:
        raise UsageError(f"unknown generator kind {kind!r}{suggest(kind, generate.GENERATORS)}; "
                         f"kinds: {', '.join(generate.GENERATORS)}")
    known = generate.parameters(kind)
    params = {}
    for item in items:
        key, equals, text = item.partition("=")
        key = key.strip()
        if not equals or not key:
            raise UsageError(f"--param {item!r}: expected KEY=VALUE, e.g. sizes=[8,8]")
        if key not in known:
            raise UsageError(f"{kind} has no parameter {key!r}{suggest(key, known)}; its parameters: "
                             f"{', '.join(known)}")
        if key in params:
            raise UsageError(f"--param {key} is given twice")
        try:
            params[key] = read_value(text)
        except ValueError as err:
            raise UsageError(f"--param {item!r}: {err}") from None
    return params


def run(args):
    params = parse_params(args.kind, args.params)
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise InputError(f"{args.out}: folder {folder} does not exist")
    G = generate.graph(args.kind, **params)
    net = dagnet.Network.from_graph(G, seed=0)   # the file must load: check before writing
    generate.write(G, args.out)
    hidden = len(G) - len(net.inputs) - len(net.outputs)
    print(f"wrote {args.out}: {args.kind}, {plural(len(net.inputs), 'input')}, {hidden} hidden, "
          f"{plural(len(net.outputs), 'output')}, {plural(G.number_of_edges(), 'edge')}, "
          f"{plural(net.n_params, 'parameter')}")
    return EXIT_OK


