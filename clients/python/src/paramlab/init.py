"""`paramlab.init`: `torch.nn.init`'s names for remote models.

Each function works three ways:

- on a local tensor it is `torch.nn.init`'s own (`paramlab.init.normal_(t, std=0.01)`);
- on a remote parameter the service initializes it at once, drawing from the model's generator
  (`paramlab.init.xavier_uniform_(net[0].weight)`);
- without a tensor it is a rule for `net.apply(...)`, run by the service as PyTorch's `apply` walks:
  `net.apply(paramlab.init.normal_(std=0.01, layer_types=[nn.Linear]))` initializes the `weight` of
  every Linear (`params=` names other parameters); `paramlab.init.rule(nn.Linear,
  weight=paramlab.init.normal_(std=0.01), bias=paramlab.init.zeros_())` is the chapter's
  `init_normal(m)`, and a list of rules runs in order.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import torch
import torch.nn as nn

__all__ = ["Init", "rule", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
           "default_", "custom_", "rules_json"]

LayerTypes = Optional[Iterable[Union[str, type]]]


def _type_names(layer_types: LayerTypes) -> Optional[List[str]]:
    if layer_types is None:
        return None
    if isinstance(layer_types, (str, type)):
        layer_types = [layer_types]
    return [t if isinstance(t, str) else t.__name__ for t in layer_types]


class Init:
    """An init rule: for each module of `layer_types` (all when None) under the module it is applied
    to, each named local parameter it has gets its policy (API.md "Initialization")."""

    def __init__(self, params: Dict[str, Dict[str, Any]], layer_types: LayerTypes = None):
        self.params = dict(params)
        self.layer_types = _type_names(layer_types)

    @property
    def policy(self) -> Dict[str, Any]:
        """The policy of the rule's first parameter."""
        return next(iter(self.params.values()))

    def json(self, module: str = "") -> Dict[str, Any]:
        """The rule as the init request writes it."""
        out: Dict[str, Any] = {"module": module}
        if self.layer_types is not None:
            out["layer_types"] = self.layer_types
        out["params"] = self.params
        return out

    def __repr__(self) -> str:
        return f"paramlab.init.Init(params={self.params!r}, layer_types={self.layer_types!r})"


def rule(*layer_types: Union[str, type], **params: Init) -> Init:
    """One rule giving each named parameter its policy, for modules of these types (all if none):
    `rule(nn.Linear, weight=normal_(std=0.01), bias=zeros_())`."""
    return Init({name: init.policy for name, init in params.items()}, list(layer_types) or None)


def rules_json(rules: Union[Init, Sequence[Init]], module: str = "", seed: Optional[int] = None) -> Dict[str, Any]:
    """The init request body for rules applied to the module at `module`."""
    if isinstance(rules, Init):
        rules = [rules]
    body: Dict[str, Any] = {"rules": [r.json(module) for r in rules]}
    if seed is not None:
        body["seed"] = seed
    return body


def _apply(name: str, tensor: Any, policy: Dict[str, Any], params: Union[str, Sequence[str]],
           layer_types: LayerTypes, torch_args: Sequence[Any], torch_kwargs: Dict[str, Any]) -> Any:
    from .client import RemoteParameter

    if tensor is None:
        names = [params] if isinstance(params, str) else list(params)
        return Init({p: policy for p in names}, layer_types)
    if isinstance(tensor, RemoteParameter):
        model = tensor._pl_model
        mpath, _, local = tensor.name.rpartition(".")
        model._init({"rules": [{"module": mpath, "params": {local: policy}}]})
        return model._parameter(tensor.name)
    if isinstance(tensor, torch.Tensor):
        return getattr(nn.init, name)(tensor, *torch_args, **torch_kwargs)
    raise TypeError(f"paramlab.init.{name} takes a tensor, a remote parameter or nothing, "
                    f"not {type(tensor).__name__}")


def uniform_(tensor: Any = None, a: float = 0.0, b: float = 1.0, *, params: Union[str, Sequence[str]] = "weight",
             layer_types: LayerTypes = None) -> Any:
    """U(a, b)."""
    return _apply("uniform_", tensor, {"type": "uniform", "a": a, "b": b}, params, layer_types, (a, b), {})


