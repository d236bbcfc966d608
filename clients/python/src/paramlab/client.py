"""The client: a connection to the service (`Client`) and remote models that behave like the
`nn.Module`s they stand for (`RemoteModel`, `RemoteModule`, `RemoteParameter`)."""
from __future__ import annotations

import io
import os
import re
from collections import OrderedDict
from typing import (Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union)
from urllib.parse import quote

import requests
import torch
import torch.nn as nn
from torch.nn.modules.module import _IncompatibleKeys

from .build import build
from .errors import JobFailedError, problem_error
from .export import export
from .tensors import from_json, to_json

__all__ = ["Client", "connect", "RemoteModule", "RemoteModel", "RemoteParameter", "RemoteData", "StateDict",
           "Rows"]

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_CONTAINERS = ("Sequential", "ModuleList", "ModuleDict", "Module")


def connect(url: str = "http://localhost:8080", token: Optional[str] = None, timeout: float = 120.0) -> "Client":
    """A client for the service at `url` (its root, or `.../api/v1`), sending `token` as a bearer
    token when given (else the `PARAMLAB_TOKEN` environment variable, if set)."""
    return Client(url, token=token if token is not None else os.environ.get("PARAMLAB_TOKEN"), timeout=timeout)


class Rows(list):
    """A list of dicts (one row each) with `attrs` (e.g. a spectra answer's `summary`); what
    `stats()`, `spectra()` and `diff()` return when pandas is not installed."""

    def __init__(self, rows: Sequence[dict] = (), attrs: Optional[Dict[str, Any]] = None):
        super().__init__(rows)
        self.attrs: Dict[str, Any] = dict(attrs or {})


def _table(rows: List[dict], **attrs: Any) -> Any:
    try:
        import pandas  # optional
    except ImportError:
        return Rows(rows, attrs)
    df = pandas.DataFrame(rows)
    df.attrs.update(attrs)
    return df


def _q(name: str) -> str:
    return quote(name, safe="")


def _torch_bytes(obj: Any) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def _torch_load(data: bytes) -> Any:
    try:
        return torch.load(io.BytesIO(data), weights_only=True)
    except TypeError:  # a torch without weights_only
        return torch.load(io.BytesIO(data))


def _output(v: Any) -> Any:
    """A forward answer's output: a tensor, a tuple (a JSON list) of them, or None."""
    if v is None:
        return None
    if isinstance(v, list):
        return tuple(_output(x) for x in v)
    if isinstance(v, dict) and "shape" in v:
        return from_json(v)
    return v


def _input(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (tuple, list)) and v and not isinstance(v[0], (int, float, bool)):
        return [_input(x) for x in v]
    return to_json(v)


class Client:
    """A connection to a paramlab service (API.md). Make one with `paramlab.connect(url)`."""

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 120.0,
                 session: Optional[requests.Session] = None):
        url = url.rstrip("/")
        self.base = url if url.endswith("/api/v1") else url + "/api/v1"
        self.timeout = timeout
        self.session = session or requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def __repr__(self) -> str:
        return f"paramlab.Client({self.base!r})"

    # ------------------------------------------------------------ HTTP

    def request(self, method: str, path: str, *, json: Any = None, params: Optional[dict] = None,
                data: Optional[bytes] = None, headers: Optional[dict] = None, stream: bool = False,
                timeout: Any = None) -> requests.Response:
        """One request to `base + path`; an error answer raises its `ParamlabError`."""
        if path.startswith("http"):
            url = path
        elif path.startswith("/api/"):  # a Link header's path
            url = self.base[: -len("/api/v1")] + path
        else:
            url = self.base + path
        r = self.session.request(method, url, json=json, params=params, data=data, headers=headers,
                                 stream=stream, timeout=timeout if timeout is not None else self.timeout)
        if r.status_code >= 400:
            try:
                body = r.json()
            except ValueError:
                body = None
            raise problem_error(r.status_code, body, r.text[:500])
        return r

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        r = self.request(method, path, **kw)
        if r.status_code == 204 or not r.content:
            return None
        return r.json()

    # ------------------------------------------------------------ models

    def create(self, spec: Mapping[str, Any]) -> "RemoteModel":
        """`POST /models`: a new model from a spec (API.md "Model spec")."""
        return RemoteModel(self, self._json("POST", "/models", json=dict(spec)))

    def push(self, module: nn.Module, name: Optional[str] = None, seed: Optional[int] = None, *,
             zero_dropout: bool = False, nested: Any = (), weights: bool = True) -> "RemoteModel":
        """Export `module` (`paramlab.export`), create it on the service and upload its weights
        (`torch.save` of its `state_dict()`), so the remote model computes what `module` computes.
        `seed` starts the model's generator (later dropout, init rules); the module's training
        mode is kept. Raises `ExportError` when the module has something the contract lacks."""
        spec = export(module, zero_dropout=zero_dropout, nested=nested)
        if name is not None:
            spec["name"] = name
        if seed is not None:
            spec["seed"] = seed
        net = self.create(spec)
        if weights:
            sd = module.state_dict()
            lazy = [k for k, v in sd.items() if isinstance(v, nn.parameter.UninitializedTensorMixin)]
            for k in lazy:
                del sd[k]
            if sd:
                net.load_state_dict(sd, strict=not lazy)
        if not module.training:
            net.eval()
        return net

    def models(self, limit: int = 1000) -> List[Dict[str, Any]]:
        """`GET /models`, every page: `id`, `name`, `parameter_count`, `created_at`, ..."""
        out: List[Dict[str, Any]] = []
        r = self.request("GET", "/models", params={"limit": limit})
        while True:
            out.extend(r.json())
            nxt = r.links.get("next", {}).get("url")
            if not nxt:
                return out
            r = self.request("GET", nxt)

    def get(self, model: str) -> "RemoteModel":
        """The model with this id, or else the newest one with this name (`NotFoundError` if none)."""
        if _UUID.match(model):
            return RemoteModel(self, self._json("GET", f"/models/{model}"))
        named = [m for m in self.models() if m.get("name") == model]
        if not named:
            raise problem_error(404, {"detail": f"no model named {model!r}", "status": 404})
        named.sort(key=lambda m: m.get("created_at", ""))
        return RemoteModel(self, self._json("GET", f"/models/{named[-1]['id']}"))

    # ------------------------------------------------------------ state dicts

    def upload(self, source: Union[str, os.PathLike, Mapping[str, torch.Tensor], bytes],
               name: Optional[str] = None, key: Optional[str] = None) -> "StateDict":
        """`POST /state-dicts`: store a state dict as it is, from a `.safetensors` or `.pt` file,
        bytes, or a dict of tensors (sent as `torch.save`). `key` picks a nested dict of a `.pt`."""
        if isinstance(source, Mapping):
            body = _torch_bytes(OrderedDict(source))
        elif isinstance(source, bytes):
            body = source
        else:
            with open(source, "rb") as f:
                body = f.read()
            if name is None:
                name = os.path.basename(os.fspath(source))
        params = {k: v for k, v in (("name", name), ("key", key)) if v is not None}
        return StateDict(self, self._json("POST", "/state-dicts", data=body, params=params,
                                          headers={"Content-Type": "application/octet-stream"}))

    def state_dicts(self) -> List[Dict[str, Any]]:
        """`GET /state-dicts`: the stored state dicts' summaries."""
        answer = self._json("GET", "/state-dicts")
        return answer.get("items", answer) if isinstance(answer, dict) else answer

    def state_dict(self, sid: str) -> "StateDict":
        """`GET /state-dicts/{id}`: one stored state dict."""
        return StateDict(self, self._json("GET", f"/state-dicts/{sid}"))

    def diff(self, a: str, b: str) -> Dict[str, Any]:
        """`GET /state-dicts/diff`: two state dicts (ids, `model:{id}` or `model:{id}@{checkpoint}`)."""
        return self._json("GET", "/state-dicts/diff", params={"from": a, "to": b})


