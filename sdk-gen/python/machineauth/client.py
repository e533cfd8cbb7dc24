"""The clients: ``MachineAuthClient`` (an agent, optionally with admin credentials),
``MachineAuthAdminClient`` (an administrator or an organization API key) and their async twins."""

from __future__ import annotations

import asyncio
import base64
import functools
from concurrent.futures import Executor
from typing import Any, Mapping

from ._generated.errors import InvalidTokenError
from ._generated.models import AgentCredentials, TokenResponse
from ._generated.operations import AsyncOperations, Operations
from ._tokens import TokenManager
from ._transport import OperationRequest, Transport
from .errors import MachineAuthConfigurationError

__all__ = ["MachineAuthClient", "MachineAuthAdminClient", "AsyncMachineAuthClient", "AsyncMachineAuthAdminClient"]


class MachineAuthClient(Operations):
    """The MachineAuth API.

    Agent operations (``get_me``, ``get_usage``, ``rotate``, ``verify``…) authenticate with an
    access token the client obtains, caches and renews itself from ``client_id`` and
    ``client_secret``; admin operations (``list_agents``, ``create_organization``…) use
    ``admin_email``/``admin_password`` or ``api_key``; the OAuth and discovery operations need
    neither.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        scope: str | None = None,
        access_token: str | None = None,
        admin_email: str | None = None,
        admin_password: str | None = None,
        api_key: str | None = None,
        refresh_leeway: float = 60.0,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if bool(client_id) != bool(client_secret):
            raise MachineAuthConfigurationError("client_id and client_secret go together")
        if bool(admin_email) != bool(admin_password):
            raise MachineAuthConfigurationError("admin_email and admin_password go together")
        self._transport = Transport(base_url, timeout=timeout, headers=headers)
        self._client_id = client_id
        self._client_secret = client_secret
        self._scope = scope
        self._access_token = access_token
        self._admin_email = admin_email
        self._admin_password = admin_password
        self._api_key = api_key
        self.tokens: TokenManager | None = None
        if client_id:
            self.tokens = TokenManager(
                lambda scope: self.request_token("client_credentials", scope=scope) if scope else self.request_token("client_credentials"),
                lambda refresh_token: self.request_token("refresh_token", refresh_token=refresh_token),
                refresh_leeway=refresh_leeway,
            )

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    def get_token(self, scope: str | None = None, *, force_refresh: bool = False) -> TokenResponse:
        """An access token for ``scope`` (the client's default scope when omitted): the cached one
        while it is fresh, else a renewed one. Concurrent calls share one request."""
        if self.tokens is None:
            raise MachineAuthConfigurationError("get_token() needs client_id and client_secret")
        return self.tokens.get(scope if scope is not None else self._scope, force_refresh=force_refresh)

    def rotate(self) -> AgentCredentials:
        """Rotates the agent's own secret and keeps using the new one."""
        credentials = super().rotate()
        if self._client_id and credentials.client_id == self._client_id:
            self._client_secret = credentials.client_secret
        return credentials

    def delete_self(self) -> None:
        """Deletes the agent itself; its cached tokens go with it."""
        super().delete_self()
        if self.tokens is not None:
            self.tokens.clear()

    def _send(self, request: OperationRequest) -> Any:
        if request.auth == "none":
            return self._transport.send(request, {})
        if request.auth == "client":
            return self._transport.send(self._with_client_credentials(request), {})
        if request.auth == "admin":
            return self._transport.send(request, {"Authorization": self._admin_authorization(request)})
        if request.auth == "bearer" and self.tokens is None and not self._access_token and self._api_key:
            return self._transport.send(request, {"Authorization": f"Bearer {self._api_key}"})
        return self._send_as_agent(request)

    def _send_as_agent(self, request: OperationRequest) -> Any:
        if self._access_token:
            return self._transport.send(request, {"Authorization": f"Bearer {self._access_token}"})
        if self.tokens is None:
            raise MachineAuthConfigurationError(f"{request.operation_id}() needs agent credentials (client_id and client_secret, or access_token)")
        token = self.tokens.get(self._scope)
        try:
            return self._transport.send(request, {"Authorization": f"Bearer {token.access_token}"})
        except InvalidTokenError as refused:
            # A token the server refuses (revoked, say) is replaced once.
            try:
                fresh = self.tokens.replace(token.access_token, self._scope)
            except Exception:
                raise refused from None  # no new token either: the original refusal says why
            return self._transport.send(request, {"Authorization": f"Bearer {fresh.access_token}"})

    def _with_client_credentials(self, request: OperationRequest) -> OperationRequest:
        body = dict(request.body or {})
        if not self._client_id or "client_id" in body or "client_secret" in body:
            return request
        body.update(client_id=self._client_id, client_secret=self._client_secret)
        return OperationRequest(request.operation_id, request.method, request.path, request.auth, body, request.form, request.query)

    def _admin_authorization(self, request: OperationRequest) -> str:
        if self._api_key:
            return f"Bearer {self._api_key}"
        if self._admin_email:
            pair = f"{self._admin_email}:{self._admin_password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        raise MachineAuthConfigurationError(f"{request.operation_id}() is an admin operation: pass admin_email and admin_password, or api_key")


class MachineAuthAdminClient(MachineAuthClient):
    """The admin operations (and the public ones) as the administrator or with an organization API key."""

    def __init__(
        self,
        base_url: str,
        *,
        email: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        timeout: float = 30.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if not api_key and not (email and password):
            raise MachineAuthConfigurationError("MachineAuthAdminClient needs email and password, or api_key")
        super().__init__(base_url, admin_email=email, admin_password=password, api_key=api_key, timeout=timeout, headers=headers)


class AsyncMachineAuthClient(AsyncOperations):
    """``MachineAuthClient`` with every method a coroutine (each call runs in an executor thread;
    the token cache is shared and thread-safe, so concurrent calls still fetch one token)."""

    def __init__(self, *args: Any, executor: Executor | None = None, **kwargs: Any) -> None:
        self._executor = executor
        self.sync = self._make_sync(*args, **kwargs)

    def _make_sync(self, *args: Any, **kwargs: Any) -> MachineAuthClient:
        return MachineAuthClient(*args, **kwargs)

    @property
    def tokens(self) -> TokenManager | None:
        return self.sync.tokens

    async def get_token(self, scope: str | None = None, *, force_refresh: bool = False) -> TokenResponse:
        """See ``MachineAuthClient.get_token``."""
        return await self._call("get_token", scope, force_refresh=force_refresh)  # type: ignore[no-any-return]

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(getattr(self.sync, name), *args, **kwargs))


class AsyncMachineAuthAdminClient(AsyncMachineAuthClient):
    """``MachineAuthAdminClient`` with every method a coroutine."""

    def _make_sync(self, *args: Any, **kwargs: Any) -> MachineAuthClient:
        return MachineAuthAdminClient(*args, **kwargs)
