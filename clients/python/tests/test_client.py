"""The client against the service, method by method, each compared with PyTorch doing the same
locally: structure, parameters and their data, state dicts, load_state_dict's answers and errors,
forward/backward/zero_grad, modes, apply and paramlab.init, to_torch, optimizers, checkpoints,
statistics, state dicts and the problem exceptions."""
import sys
import types
from collections import OrderedDict

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import paramlab
from conftest import skip_unless_endpoint


def mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3))


@pytest.fixture
def pair(client):
    """A local module and the remote model pushed from it (deleted after the test)."""
    torch.manual_seed(0)
    local = mlp()
    net = client.push(local, name="pair")
    yield local, net
    net.delete()


# ---------------------------------------------------------------- the client and models


def test_connect_create_models_get(client, service_url):
    assert repr(client) == f"paramlab.Client('{service_url}/api/v1')"
    assert paramlab.connect(service_url + "/api/v1/").base == service_url + "/api/v1"
    net = client.create({"name": "created", "seed": 3, "model": {"type": "Linear", "in_features": 2,
                                                                  "out_features": 1}})
    assert isinstance(net, paramlab.RemoteModel) and net.name == "created" and net.version == 1
    assert net.client is client and net.info["id"] == net.id
    assert net.spec["model"]["bias"] is True
    assert any(m["id"] == net.id for m in client.models())
    other = client.create({"model": {"type": "ReLU"}})
    assert [m["id"] for m in client.models(limit=1)] == [m["id"] for m in client.models()]  # Link: rel="next"
    other.delete()
    assert client.get(net.id).id == net.id
    assert client.get("created").id == net.id
    with pytest.raises(paramlab.NotFoundError) as e:
        client.get("no such model")
    assert isinstance(e.value, KeyError) and "no model named" in str(e.value)
    net.rename("renamed")
    assert net.name == "renamed" and net.refresh().name == "renamed"
    assert [h["operation"] for h in net.history()][:1] == ["patch"]
    assert net.jobs() == []
    net.delete()
    with pytest.raises(paramlab.NotFoundError):
        client.get(net.id)


def test_push_keeps_values_and_mode(client):
    torch.manual_seed(1)
    local = mlp().eval()
    net = client.push(local, name="evaluated", seed=5)
    try:
        assert net.training is False and net.info["seed"] == 5
        for k, v in local.state_dict().items():
            assert torch.equal(net.state_dict()[k], v), k
    finally:
        net.delete()


def test_structure_indexing_and_attributes(pair):
    local, net = pair
    assert repr(net) == repr(local) and str(net) == str(local)
    assert repr(net[1]) == repr(local[1]) and repr(net[-1]) == repr(local[-1])
    assert len(net) == len(local) == 5
    assert [n for n, _ in net.named_children()] == [n for n, _ in local.named_children()]
    assert [repr(m) for m in net.children()] == [repr(m) for m in local.children()]
    assert [n for n, _ in net.named_modules()] == [n for n, _ in local.named_modules()]
    assert [repr(m) for m in net.modules()] == [repr(m) for m in local.modules()]
    assert [repr(m) for m in net] == [repr(m) for m in local]
    assert net[4].path == "4" and net[4].model is net and net[4].type_name == "Linear"
    assert net.get_submodule("4").path == "4"
    assert torch.equal(net.get_parameter("4.bias"), local.get_parameter("4.bias"))
    assert torch.equal(getattr(net, "0").weight, local[0].weight)
    with pytest.raises(IndexError):
        net[5]
    with pytest.raises(TypeError):
        net[1:3]
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        net[0].nope
    with pytest.raises(AttributeError):
        net[0].weight = None


