"""A rewire that keeps the generations is merged into the plan (dagnet/swap.py), not recompiled:
the plan, slot map and training are those of a network built from scratch with the same edges."""
import copy

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dagnet
from dagnet import network
from dagnet.optimizers import make_optimizer
from dagnet.plan import DenseStep, Plan
from dagnet.slotmap import SlotMap
from dagnet.sparse import RigL
from dagnet.swap import swapped

from strategies import dags


def same_plan(a, b, wiring=True):
    """The same plan; with ``wiring``, also compiled from the same wiring (graph order)."""
    assert a.nodes == b.nodes and a.n_params == b.n_params and a.n_weight_slots == b.n_weight_slots
    for name in ("edges", "mask") + (("wiring_slot", "position", "generation") if wiring else ()):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.edge_slot == b.edge_slot and a.bias_slot == b.bias_slot and a.mask_needed == b.mask_needed
    for name in ("src", "dst", "trainable") if wiring else ():
        assert np.array_equal(getattr(a.wiring, name), getattr(b.wiring, name)), name
    for s, t in zip(a.steps, b.steps, strict=True):
        assert type(s) is type(t) and (s.start, s.stop, s.offset, s.runs) == (t.start, t.stop, t.offset, t.runs)
        if isinstance(s, DenseStep):
            assert s.shape == t.shape and np.array_equal(np.arange(a.n_nodes)[s.sources],
                                                         np.arange(b.n_nodes)[t.sources])
        else:
            for name in ("src", "dst", "indptr"):
                assert np.array_equal(getattr(s, name), getattr(t, name)), name


def layered_swap(plan, rng, k):
    """k present edges out and k absent pairs in, each new one from an earlier generation to a later one."""
    generation = plan.generation[plan.position]
    remove = plan.edges[rng.permutation(len(plan.edges))[:k], :2]
    present = set(map(tuple, plan.edges[:, :2].tolist()))
    forward = [(i, j) for i in range(plan.n_nodes) for j in range(plan.n_nodes)
               if generation[i] < generation[j] and (i, j) not in present]
    add = [forward[i] for i in rng.permutation(len(forward))[:k]]
    return remove, np.array(add, dtype=np.intp).reshape(-1, 2)


@settings(max_examples=60, deadline=None)
@given(dags(), st.integers(0, 2**31), st.integers(1, 4))
def test_a_swap_merged_into_the_plan_is_the_plan_and_slot_map_of_the_recompile(case, seed, k):
    G, inputs, outputs, loss, _ = case
    plan = dagnet.Network.from_graph(G, inputs, outputs, loss, seed=0).plan
    remove, add = layered_swap(plan, np.random.default_rng(seed), k)
    fast = swapped(plan, remove, add)
    try:
        slow = plan.rewired(remove, add)
    except ValueError:
        assert fast is None
        return
    if fast is None:           # a generation moved or a step changed kind: the recompile's case
        return
    new, slots = fast
    same_plan(new, slow)
    expected = SlotMap.between(plan, slow).without(plan.slots_of(remove))
    assert np.array_equal(slots.old_slots, expected.old_slots) and np.array_equal(slots.new_slots,
                                                                                  expected.new_slots)
    assert (slots.n_old, slots.n_new) == (expected.n_old, expected.n_new)


def wide_sparse(density):
    with dagnet.limits.raised(max_edges=2_000_000):
        return dagnet.generate.generate("mlp", sizes=[120, 120], inputs=20, outputs=4, activations="relu",
                                        density=density, distribution="erk", sparse_seed=0, seed=0)


@pytest.mark.parametrize("density", [0.05, 0.3])           # sparse steps; and dense ones among them
def test_after_an_in_place_swap_the_network_trains_bit_identically_to_one_built_from_scratch(density, monkeypatch):
    merged = []
    monkeypatch.setattr(network, "swapped", lambda *a: merged.append(swapped(*a)) or merged[-1])
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 20)), np.eye(4)[rng.integers(0, 4, 64)]
    for engine in ("compiled", "numpy"):
        net = wide_sparse(density)
        net.loss, net.engine = "cross_entropy", engine
        adam = make_optimizer("adam", lr=0.01)
        net.fit(X, Y, epochs=2, batch_size=16, optimizer=adam, verbose=False, shuffle=False)
        rigl = RigL(candidates="layers")
        rigl.on_fit_begin(net, adam, 4, 1)
        _, grown = rigl.update(net, adam, 0.3, X[:16], Y[:16])        # drop 30 %, grow as many: one swap
        assert len(grown) > 10 and merged[-1] is not None               # the merge ran, not the recompile
        if density == 0.3:
            assert any(isinstance(step, DenseStep) for step in net.plan.steps)
        net.params[net.plan.slots_of(rigl.space.columns(net.plan, grown))] = rng.normal(size=len(grown))
        assert nx.is_directed_acyclic_graph(net.graph) and set(net.graph.edges) == set(net.plan.edge_slot)
        fresh = dagnet.Network.from_graph(copy.deepcopy(net.graph), seed=0, engine=engine)
        fresh.loss = net.loss
        same_plan(fresh.plan, net.plan, wiring=False)
        twin = make_optimizer("adam", lr=0.01)
        twin.t = adam.t
        slot = {**net.plan.edge_slot, **net.plan.bias_slot}
        fresh_slot = {**fresh.plan.edge_slot, **fresh.plan.bias_slot}
        for key in ("m", "v"):
            twin.state[key] = np.zeros(fresh.plan.n_params)
            for name, s in slot.items():
                twin.state[key][fresh_slot[name]] = adam.state[key][s]
        assert all(fresh.params[fresh_slot[name]] == net.params[s] for name, s in slot.items())
        assert np.array_equal(fresh.predict(X), net.predict(X))
        net.fit(X, Y, epochs=3, batch_size=16, optimizer=adam, verbose=False, shuffle=False)
        fresh.fit(X, Y, epochs=3, batch_size=16, optimizer=twin, verbose=False, shuffle=False)
        assert all(fresh.params[fresh_slot[name]] == net.params[s] for name, s in slot.items()), engine
        assert np.array_equal(fresh.predict(X), net.predict(X))