class StateDict:
    """A stored state dict (API.md "State dicts without a model"): its summary in `info`."""

    def __init__(self, client: Client, info: Dict[str, Any]):
        self.client = client
        self.info = info

    @property
    def id(self) -> str:
        return self.info["id"]

    def __repr__(self) -> str:
        return f"StateDict(id={self.id!r}, name={self.info.get('name')!r}, tensors={self.info.get('tensor_count')})"

    def tensors(self) -> List[Dict[str, Any]]:
        """Every tensor's `key`, `shape`, `dtype`, `numel`, `tied_to`, in file order."""
        return self.client._json("GET", f"/state-dicts/{self.id}")["tensors"]

    def tensor(self, key: str, slice: Optional[str] = None) -> torch.Tensor:
        """One tensor (`slice` as numpy's basic indexing, e.g. `"0:4,:"`)."""
        params = {"slice": slice} if slice else None
        return from_json(self.client._json("GET", f"/state-dicts/{self.id}/tensors/{_q(key)}", params=params))

    def load(self) -> "OrderedDict[str, torch.Tensor]":
        """The whole state dict as `torch.load` gives it, each dtype its own, ties kept."""
        r = self.client.request("GET", f"/state-dicts/{self.id}", params={"format": "pt"})
        return _torch_load(r.content)

    def stats(self, prefix: str = "", bins: int = 30) -> Any:
        """Statistics of every tensor (or those under `prefix`), as rows."""
        answer = self.client._json("GET", f"/state-dicts/{self.id}/stats", params={"prefix": prefix, "bins": bins})
        return _table([_stat_row(t, key="key") for t in answer["tensors"]])

    def spectra(self, prefix: str = "", bins: int = 50, min_evals: int = 10) -> Any:
        """WeightWatcher's spectra per layer, as rows (`attrs`: `summary`, `skipped`)."""
        answer = self.client._json("GET", f"/state-dicts/{self.id}/spectra",
                                   params={"prefix": prefix, "bins": bins, "min_evals": min_evals})
        return _table(answer.get("layers", []), summary=answer.get("summary"), skipped=answer.get("skipped"))

    def diff(self, other: Union["StateDict", str]) -> Dict[str, Any]:
        """This state dict against another (a StateDict, an id, `model:{id}[@checkpoint]`)."""
        return self.client.diff(self.id, other.id if isinstance(other, StateDict) else other)

    def delete(self) -> None:
        """`DELETE /state-dicts/{id}`."""
        self.client.request("DELETE", f"/state-dicts/{self.id}")


def _stat_row(entry: Dict[str, Any], key: str = "name", kind: Optional[str] = None) -> Dict[str, Any]:
    row: Dict[str, Any] = {"name": entry[key]}
    if kind:
        row["kind"] = kind
    row["shape"] = entry.get("shape")
    row["numel"] = entry.get("numel")
    for k, v in (entry.get("data") or {}).items():
        row[k] = v
    grad = entry.get("grad")
    if kind == "parameter":
        for k, v in (grad or {}).items():
            row["grad_" + k] = v
        row["update_ratio"] = entry.get("update_ratio")
    return row


