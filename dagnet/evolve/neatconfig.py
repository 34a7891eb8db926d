"""neat-python's config file for a run: the default one, reading any one, and refusing what does not fold.

A run accepts any neat-python config file for ``DefaultGenome`` whose
networks dagnet computes exactly (see :mod:`dagnet.interchange.neat`): feed
forward, ``sum`` aggregation, and activations among :data:`EXACT` (``sin``
and ``softplus`` fold only while neat-python's clamp at ±60 stays unreached,
so training could leave the range where both agree). Anything else is
refused with an :class:`EvolveError` naming the file and the key.

With no config file, :func:`default_config` writes one sized for the data:
inputs wired straight to the outputs, no hidden nodes at the start (NEAT's
minimal start), tanh and gauss nodes (a node's activation mutates with
probability 0.1), and eager structural mutation (a node added to 80% of
children, a connection to 90%): backpropagation tunes the weights, so the
search can spend its generations on structure.

Examples
--------
>>> text = default_text(2, 1)
>>> "num_inputs              = 2" in text and "aggregation_options     = sum" in text
True
"""
import configparser
import os

from ..errors import DagnetError, suggest
from ..files import atomic_write, read_text
from ..interchange import require

#: neat-python activations folded exactly (equal to rounding everywhere), and the dagnet ones they become.
EXACT = ("sigmoid", "tanh", "gauss", "relu", "elu", "identity")

#: Why an activation neat-python has is refused for evolution.
NOT_EXACT = {
    "sin": "neat-python clamps sin's input at ±60, so it equals dagnet's only inside that range",
    "softplus": "neat-python clamps softplus's input at ±60, so it equals dagnet's only inside that range",
}

#: The name a run gives the config file it used (neat-python's examples' name), in its folder.
CONFIG_NAME = "config-feedforward"

SECTION = "DefaultGenome"


class EvolveError(DagnetError):
    """A run that cannot start: a config file, data or settings dagnet cannot evolve with."""


_DEFAULT = """\
# dagnet evolve's default: NEAT's minimal start (inputs wired to outputs, no hidden nodes),
# backpropagation inside (dagnet trains each genome; see docs/evolve.md).

[NEAT]
fitness_criterion      = max
fitness_threshold      = {threshold}
pop_size               = {pop_size}
reset_on_extinction    = True
no_fitness_termination = False

[DefaultGenome]
num_inputs              = {n_inputs}
num_outputs             = {n_outputs}
num_hidden              = {num_hidden}
feed_forward            = True
initial_connection      = {initial_connection}
activation_default      = {activation}
activation_mutate_rate  = {activation_mutate_rate}
activation_options      = {activations}
aggregation_default     = sum
aggregation_mutate_rate = 0.0
aggregation_options     = sum
bias_init_mean          = 0.0
bias_init_stdev         = 1.0
bias_init_type          = gaussian
bias_max_value          = 30.0
bias_min_value          = -30.0
bias_mutate_power       = 0.5
bias_mutate_rate        = 0.7
bias_replace_rate       = 0.1
response_init_mean      = 1.0
response_init_stdev     = 0.0
response_init_type      = gaussian
response_max_value      = 30.0
response_min_value      = -30.0
response_mutate_power   = 0.0
response_mutate_rate    = 0.0
response_replace_rate   = 0.0
weight_init_mean        = 0.0
weight_init_stdev       = 1.0
weight_init_type        = gaussian
weight_max_value        = 30
weight_min_value        = -30
weight_mutate_power     = 0.5
weight_mutate_rate      = 0.8
weight_replace_rate     = 0.1
enabled_default         = True
enabled_mutate_rate     = 0.01
conn_add_prob           = {conn_add_prob}
conn_delete_prob        = {conn_delete_prob}
node_add_prob           = {node_add_prob}
node_delete_prob        = {node_delete_prob}
single_structural_mutation = False
compatibility_disjoint_coefficient = 1.0
compatibility_weight_coefficient   = 0.5

[DefaultSpeciesSet]
compatibility_threshold = 3.0

[DefaultStagnation]
species_fitness_func = max
max_stagnation       = 15
species_elitism      = 2

[DefaultReproduction]
elitism            = 2
survival_threshold = 0.2
min_species_size   = 2
"""


