"""Many edges out and in at once: the plan compiled from arrays is the plan of the edited graph."""
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dagnet
from dagnet import edits
from dagnet.optimizers import make_optimizer
from dagnet.plan import DenseStep, Plan

from strategies import dags


def same_plan(a, b):
    assert a.nodes == b.nodes and a.n_params == b.n_params and a.n_constants == b.n_constants
    assert np.array_equal(a.edges, b.edges) and np.array_equal(a.mask, b.mask)
    assert a.edge_slot == b.edge_slot and a.bias_slot == b.bias_slot
    for s, t in zip(a.steps, b.steps, strict=True):
        assert type(s) is type(t) and (s.start, s.stop, s.offset) == (t.start, t.stop, t.offset)
        if isinstance(s, DenseStep):
            assert s.shape == t.shape and np.array_equal(np.arange(a.n_nodes)[s.sources],
                                                         np.arange(b.n_nodes)[t.sources])
        else:
            assert np.array_equal(s.src, t.src) and np.array_equal(s.indptr, t.indptr)


def random_swap(net, rng, k):
    """k present edges out (each source keeps one out-edge), k absent forward pairs in (column order)."""
    plan = net.plan
    edges = plan.edges[:, :2]
    out_degree = np.bincount(edges[:, 0], minlength=plan.n_nodes)
    order = rng.permutation(len(edges))
    remove = []
    for e in edges[order]:
        if len(remove) < k and out_degree[e[0]] > 1:
            remove.append(e)
            out_degree[e[0]] -= 1
    present = {tuple(e) for e in edges.tolist()}
    outputs = set(plan.output_columns.tolist()) if plan.softmax else set()
    absent = [(i, j) for j in range(plan.n_inputs, plan.n_nodes) for i in range(j)
              if (i, j) not in present and i not in outputs]
    add = [absent[i] for i in rng.permutation(len(absent))[:k]]
    return np.array(remove, dtype=np.intp).reshape(-1, 2), np.array(add, dtype=np.intp).reshape(-1, 2)


@settings(max_examples=40, deadline=None)
@given(dags(), st.integers(0, 2**31), st.integers(1, 4))
def test_a_rewired_plan_is_the_plan_of_the_edited_graph(case, seed, k):
    G, inputs, outputs, loss, _ = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss, seed=0)
    remove, add = random_swap(net, np.random.default_rng(seed), k)
    names = net.plan.nodes
    H = net.graph.copy()
    H.remove_edges_from([(names[i], names[j]) for i, j in remove.tolist()])
    H.add_edges_from([(names[i], names[j]) for i, j in add.tolist()], weight=0.0)
    same_plan(net.plan.rewired(remove, add), Plan(H))


@settings(max_examples=30, deadline=None)
@given(dags(), st.integers(0, 2**31))
def test_rewire_keeps_every_surviving_value_and_optimiser_moment_and_starts_new_weights_at_zero(case, seed):
    G, inputs, outputs, loss, _ = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss, seed=0)
    adam = make_optimizer("adam")
    adam.step(net.params, np.random.default_rng(seed).normal(size=net.params.shape))
    before = {e: net.weight(*e) for e in net.plan.edge_slot}
    moments = {e: adam.state["m"][s] for e, s in net.plan.edge_slot.items()}
    remove, add = random_swap(net, np.random.default_rng(seed), 2)
    names = net.plan.nodes
    gone = {(names[i], names[j]) for i, j in remove.tolist()}
    new = {(names[i], names[j]) for i, j in add.tolist()}
    edits.rewire(net, remove, add, optimizer=adam, columns=True)
    assert set(net.plan.edge_slot) == (set(before) - gone) | new
    assert set(net.graph.edges) == set(net.plan.edge_slot) and nx.is_directed_acyclic_graph(net.graph)
    for e, s in net.plan.edge_slot.items():
        expected = (0.0, 0.0) if e in new else (before[e], moments[e])
        assert (net.params[s], adam.state["m"][s]) == expected


def test_rewire_refuses_a_cycle_an_absent_or_present_edge_and_a_cut_off_perceptron_leaving_the_net_as_it_was():
    net = dagnet.load("topologies/xor_skip.yaml", seed=0)
    params, plan = net.params.copy(), net.plan
    for remove, add, message in [([], [("y", "n")], "cycle"), ([("b", "a")], [], "no edge 'b' -> 'a'"),
                                 ([], [("a", "n")], "already there"), ([("n", "y")], [], "feeding nothing"),
                                 ([], [("y", "a")], "into an input"), ([("a", "zz")], [], "no node 'zz'")]:
        with pytest.raises(dagnet.TopologyError, match=message):
            edits.rewire(net, remove, add)
        assert net.plan is plan and np.array_equal(net.params, params)


def test_an_edge_removed_and_added_back_starts_again_at_zero():
    net = dagnet.load("topologies/xor_skip.yaml", seed=0)
    edits.rewire(net, remove=[("a", "y")], add=[("a", "y")])
    assert net.weight("a", "y") == 0.0 and net.weight("b", "y") == 10.0
