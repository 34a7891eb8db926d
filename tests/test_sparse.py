"""Dynamic sparse training: SET and RigL keep the graph acyclic, the weight count, the survivors and their state."""
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import data_for, dags

import dagnet
from dagnet import datasets, sparse
from dagnet.callbacks import Callback
from dagnet.optimizers import make_optimizer
from dagnet.sparse import RigL, SET, Candidates, report
from dagnet.sparse.gradients import activations_and_deltas, connection_gradients, top_gradients


def small(seed=0, density=0.3):
    return dagnet.generate.generate("mlp", sizes=[12, 12], outputs=3, density=density, seed=seed,
                                    activations="tanh")


class Checked(Callback):
    """Runs after the DST callback's every update and records what held."""

    def __init__(self, dst):
        self.dst, self.every, self.seen = dst, dst.every, []

    def on_step(self, net, optimizer, step, X, Y):
        if self.dst.log and self.dst.log[-1]["step"] == step:
            blocks = self.dst.space.block_of(*self.dst.space.ranks(net.plan))
            self.seen.append((nx.is_directed_acyclic_graph(net.graph), len(net.plan.edges),
                              np.bincount(blocks, minlength=len(self.dst.space.blocks)).tolist()))


@pytest.mark.parametrize("method", [SET, RigL])
@pytest.mark.parametrize("candidates", ["any", "layers"])
def test_every_update_keeps_the_graph_acyclic_and_each_blocks_weight_count(method, candidates):
    X, Y = datasets.load("blobs", n_samples=120, seed=0)
    net = small()
    blocks = np.bincount(Candidates(net.plan, candidates).block_of(
        *Candidates(net.plan, candidates).ranks(net.plan)))
    dst = method(every=3, drop_fraction=0.4, candidates=candidates, seed=1)
    check = Checked(dst)
    net.fit(X, Y, epochs=4, batch_size=12, optimizer="adam", lr=0.02, verbose=False, callback=[dst, check])
    assert len(check.seen) == len(dst.log) >= 5
    assert all(r["dropped"].shape == r["grown"].shape for r in dst.log)
    assert sum(len(r["grown"]) for r in dst.log) > 0
    assert check.seen == [(True, dst.target, blocks.tolist())] * len(check.seen)


def test_skips_grow_only_with_candidates_any():
    X, Y = datasets.load("blobs", n_samples=120, seed=0)
    jumps = {}
    for candidates in ("any", "layers"):
        dst = RigL(every=3, drop_fraction=0.5, candidates=candidates, seed=0)
        small().fit(X, Y, epochs=3, batch_size=12, optimizer="adam", lr=0.02, verbose=False, callback=dst)
        jumps[candidates] = report.summary(dst)["grown_by_jump"]
    assert set(jumps["layers"]) == {1} and set(jumps["any"]) - {1}


def test_grown_weights_start_at_zero_and_survivors_keep_values_and_adam_state_as_a_network_built_anew():
    X, Y = datasets.load("blobs", n_samples=60, seed=0)
    net = small()
    adam = make_optimizer("adam", lr=0.02)
    net.fit(X, Y, epochs=2, batch_size=12, optimizer=adam, verbose=False)
    before = {e: (net.params[s], adam.state["m"][s], adam.state["v"][s]) for e, s in net.plan.edge_slot.items()}
    rigl = RigL(every=1, drop_fraction=0.3, seed=0)
    rigl.on_fit_begin(net, adam, 5, 1)
    rigl.on_step(net, adam, 1, X[:12], net.targets(Y[:12]))
    names = rigl.space.position_of_rank      # rank -> graph position
    grown = {(net.plan.wiring.names[names[s]], net.plan.wiring.names[names[t]]) for s, t in rigl.log[0]["grown"]}
    assert grown and len(grown) == len(rigl.log[0]["dropped"])
    for e, s in net.plan.edge_slot.items():
        now = (net.params[s], adam.state["m"][s], adam.state["v"][s])
        assert now == ((0.0, 0.0, 0.0) if e in grown else before[e])
    # the same weights and state in a network built from its graph: one more step agrees to 1e-12
    fresh = dagnet.Network.from_graph(nx.DiGraph(net.graph), inputs=net.inputs, outputs=net.outputs,
                                      loss=net.loss)
    fresh_adam = make_optimizer("adam", lr=0.02)
    fresh_adam.t = adam.t
    for key in ("m", "v"):
        fresh_adam.state[key] = np.zeros_like(fresh.params)
        for e, s in fresh.plan.edge_slot.items():
            fresh_adam.state[key][s] = adam.state[key][net.plan.edge_slot[e]]
        for n, s in fresh.plan.bias_slot.items():
            fresh_adam.state[key][s] = adam.state[key][net.plan.bias_slot[n]]
    Yt = net.targets(Y[12:24])
    net.train_step(X[12:24], Yt, adam)
    fresh.train_step(X[12:24], Yt, fresh_adam)
    for e in net.plan.edge_slot:
        assert abs(net.weight(*e) - fresh.weight(*e)) <= 1e-12


