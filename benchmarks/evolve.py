"""Evolution benchmarks: XOR as Stanley & Miikkulainen measured NEAT, spirals, two spirals, throughput.

One command per benchmark (results printed as Markdown and saved in benchmarks/evolve-results.json):

    python benchmarks/evolve.py xor          [--runs 100]     # neat-python alone vs dagnet evolve, same config and seeds
    python benchmarks/evolve.py spirals      [--seeds 10]     # test accuracy, connections, seconds; neat-python alone, same time
    python benchmarks/evolve.py two-spirals  [--seconds 600]  # smallest net classifying all 194; cascade-correlation beside it
    python benchmarks/evolve.py throughput                    # genomes trained per second; build + 100 epochs of XOR

Every figure names its seeds; docs/evolve.md has the results with the CPU and the load.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import dagnet
from dagnet import datasets
from dagnet.evolve import Settings, evolve, neatconfig
from dagnet.evolve.fitness import NETWORKS, Split, evaluate_one
from dagnet.evolve.phenotype import Networks, network, plain
from dagnet.interchange.neat_folding import Genome

import neat

HERE = os.path.dirname(os.path.abspath(__file__))
XOR_CONFIG = os.path.join(HERE, "..", "docs", "interchange-xor-config.ini")
RESULTS = os.path.join(HERE, "evolve-results.json")
XOR_X, XOR_Y = datasets.load("xor")
QUIET = dict(pictures=False, log=lambda line: None)


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in subprocess.run(
        ["lscpu"], capture_output=True, text=True).stdout.splitlines() if line.startswith("Model name")),
        platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "load": os.getloadavg(), "neat-python": neat.__version__,
            "python": platform.python_version()}


def save(name, result):
    results = json.load(open(RESULTS)) if os.path.exists(RESULTS) else {}
    results[name] = {**result, "machine": machine()}
    with open(RESULTS, "w") as f:
        json.dump(results, f, indent=2)


def spread(values):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    def number(x):
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
    if len(values) == 1:
        return number(values[0])
    return (f"{number(statistics.mean(values))} (sd {number(statistics.stdev(values))}, "
            f"{number(min(values))}–{number(max(values))})")


def neat_config(path):
    return neat.Config(neat.DefaultGenome, neat.DefaultReproduction, neat.DefaultSpeciesSet,
                       neat.DefaultStagnation, path)


def pruned_size(genome, config):
    """(hidden nodes, enabled connections) of what the genome's network uses."""
    pruned = genome.get_pruned_copy(config.genome_config)
    return len(pruned.nodes) - config.genome_config.num_outputs, len(pruned.connections)


# -- XOR --------------------------------------------------------------------------------------------

def xor_neat(seed, max_generations):
    """neat-python alone, its XOR example: fitness 4 − Σ(ŷ − y)², threshold 3.9."""
    config = neat_config(XOR_CONFIG)
    population = neat.Population(config, seed=seed)
    evaluations = []

    def fitness(genomes, config):
        for _, genome in genomes:
            net = neat.nn.FeedForwardNetwork.create(genome, config)
            genome.fitness = 4.0 - sum((net.activate(x)[0] - y[0]) ** 2 for x, y in zip(XOR_X, XOR_Y))
        evaluations.append(len(genomes))
    started = time.perf_counter()
    winner = population.run(fitness, max_generations)
    seconds = time.perf_counter() - started
    solved = winner.fitness >= config.fitness_threshold
    hidden, connections = pruned_size(winner, config)
    return {"solved": bool(solved), "evaluations": sum(evaluations), "hidden": hidden, "connections": connections,
            "seconds": seconds}


def xor_dagnet(seed, max_generations, folder):
    """dagnet evolve on the same config (threshold 1.0: its fitness is the accuracy) and seed."""
    config = os.path.join(folder, "xor-accuracy-config")
    with open(XOR_CONFIG) as f, open(config, "w") as g:
        g.write(f.read().replace("fitness_threshold      = 3.9", "fitness_threshold      = 1.0"))
    started = time.perf_counter()
    outcome = evolve(XOR_X, XOR_Y, os.path.join(folder, f"xor-{seed}"), config=config,
                     settings=Settings(epochs=100, lr=0.1, batch_size=None, validation=0, seed=seed),
                     generations=max_generations, **QUIET)
    seconds = time.perf_counter() - started
    champion = outcome.summary["champion"]
    return {"solved": outcome.summary["solved_at"] is not None, "evaluations": outcome.summary["evaluations"],
            "hidden": champion["hidden"], "connections": champion["connections"], "seconds": seconds}


