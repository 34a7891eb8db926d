"""``dagnet draw``: a picture of the network, its neurons or its decision regions, or DOT text."""
import argparse
import os

from dagnet import plots
from dagnet.structure import groups

from .common import EXIT_OK, InputError, UsageError, columns, command, load, seed
from .data import fit_targets, read_data


def _collapse(text):
    """--collapse: auto | all | none | N | group,group."""
    words = {"auto": None, "all": True, "none": False}
    if text in words:
        return words[text]
    if text.isdigit():
        return int(text)
    return columns(text)


def add(subparsers):
    p = command(subparsers, "draw", "draw a network (PNG, SVG, PDF) or write Graphviz DOT",
                 "Draw the network by topological generation (inputs left, outputs right), edges\n"
                 "coloured and sized by weight, skip edges as dashed arcs, large groups as one box.\n"
                 "--kind neurons draws each perceptron's z_j over the input plane, --kind decision\n"
                 "the decision regions (both for two-input networks). A .dot file needs no matplotlib.",
                 "  dagnet draw topologies/xor_skip.yaml --out xor_skip.png\n"
                 "  dagnet draw runs/tutorial/trained.yaml --kind decision --data nonlinear --out d.png\n"
                 "  dagnet draw topologies/tanh_softmax_2_500_2.yaml --out net.dot")
    p.add_argument("topology", metavar="FILE", help="topology or trained YAML file")
    p.add_argument("--out", required=True, metavar="PNG|SVG|PDF|DOT", help="picture file to write")
    p.add_argument("--kind", choices=["network", "neurons", "decision"], default="network",
                   help="what to draw (default network)")
    p.add_argument("--data", metavar="NAME|CSV", help="points for --kind neurons/decision")
    p.add_argument("--inputs", type=columns, metavar="COLS", help=argparse.SUPPRESS)
    p.add_argument("--targets", type=columns, metavar="COLS", help=argparse.SUPPRESS)
    p.add_argument("--collapse", type=_collapse, default=None, metavar="HOW",
                   help="groups drawn as one box: auto (default), all, none, N (groups larger "
                        "than N) or names")
    p.add_argument("--seed", type=seed, default=0, metavar="N",
                   help="seeds weights the file leaves out (default 0)")
    p.set_defaults(func=run)


def run(args):
    ext = os.path.splitext(args.out)[1].lower()
    if ext not in (".png", ".svg", ".pdf", ".dot", ".gv"):
        raise UsageError(f"--out {args.out!r}: give a .png, .svg, .pdf or .dot file")
    if ext in (".dot", ".gv") and args.kind != "network":
        raise UsageError(f"--kind {args.kind} draws a picture; use .png, .svg or .pdf")
    if args.kind == "decision" and not args.data:
        raise UsageError("--kind decision needs --data (the points to show)")
    net = load(args.topology, args)
    if isinstance(args.collapse, list):
        known = groups(net.graph)
        unknown = [g for g in args.collapse if g not in known]
        if unknown:
            raise UsageError(f"--collapse: no group {unknown[0]!r}; groups: {', '.join(map(str, known)) or 'none'}")
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise InputError(f"{args.out}: folder {folder} does not exist")
    if ext in (".dot", ".gv"):
        plots.write_dot(net, args.out, collapse_groups=bool(args.collapse) if args.collapse is not None else False)
    elif args.kind == "network":
        plots.draw_network(net, args.out, collapse_groups=args.collapse)
    else:
        X = Y = None
        if args.data:
            X, Y, about = read_data(args.data, net, args, need_targets=args.kind == "decision")
            Y = fit_targets(net, X, Y, about)
        if args.kind == "neurons":
            plots.neuron_maps(net, X, args.out)
        else:
            plots.decision_regions(net, X, Y, args.out)
    print(f"wrote {args.out}")
    return EXIT_OK
