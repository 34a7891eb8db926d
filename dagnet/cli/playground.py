"""``dagnet playground``: the Backpropagation Tutorial's applets live in a browser, for any DAG.

Needs the ``playground`` extra.
"""
import importlib.util
import json

from dagnet import datasets
from dagnet.errors import TopologyError
from dagnet.files import read_text

from .common import EXIT_OK, InputError, UsageError, command, count, non_negative_float, note, positive_int
from .data import looks_like_file


def add(subparsers):
    p = command(
        subparsers, "playground", "train and edit a network live in the browser",
        "Start a local web page that trains the network while you watch: the decision regions\n"
        "(or the regression curve) with the training and test points, the loss curves, every\n"
        "perceptron's z_j over the input plane, and s_j, z_j, δ_j, w and ∂E/∂w under the pointer.\n"
        "Edit the topology as YAML text or by clicking two nodes (adds or removes that edge);\n"
        "every edit keeps the weights that survive it. Download the trained network (dagnet.load\n"
        "reads it), the pictures, or a file or link that reopens the same state.\n"
        "It listens on 127.0.0.1 (this machine only) unless --host says otherwise; Ctrl-C stops it.\n"
        "Needs the playground extra: pip install \"dagnet[playground]\".\nBuilt-in data: "
        + ", ".join(datasets.names(published=False)) + ".",
        "  dagnet playground\n"
        "  dagnet playground topologies/xor_skip.yaml --data xor --port 8765\n"
        "  dagnet playground net.yaml --data points.csv --no-browser\n"
        "  dagnet playground playground.json          # reopen what the page saved")
    p.add_argument("topology", nargs="?", metavar="TOPOLOGY.yaml",
                   help="the network to start with (default: the Backpropagation Tutorial's 2-5-1 network, "
                        "section 4.1), or a playground.json the page saved")
    p.add_argument("--data", metavar="NAME|FILE.csv", help="a built-in data set (default nonlinear) or a CSV "
                   "file with a header row")
    p.add_argument("--n-samples", type=positive_int, metavar="N", help="samples of a built-in data set")
    p.add_argument("--noise", type=non_negative_float, metavar="X", help="noise of a built-in data set")
    p.add_argument("--seed", type=count, default=0, metavar="N",
                   help="seeds the weights the topology leaves out and the shuffling (default 0)")
    p.add_argument("--port", type=count, default=0, metavar="N", help="port to listen on (default: a free one)")
    p.add_argument("--host", default="127.0.0.1", metavar="HOST",
                   help="address to listen on (default 127.0.0.1; anything else lets other machines in)")
    p.add_argument("--no-browser", action="store_true", help="print the address but open no browser")
    p.set_defaults(func=run)


def _saved_playground(text):
    """The data of a saved playground (the page's "save"), or None for a topology file."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) and data.get("format") == "dagnet-playground" else None


def _extra_installed():
    return all(importlib.util.find_spec(name) is not None for name in ("starlette", "uvicorn"))


def _data_settings(args):
    if args.data is None:
        settings = {}
    elif looks_like_file(args.data):
        from dagnet.playground import limits
        if args.n_samples is not None or args.noise is not None:
            raise UsageError("--n-samples and --noise apply to a built-in data set, not a CSV file")
        text = read_text(args.data, InputError, max_bytes=limits.MAX_CSV_BYTES, what="CSV file")
        settings = {"csv": text, "name": args.data}
    else:
        if args.data not in datasets.names(published=False):
            raise InputError(f"--data {args.data!r}: not a file and not a built-in data set; built-in: "
                             f"{', '.join(datasets.names(published=False))} (the playground's)")
        settings = {"name": args.data}
    if args.n_samples is not None:
        settings["n_samples"] = args.n_samples
    if args.noise is not None:
        settings["noise"] = args.noise
    return settings


def run(args):
    from dagnet.playground import MISSING_EXTRA
    if args.port > 65535:
        raise UsageError(f"--port {args.port}: ports run from 0 to 65535")
    if not _extra_installed():
        raise InputError(MISSING_EXTRA)
    from dagnet.playground.saving import restore
    from dagnet.playground.listen import bind, has_display, is_loopback, serve
    from dagnet.playground.server import make_app
    from dagnet.playground.session import Session

    text = saved = None
    if args.topology is not None:
        text = read_text(args.topology, TopologyError, what="topology file")
        saved = _saved_playground(text)
    if saved is not None and (args.data or args.n_samples is not None or args.noise is not None):
        raise UsageError("a saved playground brings its own data; leave out --data, --n-samples and --noise")
    data, training = _data_settings(args), {"seed": args.seed}
    try:
        first = restore(saved) if saved is not None else \
            Session(text, data=data, training=training, source=args.topology)
    except ValueError as err:   # TopologyError included: one line naming the file and key
        raise InputError(f"{args.topology}: {err}" if saved is not None else err) from None
    if first.data_error:
        note(f"note: {first.data_error} (choose other data in the page)")
    first.close()

    def make_session(reopened):
        if reopened is not None:
            return restore(reopened)
        if saved is not None:                 # every new tab opens the saved state
            return restore(saved)
        return Session(text, data=data, training=training, source=args.topology)

    if not is_loopback(args.host):
        note(f"warning: listening on {args.host}: anyone who can reach this machine can use the playground "
             f"(it has no password)")
    try:
        sock = bind(args.host, args.port)
    except OSError as err:
        raise InputError(f"cannot listen on {args.host}:{args.port}: {(err.strerror or str(err)).lower()}") from None
    if not args.no_browser and not has_display():
        note("no graphical session here: open the address below in a browser")
    port = sock.getsockname()[1]
    allowed = {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")} | {f"{args.host}:{port}"}
    try:
        serve(make_app(make_session, allowed if is_loopback(args.host) else None), sock,
              open_browser=not args.no_browser)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    note("playground stopped")
    return EXIT_OK
