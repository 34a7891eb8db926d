"""``dagnet info``: the structure of a topology (sizes, depth, generations, skips, degrees)."""
import json

from dagnet.structure import describe
from dagnet.text import names, plural

from .common import EXIT_OK, command, load


def add(subparsers):
    p = command(subparsers, "info", "describe a topology: sizes, depth, generations, skips",
                 "Inputs, outputs, nodes, edges, parameters, groups, depth (longest path), "
                 "topological generations,\nskip edges (edges that jump over a generation) "
                 "and in/out-degrees of a topology or trained file.",
                 "  dagnet info topologies/deep_skip.yaml\n  dagnet info runs/xor/trained.yaml --json")
    p.add_argument("file", metavar="FILE", help="topology YAML file (or one written by train)")
    p.add_argument("--json", action="store_true", help="print the facts as JSON")
    p.set_defaults(func=run)


def run(args):
    net = load(args.file, seed=0)
    facts = describe(net)
    if args.json:
        print(json.dumps(facts, indent=2, ensure_ascii=False))
        return EXIT_OK
    roles = facts["roles"]
    lines = [("name", facts["name"] or "(none)")]
    if facts["description"]:
        lines.append(("description", facts["description"]))
    lines += [
        ("inputs", f"{len(facts['inputs'])}: {names(facts['inputs'])}"),
        ("outputs", f"{len(facts['outputs'])}: {names(facts['outputs'])}"),
        ("loss", facts["loss"]),
        ("nodes", f"{facts['nodes']} ({plural(roles['input'], 'input')}, {roles['hidden']} hidden, "
                  f"{plural(roles['output'], 'output')})"),
        ("edges", f"{facts['edges']}" + (f" ({facts['fixed_weights']} fixed)" if facts["fixed_weights"] else "")),
        ("parameters", f"{facts['parameters']} trainable (of {facts['weights']} weights and "
                       f"{facts['biases']} biases)"),
        ("activations", ", ".join(f"{a} ×{k}" for a, k in sorted(facts["activations"].items()))),
        ("groups", ", ".join(f"{g} ({k})" for g, k in facts["groups"].items()) or "none"),
        ("depth", f"{facts['depth']} (edges on the longest input-to-output path)"),
        ("generations", f"{len(facts['generations'])}, sizes {' | '.join(map(str, facts['generations'][:16]))}"
                        + (" | …" if len(facts["generations"]) > 16 else "")),
    ]
    skips = facts["skip_edge_list"]
    shown = ", ".join(f"{u} -> {v}" for u, v in skips[:4]) + (", …" if len(skips) > 4 else "")
    lines.append(("skip edges", f"{len(skips)}" + (f": {shown}" if skips else "")))
    for key, label in (("in_degree", "in-degree"), ("out_degree", "out-degree")):
        s = facts[key]
        if s:
            lines.append((label, f"min {s['min']}, mean {s['mean']:g}, max {s['max']}"))
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        print(f"{key + ':':<{width + 1}} {value}")
    return EXIT_OK
