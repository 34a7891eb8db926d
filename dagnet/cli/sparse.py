"""``dagnet train``'s sparse flags: a sparse start (--density), and SET or RigL while training (--sparse).

The report of a dynamic sparse run (``sparse.json``, and with matplotlib
``sparse_density.png`` and ``sparse_jumps.png``) goes into ``--out``.
"""
import argparse
import json
import os

from dagnet import sparse
from dagnet.files import atomic_write
from dagnet.sparse import pictures, report

from .common import choice, note, number, positive_int

density_value = number(float, lambda v: 0 < v <= 1, "a density in (0, 1]")
open_fraction = number(float, lambda v: 0 < v < 1, "a fraction in (0, 1)")
end_fraction = number(float, lambda v: 0 < v <= 1, "a fraction in (0, 1]")


def add_sparse_arguments(parser):
    """The group of flags for sparse training (see docs/sparse.md)."""
    group = parser.add_argument_group("sparse training")
    group.add_argument("--density", type=density_value, metavar="F",
                       help="start from this fraction of the topology's weights, drawn per perceptron's "
                            "fan-in (see --distribution)")
    group.add_argument("--distribution", type=choice(list(sparse.DISTRIBUTIONS), "distribution"),
                       default="erdos_renyi", metavar="NAME",
                       help="densities of --density: erdos_renyi (default), erk, uniform")
    group.add_argument("--sparse", type=choice(["static", *sparse.METHODS], "sparse method"), default="static",
                       metavar="METHOD", help="static (default: the weights stay where they are), set "
                                              "(drop the smallest, regrow at random) or rigl (regrow "
                                              "by gradient)")
    group.add_argument("--update-every", type=positive_int, metavar="N",
                       help="updates between topology updates (default 100)")
    group.add_argument("--drop-fraction", type=open_fraction, metavar="F",
                       help="fraction of the weights dropped and regrown at an update (default 0.3)")
    group.add_argument("--candidates", type=choice(list(sparse.MODES), "candidate set"), metavar="SET",
                       help="any (default: skips between any earlier and later perceptron) or layers "
                            "(the original layer pattern)")
    group.add_argument("--sparse-end", type=end_fraction, metavar="F",
                       help="no topology update after this fraction of training (rigl 0.75, set 1)")
    group.add_argument("--sparse-seed", type=number(int, lambda v: v >= 0, "a whole number >= 0"),
                       metavar="N", help="seeds random regrowth (default: --seed)")
    return group


def setup(net, args):
    """(net, callback): ``net`` made sparse when --density asks, and the SET/RigL callback (or None)."""
    if args.density is not None and args.density < 1:
        before = len(net.plan.edges)
        net = sparse.sparsify(net, args.density, args.distribution, seed=args.seed)
        net.initialize(args.init or "glorot_uniform", seed=args.seed)    # fan-ins of the sparse network
        note(f"sparse start: {len(net.plan.edges):,} of {before:,} weights ({args.distribution})")
    flags = {"every": "--update-every", "drop_fraction": "--drop-fraction", "candidates": "--candidates",
             "end": "--sparse-end"}
    given = {k: getattr(args, f[2:].replace("-", "_")) for k, f in flags.items()}
    given = {k: v for k, v in given.items() if v is not None}
    if args.sparse == "static":
        if given:
            raise argparse.ArgumentTypeError(f"{flags[next(iter(given))]} needs --sparse set or rigl")
        return net, None
    seed = args.sparse_seed if args.sparse_seed is not None else args.seed
    return net, sparse.dynamic({"method": args.sparse, "seed": seed, **given})


def write_report(callback, history, folder, pictures_wanted):
    """Write sparse.json (and the pictures); return the file names written."""
    epoch = sorted(history.seconds)[len(history.seconds) // 2] if history.seconds else None
    data = report.summary(callback, seconds_per_epoch=epoch)
    atomic_write(os.path.join(folder, "sparse.json"), lambda f: f.write(json.dumps(data, indent=2) + "\n"))
    written = ["sparse.json"]
    if pictures_wanted and callback.log:
        pictures.density(callback, os.path.join(folder, "sparse_density.png"))
        pictures.grown_jumps(callback, os.path.join(folder, "sparse_jumps.png"))
        written += ["sparse_density.png", "sparse_jumps.png"]
    return written