def bench_xor(args):
    rows = {"neat-python alone": [], "dagnet evolve": []}
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(args.runs):
            rows["neat-python alone"].append(xor_neat(seed, args.max_generations))
            rows["dagnet evolve"].append(xor_dagnet(seed, args.max_generations, folder))
            print(f"seed {seed}: " + "; ".join(f"{k} {v[-1]}" for k, v in rows.items()), file=sys.stderr)
    print(f"XOR, {args.runs} runs (seeds 0–{args.runs - 1}), population 150, at most {args.max_generations} "
          f"generations\n")
    print("| | solved | evaluations to solve | worst | hidden nodes | enabled connections | seconds per solve |")
    print("|---|---|---|---|---|---|---|")
    print("| Stanley & Miikkulainen 2002 | 100/100 | 4,755 (sd 2,553) | 13,459 | 2.35 (sd 1.11) | 7.48 | – |")
    summary = {}
    for name, runs in rows.items():
        won = [r for r in runs if r["solved"]]
        summary[name] = {"solved": len(won), "runs": len(runs), "runs_detail": runs}
        print(f"| {name} | {len(won)}/{len(runs)} | {spread([r['evaluations'] for r in won])} | "
              f"{max([r['evaluations'] for r in won], default=0):,} | {spread([r['hidden'] for r in won])} | "
              f"{spread([r['connections'] for r in won])} | "
              f"{sum(r['seconds'] for r in runs) / max(1, len(won)):.3g} |")
    save("xor", summary)


# -- spirals ----------------------------------------------------------------------------------------

def neat_alone_for(seconds, config_path, X, Y, seed):
    """neat-python alone (its FeedForwardNetwork, no training) for ``seconds``: the best genome by accuracy."""
    config = neat_config(config_path)
    population = neat.Population(config, seed=seed)

    def fitness(genomes, config):
        for _, genome in genomes:
            net = neat.nn.FeedForwardNetwork.create(genome, config)
            out = np.array([net.activate(x) for x in X])
            genome.fitness = float(np.mean((out[:, 0] > 0.5) == (Y[:, 0] > 0.5)))
    started, best, generations = time.perf_counter(), None, 0
    while time.perf_counter() - started < seconds:
        winner = population.run(fitness, 1)
        generations += 1
        if best is None or winner.fitness > best.fitness:
            best = winner
        if best.fitness >= 1.0:
            break
    return best, config, generations


def bench_spirals(args):
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(args.seeds):
            X, Y = datasets.load("spirals", seed=seed)
            test = datasets.load("spirals", seed=seed + 100)
            started, cpu = time.perf_counter(), time.process_time()
            outcome = evolve(X, Y, os.path.join(folder, f"spirals-{seed}"), settings=Settings(seed=seed),
                             generations=args.generations, n_jobs=args.jobs, test=test, **QUIET)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            champion = outcome.summary["champion"]
            config_path = os.path.join(folder, f"spirals-{seed}", neatconfig.CONFIG_NAME)
            genome, config, generations = neat_alone_for(seconds, config_path, X, Y, seed)
            ff = neat.nn.FeedForwardNetwork.create(genome, config)
            neat_test = float(np.mean((np.array([ff.activate(x) for x in test[0]])[:, 0] > 0.5) == (test[1][:, 0] > 0.5)))
            runs.append({"seed": seed, "test_accuracy": champion["test_accuracy"], "connections": champion["connections"],
                         "hidden": champion["hidden"], "seconds": seconds, "cpu_seconds": cpu,
                         "generations": outcome.summary["generations"],
                         "neat_alone_test_accuracy": neat_test, "neat_alone_generations": generations,
                         "neat_alone_connections": pruned_size(genome, config)[1]})
            print(f"seed {seed}: {runs[-1]}", file=sys.stderr)
    # serial runs: their CPU seconds are what they take on a free core (two workers take about half)
    met = [r for r in runs if r["test_accuracy"] >= 0.95 and r["connections"] <= 100 and r["cpu_seconds"] < 60]
    print(f"spirals (300 points, noise 0.02, data and run seeds 0–{args.seeds - 1}; test: 300 points, seeds "
          f"100–{99 + args.seeds}), the default settings, {args.generations} generations at most, "
          f"{args.jobs} worker process(es)\n")
    print("| | test accuracy | connections | CPU seconds | wall seconds |")
    print("|---|---|---|---|---|")
    print("| backprop-neat-js (one logged run, pop 100, 20 generations) | 0.895 | 169 | – | – |")
    print(f"| dagnet evolve | {spread([r['test_accuracy'] for r in runs])} | {spread([r['connections'] for r in runs])} "
          f"| {spread([r['cpu_seconds'] for r in runs])} | {spread([r['seconds'] for r in runs])} |")
    print(f"| neat-python alone, the same wall seconds | {spread([r['neat_alone_test_accuracy'] for r in runs])} | "
          f"{spread([r['neat_alone_connections'] for r in runs])} | | same |")
    print(f"\ngoal (test ≥ 0.95, ≤ 100 connections, < 60 s) met in {len(met)} of {len(runs)} runs")
    save("spirals", {"runs": runs, "goal_met": len(met)})


