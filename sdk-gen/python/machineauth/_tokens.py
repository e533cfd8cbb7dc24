"""The access-token cache: one token per scope set, renewed shortly before it expires."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from ._generated.models import TokenResponse
from .errors import MachineAuthConnectionError, MachineAuthError


def scope_key(scope: str | None) -> str:
    """One scope set, however it is spelled: "write read", "read,write" and "read write" are the same."""
    return " ".join(sorted({s for s in (scope or "").replace(",", " ").split() if s}))


@dataclass(frozen=True)
class _Cached:
    token: TokenResponse
    refresh_at: float
    expires_at: float


class TokenManager:
    """Caches an access token per scope set and renews it ``refresh_leeway`` seconds before it
    expires (at most half its lifetime): with its refresh token first, with the client
    credentials when that fails. Concurrent callers (threads, or coroutines of the async client)
    share one request per scope set.
    """

    def __init__(
        self,
        client_credentials: Callable[[str | None], TokenResponse],
        refresh_token: Callable[[str], TokenResponse],
        *,
        refresh_leeway: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_credentials = client_credentials
        self._refresh_token = refresh_token
        self._leeway = refresh_leeway
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, scope: str | None = None, *, force_refresh: bool = False) -> TokenResponse:
        """A token for ``scope`` that is not about to expire; fetched only when needed."""
        key = scope_key(scope)
        seen = self._cache.get(key)
        if not force_refresh and seen is not None and self._clock() < seen.refresh_at:
            return seen.token
        with self._lock_for(key):
            current = self._cache.get(key)
            # Another caller renewed it while this one waited for the lock: share its result.
            if current is not None and current is not seen and self._clock() < current.refresh_at:
                return current.token
            if not force_refresh and current is not None and self._clock() < current.refresh_at:
                return current.token
            return self._obtain(key, scope, current).token

    def replace(self, refused: str, scope: str | None = None) -> TokenResponse:
        """A replacement for a token the server refused (revoked, say): renewed once however many
        callers saw it refused. If no new token can be had, the cached one stays (a deactivated
        agent's token may still reactivate it)."""
        cached = self._cache.get(scope_key(scope))
        if cached is not None and cached.token.access_token != refused and self._clock() < cached.refresh_at:
            return cached.token
        with self._lock_for(scope_key(scope)):
            current = self._cache.get(scope_key(scope))
            if current is not None and current.token.access_token != refused and self._clock() < current.refresh_at:
                return current.token
            return self._obtain(scope_key(scope), scope, current).token

    def clear(self) -> None:
        self._cache.clear()

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _obtain(self, key: str, scope: str | None, previous: _Cached | None) -> _Cached:
        requested_at = self._clock()  # the lifetime counts from before the request
        token = None
        if previous is not None and previous.token.refresh_token:
            try:
                token = self._refresh_token(previous.token.refresh_token)
            except MachineAuthConnectionError:
                raise
            except MachineAuthError:
                pass  # a refused refresh token is not fatal: the credentials still work
        if token is None:
            token = self._client_credentials(scope)
        lifetime = float(token.expires_in)
        cached = _Cached(token=token, expires_at=requested_at + lifetime, refresh_at=requested_at + lifetime - min(self._leeway, lifetime / 2))
        self._cache[key] = cached
        return cached
