"""Tensors in the service's JSON form (API.md "Tensors") and back, exactly: float32 values travel
as the shortest decimal that reads back as the same double, which is the same float32."""
from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Union

import torch

__all__ = ["to_json", "from_json", "DTYPES"]

DTYPES: Dict[str, torch.dtype] = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16,
    "int64": torch.int64, "int32": torch.int32, "int8": torch.int8, "uint8": torch.uint8, "bool": torch.bool,
}
_NAMES = {v: k for k, v in DTYPES.items()}
_NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _finite_out(v: float) -> Union[float, str]:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def to_json(t: Any) -> Dict[str, Any]:
    """`{"shape", "dtype", "data"}` with `data` flat (row-major), for a tensor or anything
    `torch.as_tensor` takes (Python floats become float32, ints int64, bools bool)."""
    if not isinstance(t, torch.Tensor):
        t = torch.as_tensor(t)
        if t.dtype == torch.float64:
            t = t.float()
    t = t.detach().cpu()
    name = _NAMES.get(t.dtype)
    if name is None:
        raise TypeError(f"dtype {t.dtype} has no JSON form in the contract")
    flat = t.reshape(-1)
    data: List[Any]
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.float()
    data = flat.tolist()
    if t.is_floating_point() and not bool(torch.isfinite(flat).all()):
        data = [_finite_out(v) for v in data]
    return {"shape": list(t.shape), "dtype": name, "data": data}


def _fix(v: Any) -> Any:
    if isinstance(v, list):
        return [_fix(x) for x in v]
    if isinstance(v, str):
        return _NONFINITE[v]
    return v


def from_json(obj: Any, dtype: Optional[torch.dtype] = None) -> Optional[torch.Tensor]:
    """A torch tensor for the service's tensor object (or a bare nested array); `None` for null."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        shape = obj.get("shape")
        dt = DTYPES[obj.get("dtype", "float32")] if dtype is None else dtype
        data = obj.get("data")
    else:
        shape, dt, data = None, dtype or torch.float32, obj
    if data is None:
        raise ValueError("tensor without data (an uninitialized lazy parameter?)")
    try:
        t = torch.tensor(data, dtype=torch.float64 if dt.is_floating_point else dt)
    except (TypeError, ValueError):
        t = torch.tensor(_fix(data), dtype=torch.float64 if dt.is_floating_point else dt)
    t = t.to(dt)
    return t.reshape(shape) if shape is not None else t