# -- two spirals ------------------------------------------------------------------------------------

def bench_two_spirals(args):
    X, Y = datasets.load("two_spirals")
    found = []
    with tempfile.TemporaryDirectory() as folder:
        config = os.path.join(folder, "config")
        with open(config, "w") as f:        # a head start of hidden nodes; trained weights are far apart: wide species
            f.write(neatconfig.default_text(2, 1, pop_size=args.pop_size, num_hidden=args.hidden, conn_add_prob=1.0)
                    .replace("compatibility_threshold = 3.0", "compatibility_threshold = 30.0"))
        started = time.perf_counter()
        seed = 0
        while time.perf_counter() - started < args.seconds:
            out = os.path.join(folder, f"run-{seed}")
            outcome = evolve(X, Y, out, config=config, generations=args.generations, n_jobs=args.jobs,
                             settings=Settings(epochs=args.epochs, lr=args.lr, batch_size=None, validation=0,
                                               complexity=args.complexity, seed=seed), **QUIET)
            net = outcome.network
            wrong = int(np.sum((net.predict(X)[:, 0] > 0.5) != (Y[:, 0] > 0.5)))
            c = outcome.summary["champion"]
            found.append({"seed": seed, "wrong": wrong, "connections": c["connections"], "hidden": c["hidden"],
                          "weights": c["connections"] + c["hidden"] + 1,
                          "seconds": time.perf_counter() - started})
            print(f"run {seed}: {found[-1]}", file=sys.stderr)
            seed += 1
    cascades = []
    for seed in range(5):
        net, history = dagnet.grow(X, Y, seed=seed)
        cascades.append({"seed": seed, "hidden": len(history.units),
                         "weights": len(net.plan.edge_slot) + len(net.plan.bias_slot),
                         "wrong": int(np.sum((net.predict(X)[:, 0] > 0.5) != (Y[:, 0] > 0.5)))})
    solved = [r for r in found if r["wrong"] == 0]
    best = min(solved, key=lambda r: r["weights"], default=None)
    print(f"two spirals (Lang & Witbrock's 194 points), {args.seconds:g} s of dagnet evolve runs\n")
    print("| | all 194 classified | hidden units | weights (connections + biases) |")
    print("|---|---|---|---|")
    print("| Lang & Witbrock 1988, 2-5-5-5-1 with shortcuts | yes | 15 | 138 |")
    print(f"| cascade-correlation (dagnet grow, seeds 0–4) | {sum(c['wrong'] == 0 for c in cascades)}/5 | "
          f"{spread([c['hidden'] for c in cascades])} | {spread([c['weights'] for c in cascades])} |")
    if best:
        print(f"| dagnet evolve, smallest found (run {best['seed']}) | yes | {best['hidden']} | {best['weights']} |")
    elif found:
        closest = min(found, key=lambda r: r["wrong"])
        print(f"| dagnet evolve, closest (run {closest['seed']}) | no: {closest['wrong']} wrong | "
              f"{closest['hidden']} | {closest['weights']} |")
    save("two_spirals", {"runs": found, "cascade": cascades})


# -- throughput -------------------------------------------------------------------------------------

