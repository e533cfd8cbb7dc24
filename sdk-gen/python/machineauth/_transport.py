"""HTTP for the SDK on urllib (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Mapping

from .errors import MachineAuthConnectionError, MachineAuthError

USER_AGENT = "machineauth-python/1.0.0"


class Unset:
    """The default of optional body fields: the field is not sent (``None`` sends JSON null)."""

    _instance: Unset | None = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET = Unset()


@dataclass(frozen=True)
class OperationRequest:
    """One call of a contract operation, as the generated methods describe it."""

    operation_id: str
    method: str
    path: str
    auth: str
    body: dict[str, Any] | None = None
    form: bool = False
    query: dict[str, Any] | None = None


def segment(value: str, name: str) -> str:
    """A path parameter, refusing values that would silently address another resource."""
    if not isinstance(value, str) or not value:
        raise TypeError(f"{name} must be a non-empty string")
    return urllib.parse.quote(value, safe="")


def body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that were given (UNSET ones are left out)."""
    return {key: value for key, value in fields.items() if value is not UNSET}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    return str(value)


def error_from_response(status: int, raw: bytes) -> MachineAuthError:
    """A non-2xx response as the exception class of its ``error`` code."""
    from ._generated.errors import ERROR_CLASSES

    code = description = None
    try:
        decoded = json.loads(raw.decode("utf-8"))
        if isinstance(decoded, dict):
            code = decoded.get("error") if isinstance(decoded.get("error"), str) else None
            description = decoded.get("error_description") if isinstance(decoded.get("error_description"), str) else None
    except (UnicodeDecodeError, ValueError):
        pass  # not our JSON error body (a proxy's page, say): described by its status below
    if code is None:
        text = raw[:200].decode("utf-8", "replace")
        return MachineAuthError("server_error" if status >= 500 else "http_error", f"HTTP {status}: {text}".rstrip(": "), status=status)
    error_class = ERROR_CLASSES.get(code)
    if error_class is None:
        return MachineAuthError(code, description or code, status=status)
    return error_class(description or code, status=status)


class Transport:
    """Sends requests to one server and decodes the answers."""

    def __init__(self, base_url: str, *, timeout: float = 30.0, headers: Mapping[str, str] | None = None) -> None:
        if not base_url:
            raise ValueError("base_url is required")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.headers = dict(headers or {})

    def send(self, request: OperationRequest, headers: Mapping[str, str]) -> Any:
        url = self.base_url + request.path
        if request.query:
            query = {key: _text(value) for key, value in request.query.items() if value is not None}
            if query:
                url += "?" + urllib.parse.urlencode(query)
        all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **self.headers, **headers}
        data = None
        if request.body is not None:
            if request.form:
                data = urllib.parse.urlencode({k: _text(v) for k, v in request.body.items() if v is not None}).encode()
                all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                data = json.dumps(request.body).encode()
                all_headers["Content-Type"] = "application/json"
        http_request = urllib.request.Request(url, data=data, method=request.method, headers=all_headers)
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                raise error_from_response(error.code, error.read()) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise MachineAuthConnectionError(f"{request.method} {url} failed: {reason}") from error
        if status == 204 or not raw:
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            raise MachineAuthError("invalid_response", f"{request.method} {request.path} answered {status} with a body that is not JSON", status=status) from None
