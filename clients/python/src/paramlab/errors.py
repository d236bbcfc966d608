"""The service's problem details (RFC 9457) as Python exceptions.

Every error is a `ParamlabError` carrying `status`, `type`, `title`, `detail` and `errors` (the
list of `{"field", "message"}`); each also subclasses the exception PyTorch or Python raises for
the same mistake, so `except RuntimeError` around a shape error works as it does locally."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

__all__ = ["ParamlabError", "InvalidRequestError", "AuthenticationError", "PermissionDeniedError",
           "NotFoundError", "ConflictError", "PreconditionFailedError", "LimitExceededError",
           "UnsupportedMediaTypeError", "ComputeError", "ServiceError", "JobFailedError", "problem_error"]


class ParamlabError(Exception):
    """An error answer of the service. `str(e)` is the problem's `detail`."""

    def __init__(self, detail: str, status: Optional[int] = None, type: Optional[str] = None,
                 title: Optional[str] = None, errors: Optional[List[Dict[str, Any]]] = None,
                 problem: Optional[Dict[str, Any]] = None):
        super().__init__(detail)
        self.detail = detail
        self.status = status
        self.type = type
        self.title = title
        self.errors = list(errors or [])
        self.problem = dict(problem or {})

    def __str__(self) -> str:  # KeyError would print repr(detail)
        return self.detail


class InvalidRequestError(ParamlabError, ValueError):
    """400: the request is malformed or invalid (`errors` names the fields)."""


class AuthenticationError(ParamlabError, PermissionError):
    """401: no token, or an unknown one."""


class PermissionDeniedError(ParamlabError, PermissionError):
    """403: the token's role is too low, or the resource is another owner's."""


class NotFoundError(ParamlabError, KeyError):
    """404: unknown model, module, parameter, checkpoint, job or state dict."""


class ConflictError(ParamlabError, RuntimeError):
    """409: the model is busy with a job, has no optimizer, or the like."""


class PreconditionFailedError(ParamlabError, RuntimeError):
    """412: `If-Match` saw another version."""


class LimitExceededError(ParamlabError, MemoryError):
    """413: a body, model or quota over a configured limit (the `type` names it)."""


class UnsupportedMediaTypeError(ParamlabError, ValueError):
    """415: the body's media type is not one the endpoint takes."""


class ComputeError(ParamlabError, RuntimeError):
    """422: well-formed but not computable, with PyTorch's message: a shape mismatch, a strict
    `load_state_dict` with missing keys, an uninitialized lazy parameter."""


class ServiceError(ParamlabError, RuntimeError):
    """Any other error status (5xx)."""


class JobFailedError(ParamlabError, RuntimeError):
    """A training job that ended `failed` (its problem) or `cancelled`."""


_BY_STATUS = {400: InvalidRequestError, 401: AuthenticationError, 403: PermissionDeniedError,
              404: NotFoundError, 409: ConflictError, 412: PreconditionFailedError,
              413: LimitExceededError, 415: UnsupportedMediaTypeError, 422: ComputeError}


def problem_error(status: int, body: Any, fallback: str = "") -> ParamlabError:
    """The exception for an error answer with this status and (parsed JSON) body."""
    cls = _BY_STATUS.get(status, ServiceError)
    if not isinstance(body, dict):
        return cls(fallback or f"HTTP {status}", status=status)
    detail = body.get("detail") or body.get("title") or fallback or f"HTTP {status}"
    return cls(detail, status=body.get("status", status), type=body.get("type"), title=body.get("title"),
               errors=body.get("errors"), problem=body)
