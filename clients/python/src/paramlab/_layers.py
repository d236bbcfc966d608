"""The contract's vocabulary (API.md): layer types with their PyTorch classes and arguments,
the functions and tensor methods a graph may call."""
from __future__ import annotations

import builtins
import operator
from typing import Any, Callable, Dict, List, Tuple, Type

import torch
import torch.nn as nn
import torch.nn.functional as F

REQ = object()  # a required argument

_INPLACE = [("inplace", False)]
_CONV = [("in_channels", REQ), ("out_channels", REQ), ("kernel_size", REQ), ("stride", 1), ("padding", 0),
         ("dilation", 1), ("groups", 1), ("bias", True), ("padding_mode", "zeros")]
_RNN = [("input_size", REQ), ("hidden_size", REQ), ("num_layers", 1), ("bias", True), ("batch_first", False),
        ("dropout", 0.0), ("bidirectional", False)]
_TLAYER = [("d_model", REQ), ("nhead", REQ), ("dim_feedforward", 2048), ("dropout", 0.1), ("activation", "relu"),
           ("layer_norm_eps", 1e-5), ("batch_first", False), ("norm_first", False)]
_NORM = [("num_features", REQ), ("eps", 1e-5), ("momentum", 0.1), ("affine", True), ("track_running_stats", True)]
_POOL_MAX = [("kernel_size", REQ), ("stride", None), ("padding", 0), ("dilation", 1), ("ceil_mode", False)]

#: type -> (PyTorch class, [(argument, default)]) in PyTorch's argument order.
LAYERS: Dict[str, Tuple[Type[nn.Module], List[Tuple[str, Any]]]] = {
    "Linear": (nn.Linear, [("in_features", REQ), ("out_features", REQ), ("bias", True)]),
    "LazyLinear": (nn.LazyLinear, [("out_features", REQ), ("bias", True)]),
    "ReLU": (nn.ReLU, _INPLACE),
    "Sigmoid": (nn.Sigmoid, []),
    "Tanh": (nn.Tanh, []),
    "Identity": (nn.Identity, []),
    "LeakyReLU": (nn.LeakyReLU, [("negative_slope", 0.01)] + _INPLACE),
    "GELU": (nn.GELU, [("approximate", "none")]),
    "Softmax": (nn.Softmax, [("dim", None)]),
    "LogSoftmax": (nn.LogSoftmax, [("dim", None)]),
    "Dropout": (nn.Dropout, [("p", 0.5)] + _INPLACE),
    "Flatten": (nn.Flatten, [("start_dim", 1), ("end_dim", -1)]),
    "LayerNorm": (nn.LayerNorm, [("normalized_shape", REQ), ("eps", 1e-5), ("elementwise_affine", True)]),
    "BatchNorm1d": (nn.BatchNorm1d, _NORM),
    "BatchNorm2d": (nn.BatchNorm2d, _NORM),
    "GroupNorm": (nn.GroupNorm, [("num_groups", REQ), ("num_channels", REQ), ("eps", 1e-5), ("affine", True)]),
    "ReLU6": (nn.ReLU6, _INPLACE),
    "SiLU": (nn.SiLU, _INPLACE),
    "Hardswish": (nn.Hardswish, _INPLACE),
    "Hardsigmoid": (nn.Hardsigmoid, _INPLACE),
    "Mish": (nn.Mish, _INPLACE),
    "ELU": (nn.ELU, [("alpha", 1.0)] + _INPLACE),
    "Softplus": (nn.Softplus, [("beta", 1), ("threshold", 20)]),
    "Embedding": (nn.Embedding, [("num_embeddings", REQ), ("embedding_dim", REQ), ("padding_idx", None)]),
    "MaxPool1d": (nn.MaxPool1d, _POOL_MAX),
    "MaxPool2d": (nn.MaxPool2d, _POOL_MAX),
    "AvgPool1d": (nn.AvgPool1d, [("kernel_size", REQ), ("stride", None), ("padding", 0), ("ceil_mode", False),
                                 ("count_include_pad", True)]),
    "AvgPool2d": (nn.AvgPool2d, [("kernel_size", REQ), ("stride", None), ("padding", 0), ("ceil_mode", False),
                                 ("count_include_pad", True), ("divisor_override", None)]),
    "AdaptiveAvgPool1d": (nn.AdaptiveAvgPool1d, [("output_size", REQ)]),
    "AdaptiveAvgPool2d": (nn.AdaptiveAvgPool2d, [("output_size", REQ)]),
    "AdaptiveMaxPool1d": (nn.AdaptiveMaxPool1d, [("output_size", REQ)]),
    "AdaptiveMaxPool2d": (nn.AdaptiveMaxPool2d, [("output_size", REQ)]),
    "Conv1d": (nn.Conv1d, _CONV),
    "Conv2d": (nn.Conv2d, _CONV),
    "RNN": (nn.RNN, _RNN + [("nonlinearity", "tanh")]),
    "LSTM": (nn.LSTM, _RNN + [("proj_size", 0)]),
    "GRU": (nn.GRU, _RNN),
    "RNNCell": (nn.RNNCell, [("input_size", REQ), ("hidden_size", REQ), ("bias", True), ("nonlinearity", "tanh")]),
    "LSTMCell": (nn.LSTMCell, [("input_size", REQ), ("hidden_size", REQ), ("bias", True)]),
    "GRUCell": (nn.GRUCell, [("input_size", REQ), ("hidden_size", REQ), ("bias", True)]),
    "MultiheadAttention": (nn.MultiheadAttention, [
        ("embed_dim", REQ), ("num_heads", REQ), ("dropout", 0.0), ("bias", True), ("add_bias_kv", False),
        ("add_zero_attn", False), ("kdim", None), ("vdim", None), ("batch_first", False)]),
    "TransformerEncoderLayer": (nn.TransformerEncoderLayer, _TLAYER),
    "TransformerDecoderLayer": (nn.TransformerDecoderLayer, _TLAYER),
}