def test_named_parameters_parameters_and_buffers(pair):
    local, net = pair
    got = list(net.named_parameters())
    want = list(local.named_parameters())
    assert [(n, p.shape) for n, p in got] == [(n, p.shape) for n, p in want]
    for (_, g), (_, w) in zip(got, want):
        assert isinstance(g, nn.Parameter) and torch.equal(g, w) and g.requires_grad
    assert [p.shape for p in net.parameters()] == [p.shape for p in local.parameters()]
    assert [n for n, _ in net[0].named_parameters(prefix="first")] == ["first.weight", "first.bias"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == []
    assert [(n, b.tolist()) for n, b in net[1].named_buffers()] == \
        [(n, b.tolist()) for n, b in local[1].named_buffers()]
    assert [b.dtype for b in net.buffers()] == [b.dtype for b in local.buffers()]
    assert torch.equal(net[1].running_var, local[1].running_var)
    assert net[0].weight.name == "0.weight" and net[0].weight.aliases == []


def test_state_dict_round_trip_bit_for_bit(pair):
    local, net = pair
    sd = net.state_dict()
    want = local.state_dict()
    assert isinstance(sd, OrderedDict) and list(sd) == list(want)
    for k, v in want.items():
        assert sd[k].dtype == v.dtype and torch.equal(sd[k], v)
    assert sd._metadata[""]["version"] == want._metadata[""]["version"]
    assert list(net[0].state_dict(prefix="a.")) == ["a.weight", "a.bias"]
    # values that do not survive a decimal round trip through float32 badly
    odd = OrderedDict((k, v.clone()) for k, v in want.items())
    odd["0.weight"] = torch.tensor([[1e-45, -3.4028235e38, 0.1, 1 / 3]] * 8)
    assert net.load_state_dict(odd).missing_keys == []
    assert torch.equal(net.state_dict()["0.weight"], odd["0.weight"])
    assert torch.equal(net[0].weight.data, odd["0.weight"])


def test_load_state_dict_answers_and_errors_as_pytorch(pair):
    local, net = pair
    sd = local.state_dict()
    keys = net.load_state_dict(sd)
    assert keys == local.load_state_dict(sd) and keys.missing_keys == [] and "All keys matched" in repr(keys)
    part = OrderedDict(list(sd.items())[:2])
    part["extra"] = torch.zeros(1)
    want = local.load_state_dict(part, strict=False)
    got = net.load_state_dict(part, strict=False)
    assert got.missing_keys == want.missing_keys and got.unexpected_keys == want.unexpected_keys
    with pytest.raises(RuntimeError) as local_error:
        local.load_state_dict(part)
    with pytest.raises(RuntimeError) as remote_error:
        net.load_state_dict(part)
    assert isinstance(remote_error.value, paramlab.ComputeError) and remote_error.value.status == 422
    assert str(remote_error.value) == str(local_error.value)
    bad = OrderedDict(sd)
    bad["4.bias"] = torch.zeros(4)
    with pytest.raises(RuntimeError) as local_error:
        local.load_state_dict(bad)
    with pytest.raises(RuntimeError) as remote_error:
        net.load_state_dict(bad)
    assert str(remote_error.value) == str(local_error.value)
    assert net[0].load_state_dict(local[0].state_dict()).missing_keys == []


def test_forward_backward_zero_grad_as_pytorch(pair):
    local, net = pair
    x = torch.randn(6, 4)
    y = torch.tensor([0, 2, 1, 1, 0, 2])
    net.eval()
    local.eval()
    with torch.no_grad():
        assert torch.allclose(net(x), local(x), atol=1e-6)
        assert torch.allclose(net.forward(x), local(x), atol=1e-6)
        assert torch.allclose(net[0](x), local[0](x), atol=1e-6)
    # eval mode: Dropout off and BatchNorm's running statistics, so the numbers are comparable
    loss = net.backward(x, y, loss="cross_entropy")
    want = F.cross_entropy(local(x), y)
    want.backward()
    assert loss == pytest.approx(want.item(), rel=1e-5)
    for (n, p), (_, w) in zip(net.named_parameters(), local.named_parameters()):
        assert torch.allclose(p.grad, w.grad, atol=1e-6), n
    net.zero_grad()
    assert torch.equal(net[0].weight.grad, torch.zeros(8, 4))
    with pytest.raises(NotImplementedError):
        net.zero_grad(set_to_none=True)


def test_train_and_eval_follow_pytorch(pair):
    local, net = pair
    assert net.train() is net and net.training
    x = torch.ones(4, 4)
    out = net(x)
    assert out.shape == (4, 3)
    assert net.eval() is net and not net.training and net.info["training"] is False
    assert not net.to_torch().training
    with pytest.raises(NotImplementedError):
        net[0].eval()
    assert net[0].training is False


def test_remote_data_writes_through(pair):
    local, net = pair
    w = net[0].weight
    assert repr(w) == repr(local[0].weight)
    assert repr(w.data) == repr(local[0].weight.data)
    net[0].weight.data[0, 0] = 100
    local[0].weight.data[0, 0] = 100
    net[0].weight.data[1] = torch.arange(4.0)
    local[0].weight.data[1] = torch.arange(4.0)
    net[0].weight.data[:, 3] *= 2
    local[0].weight.data[:, 3] *= 2
    d = net[4].bias.data
    d += 1
    local[4].bias.data += 1
    p = net[4].weight
    p.data = torch.ones(3, 8)
    local[4].weight.data = torch.ones(3, 8)
    nn.init.normal_(net[1].weight, 2.0, 0.5)  # draws from torch's generator, locally
    torch.manual_seed(0)
    nn.init.normal_(net[1].weight, 2.0, 0.5)
    torch.manual_seed(0)
    nn.init.normal_(local[1].weight, 2.0, 0.5)
    for k, v in local.state_dict().items():
        assert torch.equal(net.state_dict()[k], v), k
    with pytest.raises(AttributeError):
        net[0].weight.grad = torch.zeros(8, 4)
    import copy
    import pickle
    assert type(copy.deepcopy(net[0].weight)) is nn.Parameter
    assert torch.equal(pickle.loads(pickle.dumps(net[0].weight)), local[0].weight)


def test_apply_runs_a_python_function_as_pytorch_does(pair):
    local, net = pair

    def init(m):
        if type(m) == nn.Linear:
            nn.init.xavier_normal_(m.weight)
            m.bias.data.fill_(0.25)

    torch.manual_seed(7)
    assert net.apply(init) is net
    torch.manual_seed(7)
    local.apply(init)
    for k, v in local.state_dict().items():
        assert torch.equal(net.state_dict()[k], v), k
    torch.manual_seed(8)
    net[4].apply(init)
    torch.manual_seed(8)
    local[4].apply(init)
    assert torch.equal(net[4].weight.data, local[4].weight.data)
    with pytest.raises(TypeError):
        net.apply(3)


def test_paramlab_init_rules_draw_as_pytorch_from_the_model_generator(pair):
    local, net = pair

    def init_normal(m):
        if type(m) == nn.Linear:
            nn.init.normal_(m.weight, mean=0, std=0.01)
            nn.init.zeros_(m.bias)

    I = paramlab.init
    done = net.init(I.rule(nn.Linear, weight=I.normal_(mean=0, std=0.01), bias=I.zeros_()), seed=11)
    assert [d["name"] for d in done] == ["0.weight", "0.bias", "4.weight", "4.bias"]
    torch.manual_seed(11)
    local.apply(init_normal)
    for k, v in local.state_dict().items():  # normal-family draws agree to about 1e-6 (conformance README)
        assert torch.allclose(net.state_dict()[k], v, rtol=1e-5, atol=1e-8), k
    net.apply([I.constant_(val=42, layer_types=["Linear"]), I.ones_(params="bias", layer_types=[nn.Linear])])
    assert torch.equal(net[4].weight.data, torch.full((3, 8), 42.0))
    assert torch.equal(net[0].bias.data, torch.ones(8))
    net[0].apply(I.uniform_(a=-1, b=1))
    assert net[0].weight.data.abs().max() <= 1 and torch.equal(net[4].weight.data, torch.full((3, 8), 42.0))
    p = I.xavier_uniform_(net[4].weight)
    assert isinstance(p, paramlab.RemoteParameter) and not torch.equal(p, torch.full((3, 8), 42.0))
    t = torch.empty(3, 3)
    assert I.eye_(t) is t and torch.equal(t, torch.eye(3))
    for f in (I.kaiming_uniform_, I.kaiming_normal_, I.xavier_normal_, I.orthogonal_, I.trunc_normal_,
              I.default_):
        net.apply(f(layer_types=["Linear"]) if f is not I.default_ else f(layer_types=["Linear"]))
    net.apply(I.custom_(I.uniform_(a=-10, b=10), "w * (abs(w) >= 5)", layer_types="Linear"))
    w = net[0].weight.data
    assert bool(((w == 0) | (w.abs() >= 5)).all())
    assert "layer_types=['Linear']" in repr(I.eye_(layer_types=nn.Linear))
    with pytest.raises(TypeError):
        I.normal_("weight")


def test_to_torch_is_a_real_module_with_the_same_bits(pair):
    local, net = pair
    t = net.to_torch()
    assert type(t) is nn.Sequential and type(t[0]) is nn.Linear and repr(t) == repr(local)
    for k, v in local.state_dict().items():
        assert torch.equal(t.state_dict()[k], v)
    assert type(net[0].to_torch()) is nn.Linear


def test_shared_modules_and_aliases(client):
    torch.manual_seed(3)
    shared = nn.Linear(8, 8)
    local = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1))
    net = client.push(local, name="shared")
    try:
        assert [n for n, _ in net.named_modules()] == [n for n, _ in local.named_modules()]
        assert [n for n, _ in net.named_parameters()] == [n for n, _ in local.named_parameters()]
        assert net[2].weight.aliases == ["4.weight"]
        assert repr(net[4]) == repr(local[4])
        sd = net.state_dict()
        assert sd["2.weight"].data_ptr() == sd["4.weight"].data_ptr()
        t = net.to_torch()
        assert t[2] is t[4]
        x = torch.randn(3, 4)
        with torch.no_grad():
            assert torch.allclose(net(x), local(x), atol=1e-6)
    finally:
        net.delete()