# ---------------------------------------------------------------- parameters and their data


def _owners(obj: Any, out: List["RemoteParameter"]) -> None:
    if isinstance(obj, RemoteParameter):
        out.append(obj)
    elif isinstance(obj, RemoteData):
        out.append(obj._pl_owner)
    elif isinstance(obj, (list, tuple)):
        for x in obj:
            _owners(x, out)
    elif isinstance(obj, dict):
        for x in obj.values():
            _owners(x, out)


def _storage_ptr(t: torch.Tensor) -> int:
    untyped = getattr(t, "untyped_storage", None)  # torch 2; 1.13 has storage() only
    return (untyped() if untyped is not None else t.storage()).data_ptr()


def _remote_function(func: Callable, args: tuple, kwargs: Optional[dict], wrap_views: bool) -> Any:
    kwargs = kwargs or {}
    owners: List[RemoteParameter] = []
    _owners(args, owners)
    _owners(kwargs, owners)
    with torch._C.DisableTorchFunction():
        before = [o._version for o in owners]
        out = func(*args, **kwargs)
        changed = []
        for o, v in zip(owners, before):
            if o._version != v and all(o is not c for c in changed):
                changed.append(o)
        if wrap_views and owners and isinstance(out, torch.Tensor) \
                and not isinstance(out, (RemoteData, RemoteParameter)) and out._is_view() \
                and _storage_ptr(out) == _storage_ptr(owners[0]):
            out = RemoteData._wrap(out, owners[0])  # a view: writing into it writes the parameter
    for o in changed:
        o._push(func, args, kwargs)
    return out


class RemoteParameter(nn.Parameter):
    """A parameter of a remote model: an `nn.Parameter` holding its values as of the moment it was
    read, which writes back to the service whatever changes it in place (`nn.init.normal_(p)`,
    `p.data[0, 0] = 100`, `p.data *= mask`). `.grad` reads the service's gradient."""

    _pl_model: "RemoteModel"
    _pl_name: str

    def __new__(cls, model: "RemoteModel", name: str, values: torch.Tensor, requires_grad: bool = True,
                aliases: Sequence[str] = ()) -> "RemoteParameter":
        p = torch.Tensor._make_subclass(cls, values, requires_grad)
        p._pl_model = model
        p._pl_name = name
        p._pl_aliases = list(aliases)
        return p

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    @classmethod
    def __torch_function__(cls, func: Callable, types: Any, args: tuple = (), kwargs: Optional[dict] = None) -> Any:
        return _remote_function(func, args, kwargs, wrap_views=False)

    def _push(self, func: Callable = None, args: tuple = (), kwargs: Optional[dict] = None) -> None:
        with torch._C.DisableTorchFunction():
            body: Dict[str, Any]
            name = getattr(func, "__name__", "")
            index = args[1] if name == "__setitem__" and len(args) == 3 else None
            value = args[2] if index is not None else None
            if isinstance(index, int):
                index = (index,)
            if isinstance(index, tuple) and len(index) == self.dim() and all(isinstance(i, int) for i in index) \
                    and isinstance(value, (int, float)) and not isinstance(value, bool):
                body = {"index": list(index), "value": self[index].item()}
            else:
                body = {"data": to_json(self.detach())}
        self._pl_model._patch_parameter(self._pl_name, body)

    @property
    def name(self) -> str:
        """The parameter's name in the model (its first name when tied)."""
        return self._pl_name

    @property
    def aliases(self) -> List[str]:
        """Its other names in the model (tied parameters, shared modules)."""
        return list(self._pl_aliases)

    @property  # type: ignore[override]
    def data(self) -> "RemoteData":
        """The values as a tensor that writes back to the service when changed in place."""
        with torch._C.DisableTorchFunction():
            return RemoteData._wrap(self.detach(), self)

    @data.setter
    def data(self, value: torch.Tensor) -> None:
        with torch._C.DisableTorchFunction():
            if isinstance(value, RemoteData) and value._pl_owner is self and value.data_ptr() == self.data_ptr():
                return  # `p.data *= m` assigns back the tensor it already wrote through
            self.detach().copy_(value)
        self._push()

    @property  # type: ignore[override]
    def grad(self) -> Optional[torch.Tensor]:
        """The gradient the service holds (`None` before any backward), read now."""
        return from_json(self._pl_model._parameter_json(self._pl_name).get("grad"))

    @grad.setter
    def grad(self, value: Any) -> None:
        raise AttributeError("a remote parameter's grad is written by net.backward() and net.zero_grad()")

    def __repr__(self, *args: Any, **kwargs: Any) -> str:
        with torch._C.DisableTorchFunction():
            return repr(nn.Parameter(self.detach().clone(), requires_grad=self.requires_grad))

    def __reduce_ex__(self, proto: int) -> Any:
        with torch._C.DisableTorchFunction():
            return (nn.Parameter, (self.detach().clone(), self.requires_grad))

    def __deepcopy__(self, memo: dict) -> nn.Parameter:
        with torch._C.DisableTorchFunction():
            return nn.Parameter(self.detach().clone(), self.requires_grad)