#: the exact PyTorch class -> the contract's type (LazyLinear only while it is still lazy).
LEAF_TYPES: Dict[type, str] = {cls: t for t, (cls, _) in LAYERS.items()}
LEAF_TYPES[nn.TransformerEncoder] = "TransformerEncoder"
LEAF_TYPES[nn.TransformerDecoder] = "TransformerDecoder"

METHODS = frozenset({"size", "view", "reshape", "permute", "transpose", "contiguous", "flatten", "unsqueeze",
                     "squeeze", "expand", "mean", "sum", "chunk", "split", "masked_fill", "softmax", "relu",
                     "sigmoid", "tanh", "matmul", "add", "mul"})

_FUNCTIONS: Dict[str, Callable[..., Any]] = {}


def functions() -> Dict[str, Callable[..., Any]]:
    """The contract's `call_function` targets: qualified name -> the Python function."""
    if not _FUNCTIONS:
        table: Dict[str, Callable[..., Any]] = {
            "operator.add": operator.add, "operator.sub": operator.sub, "operator.mul": operator.mul,
            "operator.truediv": operator.truediv, "operator.floordiv": operator.floordiv,
            "operator.neg": operator.neg, "operator.matmul": operator.matmul, "operator.getitem": operator.getitem,
            "builtins.getattr": builtins.getattr,
            "operator.lt": operator.lt, "operator.le": operator.le, "operator.gt": operator.gt,
            "operator.ge": operator.ge, "operator.eq": operator.eq, "operator.ne": operator.ne,
        }
        for n in ("add", "mul", "matmul", "bmm", "cat", "stack", "flatten", "reshape", "permute", "transpose",
                  "unsqueeze", "squeeze", "chunk", "split", "mean", "sum", "relu", "sigmoid", "tanh", "exp", "sqrt"):
            table["torch." + n] = getattr(torch, n)
        for n in ("relu", "relu6", "gelu", "silu", "hardswish", "hardsigmoid", "sigmoid", "tanh", "softmax",
                  "log_softmax", "dropout", "linear", "layer_norm", "embedding", "pad", "adaptive_avg_pool2d",
                  "avg_pool2d", "max_pool2d"):
            table["torch.nn.functional." + n] = getattr(F, n)
        try:
            import torchvision.ops
            table["torchvision.ops.stochastic_depth"] = torchvision.ops.stochastic_depth
        except ImportError:  # torchvision is optional: a graph that needs it says so when built
            pass
        _FUNCTIONS.update(table)
    return _FUNCTIONS
