"""The numpy scan of flat edge lists (dagnet.flatreader) gives what the strict reader gives, or steps aside.

Every text is read twice: by ``topology.read`` (which scans a flat edge list
when it can) and by the strict reader alone (the JSON/YAML reader and the
entry-by-entry parser, as before the scan existed). The two must give the
same Blueprint, bit for bit, or the same error. Texts the scan must not
take (anything net.save does not write) are checked to fall back.
"""
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dagnet
from dagnet import flatreader, topology
from dagnet.errors import TopologyError
from dagnet.writer import to_yaml
from strategies import dags

SOURCE = "net.yaml"


def strict(text):
    """The strict reader alone: the whole file parsed as JSON (or YAML), its entries read by topology."""
    return topology._Parser(topology.read_topology(text, SOURCE), SOURCE).parse()


def outcome(read, text):
    try:
        return "read", read(text)
    except TopologyError as err:
        return "refused", str(err)


def scanned(text):
    """True when topology.read takes ``text``'s edges from the scan (no fallback)."""
    fast = flatreader.split(text)
    if fast is None:
        return False
    data = topology.read_json(fast[0])
    if not data:
        return False
    parser = topology._Parser(data, SOURCE, fast[1])
    try:
        parser.parse()
    except TopologyError:           # refused after the edges were read (a duplicate edge, say)
        pass
    return fast[1].resolve(parser.names, topology.LIMITS.max_edges) is not None


def same_blueprint(a, b):
    assert set(vars(a)) == set(vars(b))
    for key, x in vars(a).items():
        y = getattr(b, key)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), key
        else:
            assert repr(x) == repr(y), key       # repr: -0.0 and 0.0, 1 and 1.0 differ


def same_outcome(text):
    fast = outcome(lambda t: topology.read(t, SOURCE)[0], text)
    slow = outcome(strict, text)
    assert fast[0] == slow[0], (fast, slow)
    if fast[0] == "read":
        same_blueprint(fast[1], slow[1])
    else:
        assert fast[1] == slow[1]
    return fast


