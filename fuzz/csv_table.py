"""The command line's CSV reader: any file given as ``--data`` ends in samples or one of dagnet's errors.

Each input is written as ``data.csv`` and read as ``dagnet train`` and
``dagnet predict`` read it (:mod:`dagnet.cli.data`): the table read once,
its columns picked by name or position for a network with inputs ``a, b``
(one sigmoid output ``y``, or three softmax outputs ``y0, y1, y2``), the
arrays made and the targets fitted to the network. The allowed errors
are a :class:`~dagnet.errors.DagnetError` (a CSVError, say) and the
command line's ``InputError``; both print as one line.
"""
import atexit
import contextlib
import io
import os
import shutil
import tempfile

import dagnet
from dagnet.cli import data
from dagnet.cli.common import InputError
from dagnet.errors import DagnetError

from .harness import Target

NETS = [
    "inputs: [a, b]\noutputs: [y]\nnodes: {y: {activation: sigmoid}}\nedges: [{from: [a, b], to: y}]\n",
    "inputs: [a, b]\noutputs: [y0, y1, y2]\nloss: cross_entropy\ndefaults: {activation: softmax}\n"
    "nodes: {y0: {}, y1: {}, y2: {}}\nedges: [{from: [a, b], to: [y0, y1, y2]}]\n",
]
SEEDS = [
    "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n",
    "\ufeffb, a ,label\r\n1.5,-2,1\r\n3e2,0.25,0\r\n",
    "p,q\r0,1\r1,0\r",
    "x1,x2,y0,y1,y2\n0,0,1,0,0\n0,1,0,1,0\n1,1,0,0,1\n",
    'a,b,y,note\n0,0,0,"quoted, with a comma"\n1,1,1,"two\nlines"\n\n1,0,1,""\n',
    "a,b,c,y\n1,2,3,0\n4,5,6,2\n",
]
TOKENS = [",", ";", "\t", "\n", "\r", "\r\n", '"', '""', "a", "b", "y", "y0", "y1", "y2", "p", "q",
          "label", "0", "1", "2", "-1", "0.5", "1e400", "-1e400", "nan", "inf", "-inf", "1_000", "0x10",
          " ", "\ufeff", "\x00", ",,,,", "a,a", "x" * 140_000, "," * 5000, "\n" * 1000, "0,0,0\n" * 200]

_MADE = {}


def _setup():
    """The two networks and the file inputs are written to (made once)."""
    if not _MADE:
        folder = tempfile.mkdtemp(prefix="dagnet-fuzz-")
        atexit.register(shutil.rmtree, folder, True)
        _MADE["nets"] = [dagnet.loads(text, seed=0) for text in NETS]
        _MADE["path"] = os.path.join(folder, "data.csv")
    return _MADE["nets"], _MADE["path"]


def call(text):
    nets, path = _setup()
    with open(path, "w", encoding="utf-8", errors="surrogatepass", newline="") as f:
        f.write(text)
    net = nets[len(text) % 2]
    with contextlib.redirect_stderr(io.StringIO()):       # the note on columns taken by position
        table = data.read_table(path)
        scored = all(str(o) in table.header for o in net.outputs)
        for targets, need in ((None, True), (None if scored else [], False)):    # train; predict
            X, Y, about = data.read_csv(table, net, None, targets, need)
            data.fit_targets(net, X, Y, about)


TARGET = Target("csv", SEEDS, TOKENS, call, (DagnetError, InputError))
