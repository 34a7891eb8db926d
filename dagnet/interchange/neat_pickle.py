"""Pickled neat-python genomes, read without running code from the file.

``pickle.load`` calls whatever callable a file names, so a pickle is a
program. dagnet reads a genome only when the caller opts in
(``allow_pickle=True``, ``dagnet import-neat --trust-pickle``), and even
then through an unpickler whose ``find_class`` admits only what a
neat-python genome is made of: its genome and gene classes, the plain
Python types their attributes hold, and ``copyreg._reconstructor``, which
pickle protocols 0 and 1 use to rebuild any plain object. Anything else a
file names (``os.system``, ``builtins.eval``, a class of one's own, a
numpy scalar) is refused before its module is even imported.

What a neat-python 2.0 genome pickles (``pickletools.dis`` of
``pickle.dumps(genome)``, protocols 0 to 5): ``neat.genome.DefaultGenome``,
``neat.genes.DefaultNodeGene``, ``neat.genes.DefaultConnectionGene``, and
for protocols 0 and 1 also ``copy_reg._reconstructor`` and
``__builtin__.object``; the attributes are ints, floats, strings, bools,
tuples and dicts.

Examples
--------
>>> import pickle
>>> loads_genome(pickle.dumps({"nodes": {}, "connections": {}}), "g.pkl")["nodes"]
{}
>>> loads_genome(pickle.dumps(print), "evil.pkl")
Traceback (most recent call last):
...
dagnet.interchange.InterchangeError: evil.pkl: refused to unpickle builtins.print: dagnet unpickles only neat-python's genome and gene classes and plain Python values
"""
import io
import pickle

from . import InterchangeError, MissingDependency

#: (module, name) pairs a genome's pickle may name; Python 2 spellings too (protocols 0 and 1).
#: (Not ``bytes`` nor ``bytearray``: ``bytes(10**12)`` asks for a terabyte in a few bytes of pickle.)
_PLAIN = ("object", "int", "float", "bool", "str", "list", "tuple", "dict", "set", "frozenset")
ADMITTED = frozenset(
    {("neat.genome", "DefaultGenome"), ("neat.genes", "DefaultNodeGene"),
     ("neat.genes", "DefaultConnectionGene"),
     ("copyreg", "_reconstructor"), ("copy_reg", "_reconstructor")}
    | {(module, name) for module in ("builtins", "__builtin__") for name in _PLAIN})


class _Refused(Exception):
    """A global the file names that :data:`ADMITTED` does not hold."""


class GenomeUnpickler(pickle.Unpickler):
    """An unpickler that builds only the classes in :data:`ADMITTED` (checked before any import)."""

    def find_class(self, module, name):
        if (module, name) not in ADMITTED:
            raise _Refused(f"{module}.{name}")
        return super().find_class(module, name)


def loads_genome(data, source):
    """The object pickled in ``data`` (bytes), built through :class:`GenomeUnpickler`.

    Raises
    ------
    InterchangeError
        For a file that names anything outside :data:`ADMITTED`, or that
        is not a pickle; ``source`` names it.
    MissingDependency
        When the file holds a neat-python genome and neat-python is not installed.
    """
    if data[:2] == b"\x1f\x8b":
        raise InterchangeError("a gzip file, likely a neat-python checkpoint: restore it with "
                               "neat.Checkpointer.restore_checkpoint, pickle the genome you want, and "
                               "import that", source=source)
    try:
        return GenomeUnpickler(io.BytesIO(data)).load()
    except _Refused as err:
        raise InterchangeError(f"refused to unpickle {err}: dagnet unpickles only neat-python's "
                               f"genome and gene classes and plain Python values",
                               source=source) from None
    except ModuleNotFoundError as err:
        if err.name and err.name.split(".")[0] == "neat":
            raise MissingDependency('reading a pickled neat-python genome needs neat-python: '
                                    'pip install "dagnet[neat]"') from None
        raise InterchangeError(f"not a pickled neat-python genome (it needs module {err.name!r})",
                               source=source) from None
    except Exception as err:   # a broken pickle raises UnpicklingError, EOFError, ValueError, ...
        raise InterchangeError(f"not a pickled neat-python genome ({type(err).__name__}: {err})",
                               source=source) from None