def test_lazy_layers_stay_uninitialized_until_the_first_forward(client):
    net = client.push(nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(1)), seed=0)
    try:
        assert "LazyLinear(in_features=0, out_features=8, bias=True)" in repr(net)
        params = list(net.named_parameters())
        assert [n for n, _ in params] == ["0.weight", "0.bias", "2.weight", "2.bias"]
        assert all(isinstance(p, nn.parameter.UninitializedParameter) for _, p in params)
        assert net(torch.rand(2, 20)).shape == (2, 1)
        assert repr(net[0]) == "Linear(in_features=20, out_features=8, bias=True)"
        assert net[0].weight.shape == (8, 20)
        assert type(net.to_torch()[0]) is nn.Linear
    finally:
        net.delete()


# ---------------------------------------------------------------- training


def _data(n=64):
    g = torch.Generator().manual_seed(5)
    X = torch.randn(n, 4, generator=g)
    y = (X[:, 0] > 0).long() + (X[:, 1] > 0).long()
    return X, y


def test_optimizer_step_and_train_step_as_torch_optim(client):
    torch.manual_seed(2)
    local = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    net = client.push(local, name="sgd")
    try:
        opt = net.optimizer(torch.optim.SGD, lr=0.1, momentum=0.9,
                            scheduler=(torch.optim.lr_scheduler.StepLR, {"step_size": 1, "gamma": 0.5}))
        assert opt["type"] == "SGD" and opt["momentum"] == 0.9 and opt["scheduler"]["type"] == "StepLR"
        X, y = _data(8)
        lopt = torch.optim.SGD(local.parameters(), lr=0.1, momentum=0.9)
        for _ in range(2):
            loss = net.train_step(X, y, loss="cross_entropy")
            lopt.zero_grad()
            want = F.cross_entropy(local(X), y)
            want.backward()
            lopt.step()
            assert loss == pytest.approx(want.item(), rel=1e-5)
        net.zero_grad()
        net.backward(X, y, loss="cross_entropy")
        assert net.step()["step_count"] == 3
        assert net.optimizer("Adam", lr=0.01, betas=(0.8, 0.9))["betas"] == [0.8, 0.9]
    finally:
        net.delete()


