"""The exceptions of the SDK. Server errors arrive as the subclass of their ``error`` code
(``InvalidClientError`` for ``invalid_client``…), all of them ``MachineAuthError``."""

from __future__ import annotations


class MachineAuthError(Exception):
    """Every error the SDK raises.

    ``code`` is the server's ``error`` (RFC 6749 style) or one of the SDK's own
    (``connection_error``, ``configuration_error``, ``invalid_signature``); ``description`` is the
    server's ``error_description``; ``status`` the HTTP status when there was a response.
    """

    def __init__(self, code: str, description: str, *, status: int | None = None, reason: str | None = None) -> None:
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description
        self.status = status
        self.reason = reason


class MachineAuthConnectionError(MachineAuthError):
    """The server could not be reached, or did not answer in time."""

    def __init__(self, description: str) -> None:
        super().__init__("connection_error", description)


class MachineAuthConfigurationError(MachineAuthError):
    """The client lacks what an operation needs (e.g. admin credentials for an admin operation)."""

    def __init__(self, description: str) -> None:
        super().__init__("configuration_error", description)


class WebhookSignatureError(MachineAuthError):
    """A webhook delivery whose signature or timestamp does not check out.

    ``reason`` is ``missing_header``, ``bad_signature`` or ``stale_timestamp``.
    """

    def __init__(self, reason: str, description: str) -> None:
        super().__init__("invalid_signature", description, reason=reason)