def normal_(tensor: Any = None, mean: float = 0.0, std: float = 1.0, *,
            params: Union[str, Sequence[str]] = "weight", layer_types: LayerTypes = None) -> Any:
    """N(mean, std²)."""
    return _apply("normal_", tensor, {"type": "normal", "mean": mean, "std": std}, params, layer_types,
                  (mean, std), {})


def trunc_normal_(tensor: Any = None, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, *,
                  params: Union[str, Sequence[str]] = "weight", layer_types: LayerTypes = None) -> Any:
    """N(mean, std²) truncated to [a, b]."""
    return _apply("trunc_normal_", tensor, {"type": "trunc_normal", "mean": mean, "std": std, "a": a, "b": b},
                  params, layer_types, (mean, std, a, b), {})


def constant_(tensor: Any = None, val: float = 0.0, *, params: Union[str, Sequence[str]] = "weight",
              layer_types: LayerTypes = None) -> Any:
    """Every element `val`."""
    return _apply("constant_", tensor, {"type": "constant", "value": val}, params, layer_types, (val,), {})


def ones_(tensor: Any = None, *, params: Union[str, Sequence[str]] = "weight", layer_types: LayerTypes = None) -> Any:
    """Ones."""
    return _apply("ones_", tensor, {"type": "ones"}, params, layer_types, (), {})


def zeros_(tensor: Any = None, *, params: Union[str, Sequence[str]] = "bias", layer_types: LayerTypes = None) -> Any:
    """Zeros (as a rule, for `bias` unless `params` says otherwise)."""
    return _apply("zeros_", tensor, {"type": "zeros"}, params, layer_types, (), {})


def eye_(tensor: Any = None, *, params: Union[str, Sequence[str]] = "weight", layer_types: LayerTypes = None) -> Any:
    """The identity matrix."""
    return _apply("eye_", tensor, {"type": "eye"}, params, layer_types, (), {})


def xavier_uniform_(tensor: Any = None, gain: float = 1.0, *, params: Union[str, Sequence[str]] = "weight",
                    layer_types: LayerTypes = None) -> Any:
    """Glorot's uniform."""
    return _apply("xavier_uniform_", tensor, {"type": "xavier_uniform", "gain": gain}, params, layer_types,
                  (gain,), {})


def xavier_normal_(tensor: Any = None, gain: float = 1.0, *, params: Union[str, Sequence[str]] = "weight",
                   layer_types: LayerTypes = None) -> Any:
    """Glorot's normal."""
    return _apply("xavier_normal_", tensor, {"type": "xavier_normal", "gain": gain}, params, layer_types,
                  (gain,), {})


def kaiming_uniform_(tensor: Any = None, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *,
                     params: Union[str, Sequence[str]] = "weight", layer_types: LayerTypes = None) -> Any:
    """He's uniform."""
    return _apply("kaiming_uniform_", tensor,
                  {"type": "kaiming_uniform", "a": a, "mode": mode, "nonlinearity": nonlinearity},
                  params, layer_types, (a, mode, nonlinearity), {})


def kaiming_normal_(tensor: Any = None, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", *,
                    params: Union[str, Sequence[str]] = "weight", layer_types: LayerTypes = None) -> Any:
    """He's normal."""
    return _apply("kaiming_normal_", tensor,
                  {"type": "kaiming_normal", "a": a, "mode": mode, "nonlinearity": nonlinearity},
                  params, layer_types, (a, mode, nonlinearity), {})


def orthogonal_(tensor: Any = None, gain: float = 1.0, *, params: Union[str, Sequence[str]] = "weight",
                layer_types: LayerTypes = None) -> Any:
    """A (semi-)orthogonal matrix."""
    return _apply("orthogonal_", tensor, {"type": "orthogonal", "gain": gain}, params, layer_types, (gain,), {})


def default_(*, params: Union[str, Sequence[str]] = ("weight", "bias"), layer_types: LayerTypes = None) -> Init:
    """The layer's own `reset_parameters` for these parameters (a rule only)."""
    return _apply("default_", None, {"type": "default"}, params, layer_types, (), {})


def custom_(base: Init, expr: str, *, params: Union[str, Sequence[str]] = "weight",
            layer_types: LayerTypes = None) -> Init:
    """Draw `base`'s policy, then replace each element `w` by `expr` (e.g. `"w * (abs(w) >= 5)"`,
    the chapter's `my_init`); a rule only."""
    return _apply("custom_", None, {"type": "custom", "base": base.policy, "expr": expr}, params, layer_types, (), {})