class _Bar:
    """A tqdm stand-in that records what fit() reports."""
    made = []

    def __init__(self, total=None, desc=None, unit=None):
        self.total, self.desc, self.n, self.postfix, self.closed = total, desc, 0, None, False
        _Bar.made.append(self)

    def update(self, k):
        self.n += k

    def set_postfix(self, **kw):
        self.postfix = kw

    def close(self):
        self.closed = True


def test_fit_follows_the_job_with_a_progress_bar_and_returns_pytorchs_history(client, capsys):
    torch.manual_seed(4)
    local = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    net = client.push(local, name="fit")
    try:
        net.optimizer(torch.optim.SGD, lr=0.2)
        X, y = _data(64)
        history = net.fit(X, y, loss="cross_entropy", epochs=3, batch_size=16, seed=0, progress=_Bar,
                          validation=(X[:16], y[:16]))
        bar = _Bar.made[-1]
        assert bar.total == 12 and bar.n == 12 and bar.closed and "loss" in bar.postfix
        assert history["job"]["status"] == "succeeded" and len(history["step_loss"]) == 12
        assert len(history["epoch_loss"]) == 3 and len(history["val_accuracy"]) == 3
        # the same loop locally: DataLoader(shuffle, generator seeded 0)
        opt = torch.optim.SGD(local.parameters(), lr=0.2)
        g = torch.Generator()
        g.manual_seed(0)
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=16, shuffle=True,
                                             generator=g)
        losses = []
        for _ in range(3):
            for xb, yb in loader:
                opt.zero_grad()
                loss = F.cross_entropy(local(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
        assert history["step_loss"] == pytest.approx(losses, rel=1e-4, abs=1e-6)
        # the real tqdm bar, on stderr
        net.fit(X, y, loss="cross_entropy", epochs=1, batch_size=32)
        err = capsys.readouterr().err
        assert "fit" in err and "2/2" in err
        net.fit(X, y, loss="cross_entropy", epochs=1, batch_size=32, progress=False)
        assert net.jobs()[0]["status"] == "succeeded"
    finally:
        net.delete()


def test_a_failed_job_raises(client):
    net = client.create({"model": {"type": "Linear", "in_features": 4, "out_features": 3}})
    try:
        with pytest.raises(paramlab.ConflictError) as e:  # no optimizer yet: 409
            net.fit(torch.zeros(4, 4), torch.zeros(4, dtype=torch.long), epochs=1, batch_size=2)
        assert e.value.status == 409 and isinstance(e.value, RuntimeError)
    finally:
        net.delete()


# ---------------------------------------------------------------- checkpoints and diagnosis


def test_checkpoint_restore_diff_fork(pair):
    local, net = pair
    c = net.checkpoint("start", message="before")
    assert c["tag"] == "start" and c["message"] == "before"
    before = net.state_dict()
    net[0].weight.data[0, 0] = 5.0
    rows = net.diff("start")
    changed = {r["key"]: r["changed_elements"] for r in rows}
    assert changed["0.weight"] == 1 and changed["4.weight"] == 0
    assert [r["key"] for r in net.diff("start", "live")] == list(before)
    assert net.restore("start") is net
    assert torch.equal(net.state_dict()["0.weight"], before["0.weight"])
    assert [c["tag"] for c in net.checkpoints()] == ["start"]
    fork = net.fork("start", name="forked")
    try:
        assert fork.name == "forked" and torch.equal(fork.state_dict()["0.weight"], before["0.weight"])
    finally:
        fork.delete()


def test_stats_rows_and_dataframe(pair, monkeypatch):
    local, net = pair
    rows = net.stats(bins=4)
    assert isinstance(rows, paramlab.Rows) and isinstance(rows, list)
    names = [(r["name"], r["kind"]) for r in rows]
    assert names[:2] == [("0.weight", "parameter"), ("0.bias", "parameter")]
    assert ("1.running_mean", "buffer") in names
    w = rows[0]
    assert w["numel"] == 32 and w["mean"] == pytest.approx(local[0].weight.mean().item(), abs=1e-6)
    assert len(w["histogram"]["counts"]) == 4 and w["grad_mean"] is None if "grad_mean" in w else True
    fake = types.ModuleType("pandas")

    class DataFrame:
        def __init__(self, rows):
            self.rows, self.attrs = rows, {}

    fake.DataFrame = DataFrame
    monkeypatch.setitem(sys.modules, "pandas", fake)
    df = net.stats(bins=2)
    assert isinstance(df, DataFrame) and df.rows[0]["name"] == "0.weight"


def test_spectra(pair):
    local, net = pair
    try:
        rows = net.spectra(min_evals=2)
    except paramlab.ParamlabError as e:
        skip_unless_endpoint(e, "GET /models/{id}/spectra")
    assert [r["name"] for r in rows] == ["0.weight", "4.weight"]
    assert "summary" in rows.attrs


def test_state_dicts_upload_inspect_diff(client, pair, tmp_path):
    local, net = pair
    path = tmp_path / "weights.pt"
    torch.save(local.state_dict(), path)
    try:
        sd = client.upload(str(path))
    except paramlab.ParamlabError as e:
        skip_unless_endpoint(e, "POST /state-dicts")
    try:
        assert sd.info["name"] == "weights.pt" and "StateDict(" in repr(sd)
        assert [t["key"] for t in sd.tensors()] == list(local.state_dict())
        assert torch.equal(sd.tensor("0.weight"), local[0].weight.data)
        assert torch.equal(sd.tensor("0.weight", slice="0:2,:"), local[0].weight.data[:2])
        loaded = sd.load()
        for k, v in local.state_dict().items():
            assert torch.equal(loaded[k], v)
        assert any(s["id"] == sd.id for s in client.state_dicts())
        assert client.state_dict(sd.id).id == sd.id
        assert sd.stats()[0]["name"] == "0.weight"
        assert sd.diff(f"model:{net.id}")["mismatched"] == []
        from_model = net.save_state_dict(name="kept")
        assert from_model.info["source"] == f"model:{net.id}"
        from_model.delete()
        other = client.upload({"w": torch.ones(2)}, name="dict")
        other.delete()
        try:
            assert [r["name"] for r in sd.spectra(min_evals=2)] == ["0.weight", "4.weight"]
        except paramlab.ParamlabError as e:
            skip_unless_endpoint(e, "GET /state-dicts/{id}/spectra")
    finally:
        sd.delete()


# ---------------------------------------------------------------- errors


def test_problems_are_exceptions_with_pytorchs_types(client, pair):
    local, net = pair
    with pytest.raises(ValueError) as e:
        client.create({"model": {"type": "Linear", "in_features": -1, "out_features": 1}})
    err = e.value
    assert isinstance(err, paramlab.InvalidRequestError) and err.status == 400
    assert err.type and err.errors and err.errors[0]["field"].startswith("model")
    with pytest.raises(RuntimeError) as local_error:
        local.eval()(torch.zeros(2, 5))
    with pytest.raises(RuntimeError) as remote_error:
        net(torch.zeros(2, 5))
    assert isinstance(remote_error.value, paramlab.ComputeError)
    assert str(remote_error.value) == str(local_error.value)  # mat1 and mat2 shapes cannot be multiplied
    with pytest.raises(KeyError):
        net._parameter("9.weight")
    with pytest.raises(paramlab.ParamlabError) as e:
        client.request("GET", "/models/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12)
    assert e.value.status == 404 and e.value.problem["status"] == 404
    assert paramlab.errors.problem_error(500, None, "boom").__class__ is paramlab.ServiceError
    assert isinstance(paramlab.errors.problem_error(413, {"detail": "x"}), MemoryError)
    for status, cls in ((401, PermissionError), (403, PermissionError), (412, RuntimeError), (415, ValueError)):
        assert isinstance(paramlab.errors.problem_error(status, {"detail": "d"}), cls)


def test_tensor_json_round_trip():
    from paramlab.tensors import from_json, to_json
    t = torch.tensor([[float("nan"), float("inf")], [-float("inf"), 1e-45]])
    j = to_json(t)
    assert j["data"] == ["NaN", "Infinity", "-Infinity", 1.401298464324817e-45]
    back = from_json(j)
    assert torch.equal(back[1], t[1]) and torch.isnan(back[0, 0])
    assert from_json({"shape": [], "dtype": "int64", "data": 3}).item() == 3
    assert from_json([[1, 2]]).dtype == torch.float32
    assert from_json(None) is None
    assert to_json([1.5])["dtype"] == "float32"
    assert to_json(torch.ones(1, dtype=torch.bool))["data"] == [True]
    with pytest.raises(TypeError):
        to_json(torch.ones(1, dtype=torch.complex64))