def genomes_like(X, Y, hidden, seed, count):
    """``count`` genomes of a population grown to about ``hidden`` hidden nodes (neat-python's own mutations)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "config")
        with open(path, "w") as f:
            f.write(neatconfig.default_text(X.shape[1], Y.shape[1], pop_size=count, node_add_prob=1.0,
                                            conn_add_prob=1.0, conn_delete_prob=0.0, node_delete_prob=0.0))
        config = neat_config(path)
    population = neat.Population(config, seed=seed)
    genomes = list(population.population.values())
    for genome in genomes:
        for _ in range(hidden):
            genome.mutate(config.genome_config)
    return genomes, config


def median_seconds(f, rounds):
    """The median CPU seconds of this process over ``rounds`` calls of ``f`` (one thread: the time on
    one core, which a shared machine's other load does not inflate as it does wall time)."""
    times = []
    for _ in range(rounds):
        started = time.process_time()
        f()
        times.append(time.process_time() - started)
    return statistics.median(times)


def bench_throughput(args):
    X, Y = datasets.load("spirals", seed=0)
    cases = [("XOR-sized", XOR_X, XOR_Y, 1, Settings(epochs=100, lr=0.1, batch_size=None, validation=0)),
             ("spiral-sized", X, Y, 10, Settings(epochs=300, batch_size=16))]
    rows = {}
    for name, X_, Y_, hidden, settings in cases:
        genomes, config = genomes_like(X_, Y_, hidden, 0, 150)
        data = Split(X_, Y_, X_, Y_)
        items = [(g.key, plain(g, config.genome_config), 7) for g in genomes]
        def generation(cold):
            if cold:                                 # every structure new to this process
                NETWORKS.templates.clear()
            return [evaluate_one(k, g, s, data, settings) for k, g, s in items]
        cold = median_seconds(lambda: generation(True), args.rounds)
        trained = median_seconds(lambda: generation(False), args.rounds)
        rows_X = [list(x) for x in X_]
        plain_neat = median_seconds(lambda: [[neat.nn.FeedForwardNetwork.create(g, config).activate(x)
                                              for x in rows_X] for g in genomes], args.rounds)
        sizes = [network(g).plan for _, g, _ in items]
        rows[name] = {"genomes": len(items), "epochs": settings.epochs, "samples": len(X_),
                      "mean_connections": float(np.mean([len(p.edge_slot) for p in sizes])),
                      "dagnet_trained_per_second": len(items) / trained, "generation_seconds": trained,
                      "dagnet_trained_per_second_new_structures": len(items) / cold, "generation_seconds_new": cold,
                      "neat_evaluated_per_second": len(items) / plain_neat}
    # the XOR network NEAT typically finds: one hidden sigmoid node, every input also wired to the output
    xor = Genome([-1, -2], [0], {0: ("sigmoid", "sum", 0.1, 1.0), 1: ("sigmoid", "sum", -0.2, 1.0)},
                 [(-1, 1, 0.5, True), (-2, 1, -0.3, True), (1, 0, 0.7, True), (-1, 0, 0.2, True), (-2, 0, 0.1, True)])
    build = median_seconds(lambda: [network(xor, "binary_cross_entropy") for _ in range(100)], 21) / 100
    networks = Networks()
    known = median_seconds(lambda: [networks.network(xor, "binary_cross_entropy") for _ in range(100)], 21) / 100
    net = network(xor, "binary_cross_entropy")
    fit = median_seconds(lambda: [net.fit(XOR_X, XOR_Y, epochs=100, lr=0.1, shuffle=False, verbose=False)
                                  for _ in range(100)], 21) / 100
    loop = median_seconds(lambda: [net.fit(XOR_X, XOR_Y, epochs=100, lr=0.1, shuffle=False, verbose=False,
                                           callback=lambda epoch, history: None) for _ in range(20)], 11) / 20
    rows["xor_build_ms"], rows["xor_fit100_ms"], rows["xor_fit100_epoch_loop_ms"] = build * 1e3, fit * 1e3, loop * 1e3
    rows["xor_build_known_structure_ms"] = known * 1e3
    print("| genomes | epochs × samples | connections (mean) | dagnet: trained per second (structures seen "
          "before / all new) | a generation of 150 | neat-python: evaluated per second, untrained |")
    print("|---|---|---|---|---|---|")
    for name, _, _, _, _ in cases:
        r = rows[name]
        print(f"| {name} | {r['epochs']} × {r['samples']} | {r['mean_connections']:.1f} | "
              f"{r['dagnet_trained_per_second']:,.0f} / {r['dagnet_trained_per_second_new_structures']:,.0f} | "
              f"{r['generation_seconds']:.3f} s / {r['generation_seconds_new']:.3f} s | "
              f"{r['neat_evaluated_per_second']:,.0f} |")
    print(f"\nXOR-sized genome ({len(net.plan.edge_slot)} connections): build {build * 1e3:.3f} ms (a structure "
          f"seen before: {known * 1e3:.3f} ms), fit 100 epochs {fit * 1e3:.3f} ms; build + fit "
          f"{(build + fit) * 1e3:.3f} ms ({(known + fit) * 1e3:.3f} ms; goal ≤ 0.5 ms); fit 100 epochs through the "
          f"epoch-by-epoch loop (a callback forces it, as every fit ran before) {loop * 1e3:.3f} ms")
    save("throughput", rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="benchmark", required=True)
    p = sub.add_parser("xor")
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--max-generations", type=int, default=300)
    p.set_defaults(func=bench_xor)
    p = sub.add_parser("spirals")
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--generations", type=int, default=30)
    p.add_argument("--jobs", type=int, default=1)
    p.set_defaults(func=bench_spirals)
    p = sub.add_parser("two-spirals")
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--generations", type=int, default=40)
    p.add_argument("--pop-size", type=int, default=30)
    p.add_argument("--hidden", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3000)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--complexity", type=float, default=0.0)
    p.add_argument("--jobs", type=int, default=2)
    p.set_defaults(func=bench_two_spirals)
    p = sub.add_parser("throughput")
    p.add_argument("--rounds", type=int, default=5)
    p.set_defaults(func=bench_throughput)
    args = parser.parse_args()
    print(f"<!-- {json.dumps(machine())} -->")
    args.func(args)


if __name__ == "__main__":
    main()
