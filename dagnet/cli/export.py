"""``dagnet export``: a network as ONNX, a PyTorch program, GraphML, GEXF, node-link JSON or DOT."""
import os

from dagnet import plots
from dagnet.interchange import MissingDependency, graphs
from dagnet.text import plural

from .common import EXIT_OK, InputError, UsageError, choice, command, load, note, number

opset_number = number(int, lambda v: v >= 17, "a whole number >= 17 (ONNX opset)")

#: --to name -> (file extensions that imply it, what it is)
FORMATS = {
    "onnx": ((".onnx",), "ONNX model (onnxruntime, ONNX tools)"),
    "torch": ((".pt2",), "torch.export program: torch.export.load(FILE).module()"),
    "graphml": ((".graphml",), "GraphML (Gephi, Cytoscape, yEd)"),
    "gexf": ((".gexf",), "GEXF (Gephi)"),
    "json": ((".json",), "networkx node-link JSON (dagnet reads it back)"),
    "dot": ((".dot", ".gv"), "Graphviz DOT"),
}

#: Largest difference from dagnet's own outputs that --check accepts, per dtype.
TOLERANCE = {"float64": 1e-9, "float32": 1e-4}


def add(subparsers):
    listing = "\n".join(f"  {name:<8} {', '.join(exts):<12} {what}" for name, (exts, what) in FORMATS.items())
    p = command(subparsers, "export", "write ONNX, PyTorch, GraphML, GEXF, JSON or DOT",
                "Write a topology or trained network in another format. --to is taken from the\n"
                "extension of --out when not given:\n\n" + listing + "\n\n"
                "An ONNX file is run with onnxruntime (when installed) on random inputs and\n"
                "compared with dagnet's own outputs before the command succeeds.",
                "  dagnet export runs/tutorial/trained.yaml --out tutorial.onnx\n"
                "  dagnet export runs/tutorial/trained.yaml --to onnx --dtype float32 --out t32.onnx\n"
                "  dagnet export topologies/deep_skip.yaml --out deep_skip.graphml")
    p.add_argument("model", metavar="FILE", help="topology or trained YAML file")
    p.add_argument("--out", required=True, metavar="FILE", help="file to write")
    p.add_argument("--to", type=choice(list(FORMATS), "format"), metavar="FORMAT",
                   help=f"one of {', '.join(FORMATS)} (default: from the extension of --out)")
    p.add_argument("--dtype", type=choice(["float64", "float32"], "dtype"), default="float64",
                   metavar="TYPE", help="onnx and torch: float64 (default) or float32")
    p.add_argument("--opset", type=opset_number, default=17, metavar="N",
                   help="onnx: the opset, 17 or later (default 17)")
    p.add_argument("--no-check", action="store_true", help="onnx: do not run the file with onnxruntime")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seeds weights the file leaves out (default 0)")
    p.set_defaults(func=run)


def _format(args):
    if args.to:
        return args.to
    ext = os.path.splitext(args.out)[1].lower()
    for name, (exts, _) in FORMATS.items():
        if ext in exts:
            return name
    raise UsageError(f"--out {args.out!r}: cannot tell the format from {ext or 'no extension'!r}; give "
                     f"--to ({', '.join(FORMATS)})")


def _check_onnx(net, args):
    from dagnet.interchange import onnx
    try:
        difference = onnx.verify(net, args.out)
    except MissingDependency:
        note('not checked: onnxruntime is not installed (pip install "dagnet[onnx]")')
        return
    if not difference <= TOLERANCE[args.dtype]:
        raise InputError(f"{args.out}: onnxruntime's outputs differ from dagnet's by {difference:.3g} "
                         f"(more than {TOLERANCE[args.dtype]:g}); please report this")
    note(f"checked with onnxruntime: largest difference from dagnet {difference:.2g} on 64 random inputs")


def run(args):
    kind = _format(args)
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise InputError(f"{args.out}: folder {folder} does not exist")
    net = load(args.model, args)
    try:
        if kind == "onnx":
            from dagnet.interchange import onnx
            onnx.write(net, args.out, dtype=args.dtype, opset=args.opset)
            if not args.no_check:
                _check_onnx(net, args)
        elif kind == "torch":
            from dagnet.interchange import torch
            torch.write_program(net, args.out, dtype=args.dtype)
        elif kind == "dot":
            plots.write_dot(net, args.out)
        else:
            {"graphml": graphs.write_graphml, "gexf": graphs.write_gexf, "json": graphs.write_json}[kind](
                net, args.out)
    except MissingDependency as err:
        raise InputError(str(err)) from None
    size = os.path.getsize(args.out)
    print(f"wrote {args.out} ({kind}, {size / 2**10:.1f} KiB): {plural(len(net.inputs), 'input')}, "
          f"{plural(len(net.outputs), 'output')}, {plural(len(net.plan.edge_slot), 'edge')}")
    return EXIT_OK