class RemoteData(torch.Tensor):
    """`RemoteParameter.data`: a plain tensor of the values (it prints as one) that writes back to
    the service when it, or a view of it, is changed in place (item assignment included)."""

    _pl_owner: RemoteParameter

    @staticmethod
    def _wrap(t: torch.Tensor, owner: RemoteParameter) -> "RemoteData":
        d = torch.Tensor._make_subclass(RemoteData, t, False)
        d._pl_owner = owner
        return d

    @classmethod
    def __torch_function__(cls, func: Callable, types: Any, args: tuple = (), kwargs: Optional[dict] = None) -> Any:
        return _remote_function(func, args, kwargs, wrap_views=True)

    def __repr__(self, *args: Any, **kwargs: Any) -> str:
        with torch._C.DisableTorchFunction():
            return repr(self.as_subclass(torch.Tensor).clone())

    def __reduce_ex__(self, proto: int) -> Any:
        with torch._C.DisableTorchFunction():
            return (torch.clone, (self.as_subclass(torch.Tensor).clone(),))


def _parameter_of(model: "RemoteModel", name: str, p: Dict[str, Any]) -> Any:
    """A RemoteParameter for a parameter answer; PyTorch's UninitializedParameter for a lazy one."""
    data = p.get("data")
    if p.get("initialized") is False or p.get("shape") is None or data is None or data.get("data") is None:
        return nn.parameter.UninitializedParameter(requires_grad=p.get("requires_grad", True))
    return RemoteParameter(model, name, from_json(data), p.get("requires_grad", True), p.get("aliases", []))


# ---------------------------------------------------------------- modules


class _Structure:
    """A model's module tree: `/modules` (paths, types, reprs, aliases), the spec's container order,
    and the parameters' names."""

    def __init__(self, spec: Dict[str, Any], modules: List[Dict[str, Any]], params: List[Dict[str, Any]]):
        self.entries: Dict[str, Dict[str, Any]] = {}
        self.canonical: Dict[str, str] = {}
        for e in modules:
            self.entries[e["path"]] = e
            for n in [e["path"]] + list(e.get("aliases", [])):
                self.canonical.setdefault(n, e["path"])
        self.order = [e["path"] for e in modules]
        self.spec_children: Dict[str, List[str]] = {}
        self.nodes: Dict[str, Dict[str, Any]] = {}
        shared = spec.get("shared") or {}
        self._walk(spec["model"], "", shared, set())
        self.param_names: Dict[str, Dict[str, Any]] = {}
        for p in params:
            for n in [p["name"]] + list(p.get("aliases", [])):
                self.param_names[n] = p

    def _walk(self, node: Dict[str, Any], path: str, shared: Dict[str, Any], seen: set) -> None:
        if "ref" in node:
            node = shared.get(node["ref"], {})
        canon = self.canonical.get(path, path)
        if canon in seen:
            return
        seen.add(canon)
        self.nodes[canon] = node
        if node.get("type") in _CONTAINERS:
            kids = node.get("layers", node.get("modules", []))
            names = [k.get("name", str(i)) for i, k in enumerate(kids)]
            self.spec_children[canon] = names
            for name, kid in zip(names, kids):
                self._walk(kid, f"{path}.{name}" if path else name, shared, seen)

    def canon(self, path: str) -> str:
        """The first path of the module at `path` (any of its paths)."""
        if path in self.canonical:
            return self.canonical[path]
        parent, _, local = path.rpartition(".")
        c = self.canon(parent)
        return self.canonical.get(f"{c}.{local}" if c else local, f"{c}.{local}" if c else local)

    def children(self, path: str) -> List[str]:
        """The local names of the children of the module at `path` (any of its names), in order."""
        canon = self.canon(path)
        if canon in self.spec_children:
            return list(self.spec_children[canon])
        out = []
        for p in self.order:
            parent, _, local = p.rpartition(".")
            if p and parent == canon:
                out.append(local)
        return out

    def buffers(self, path: str) -> List[str]:
        """The local names of the persistent buffers of the module at `path` (from its spec)."""
        canon = self.canon(path)
        node = self.nodes.get(canon, {})
        t = self.entries.get(canon, {}).get("type", node.get("type"))
        if t in ("BatchNorm1d", "BatchNorm2d") and node.get("track_running_stats", True):
            return ["running_mean", "running_var", "num_batches_tracked"]
        return [b["name"] for b in node.get("buffers", []) if b.get("persistent", True)]

    def entry(self, path: str) -> Dict[str, Any]:
        canon = self.canon(path)
        if canon not in self.entries:
            raise AttributeError(f"no module at {path!r}")
        return self.entries[canon]