@settings(max_examples=25, deadline=None)
@given(dags(), st.integers(0, 2**31))
def test_the_gradients_rigl_ranks_are_central_differences_of_absent_connections(case, seed):
    G, inputs, outputs, loss, _ = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss, seed=0)
    X, Y = data_for(net, seed, n=4)
    space = Candidates(net.plan, "any")
    s, t = space.ranks(net.plan)
    present = (s[np.lexsort((s, t))], t[np.lexsort((s, t))])
    Z, D = activations_and_deltas(net, X, Y)          # columns are ranks: the plan has not changed
    k = min(3, space.size(0) - len(s))
    if k <= 0:
        return
    top_s, top_t, magnitude = top_gradients(space, 0, Z, D, k, present)
    absent = [(i, j) for j in range(net.plan.n_inputs, net.plan.n_nodes) for i in range(j)
              if space.block_of(i, j) == 0 and not ((s == i) & (t == j)).any()]
    every = np.abs(connection_gradients(Z, D, absent))
    assert np.allclose(np.sort(magnitude)[::-1], np.sort(every)[::-1][:k], rtol=1e-12, atol=1e-15)
    h = 1e-6
    for i, j in zip(top_s.tolist(), top_t.tolist()):
        a, b = net.plan.nodes[i], net.plan.nodes[j]
        E = []
        for w in (h, -h):
            other = net.copy()
            dagnet.edits.add_edge(other, a, b, weight=w)
            E.append(other.evaluate(X, Y))
        numeric = (E[0] - E[1]) / (2 * h)
        analytic = connection_gradients(Z, D, [(i, j)])[0]
        assert abs(analytic) == pytest.approx(magnitude[(top_s == i) & (top_t == j)][0], rel=1e-12, abs=1e-15)
        assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("candidates", ["any", "layers"])
def test_a_saved_sparse_network_reloads_and_trains_bit_identically(tmp_path, candidates):
    X, Y = datasets.load("blobs", n_samples=90, seed=0)
    net = small(seed=2)
    net.fit(X, Y, epochs=3, batch_size=9, optimizer="adam", lr=0.05, verbose=False,
            callback=RigL(every=4, drop_fraction=0.5, candidates=candidates, seed=0))
    net.save(tmp_path / "sparse.yaml")
    again = dagnet.load(tmp_path / "sparse.yaml")
    assert again.plan.nodes == net.plan.nodes and np.array_equal(again.plan.edges, net.plan.edges)
    assert np.array_equal(again.params, net.params)
    for n in (net, again):
        n.fit(X, Y, epochs=2, batch_size=9, optimizer="adam", lr=0.05, verbose=False, seed=3)
    assert np.array_equal(again.params, net.params)


def test_sparse_start_keeps_the_density_asked_for_and_every_node_on_a_path_to_an_output():
    net = dagnet.generate.generate("mlp", sizes=[200, 200], inputs=20, outputs=5, density=0.05, seed=0)
    dense = 20 * 200 + 200 * 200 + 200 * 5
    edges = net.plan.edges
    assert abs(len(edges) - 0.05 * dense) <= 0.02 * 0.05 * dense
    feeds = np.bincount(edges[:, 0], minlength=net.plan.n_nodes)
    assert (feeds[: net.plan.n_nodes - 5] > 0).all()
    into = np.bincount(edges[:, 1], minlength=net.plan.n_nodes)
    h1, h2, y = into[20:220].mean() / 20, into[220:420].mean() / 200, into[420:].mean() / 200
    assert y > h1 > h2          # Erdős–Rényi: the narrow layers stay denser


def test_dynamic_reads_specs_and_names_a_near_miss():
    assert isinstance(sparse.dynamic("set"), SET) and sparse.dynamic("static") is None
    assert sparse.dynamic({"method": "rigl", "every": 7}).every == 7
    with pytest.raises(ValueError, match="did you mean 'rigl'"):
        sparse.dynamic("rigg")
    with pytest.raises(ValueError, match="no option 'evry'.*did you mean 'every'"):
        sparse.dynamic({"method": "set", "evry": 3})
    with pytest.raises(ValueError, match="drop_fraction"):
        RigL(drop_fraction=1.5)
