"""D2L's "Parameter Management" chapter (d2l.ai, chapter "Builders' Guide", PyTorch tab), run with
its networks as remote models and again as local modules from the same seed: the printed
transcripts must be the same. The chapter's code is unchanged but for `make(...)` around each
network (identity locally, `client.push` remotely) and `print(...)` around the expressions a
notebook displays. Two differences are by design and normalized: `type(net[2].bias)` is
`RemoteParameter` (a subclass of `nn.Parameter`), and a remote forward's output has no local
autograd graph (no `grad_fn=<AddmmBackward0>`)."""
import re

import torch
from torch import nn


def chapter(make, out):
    def print(*args):  # noqa: A001 - the chapter's prints, recorded
        out.append(" ".join(str(a) for a in args))

    net = make(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)))
    X = torch.rand(size=(2, 4))
    print(net(X))

    # Parameter access
    print(net[2].state_dict())
    print(type(net[2].bias))
    print(net[2].bias)
    print(net[2].bias.data)
    print(net[2].weight.grad == None)  # noqa: E711 - the chapter's own test
    print(*[(name, param.shape) for name, param in net[0].named_parameters()])
    print(*[(name, param.shape) for name, param in net.named_parameters()])
    print(net.state_dict()['2.bias'].data)

    # Collecting parameters from nested blocks
    def block1():
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                             nn.Linear(8, 4), nn.ReLU())

    def block2():
        net = nn.Sequential()
        for i in range(4):
            net.add_module(f'block {i}', block1())
        return net

    rgnet = make(nn.Sequential(block2(), nn.Linear(4, 1)))
    print(rgnet(X))
    print(rgnet)
    print(rgnet[0][1][0].bias.data)

    # Built-in initialization
    def init_normal(m):
        if type(m) == nn.Linear:
            nn.init.normal_(m.weight, mean=0, std=0.01)
            nn.init.zeros_(m.bias)
    net.apply(init_normal)
    print(net[0].weight.data[0], net[0].bias.data[0])

    def init_constant(m):
        if type(m) == nn.Linear:
            nn.init.constant_(m.weight, 1)
            nn.init.zeros_(m.bias)
    net.apply(init_constant)
    print(net[0].weight.data[0], net[0].bias.data[0])

    def init_xavier(m):
        if type(m) == nn.Linear:
            nn.init.xavier_uniform_(m.weight)

    def init_42(m):
        if type(m) == nn.Linear:
            nn.init.constant_(m.weight, 42)

    net[0].apply(init_xavier)
    net[2].apply(init_42)
    print(net[0].weight.data[0])
    print(net[2].weight.data)

    # Custom initialization
    def my_init(m):
        if type(m) == nn.Linear:
            print("Init", *[(name, param.shape)
                            for name, param in m.named_parameters()][0])
            nn.init.uniform_(m.weight, -10, 10)
            m.weight.data *= m.weight.data.abs() >= 5

    net.apply(my_init)
    print(net[0].weight[:2])

    net[0].weight.data[:] += 1
    net[0].weight.data[0, 0] = 42
    print(net[0].weight.data[0])

    # Tied parameters
    shared = nn.Linear(8, 8)
    net = make(nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                             shared, nn.ReLU(),
                             shared, nn.ReLU(),
                             nn.Linear(8, 1)))
    print(net(X))
    print(net[2].weight.data[0] == net[4].weight.data[0])
    net[2].weight.data[0, 0] = 100
    print(net[2].weight.data[0] == net[4].weight.data[0])
    print(net[4].weight.data[0, 0])
    return net


def _normalize(lines):
    out = []
    for line in lines:
        line = line.replace(", grad_fn=<AddmmBackward0>", "")
        line = re.sub(r"<class '[\w.]+(Parameter)'>", r"<class \1>", line)
        out.append(line)
    return out


def test_the_chapter_prints_what_pytorch_prints(client):
    local, remote, pushed = [], [], []

    def push(m):
        net = client.push(m, name="d2l-chapter")
        pushed.append(net)
        return net

    torch.manual_seed(42)
    local_last = chapter(lambda m: m, local)
    torch.manual_seed(42)
    remote_last = chapter(push, remote)

    assert "<class 'paramlab.client.RemoteParameter'>" in remote
    assert "<class 'torch.nn.parameter.Parameter'>" in local
    assert len(local) == len(remote) == 24
    for i, (a, b) in enumerate(zip(_normalize(local), _normalize(remote))):
        assert a == b, f"line {i}:\nlocal:  {a}\nremote: {b}"
    # the shared layer: one object, written through once, seen through both paths
    assert remote[-1] == "tensor(100.)"
    sd = remote_last.state_dict()
    assert sd["2.weight"].data_ptr() == sd["4.weight"].data_ptr()
    for k, v in local_last.state_dict().items():
        assert torch.equal(v, sd[k]), k
    assert len(pushed) == 3
