"""`export(module)`: the model spec of API.md for a `torch.nn` module.

Leaf layers of the contract become their nodes (matched by exact class, every argument as PyTorch
stores it), `nn.Sequential` / `nn.ModuleList` / `nn.ModuleDict` become theirs (`class_name` for a
subclass of Sequential that keeps its forward), and any other module becomes a `Module` node with
`class_name`, `extra_repr`, `version`, its own parameters and buffers and its children. The root, when
it is such a module, gets one `torch.fx` graph that calls the leaf layers by their paths; a custom
module under a container that no graph traces (a Sequential at the root) gets a graph of its own.
The graph is traced in training and in eval mode: where the two differ by `self.training` the
argument is written `{"training": true}`. A module object held at two places becomes a `shared`
entry and `{"ref": ...}` nodes; one Parameter under two module paths becomes `tied_parameters`.
Anything the contract lacks raises `ExportError` naming the module, function or method.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

import torch
import torch.fx as fx
import torch.nn as nn
import torch.nn.functional as F

from ._layers import LAYERS, LEAF_TYPES, METHODS, REQ, functions

__all__ = ["export", "ExportError"]


class ExportError(ValueError):
    """A module, function, method or value the contract (API.md) cannot describe; the message names it."""


def _plain(v: Any) -> Any:
    if isinstance(v, (tuple, list, torch.Size)):
        return [_plain(x) for x in v]
    return v


def _leaf_type(m: nn.Module) -> Optional[str]:
    t = LEAF_TYPES.get(type(m))
    if t == "LazyLinear" and not m.has_uninitialized_params():  # pragma: no cover - becomes Linear itself
        return "Linear"
    return t


def _arg_value(m: nn.Module, t: str, name: str) -> Any:
    if name == "bias" and t in ("Linear", "LazyLinear", "Conv1d", "Conv2d"):
        return m.bias is not None
    if t == "MultiheadAttention":
        if name == "bias":
            return m.in_proj_bias is not None
        if name == "add_bias_kv":
            return m.bias_k is not None
    if t in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        if name == "d_model":
            return m.self_attn.embed_dim
        if name == "nhead":
            return m.self_attn.num_heads
        if name == "dim_feedforward":
            return m.linear1.out_features
        if name == "dropout":
            return m.dropout.p
        if name == "activation":
            if m.activation is F.relu:
                return "relu"
            if m.activation is F.gelu:
                return "gelu"
            raise ExportError(f"{t}: activation {m.activation!r} is outside the contract (relu or gelu)")
        if name == "layer_norm_eps":
            return m.norm1.eps
        if name == "batch_first":
            return m.self_attn.batch_first
    return getattr(m, name)


def _check_supported(m: nn.Module, t: str, path: str) -> None:
    bad = []
    if t == "Embedding" and (m.max_norm is not None or m.scale_grad_by_freq or m.sparse):
        bad.append("max_norm / scale_grad_by_freq / sparse")
    if t.startswith(("MaxPool", "AdaptiveMaxPool")) and m.return_indices:
        bad.append("return_indices")
    if t in ("TransformerEncoderLayer", "TransformerDecoderLayer") and m.activation not in (F.relu, F.gelu):
        bad.append("a custom activation")
    if t == "TransformerEncoder" and not m.enable_nested_tensor:
        bad.append("enable_nested_tensor=False")
    for name, p in m.named_parameters(recurse=True):
        if not p.requires_grad:
            bad.append(f"requires_grad=False on {name} (set it after the push)")
            break
    if bad:
        raise ExportError(f"{path or '<root>'} ({t}): {', '.join(bad)} is outside the contract")


def _is_custom(m: nn.Module) -> bool:
    """A module that is no contract layer and no plain container: a `Module` node."""
    if _leaf_type(m) is not None:
        return False
    if isinstance(m, nn.Sequential) and type(m).forward is nn.Sequential.forward:
        return False
    return type(m) not in (nn.ModuleList, nn.ModuleDict)


class _Tracer(fx.Tracer):
    # Buffers are read through get_attr nodes as parameters are (`self.mask[:t, :t]` with a traced t).
    proxy_buffer_attributes = True

    def __init__(self, leaf: Callable[[nn.Module, str], bool]):
        super().__init__()
        self._leaf = leaf

    def is_leaf_module(self, m: nn.Module, qualname: str) -> bool:
        return self._leaf(m, qualname)


_TRAINING = object()  # marks an argument equal to the traced mode


class Exporter:
    """One export: keeps the shared modules seen so far. Use `export()`."""

    def __init__(self, root: nn.Module, zero_dropout: bool = False,
                 nested: Union[Iterable[type], Callable[[nn.Module, str], bool]] = (),
                 param_init: Optional[Dict[str, dict]] = None):
        self.root = root
        self.zero_dropout = zero_dropout
        if callable(nested) and not isinstance(nested, (tuple, list, set)):
            self.nested = nested
        else:
            classes = tuple(nested)
            self.nested = lambda m, path: bool(classes) and isinstance(m, classes)
        self.param_init = dict(param_init or {})
        self.fns = {id(f): name for name, f in functions().items()}
        counts: Dict[int, int] = {}
        for _, m in root.named_modules(remove_duplicate=False):
            counts[id(m)] = counts.get(id(m), 0) + 1
        self.shared_ids = {i for i, c in counts.items() if c > 1 and i != id(root)}
        self.shared: Dict[str, dict] = {}
        self.shared_key: Dict[int, str] = {}

    def node(self, m: nn.Module, path: str, covered: bool) -> dict:
        if id(m) in self.shared_ids:
            if id(m) not in self.shared_key:
                key = path.replace(".", "_").replace(" ", "_") or "root"
                while key in self.shared:
                    key += "_"
                self.shared_key[id(m)] = key
                self.shared[key] = self._node(m, path, covered=False)  # built on its own
            return {"ref": self.shared_key[id(m)]}
        return self._node(m, path, covered)

    def _node(self, m: nn.Module, path: str, covered: bool) -> dict:
        t = _leaf_type(m)
        if t is not None:
            return self.leaf(m, t, path)
        if not _is_custom(m):
            if isinstance(m, nn.Sequential):
                node: Dict[str, Any] = {"type": "Sequential"}
                if type(m) is not nn.Sequential:
                    node["class_name"] = type(m).__name__
                if m._version != 1:
                    node["version"] = m._version
                node["layers"] = self.children(m, path, covered, named=False)
                return node
            if type(m) is nn.ModuleList:
                return {"type": "ModuleList", "modules": self.children(m, path, covered, named=False)}
            return {"type": "ModuleDict", "modules": self.children(m, path, covered, named=True)}
        return self.module(m, path, covered)

    def leaf(self, m: nn.Module, t: str, path: str) -> dict:
        _check_supported(m, t, path)
        if t in ("TransformerEncoder", "TransformerDecoder"):
            lkey = "encoder_layer" if t == "TransformerEncoder" else "decoder_layer"
            layers = list(m.layers)
            first = self.leaf(layers[0], LEAF_TYPES[type(layers[0])], path + ".layers.0")
            for i, other in enumerate(layers[1:], 1):
                if self.leaf(other, LEAF_TYPES[type(other)], path) != first:
                    raise ExportError(f"{path}.layers.{i} differs from layers.0: not one layer copied")
            norm = None if m.norm is None else self.leaf(m.norm, LEAF_TYPES[type(m.norm)], path + ".norm")
            return {"type": t, lkey: first, "num_layers": len(layers), "norm": norm}
        node = {"type": t}
        for name, default in LAYERS[t][1]:
            v = _plain(_arg_value(m, t, name))
            if default is not REQ and type(v) is type(default) and v == default:
                continue  # the contract's default: left out, as PyTorch's constructor call would
            node[name] = v
        if self.zero_dropout and t in _DROPOUT_ARGS:
            node[_DROPOUT_ARGS[t]] = 0.0
        return node

    def children(self, m: nn.Module, path: str, covered: bool, named: bool) -> List[dict]:
        out = []
        for i, (name, c) in enumerate(m._modules.items()):
            if c is None:
                continue
            child = self.node(c, f"{path}.{name}" if path else name, covered)
            if named or name != str(i):
                child = dict({"name": name}, **child)
            out.append(child)
        return out

    def module(self, m: nn.Module, path: str, covered: bool) -> dict:
        if type(m).__module__.startswith("torch.nn"):
            raise ExportError(f"{path or '<root>'}: layer type {type(m).__name__} is outside the contract")
        node: Dict[str, Any] = {"type": "Module", "class_name": type(m).__name__}
        extra = self.extra_repr(m, path)
        if extra:
            node["extra_repr"] = extra
        if m._version != 1:
            node["version"] = m._version
        params = []
        for name, p in m._parameters.items():
            if p is None:
                continue
            full = f"{path}.{name}" if path else name
            if not p.requires_grad:
                raise ExportError(f"{full}: a parameter with requires_grad=False is outside the spec")
            params.append({"name": name, "shape": list(p.shape), "init": self.policy(p, full)})
        if params:
            node["parameters"] = params
        bufs = [self.buffer(m, name, b, path) for name, b in m._buffers.items() if b is not None]
        if bufs:
            node["buffers"] = bufs
        own_graph = not covered or path == "" or self.nested(m, path)
        node["modules"] = self.children(m, path, covered or own_graph, named=True)
        if own_graph:
            node["graph"] = self.graph(m, path)
        return node

    def extra_repr(self, m: nn.Module, path: str) -> str:
        if type(m).__repr__ is not nn.Module.__repr__:
            r = repr(m)
            name = type(m).__name__
            if m._modules or not (r.startswith(name + "(") and r.endswith(")")) or "\n" in r:
                raise ExportError(f"{path}: {name} overrides __repr__ in a form a spec cannot write: {r[:80]!r}")
            return r[len(name) + 1:-1]
        return m.extra_repr()

    def policy(self, p: torch.Tensor, full: str) -> dict:
        if full in self.param_init:
            return self.param_init[full]
        flat = p.detach().reshape(-1)
        if flat.numel() > 0 and bool((flat == flat[0]).all()) and math.isfinite(float(flat[0])):
            return {"type": "constant", "value": float(flat[0])}
        return {"type": "normal", "mean": 0.0, "std": 0.02}  # the values come with the weights

    def buffer(self, m: nn.Module, name: str, b: torch.Tensor, path: str) -> dict:
        dt = {torch.float32: "float32", torch.int64: "int64", torch.bool: "bool"}.get(b.dtype)
        where = f"{path}.{name}" if path else name
        if dt is None:
            raise ExportError(f"{where}: buffer dtype {b.dtype} is outside the contract")
        out: Dict[str, Any] = {"name": name, "shape": list(b.shape), "dtype": dt}
        flat = b.reshape(-1)
        if dt != "bool" and flat.numel() > 0 and bool((flat == flat[0]).all()) and math.isfinite(float(flat[0])):
            out["init"] = {"type": "constant", "value": flat[0].item()}
        else:
            if dt == "float32" and not bool(torch.isfinite(b).all()):
                raise ExportError(f"{where}: non-finite buffer values")
            out["data"] = {"shape": list(b.shape), "dtype": dt, "data": b.detach().tolist()}
        if name in m._non_persistent_buffers_set:
            out["persistent"] = False
        return out

    # ------------------------------------------------------------ graphs

    def _trace(self, m: nn.Module, path: str) -> fx.Graph:
        def leaf(sub: nn.Module, qualname: str) -> bool:
            if sub is m:
                return False
            if _leaf_type(sub) is not None:
                return True
            full = f"{path}.{qualname}" if path else qualname
            return _is_custom(sub) and bool(self.nested(sub, full))

        try:
            return _Tracer(leaf).trace(m)
        except Exception as e:  # noqa: BLE001 - fx raises anything
            raise ExportError(f"{path or '<root>'}: torch.fx cannot trace {type(m).__name__}: "
                              f"{type(e).__name__}: {e}") from e

    def graph(self, m: nn.Module, path: str) -> List[dict]:
        modes = [(sub, sub.training) for sub in m.modules()]
        try:
            m.train(True)
            trained = self.nodes(self._trace(m, path), m, path, True)
            m.train(False)
            evaled = self.nodes(self._trace(m, path), m, path, False)
        finally:
            for sub, mode in modes:
                sub.training = mode
        if len(trained) != len(evaled):
            raise ExportError(f"{path or '<root>'}: {type(m).__name__}.forward traces to different graphs in "
                              f"training and eval mode ({len(trained)} and {len(evaled)} nodes): a graph "
                              f"has one path")
        return [self._merge(a, b, f"{path or '<root>'} graph node {a.get('name')}")
                for a, b in zip(trained, evaled)]

    def _merge(self, a: Any, b: Any, where: str) -> Any:
        if a is _TRAINING and b is _TRAINING:
            return {"training": True}
        if a is _TRAINING or b is _TRAINING:
            a = True if a is _TRAINING else a
            b = False if b is _TRAINING else b
        if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
            return {k: self._merge(a[k], b[k], where) for k in a}
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            return [self._merge(x, y, where) for x, y in zip(a, b)]
        if a == b and type(a) is type(b):
            return a
        raise ExportError(f"{where}: the forward differs between training and eval mode ({a!r} and {b!r}) "
                          f"beyond self.training: a graph has one path")

    def nodes(self, g: fx.Graph, m: nn.Module, path: str, training: bool) -> List[dict]:
        tensors = {name for name, _ in m.named_parameters()} | {name for name, _ in m.named_buffers()}
        out = []
        for n in g.nodes:
            where = f"{path or '<root>'} graph node {n.name}"
            if n.op == "get_attr" and n.target not in tensors:
                raise ExportError(f"{where}: get_attr {n.target} is no parameter or buffer of the module (a "
                                  f"tensor made inside forward, as torch.arange or torch.tensor, is outside the "
                                  f"contract: register it as a buffer)")
            d: Dict[str, Any] = {"name": n.name, "op": n.op}
            if n.op == "placeholder":
                if n.target.startswith("*"):
                    raise ExportError(f"{where}: *args / **kwargs are outside the contract")
                if n.target != n.name:
                    d["target"] = n.target
                if n.args:
                    d["default"] = self.arg(n.args[0], where, training)
                out.append(d)
                continue
            if n.op == "call_function":
                name = self.fns.get(id(n.target))
                if name is None:
                    raise ExportError(f"{where}: function {getattr(n.target, '__module__', '')}."
                                      f"{getattr(n.target, '__name__', n.target)} is outside the contract")
                if name == "builtins.getattr" and n.args[1] != "shape":
                    raise ExportError(f"{where}: getattr {n.args[1]!r} is outside the contract (shape only)")
                d["target"] = name
            elif n.op == "call_method":
                if n.target not in METHODS:
                    raise ExportError(f"{where}: method Tensor.{n.target} is outside the contract")
                d["target"] = n.target
            elif n.op in ("call_module", "get_attr"):
                d["target"] = n.target
            elif n.op != "output":  # pragma: no cover - fx has no other ops
                raise ExportError(f"{where}: op {n.op}")
            args = [self.arg(a, where, training) for a in n.args]
            kwargs = {k: self.arg(v, where, training) for k, v in n.kwargs.items()}
            if self.zero_dropout and n.op == "call_function" and d["target"] in (
                    "torch.nn.functional.dropout", "torchvision.ops.stochastic_depth"):
                if "p" in kwargs:
                    kwargs["p"] = 0.0
                elif len(args) > 1:
                    args[1] = 0.0
                else:
                    kwargs["p"] = 0.0
            d["args"] = args
            if kwargs:
                d["kwargs"] = kwargs
            out.append(d)
        return out

    def arg(self, a: Any, where: str, training: bool) -> Any:
        if isinstance(a, fx.Node):
            return {"node": a.name}
        if isinstance(a, (tuple, list)):
            return [self.arg(x, where, training) for x in a]
        if isinstance(a, slice):
            return {"slice": [self.arg(a.start, where, training), self.arg(a.stop, where, training),
                              self.arg(a.step, where, training)]}
        if a is Ellipsis:
            return {"ellipsis": True}
        if isinstance(a, bool):
            return _TRAINING if a is training else a
        if a is None or isinstance(a, (int, str)):
            return a
        if isinstance(a, float):
            if math.isnan(a):
                return {"float": "nan"}
            if math.isinf(a):
                return {"float": "inf" if a > 0 else "-inf"}
            return a
        if isinstance(a, torch.dtype):
            raise ExportError(f"{where}: the dtype argument {a} is outside the contract")
        raise ExportError(f"{where}: argument {a!r} ({type(a).__name__}) is outside the contract")

    # ------------------------------------------------------------ ties

    def ties(self) -> List[dict]:
        owner_of: Dict[int, Any] = {}
        first: Dict[int, str] = {}
        out: List[dict] = []
        for mpath, mod in self.root.named_modules(remove_duplicate=False):
            for local, p in mod._parameters.items():
                if p is None:
                    continue
                full = f"{mpath}.{local}" if mpath else local
                if id(p) not in first:
                    first[id(p)] = full
                    owner_of[id(p)] = (mod, local)
                    continue
                fmod, flocal = owner_of[id(p)]
                if fmod is mod and flocal == local:
                    continue  # the same module object held twice: a ref
                tie = {"param": full, "to": first[id(p)]}
                if tie not in out:
                    out.append(tie)
        return out


_DROPOUT_ARGS = {"Dropout": "p", "RNN": "dropout", "LSTM": "dropout", "GRU": "dropout",
                 "MultiheadAttention": "dropout", "TransformerEncoderLayer": "dropout",
                 "TransformerDecoderLayer": "dropout"}


def export(module: nn.Module, *, zero_dropout: bool = False,
           nested: Union[Iterable[type], Callable[[nn.Module, str], bool]] = (),
           param_init: Optional[Dict[str, dict]] = None) -> Dict[str, Any]:
    """The parts of a create request (API.md "Model spec") that describe `module`.

    Returns `{"model": NODE}` plus `"shared"` (a module object held at two places) and
    `"tied_parameters"` (one Parameter under two module paths) when needed. `nested` names classes
    (or a predicate on (module, path)) that keep a graph of their own instead of being traced
    through by their parent's graph; `zero_dropout` writes every dropout probability as 0;
    `param_init` gives the init policy of a custom module's own parameters by full name (the
    default is irrelevant when the weights are uploaded after, as `Client.push` does).

    Raises `ExportError` naming the module, function, method or value the contract lacks.
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"export() takes a torch.nn.Module, not {type(module).__name__}")
    ex = Exporter(module, zero_dropout=zero_dropout, nested=nested, param_init=param_init)
    model = ex._node(module, "", covered=False)
    out: Dict[str, Any] = {}
    if ex.shared:
        out["shared"] = ex.shared
    out["model"] = model
    ties = ex.ties()
    if ties:
        out["tied_parameters"] = ties
    return out