def default_text(n_inputs, n_outputs, pop_size=60, threshold=1.0, activations=("tanh", "gauss"),
                 node_add_prob=0.8, node_delete_prob=0.05, conn_add_prob=0.9, conn_delete_prob=0.1, num_hidden=0,
                 initial_connection="full_direct"):
    """The default config file's text for ``n_inputs`` inputs and ``n_outputs`` outputs (the keywords
    change the default's values)."""
    return _DEFAULT.format(n_inputs=n_inputs, n_outputs=n_outputs, pop_size=pop_size, threshold=threshold,
                           activation="sigmoid" if "sigmoid" in activations else activations[0],
                           activations=" ".join(activations),
                           activation_mutate_rate=0.1 if len(activations) > 1 else 0.0,
                           node_add_prob=node_add_prob, node_delete_prob=node_delete_prob,
                           conn_add_prob=conn_add_prob, conn_delete_prob=conn_delete_prob, num_hidden=num_hidden,
                           initial_connection=initial_connection)


def write_config(path, text):
    """Write config ``text`` to ``path`` atomically."""
    atomic_write(path, lambda f: f.write(text))


def read(path):
    """A neat-python ``Config`` for DefaultGenome from ``path``, checked to fold exactly.

    Raises
    ------
    EvolveError
        A missing or broken file (neat-python's reason in one line), or a
        key whose value dagnet cannot compute exactly (named).
    dagnet.interchange.MissingDependency
        Without neat-python.
    """
    neat = require("neat", "evolving networks")
    path = os.fspath(path)
    text = read_text(path, EvolveError, what="neat-python config file")
    check_text(text, path)
    try:
        config = neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                             neat.DefaultStagnation, path)
    except Exception as err:   # neat-python raises RuntimeError, NameError, KeyError, configparser errors
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise EvolveError(f"not a neat-python config file for DefaultGenome ({reason})", source=path) from None
    return config


def check_text(text, source=None):
    """Refuse a config whose [DefaultGenome] dagnet cannot fold exactly; name the key.

    Examples
    --------
    >>> check_text("[DefaultGenome]\\naggregation_options = sum mean\\n", "cfg")
    Traceback (most recent call last):
    ...
    dagnet.evolve.neatconfig.EvolveError: cfg: DefaultGenome.aggregation_options: 'mean' is not a weighted sum: dagnet evolves networks of sum aggregation only
    """
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text, source=source or "<config>")
    except configparser.Error as err:
        raise EvolveError(f"not a neat-python config file ({str(err).splitlines()[0]})", source=source) from None
    if not parser.has_section(SECTION):
        raise EvolveError(f"no [{SECTION}] section: dagnet evolves neat-python's DefaultGenome",
                          source=source)
    genome = parser[SECTION]

    def fail(key, problem):
        raise EvolveError(problem, source=source, key=f"{SECTION}.{key}")

    if genome.get("feed_forward", "True").strip().lower() not in ("true", "1", "yes", "on"):
        fail("feed_forward", "must be True: dagnet evolves feed-forward networks (a loop-free graph)")
    for name in genome.get("aggregation_options", "sum").split():
        if name != "sum":
            fail("aggregation_options", f"{name!r} is not a weighted sum: dagnet evolves networks of sum "
                                        f"aggregation only")
    for name in genome.get("activation_options", "").split():
        if name in NOT_EXACT:
            fail("activation_options", f"{name!r}: {NOT_EXACT[name]}; dagnet evolves with "
                                       f"{', '.join(EXACT)}")
        if name not in EXACT:
            fail("activation_options", f"{name!r} has no exact dagnet counterpart{suggest(name, EXACT)}; "
                                       f"dagnet evolves with {', '.join(EXACT)}")
    for key in ("activation_default", "aggregation_default"):
        value = genome.get(key, "").strip()
        options = genome.get(key.replace("default", "options"), "").split()
        if value and value not in ("random", "none") and value not in options:
            fail(key, f"{value!r} is not among {key.replace('default', 'options')} ({' '.join(options)})")


def check_sizes(config, n_inputs, n_outputs, source=None):
    """The config's num_inputs and num_outputs must be the data's columns."""
    genome = config.genome_config
    for key, have, want, what in (("num_inputs", genome.num_inputs, n_inputs, "input columns"),
                                  ("num_outputs", genome.num_outputs, n_outputs, "target columns")):
        if have != want:
            raise EvolveError(f"is {have}, but the data have {want} {what}", source=source,
                              key=f"{SECTION}.{key}")