def flat_text(names, entries, inputs=1):
    """A flat file as net.save lays it out: ``entries`` are edge lines (text) of nodes ``names``."""
    head = {"inputs": names[:inputs], "outputs": names[-1:], "loss": "mse"}
    lines = ["{", *(f"{json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items())]
    lines.append('"nodes": {\n' + ",\n".join(f'  {json.dumps(n, ensure_ascii=False)}: {{"activation": "tanh", '
                                            f'"bias": 0.5}}' for n in names[inputs:]) + "\n},")
    lines += ['"edges": [\n' + ",\n".join(entries) + "\n]", "}"]
    return "\n".join(lines) + "\n"


def entry(sources, target, weights, fixed=False):
    names = ", ".join(json.dumps(s, ensure_ascii=False) for s in sources)
    return (f'  {{"from": [{names}], "to": {json.dumps(target, ensure_ascii=False)}, "weight": [{", ".join(weights)}]'
            + (', "trainable": false}' if fixed else "}"))


@settings(max_examples=40, deadline=None)
@given(dags(name_kind="str", max_hidden=15))
def test_saved_networks_are_scanned_to_the_strict_readers_blueprint(case):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs=inputs, outputs=outputs, loss=loss, seed=seed)
    text = to_yaml(net)
    assert scanned(text)
    same_outcome(text)
    assert (dagnet.loads(text).params == net.params).all()


def test_fixed_edges_and_unicode_names_are_scanned():
    text = """
inputs: [x, "ü ä"]
outputs: ["y,\\"]"]
loss: mse
nodes: {h: {}, "y,\\"]": {}}
edges:
  - {from: [x, "ü ä"], to: h, weight: [0.5, -1.0e-300]}
  - {from: x, to: "y,\\"]", weight: 2.5, trainable: false}
  - {from: h, to: "y,\\"]", weight: -0.0}
"""
    net = dagnet.loads(text, seed=0)
    saved = to_yaml(net)
    assert '"trainable": false}' in saved and "\\" in saved     # a quote in a name: escaped, so...
    assert not scanned(saved)                                    # ...this one is read the strict way
    same_outcome(saved)
    plain = saved.replace('y,\\"]', "y,]").replace("\\", "")
    assert scanned(plain)
    bp = same_outcome(plain)[1]
    assert bp.trainable_edge.tolist().count(False) == 1
    assert np.signbit(bp.weight).tolist().count(True) == 2        # -1e-300 and -0.0 keep their sign


NAMES = ["x", "h0", "h1", "y"]
GOOD = [entry(["x"], "h0", ["0.5"]), entry(["x", "h0"], "h1", ["-1.25e-05", "3.0"]),
        entry(["h1", "h0"], "y", ["0.1", "-0.2"], fixed=True)]



def changed(i, old, new):
    """The entries of GOOD with entry ``i`` changed (``old`` replaced by ``new``)."""
    assert old in GOOD[i]
    return [GOOD[i].replace(old, new) if k == i else e for k, e in enumerate(GOOD)]


def replaced(i, line):
    return [line if k == i else e for k, e in enumerate(GOOD)]


# None of these is how net.save writes, so each is read the strict way, which gives a Blueprint or
# names the problem exactly as without the scan.
UNUSUAL = {
    "an integer weight": changed(0, "0.5", "1"),
    "minus zero as an integer": changed(0, "0.5", "-0"),
    "an integer among floats": changed(1, "3.0", "-0"),
    "a leading zero": changed(0, "0.5", "00.5"),
    "a leading plus": changed(0, "0.5", "+0.5"),
    "no digit before the point": changed(0, "0.5", ".5"),
    "no digit after the point": changed(0, "0.5", "5."),
    "a point after the exponent": changed(0, "0.5", "5e1.5"),
    "two points": changed(0, "0.5", "0.5.1"),
    "an exponent without digits": changed(0, "0.5", "5e"),
    "two exponents": changed(0, "0.5", "5e1e1"),
    "a weight beyond float": changed(0, "0.5", "1e400"),
    "NaN": changed(0, "0.5", "NaN"),
    "Infinity": changed(0, "0.5", "-Infinity"),
    "a weight as text": changed(0, "0.5", '"0.5"'),
    "true as a weight": changed(0, "0.5", "true"),
    "no space after a comma": changed(1, "-1.25e-05, ", "-1.25e-05,"),
    "two spaces after a comma": changed(1, "-1.25e-05, ", "-1.25e-05,  "),
    "one weight short": changed(1, "-1.25e-05, ", ""),
    "one weight more": changed(1, "3.0]", "3.0, 4.0]"),
    "no weight": changed(0, ', "weight": [0.5]', ""),
    "an empty source list": changed(0, '["x"]', "[]"),
    "a source not in a list": changed(0, '["x"]', '"x"'),
    "an unknown source": changed(0, '["x"]', '["z"]'),
    "an unknown target": changed(0, '"h0"', '"h9"'),
    "an escaped name": changed(0, '["x"]', '["\\u0078"]'),
    "an escaped quote": changed(0, '["x"]', '["x\\""]'),
    "a tab": changed(0, '"to": ', '"to":\t'),
    "keys in another order": replaced(0, '  {"to": "h0", "from": ["x"], "weight": [0.5]}'),
    "an unknown key": changed(0, "]}", '], "note": 1}'),
    "a duplicate key": changed(0, "]}", '], "to": "h1"}'),
    "trainable true": changed(0, "]}", '], "trainable": true}'),
    "trainable as text": changed(0, "]}", '], "trainable": "no"}'),
    "a missing bracket": changed(0, "]}", "}"),
    "a missing brace": changed(0, "]}", "]"),
    "YAML flow style": replaced(0, "  {from: [x], to: h0, weight: [0.5]}"),
    "a space before the brace": replaced(0, " " + GOOD[0]),
    "a trailing space": replaced(0, GOOD[0] + " "),
    "a string across lines": changed(0, '["x"]', '["x\n"]'),
    "a group as a source": changed(0, '["x"]', '["g"]'),
}


@pytest.mark.parametrize("change", sorted(UNUSUAL))
def test_unusual_entries_fall_back_to_the_strict_reader(change):
    text = flat_text(NAMES, UNUSUAL[change])
    if change == "a group as a source":
        text = text.replace('"nodes": {', '"nodes": {\n  "g": {"size": 2},')
    assert scanned(flat_text(NAMES, GOOD)) and not scanned(text)
    same_outcome(text)


def test_an_escaped_backslash_is_not_read_as_two():
    names = ["a\\b", "a\\\\b", "y"]                        # a\b and a\\b: JSON writes "a\\b", "a\\\\b"
    text = flat_text(names, [entry(["a\\b"], "y", ["0.5"])], inputs=2)
    assert '["a\\\\b"]' in text and not scanned(text)
    bp = same_outcome(text)[1]
    assert bp.names[bp.src[0]] == "a\\b"


def test_a_duplicate_edge_found_after_the_scan_is_named_as_before():
    text = flat_text(NAMES, [GOOD[0], GOOD[1].replace('"h0"]', '"x"]'), GOOD[2]])
    assert scanned(text)
    kind, message = same_outcome(text)
    assert kind == "refused" and "duplicate edge 'x' -> 'h1'" in message and "edges[1]" in message


@pytest.mark.parametrize("layout", ["no final newline", "a blank line at the end", "edges not last",
                                    "an empty edge list", "a comment"])
def test_other_layouts_fall_back(layout):
    text = flat_text(NAMES, GOOD)
    text = {"no final newline": text[:-1], "a blank line at the end": text + "\n",
            "edges not last": text.replace('"loss": "mse",\n', "").replace("\n]\n}", '\n],\n"loss": "mse"\n}'),
            "an empty edge list": flat_text(NAMES, []),
            "a comment": text.replace('"edges": [\n', '"edges": [  # weights\n')}[layout]
    assert not scanned(text)
    same_outcome(text)


def test_the_limit_on_edges_is_kept(monkeypatch):
    text = flat_text(NAMES, GOOD)
    monkeypatch.setattr(topology.LIMITS, "max_edges", 4)
    assert not scanned(text)
    kind, message = same_outcome(text)
    assert kind == "refused" and "edges[2]" in message


NAME_CHARS = st.sampled_from(list('ab0ü ,.:[]{}"\\\t\x00\x7f€-e') + ["\U0001f600"])
NUMBERS = st.one_of(st.floats(allow_nan=False, allow_infinity=False).map(repr),
                    st.floats().map(repr),
                    st.integers(-10**20, 10**20).map(str),
                    st.sampled_from(["-0.0", "0.0", "1e5", "1E+05", "2.5E-3", "0e0", "1.0e-400", "-1e400", "01.0",
                                     ".5", "5.", "+1.0", "1.5e+308", "4.9e-324", "1_0.0", "0x1p3", "1,5"]),
                    st.text(st.sampled_from("0123456789.eE+- "), min_size=1, max_size=8))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(NAME_CHARS, min_size=1, max_size=4), min_size=3, max_size=6, unique=True),
       st.data())
