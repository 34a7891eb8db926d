"""PyTorch export: forward, loss and gradients equal dagnet's on random DAGs; trained parameters come back."""
import io
import pickle

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from strategies import ALL, dags, data_for
from test_interchange_support import random_sparse

import dagnet
from dagnet.activations import ACTIVATIONS
from dagnet.interchange import InterchangeError
from dagnet.losses import LOSSES
from dagnet.optimizers import make_optimizer

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch==2.13.0)")
from dagnet.interchange import torch as exporter  # noqa: E402


def agree(net, X, Y, tolerance=1e-12):
    """Forward, loss and gradient of the module against dagnet's; the module for more checks."""
    module = net.to_torch()
    Xt = torch.tensor(np.asarray(X, dtype=float))
    np.testing.assert_allclose(module(Xt).detach().numpy(), net.predict(X), rtol=tolerance, atol=tolerance)
    S, Z = module.trace(Xt)
    trace = net.forward(X)
    np.testing.assert_allclose(S.detach().numpy(), trace.S, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(Z.detach().numpy(), trace.Z, rtol=tolerance, atol=tolerance)
    E = module.loss(Xt, Y)
    E.backward()
    E_dagnet, grads = net.gradients(X, Y)
    assert abs(E.item() - E_dagnet) <= tolerance * max(1.0, abs(E_dagnet))
    np.testing.assert_allclose(module.params.grad.numpy(), grads.vector, rtol=tolerance, atol=tolerance)
    return module


@pytest.mark.slow
@given(dags(activations=ALL))
def test_forward_loss_and_gradients_equal_dagnets_on_random_dags(case):
    G, inputs, outputs, loss, seed = case
    net = dagnet.Network.from_graph(G, inputs, outputs, loss=loss, seed=seed)
    X, Y = data_for(net, seed, n=6)
    agree(net, X, Y)


@pytest.mark.slow
def test_sparse_generations_give_the_same_gradients():
    net = random_sparse(400, activations=("tanh", "sigmoid", "softsign"))
    assert any(type(step).__name__ == "SparseStep" for step in net.plan.steps)
    rng = np.random.default_rng(0)
    agree(net, rng.normal(size=(8, 32)), rng.normal(size=(8, 4)))


def test_every_activation_and_loss_has_a_pytorch_form():
    assert set(exporter.activation_functions()) == set(ACTIVATIONS) | {"softmax"}
    assert set(exporter.loss_functions()) == set(LOSSES)


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_each_activation_and_its_derivative_where_they_bend(activation):
    """At 0 (the kinks of relu and friends), in the tails, and at softplus's switch-over at 20."""
    G = nx.DiGraph([("x", "y")])
    G.nodes["y"].update(activation=activation, bias=0.0)
    G.edges["x", "y"]["weight"] = 1.0
    net = dagnet.Network.from_graph(G, loss="sse")
    X = np.r_[-1000.0, -30.0, -1.0, 0.0, 0.5, 20.5, 40.0][:, None]
    agree(net, X, np.zeros((len(X), 1)))


def test_fixed_weights_compute_but_get_no_gradient():
    net = dagnet.loads("""
inputs: [a, b]
outputs: [y]
loss: sse
nodes: {h: {activation: tanh}, y: {activation: linear, bias: false}}
edges:
  - {from: [a, b], to: h}
  - {from: h, to: y, weight: 2.0, trainable: false}
  - {from: a, to: y}
""", seed=0)
    module = agree(net, [[0.5, -1.0], [1.0, 2.0]], [1.0, -1.0])
    slot = net.plan.edge_slot["h", "y"]
    assert module.params.grad[slot] == 0.0 and net.plan.mask[slot] == 0.0
    assert module.params.grad[net.plan.edge_slot["a", "y"]] != 0.0


def test_a_step_in_pytorch_is_a_step_in_dagnet():
    net = dagnet.load("topologies/deep_skip.yaml", seed=0)
    X, Y = dagnet.datasets.load("moons", seed=0)
    twin = net.copy()
    module = net.to_torch()
    sgd = torch.optim.SGD(module.parameters(), lr=0.1)
    for _ in range(3):
        sgd.zero_grad()
        module.loss(torch.tensor(X), Y).backward()
        sgd.step()
        twin.train_step(X, twin.targets(Y), make_optimizer("sgd", lr=0.1))
    exporter.load_state(net, module)
    np.testing.assert_allclose(net.params, twin.params, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(net.predict(X), module(torch.tensor(X)).detach().numpy(), rtol=1e-12)


def test_float32_module():
    net = dagnet.load("topologies/tanh_softmax_2_500_2.yaml", seed=0)
    module = net.to_torch(dtype="float32")
    X = np.random.default_rng(0).normal(size=(5, 2))
    out = module(torch.tensor(X, dtype=torch.float32))
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out.detach().numpy(), net.predict(X), rtol=1e-4, atol=1e-6)


def test_the_forward_graph_grows_with_generations_not_with_nodes():
    """Vectorised per generation: a 500-wide layer costs the autograd graph what a 5-wide one does."""
    def graph_size(width):
        G = nx.DiGraph([(f"x{i}", f"h{j}") for i in range(2) for j in range(width)] +
                       [(f"h{j}", "y") for j in range(width)])
        net = dagnet.Network.from_graph(G, inputs=["x0", "x1"], outputs=["y"], seed=0)
        out = net.to_torch()(torch.zeros(3, 2))
        seen, stack = set(), [out.grad_fn]
        while stack:
            fn = stack.pop()
            if fn is not None and fn not in seen:
                seen.add(fn)
                stack.extend(f for f, _ in fn.next_functions)
        return len(seen)
    assert graph_size(500) == graph_size(5) < 40


def test_load_state_refuses_another_structure_and_non_finite_values():
    net = dagnet.load("topologies/xor_2_2_1.yaml", seed=0)
    other = dagnet.load("topologies/xor_skip.yaml").to_torch()
    with pytest.raises(InterchangeError, match="another structure"):
        exporter.load_state(net, other)
    module = net.to_torch()
    with torch.no_grad():
        module.params[net.plan.edge_slot["a", "h.0"]] = float("nan")
    before = net.params.copy()
    with pytest.raises(InterchangeError, match=r"w\['a' -> 'h.0'\] is nan; nothing was written"):
        exporter.load_state(net, module)
    assert np.array_equal(net.params, before)
    with pytest.raises(InterchangeError, match="made by dagnet's to_module"):
        exporter.load_state(net, torch.nn.Linear(2, 1))


def test_modules_pickle_and_labels_are_accepted_as_targets():
    net = dagnet.load("topologies/mlp_one_hidden_ce.yaml", seed=0)
    module = pickle.loads(pickle.dumps(net.to_torch()))
    X = np.random.default_rng(0).normal(size=(4, 2))
    labels = np.array([0, 1, 1, 0])
    assert abs(module.loss(torch.tensor(X), labels).item() - net.evaluate(X, labels)) < 1e-12


@pytest.mark.slow
def test_an_exported_program_runs_without_dagnet_for_any_batch(tmp_path):
    net = dagnet.load("topologies/deep_skip.yaml", seed=0)
    path = exporter.write_program(net, tmp_path / "net.pt2")
    program = torch.export.load(path).module()
    for n in (1, 2, 17):
        X = np.random.default_rng(n).normal(size=(n, 2))
        np.testing.assert_allclose(program(torch.tensor(X)).detach().numpy(), net.predict(X), rtol=1e-12)
    buffer = io.BytesIO(open(path, "rb").read())
    assert torch.export.load(buffer) is not None


@pytest.mark.slow
def test_torch_compile_compiles_every_exported_network_past_the_recompile_limit():
    """Each module has a forward of its own: ten networks are ten compilations, none falls back to eager."""
    import torch._dynamo
    torch._dynamo.reset()
    compiled = []

    def backend(graph_module, example_inputs):      # called once per compilation, never on a fallback
        compiled.append(graph_module)
        return graph_module.forward

    limit = torch._dynamo.config.recompile_limit
    nets = [dagnet.generate.generate("mlp", sizes=[2 + k], inputs=3, outputs=2, seed=k) for k in range(limit + 2)]
    X = np.random.default_rng(0).normal(size=(5, 3))
    for net in nets:
        module = torch.compile(net.to_torch(), backend=backend)
        np.testing.assert_allclose(module(torch.tensor(X)).detach().numpy(), net.predict(X), rtol=1e-12, atol=1e-12)
    assert len(compiled) == len(nets)
    module = nets[0].to_torch()
    copy = pickle.loads(pickle.dumps(module))            # a module read back gets a forward of its own too
    assert copy.forward.__func__.__code__ is not module.forward.__func__.__code__
