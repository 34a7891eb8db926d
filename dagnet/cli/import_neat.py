"""``dagnet import-neat``: a neat-python genome (JSON export, or pickle and config) as a topology file."""
from dagnet.interchange import MissingDependency, neat
from dagnet.losses import LOSSES
from dagnet.text import plural

from .common import EXIT_OK, InputError, choice, command, note


def add(subparsers):
    p = command(subparsers, "import-neat", "import a neat-python genome as a dagnet topology",
                "Read a genome evolved by neat-python and write it as a dagnet topology file whose\n"
                "network computes what neat-python's FeedForwardNetwork computes: gains (its sigmoid\n"
                "is 1/(1+e^-5x)), responses and biases folded into the weights, disabled connections\n"
                "and nodes that reach no output dropped. GENOME is neat-python's JSON export\n"
                "(neat.export.export_network_json), or a genome saved with pickle.dump, read only\n"
                "with --trust-pickle and --config, the config file it was evolved with (a pickle\n"
                "can run code when read: dagnet admits only neat-python's genome classes and plain\n"
                "values from it, but import only your own). The file can then be trained further\n"
                "with 'dagnet train'.",
                "  dagnet import-neat xor_winner.json --out xor_neat.yaml\n"
                "  dagnet import-neat winner.pkl --trust-pickle --config config-feedforward --loss sse "
                "--out winner.yaml\n"
                "  dagnet train xor_neat.yaml --data xor --epochs 200 --out runs/xor_neat")
    p.add_argument("genome", metavar="GENOME", help="neat-python JSON export, or a pickled genome")
    p.add_argument("--config", metavar="FILE", help="the neat-python config file (for a pickled genome)")
    p.add_argument("--trust-pickle", action="store_true",
                   help="read a pickled genome (never a .json file); unpickling can run code, so only "
                        "for a file you made")
    p.add_argument("--out", required=True, metavar="YAML", help="topology file to write")
    p.add_argument("--loss", type=choice(list(LOSSES), "loss"), default="mse", metavar="LOSS",
                   help=f"loss for further training: {', '.join(LOSSES)} (default mse)")
    p.add_argument("--name", metavar="NAME", help="the network's name (default neat-genome-KEY)")
    p.set_defaults(func=run)


def run(args):
    try:
        net = neat.load(args.genome, config=args.config, loss=args.loss, name=args.name,
                        allow_pickle=args.trust_pickle)
    except MissingDependency as err:
        raise InputError(str(err)) from None
    net.save(args.out)
    G = net.graph
    note(G.graph["description"])
    print(f"wrote {args.out}: {net.name}, {plural(len(net.inputs), 'input')}, "
          f"{plural(len(net.outputs), 'output')}, {plural(len(G), 'node')}, "
          f"{plural(G.number_of_edges(), 'edge')}")
    return EXIT_OK
