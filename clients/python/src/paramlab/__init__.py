"""paramlab for Python: a client for the paramlab service that mirrors `torch.nn.Module`, and an
exporter that turns a traceable `nn.Module` into the service's model spec.

    import paramlab, torch
    client = paramlab.connect("http://localhost:8080")
    net = client.push(torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1)))
    net[2].weight.data[0, 0] = 100        # written through to the service
    net(torch.rand(2, 4))                 # forward on the service
    local = net.to_torch()                # a real nn.Module with the same weights
"""
from . import init
from .build import build
from .client import Client, RemoteData, RemoteModel, RemoteModule, RemoteParameter, Rows, StateDict, connect
from .errors import (AuthenticationError, ComputeError, ConflictError, InvalidRequestError, JobFailedError,
                     LimitExceededError, NotFoundError, ParamlabError, PermissionDeniedError,
                     PreconditionFailedError, ServiceError, UnsupportedMediaTypeError)
from .export import ExportError, export

__version__ = "0.1.0"

__all__ = ["connect", "Client", "RemoteModel", "RemoteModule", "RemoteParameter", "RemoteData", "StateDict", "Rows",
           "export", "build", "ExportError", "init", "ParamlabError", "InvalidRequestError", "AuthenticationError",
           "PermissionDeniedError", "NotFoundError", "ConflictError", "PreconditionFailedError",
           "LimitExceededError", "UnsupportedMediaTypeError", "ComputeError", "ServiceError", "JobFailedError",
           "__version__"]