class RemoteModule:
    """A module of a remote model, addressed by its path; behaves as the `nn.Module` it stands for:
    indexing and attribute access to children and parameters, `named_parameters`, `state_dict`,
    `load_state_dict`, calling it (`forward`), `apply`, `to_torch`, and PyTorch's `repr`."""

    def __init__(self, model: "RemoteModel", path: str):
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_path", path)

    # ------------------------------------------------------------ identity

    @property
    def path(self) -> str:
        """The module's path in the model (`""` for the root)."""
        return self._path

    @property
    def model(self) -> "RemoteModel":
        """The remote model this module belongs to."""
        return self._model

    @property
    def type_name(self) -> str:
        """The contract's type of the module (`Linear`, `Sequential`, `Module`, ...)."""
        return self._model._structure().entry(self._path)["type"]

    def __repr__(self) -> str:
        return self._model._structure().entry(self._path)["repr"]

    def _child_path(self, name: str) -> str:
        return f"{self._path}.{name}" if self._path else name

    def _full(self, name: str) -> str:
        return f"{self._path}.{name}" if self._path else name

    # ------------------------------------------------------------ children

    def named_children(self) -> Iterator[Tuple[str, "RemoteModule"]]:
        """`(name, module)` for each direct child, in registration order."""
        for name in self._model._structure().children(self._path):
            yield name, RemoteModule(self._model, self._child_path(name))

    def children(self) -> Iterator["RemoteModule"]:
        """Each direct child."""
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[Tuple[str, "RemoteModule"]]:
        """`(name, module)` for this module and every module under it, each once, as PyTorch orders them."""
        seen = set()
        s = self._model._structure()

        def walk(m: RemoteModule, name: str) -> Iterator[Tuple[str, RemoteModule]]:
            canon = s.canon(m._path)
            if canon in seen:
                return
            seen.add(canon)
            yield name, m
            for local, c in m.named_children():
                yield from walk(c, f"{name}.{local}" if name else local)

        yield from walk(self, prefix)

    def modules(self) -> Iterator["RemoteModule"]:
        """This module and every module under it, each once."""
        for _, m in self.named_modules():
            yield m

    def __len__(self) -> int:
        return len(self._model._structure().children(self._path))

    def __iter__(self) -> Iterator["RemoteModule"]:
        return self.children()

    def __getitem__(self, idx: Union[int, str]) -> "RemoteModule":
        names = self._model._structure().children(self._path)
        if isinstance(idx, str):
            if idx not in names:
                raise KeyError(idx)
            return RemoteModule(self._model, self._child_path(idx))
        if isinstance(idx, slice):
            raise TypeError("slicing a remote module is not supported: index one child at a time")
        if not -len(names) <= idx < len(names):
            raise IndexError(f"index {idx} is out of range")
        return RemoteModule(self._model, self._child_path(names[idx]))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        s = self._model._structure()
        if name in s.children(self._path):
            return RemoteModule(self._model, self._child_path(name))
        full = self._full(name)
        if full in s.param_names:
            return self._model._parameter(full)
        if name in s.buffers(self._path):
            return self.state_dict()[name]
        raise AttributeError(f"'{self._get_name()}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot set {name!r} on a remote module: use load_state_dict(), "
                             f"a parameter's .data, or paramlab.init")

    def _get_name(self) -> str:
        r = repr(self)
        return r.split("(", 1)[0]

    def get_submodule(self, target: str) -> "RemoteModule":
        """The module at the dotted `target` under this one."""
        m = self
        for part in target.split(".") if target else []:
            m = getattr(m, part) if part in self._model._structure().children(m._path) else m[part]
        return m

    def get_parameter(self, target: str) -> "RemoteParameter":
        """The parameter at the dotted `target` under this one."""
        return self._model._parameter(self._full(target))

    # ------------------------------------------------------------ parameters and state

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[Tuple[str, "RemoteParameter"]]:
        """`(name, parameter)` as PyTorch's `named_parameters()`: tied ones once, under their first name."""
        answer = self._model._client._json("GET", f"/models/{self._model.id}/parameters",
                                           params={"module": self._path, "include": "data"})
        for p in answer:
            if not recurse and "." in p["name"]:
                continue
            name = f"{prefix}.{p['name']}" if prefix else p["name"]
            yield name, _parameter_of(self._model, self._full(p["name"]), p)

    def parameters(self, recurse: bool = True) -> Iterator["RemoteParameter"]:
        """Every parameter (tied ones once)."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[Tuple[str, torch.Tensor]]:
        """`(name, buffer)` for the persistent buffers (read from the state dict)."""
        sd = self.state_dict()
        params = self._model._structure().param_names
        for k, v in sd.items():
            if self._full(k) not in params:
                yield (f"{prefix}.{k}" if prefix else k), v

    def buffers(self) -> Iterator[torch.Tensor]:
        """The persistent buffers."""
        for _, b in self.named_buffers():
            yield b

    def state_dict(self, prefix: str = "") -> "OrderedDict[str, torch.Tensor]":
        """PyTorch's `state_dict()`: an OrderedDict of tensors (with `_metadata`), tied
        parameters under every key sharing one storage, buffers included; read bit for bit."""
        r = self._model._client.request("GET", f"/models/{self._model.id}/state-dict",
                                        params={"module": self._path, "format": "pt"})
        sd = _torch_load(r.content)
        if prefix:
            out = OrderedDict((prefix + k, v) for k, v in sd.items())
            out._metadata = getattr(sd, "_metadata", None)  # type: ignore[attr-defined]
            return out
        return sd

    def load_state_dict(self, state_dict: Mapping[str, torch.Tensor], strict: bool = True) -> _IncompatibleKeys:
        """PyTorch's `load_state_dict()`: all or nothing; `_IncompatibleKeys(missing_keys,
        unexpected_keys)`; with `strict`, a mismatch raises `RuntimeError` with PyTorch's text."""
        sd = OrderedDict(state_dict)
        meta = getattr(state_dict, "_metadata", None)
        if meta is not None:
            sd._metadata = meta  # type: ignore[attr-defined]
        answer = self._model._client._json(
            "PUT", f"/models/{self._model.id}/state-dict", data=_torch_bytes(sd),
            params={"module": self._path, "strict": "true" if strict else "false"},
            headers={"Content-Type": "application/octet-stream"})
        self._model._changed()
        return _IncompatibleKeys(answer.get("missing_keys", []), answer.get("unexpected_keys", []))

    # ------------------------------------------------------------ compute

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The module's forward on the service: tensors in, a tensor (or a tuple) out, no graph kept."""
        body: Dict[str, Any] = {}
        if len(args) == 1 and not kwargs:
            body["input"] = _input(args[0])
        else:
            body["inputs"] = [_input(a) for a in args]
            if kwargs:
                body["kwargs"] = {k: _input(v) for k, v in kwargs.items()}
        if self._path:
            body["module"] = self._path
        answer = self._model._client._json("POST", f"/models/{self._model.id}/forward", json=body)
        if "Lazy" in self._model.info.get("repr", ""):  # the first forward materializes lazy layers
            self._model._changed()
        return _output(answer["output"])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def apply(self, fn: Any) -> "RemoteModule":
        """PyTorch's `apply`. With `paramlab.init` rules (`net.apply(paramlab.init.normal_(std=0.01))`)
        the service initializes, drawing from the model's generator. With any Python function
        (`net.apply(init_normal)`), the function runs on `to_torch()`'s real modules, drawing from
        torch's global generator as locally, and the tensors it changed are written back."""
        from .init import Init, rules_json

        if isinstance(fn, Init) or (isinstance(fn, (list, tuple)) and fn and all(isinstance(r, Init) for r in fn)):
            self._model._init(rules_json(fn, self._path))
            return self
        if not callable(fn):
            raise TypeError(f"apply() takes a function or paramlab.init rules, not {type(fn).__name__}")
        root = self._model.to_torch()
        mod = root.get_submodule(self._path) if self._path else root
        before = OrderedDict((k, v.clone()) for k, v in root.state_dict().items())
        mod.apply(fn)
        after = root.state_dict()
        changed = OrderedDict((k, v) for k, v in after.items()
                              if k not in before or before[k].shape != v.shape or not torch.equal(before[k], v))
        if changed:
            changed._metadata = getattr(after, "_metadata", None)  # type: ignore[attr-defined]
            self._model.load_state_dict(changed, strict=False)
        return self

    def init(self, rules: Any, seed: Optional[int] = None) -> List[Dict[str, Any]]:
        """`paramlab.init` rules applied to this module by the service, after restarting the
        model's generator from `seed` when given (as `torch.manual_seed(seed)` right before the same
        `apply` would); returns what was initialized, in order (`name`, `shape`, `policy`)."""
        from .init import rules_json

        return self._model._init(rules_json(rules, self._path, seed))

    def to_torch(self) -> nn.Module:
        """A real `torch.nn` module rebuilt from the spec (an fx `GraphModule` for a module with a
        graph) and loaded with the service's values bit for bit, in the model's mode."""
        root = self._model.to_torch()
        return root.get_submodule(self._path) if self._path else root

    # ------------------------------------------------------------ modes: one per model

    @property
    def training(self) -> bool:
        """The model's mode (the service keeps one per model)."""
        return bool(self._model.info["training"])

    def train(self, mode: bool = True) -> "RemoteModule":
        """`train(mode)`: the service keeps one mode per model, so only the root can switch it."""
        if self._path:
            raise NotImplementedError("the service keeps one training mode per model: call train()/eval() "
                                      "on the model itself")
        self._model._patch({"training": bool(mode)})
        return self

    def eval(self) -> "RemoteModule":
        """`eval()`: `train(False)`."""
        return self.train(False)


class RemoteModel(RemoteModule):
    """A model on the service (`client.push`, `client.create`, `client.get`): the root module plus
    what a model has beyond a module: training (`optimizer`, `fit`), checkpoints, diagnosis."""

    def __init__(self, client: Client, info: Dict[str, Any]):
        super().__init__(self, "")
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_info", info)
        object.__setattr__(self, "_struct", None)

    # ------------------------------------------------------------ the resource

    @property
    def client(self) -> Client:
        """The client the model came from."""
        return self._client

    @property
    def id(self) -> str:
        """The model's id."""
        return self._info["id"]

    @property
    def name(self) -> Optional[str]:
        """The model's name."""
        return self._info.get("name")

    @property
    def info(self) -> Dict[str, Any]:
        """The model resource as the service answers `GET /models/{id}`."""
        return self._info

    @property
    def spec(self) -> Dict[str, Any]:
        """The model's spec, defaults filled in."""
        return self._info["spec"]

    @property
    def version(self) -> int:
        """The model's version (+1 per committed change)."""
        return int(self._info.get("version", 0))

    def __repr__(self) -> str:
        return self._info["repr"]

    def refresh(self) -> "RemoteModel":
        """Reads the model again."""
        object.__setattr__(self, "_info", self._client._json("GET", f"/models/{self.id}"))
        object.__setattr__(self, "_struct", None)
        return self

    def rename(self, name: str) -> "RemoteModel":
        """Renames the model."""
        return self._patch({"name": name})

    def delete(self) -> None:
        """Deletes the model, its checkpoints, history and jobs."""
        self._client.request("DELETE", f"/models/{self.id}")

    def history(self, limit: int = 50) -> List[Dict[str, Any]]:
        """Committed changes, newest first: `version`, `at`, `actor`, `operation`, `summary`."""
        return self._client._json("GET", f"/models/{self.id}/history", params={"limit": limit})

    def _patch(self, body: Dict[str, Any]) -> "RemoteModel":
        object.__setattr__(self, "_info", self._client._json("PATCH", f"/models/{self.id}", json=body))
        return self

    def _changed(self) -> None:
        object.__setattr__(self, "_struct", None)
        object.__setattr__(self, "_info", self._client._json("GET", f"/models/{self.id}"))

    def _structure(self) -> _Structure:
        if self._struct is None:
            modules = self._client._json("GET", f"/models/{self.id}/modules")
            params = self._client._json("GET", f"/models/{self.id}/parameters")
            object.__setattr__(self, "_struct", _Structure(self.spec, modules, params))
        return self._struct

    def _parameter_json(self, name: str) -> Dict[str, Any]:
        return self._client._json("GET", f"/models/{self.id}/parameters/{_q(name)}")

    def _parameter(self, name: str) -> RemoteParameter:
        return _parameter_of(self, name, self._parameter_json(name))

    def _patch_parameter(self, name: str, body: Dict[str, Any]) -> None:
        self._client._json("PATCH", f"/models/{self.id}/parameters/{_q(name)}", json=body)

    def _init(self, body: Dict[str, Any]) -> List[Dict[str, Any]]:
        answer = self._client._json("POST", f"/models/{self.id}/init", json=body)
        return answer.get("initialized", [])

    def to_torch(self) -> nn.Module:
        """A real `torch.nn` module rebuilt from the spec (an fx `GraphModule` where a module has a
        graph), loaded with the service's state dict bit for bit, in the model's training mode."""
        net = build(self.spec)
        sd = self.state_dict()
        net.load_state_dict(sd, strict=True)
        net.train(self.training)
        return net

    # ------------------------------------------------------------ gradients

    def backward(self, input: Any, target: Any, loss: str = "mse", **loss_options: Any) -> float:
        """Forward, the loss (`sum`, `mean`, `mse`, `l1`, `cross_entropy`, `bce_with_logits`) and
        `loss.backward()` on the service: gradients accumulate. Returns the loss."""
        body: Dict[str, Any] = {"target": to_json(target), "loss": loss}
        if isinstance(input, (tuple, list)) and input and isinstance(input[0], torch.Tensor):
            body["inputs"] = [_input(a) for a in input]
        else:
            body["input"] = to_json(input)
        if loss_options:
            body["loss_options"] = loss_options
        answer = self._client._json("POST", f"/models/{self.id}/backward", json=body)
        self._changed()
        return float(answer["loss"])

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Every gradient becomes zeros (PyTorch 1.13's default, `set_to_none=False`)."""
        if set_to_none:
            raise NotImplementedError("the service's zero_grad() writes zeros (PyTorch 1.13's default)")
        self._client.request("POST", f"/models/{self.id}/zero-grad")

    # ------------------------------------------------------------ optimizers and training

    def optimizer(self, optimizer: Union[type, str], *, param_groups: Optional[List[Dict[str, Any]]] = None,
                  scheduler: Any = None, **options: Any) -> Dict[str, Any]:
        """`PUT /models/{id}/optimizer`: e.g. `net.optimizer(torch.optim.SGD, lr=0.1, momentum=0.9)`,
        with PyTorch's option names; `scheduler` as `(torch.optim.lr_scheduler.StepLR, {"step_size":
        30})` or a dict with `type`. Replaces any earlier optimizer; returns it as the service does."""
        body: Dict[str, Any] = {"type": optimizer if isinstance(optimizer, str) else optimizer.__name__}
        for k, v in options.items():
            body[k] = list(v) if isinstance(v, tuple) else v
        if param_groups is not None:
            body["param_groups"] = param_groups
        if scheduler is not None:
            if isinstance(scheduler, tuple):
                cls, opts = scheduler
                body["scheduler"] = dict({"type": cls if isinstance(cls, str) else cls.__name__}, **opts)
            else:
                body["scheduler"] = dict(scheduler)
        answer = self._client._json("PUT", f"/models/{self.id}/optimizer", json=body)
        self._changed()
        return answer

    def step(self) -> Dict[str, Any]:
        """`optimizer.step()` on the service: `{"step_count", "lr"}`."""
        answer = self._client._json("POST", f"/models/{self.id}/step")
        self._changed()
        return answer

    def train_step(self, input: Any, target: Any, loss: str = "mse") -> float:
        """`zero_grad()`, forward, loss, backward, `step()` in one atomic request; returns the loss."""
        answer = self._client._json("POST", f"/models/{self.id}/train-step",
                                    json={"input": to_json(input), "target": to_json(target), "loss": loss})
        self._changed()
        return float(answer["loss"])

    def fit(self, X: Any, y: Any, *, loss: str = "cross_entropy", epochs: int = 1, batch_size: int = 32,
            shuffle: bool = True, seed: int = 0, drop_last: bool = False, scheduler_step: str = "epoch",
            checkpoint_every: int = 0, validation: Optional[Tuple[Any, Any]] = None,
            progress: Union[bool, Callable[..., Any]] = True) -> Dict[str, Any]:
        """Trains on the service (PyTorch's canonical loop with the model's optimizer, which
        `optimizer()` sets first), following the job's event stream with a tqdm progress bar.
        Returns the history: `step_loss`, `epoch_loss`, `lr`, `val_loss`, `val_accuracy`, and
        `job` (the job as it ended). A failed or cancelled job raises `JobFailedError`;
        Ctrl-C cancels the job (the model keeps its last completed step)."""
        body: Dict[str, Any] = {"data": {"input": to_json(X), "target": to_json(y)}, "loss": loss,
                                "epochs": epochs, "batch_size": batch_size, "shuffle": shuffle, "seed": seed,
                                "drop_last": drop_last, "scheduler_step": scheduler_step,
                                "checkpoint_every": checkpoint_every}
        if validation is not None:
            body["validation"] = {"data": {"input": to_json(validation[0]), "target": to_json(validation[1])}}
        job = self._client._json("POST", f"/models/{self.id}/jobs", json=body)
        bar = _progress_bar(progress, job.get("total_steps"), self.name or "fit")
        try:
            job = self._follow(job, bar)
        except KeyboardInterrupt:
            self._client.request("POST", f"/jobs/{job['id']}/cancel")
            raise
        finally:
            if bar is not None:
                bar.close()
        self._changed()
        if job["status"] != "succeeded":
            err = job.get("error") or {}
            raise JobFailedError(err.get("detail") or f"job {job['id']} ended {job['status']}",
                                 status=err.get("status"), type=err.get("type"), title=err.get("title"),
                                 errors=err.get("errors"), problem=err)
        history = self._client._json("GET", f"/jobs/{job['id']}/history")
        history["job"] = job
        return history

    def _follow(self, job: Dict[str, Any], bar: Any) -> Dict[str, Any]:
        import json as _json

        r = self._client.request("GET", f"/jobs/{job['id']}/events", stream=True, timeout=(10, 600),
                                 headers={"Accept": "text/event-stream"})
        event, data = "message", []
        try:
            for raw in r.iter_lines(decode_unicode=True):
                if raw is None:
                    continue
                if raw == "":
                    if data:
                        payload = _json.loads("\n".join(data))
                        if event == "step" and bar is not None:
                            bar.update(max(0, payload["step"] - bar.n))
                            bar.set_postfix(epoch=payload.get("epoch"), loss=f"{payload.get('loss'):.4g}")
                        elif event == "status":
                            job = payload
                            if bar is not None and job.get("step"):  # a late client hears the status first
                                bar.update(max(0, job["step"] - bar.n))
                            if job["status"] in ("succeeded", "failed", "cancelled", "interrupted"):
                                return job
                    event, data = "message", []
                elif raw.startswith(":"):
                    continue
                else:
                    field, _, value = raw.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        event = value
                    elif field == "data":
                        data.append(value)
        finally:
            r.close()
        return self._client._json("GET", f"/jobs/{job['id']}")

    def jobs(self) -> List[Dict[str, Any]]:
        """The model's training jobs."""
        return self._client._json("GET", f"/models/{self.id}/jobs")

    # ------------------------------------------------------------ checkpoints

    def checkpoint(self, tag: Optional[str] = None, message: Optional[str] = None) -> Dict[str, Any]:
        """Keeps the state dict, optimizer, generator and mode as a checkpoint (optionally tagged)."""
        body = {k: v for k, v in (("tag", tag), ("message", message)) if v is not None}
        return self._client._json("POST", f"/models/{self.id}/checkpoints", json=body)

    def checkpoints(self) -> List[Dict[str, Any]]:
        """The checkpoints, oldest first."""
        return self._client._json("GET", f"/models/{self.id}/checkpoints")

    def restore(self, checkpoint: str) -> "RemoteModel":
        """Sets the model to a checkpoint (id or tag): state dict, optimizer, generator, mode."""
        self._client._json("POST", f"/models/{self.id}/checkpoints/{_q(checkpoint)}/restore")
        self._changed()
        return self

    def fork(self, checkpoint: str, name: Optional[str] = None) -> "RemoteModel":
        """A new model with this spec and a checkpoint's state."""
        body = {"name": name} if name is not None else {}
        return RemoteModel(self._client, self._client._json(
            "POST", f"/models/{self.id}/checkpoints/{_q(checkpoint)}/fork", json=body))

    def diff(self, a: str, b: str = "live") -> Any:
        """Per state-dict key, how B differs from A (checkpoint ids or tags, or `live`):
        `key`, `shape`, `changed_elements`, `max_abs_diff`, `l2_diff`, `relative_l2`."""
        answer = self._client._json("GET", f"/models/{self.id}/diff", params={"from": a, "to": b})
        rows = answer.get("keys", answer) if isinstance(answer, dict) else answer
        return _table(rows)

    # ------------------------------------------------------------ diagnosis

    def stats(self, module: str = "", bins: int = 30) -> Any:
        """Statistics of every parameter (and `grad_*` of its gradient) and buffer, one row each."""
        answer = self._client._json("GET", f"/models/{self.id}/stats", params={"module": module, "bins": bins})
        rows = [_stat_row(p, kind="parameter") for p in answer.get("parameters", [])]
        rows += [_stat_row(b, kind="buffer") for b in answer.get("buffers", [])]
        return _table(rows)

    def spectra(self, module: str = "", bins: int = 50, min_evals: int = 10) -> Any:
        """WeightWatcher's spectra (alpha, quality, ...) per layer; `attrs` holds `summary` and `skipped`."""
        answer = self._client._json("GET", f"/models/{self.id}/spectra",
                                    params={"module": module, "bins": bins, "min_evals": min_evals})
        return _table(answer.get("layers", []), summary=answer.get("summary"), skipped=answer.get("skipped"))

    def save_state_dict(self, name: Optional[str] = None, checkpoint: Optional[str] = None) -> StateDict:
        """Keeps the model's state dict (or a checkpoint's) as a stored state dict."""
        src = f"model:{self.id}" + (f"@{checkpoint}" if checkpoint else "")
        params = {"from": src}
        if name:
            params["name"] = name
        return StateDict(self._client, self._client._json("POST", "/state-dicts", params=params))


def _progress_bar(progress: Any, total: Optional[int], desc: str) -> Any:
    if progress is False or progress is None:
        return None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return None
        return tqdm(total=total, desc=desc, unit="step")
    return progress(total=total, desc=desc, unit="step")