def test_random_flat_texts_read_as_the_strict_reader_reads_them(names, data):
    entries = []
    for k, target in enumerate(names[1:], start=1):
        sources = data.draw(st.lists(st.sampled_from(names[:k]), min_size=1, max_size=k, unique=True))
        weights = data.draw(st.lists(NUMBERS, min_size=len(sources), max_size=len(sources)))
        entries.append(entry(sources, target, weights, fixed=data.draw(st.booleans())))
    text = flat_text(names, entries)
    if data.draw(st.booleans()):        # a random change of one character anywhere in the edge list
        at = data.draw(st.integers(text.index('"edges"'), len(text) - 1))
        text = text[:at] + data.draw(st.sampled_from(list('",[]{} :0.e\n\\'))) + text[at + 1:]
    same_outcome(text)


def test_scan_and_strict_reader_agree_on_number_forms():
    """Every number form the scan takes converts as Python's float does (both correctly rounded)."""
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.normal(size=2000), np.clip(rng.standard_cauchy(2000) * 1e300, -1e308, 1e308),
                             (rng.random(2000) * 1e-300), [5e-324, 2.2250738585072011e-308, 1.7976931348623157e308]])
    forms = [repr(float(v)) for v in values] + ["1.00000000000000011102230246251565404236316680908203125",
                                                 "2.4703282292062327e-324", "1E5", "-1.5E-3", "0." + "3" * 400, "9" * 400 + "e-390"]
    names = ["x", *(f"h{k}" for k in range(len(forms)))]
    lines = [entry(["x"], f"h{k}", [f]) for k, f in enumerate(forms)]
    text = flat_text(names, lines)
    assert scanned(text)
    bp = same_outcome(text)[1]
    assert np.array_equal(bp.weight.view(np.int64), np.array([float(f) for f in forms]).view(np.int64))


def test_many_names_long_and_short_are_placed_as_the_strict_reader_places_them():
    """Thousands of names (hash collisions, probing), some past 8 bytes (several words), some sharing
    their first 8 bytes, one unknown name among them found."""
    rng = np.random.default_rng(1)
    names = ["x", *(f"h{k}" for k in range(3000)), *(f"hidden-perceptron-{k}" for k in range(3000)),
             *(f"{'é' * (k % 5)}{k}" for k in range(1000)), "y"]
    lines = [entry([names[s] for s in sorted(rng.choice(t, size=min(t, 5), replace=False))], names[t],
                   [repr(float(w)) for w in rng.normal(size=min(t, 5))]) for t in range(1, len(names))]
    text = flat_text(names, lines)
    assert scanned(text)
    same_outcome(text)
    at = text.index('"hidden-perceptron-7"', text.index('"edges"')) + len('"hidden-perceptron-7')
    unknown = text[:at] + "x" + text[at:]
    assert not scanned(unknown)
    assert "unknown node 'hidden-perceptron-7x'" in same_outcome(unknown)[1]
