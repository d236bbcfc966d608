"""`build(spec)`: a real `torch.nn` module from a model spec (API.md), the inverse of `export`.

Layers become their PyTorch classes, `Sequential` (with `class_name`: a subclass of that name),
`ModuleList`, `ModuleDict`, the transformer stacks; a `Module` node with a graph becomes a
`torch.fx.GraphModule` whose code is the graph (printed as PyTorch prints the original module), one
without a graph a plain module that only holds its children. Refs are one object, `tied_parameters`
one Parameter. The values are PyTorch's defaults drawn from a forked generator (torch's global
generator is left as it was): load the weights after, as `RemoteModel.to_torch()` does.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, List, Optional

import torch
import torch.fx as fx
import torch.nn as nn

from ._layers import LAYERS, METHODS, REQ, functions

__all__ = ["build", "SpecModule"]

_DTYPES = {"float32": torch.float32, "int64": torch.int64, "bool": torch.bool, "float64": torch.float64}


class SpecModule(nn.Module):
    """A `Module` node without a graph: its class name, own tensors and children; no forward."""

    def __init__(self, class_name: str, extra_repr: str = ""):
        super().__init__()
        self._class_name = class_name
        self._extra = extra_repr

    def _get_name(self) -> str:
        return self._class_name

    def extra_repr(self) -> str:
        return self._extra

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{self._class_name} has no graph in its spec: it cannot be called")


class SpecGraphModule(fx.GraphModule):
    """A `Module` node with a graph: an fx GraphModule that prints as `nn.Module` does."""

    def __str__(self) -> str:
        return nn.Module.__repr__(self)

    def __repr__(self) -> str:
        return nn.Module.__repr__(self)


_SEQ_CLASSES: Dict[str, type] = {}


def _seq_class(name: str) -> type:
    if name == "Sequential":
        return nn.Sequential
    if name not in _SEQ_CLASSES:
        _SEQ_CLASSES[name] = type(name, (nn.Sequential,), {})
    return _SEQ_CLASSES[name]


def _layer(node: dict) -> nn.Module:
    t = node["type"]
    if t not in LAYERS:
        raise ValueError(f"unknown layer type {t}")
    cls, args = LAYERS[t]
    kw: Dict[str, Any] = {}
    for name, default in args:
        if name in node:
            v = node[name]
            kw[name] = tuple(v) if isinstance(v, list) and name != "normalized_shape" else v
        elif default is REQ:
            raise ValueError(f"{t}: missing {name}")
        elif name == "stride" and t.startswith(("MaxPool", "AvgPool")):
            continue  # PyTorch's default: the kernel size
        else:
            kw[name] = default
    return cls(**kw)


def _init_tensor(t: torch.Tensor, pol: dict) -> None:
    typ = pol.get("type", "zeros")
    I = nn.init
    with torch.no_grad():
        if typ in ("zeros", "default"):
            I.zeros_(t)
        elif typ == "ones":
            I.ones_(t)
        elif typ == "constant":
            t.fill_(pol["value"])
        elif typ == "uniform":
            I.uniform_(t, pol.get("a", 0.0), pol.get("b", 1.0))
        elif typ == "normal":
            I.normal_(t, pol.get("mean", 0.0), pol.get("std", 1.0))
        elif typ == "trunc_normal":
            I.trunc_normal_(t, pol.get("mean", 0.0), pol.get("std", 1.0), pol.get("a", -2.0), pol.get("b", 2.0))
        else:  # every other policy draws too; the weights are loaded after, so any finite value will do
            I.normal_(t, 0.0, 0.02)


def _fx_graph(spec_graph: List[dict], where: str) -> fx.Graph:
    g = fx.Graph()
    env: Dict[str, fx.Node] = {}
    training: List[Optional[fx.Node]] = [None]

    def arg(v: Any) -> Any:
        if isinstance(v, list):
            return tuple(arg(x) for x in v)
        if isinstance(v, dict):
            if "node" in v:
                return env[v["node"]]
            if "slice" in v:
                return slice(*(arg(x) for x in v["slice"]))
            if v.get("ellipsis"):
                return Ellipsis
            if "float" in v:
                return float(v["float"])
            if v.get("training"):
                if training[0] is None:
                    training[0] = g.create_node("get_attr", "training", name="training")
                return training[0]
            raise ValueError(f"{where}: unknown argument object {v}")
        return v

    for n in spec_graph:
        op, name = n["op"], n["name"]
        if op == "placeholder":
            target = n.get("target", name)
            default = (arg(n["default"]),) if "default" in n else ()
            env[name] = g.create_node("placeholder", target, args=default, name=name)
            continue
        args = tuple(arg(a) for a in n.get("args", []))
        kwargs = {k: arg(v) for k, v in n.get("kwargs", {}).items()}
        if op == "output":
            g.output(args[0])
            continue
        target: Any = n["target"]
        if op == "call_function":
            fn = functions().get(target)
            if fn is None:
                raise ValueError(f"{where} node {name}: function {target} is not available here "
                                 f"(torchvision.ops needs torchvision)")
            target = fn
        elif op == "call_method" and target not in METHODS:
            raise ValueError(f"{where} node {name}: method {target} is outside the contract")
        env[name] = g.create_node(op, target, args=args, kwargs=kwargs, name=name)
    return g


def _children(node: dict) -> List[dict]:
    return node.get("layers", node.get("modules", []))


def _build_node(node: dict, shared: Dict[str, nn.Module], path: str) -> nn.Module:
    if "ref" in node:
        return shared[node["ref"]]
    t = node["type"]
    where = path or "<root>"
    if t in ("Sequential", "ModuleList", "ModuleDict"):
        cls = {"ModuleList": nn.ModuleList, "ModuleDict": nn.ModuleDict}.get(t) or _seq_class(
            node.get("class_name", "Sequential"))
        c = cls()
        if node.get("version", 1) != 1:
            c._version = node["version"]
        for i, child in enumerate(_children(node)):
            name = child.get("name", str(i))
            c.add_module(name, _build_node(child, shared, f"{path}.{name}" if path else name))
        return c
    if t in ("TransformerEncoder", "TransformerDecoder"):
        lkey = "encoder_layer" if t == "TransformerEncoder" else "decoder_layer"
        layer = _build_node(node[lkey], shared, path + ".layers.0")
        norm = _build_node(node["norm"], shared, path + ".norm") if node.get("norm") else None
        cls = nn.TransformerEncoder if t == "TransformerEncoder" else nn.TransformerDecoder
        return cls(layer, node["num_layers"], norm=norm)
    if t == "Module":
        class_name = node.get("class_name", "Module")
        m = SpecModule(class_name, node.get("extra_repr", ""))
        for p in node.get("parameters", []):
            data = torch.empty(p["shape"])
            _init_tensor(data, p.get("init", {"type": "zeros"}))
            m.register_parameter(p["name"], nn.Parameter(data))
        for b in node.get("buffers", []):
            dtype = _DTYPES[b.get("dtype", "float32")]
            if "data" in b and b["data"] is not None:
                d = b["data"]
                values = d["data"] if isinstance(d, dict) else d
                data = torch.tensor(values, dtype=dtype).reshape(b["shape"])
            else:
                data = torch.zeros(b["shape"], dtype=dtype)
                if dtype.is_floating_point:
                    _init_tensor(data, b.get("init", {"type": "zeros"}))
                elif b.get("init", {}).get("type") == "constant":
                    data.fill_(b["init"]["value"])
                elif b.get("init", {}).get("type") == "ones":
                    data.fill_(1)
            m.register_buffer(b["name"], data, persistent=b.get("persistent", True))
        for child in _children(node):
            name = child["name"]
            m.add_module(name, _build_node(child, shared, f"{path}.{name}" if path else name))
        if node.get("graph"):
            m = _graph_module(m, node["graph"], class_name, where)
        if node.get("version", 1) != 1:
            m._version = node["version"]
        return m
    return _layer(node)


def _graph_module(holder: SpecModule, graph: List[dict], class_name: str, where: str) -> nn.Module:
    gm = SpecGraphModule(holder, _fx_graph(graph, where), class_name)
    # GraphModule copies what its nodes use, in node order: put back every child and tensor in the
    # order of registration, which is state_dict's order.
    gm._modules = OrderedDict(holder._modules)
    gm._parameters = OrderedDict(holder._parameters)
    gm._buffers = OrderedDict(holder._buffers)
    gm._non_persistent_buffers_set = set(holder._non_persistent_buffers_set)
    extra = holder._extra
    if extra:
        gm.extra_repr = lambda: extra  # type: ignore[assignment]
    return gm


def build(spec: Dict[str, Any]) -> nn.Module:
    """A `torch.nn` module for a create request or a model's `spec` (`shared`, `model`,
    `tied_parameters`), in the service's construction order, its random defaults drawn from a fork
    of torch's global generator (which is left unchanged)."""
    with torch.random.fork_rng(devices=[]):
        shared: Dict[str, nn.Module] = {}
        for key, node in (spec.get("shared") or {}).items():
            shared[key] = _build_node(node, shared, key)
        net = _build_node(spec["model"], shared, "")
        for tie in spec.get("tied_parameters") or []:
            src = net.get_parameter(tie["to"])
            mpath, _, local = tie["param"].rpartition(".")
            owner = net.get_submodule(mpath) if mpath else net
            setattr(owner, local, src)
    return net


