"""MachineAuth SDK for Python (standard library only): the API for agents and administrators,
sync and async, with a token cache, typed responses and exceptions, and webhook verification.

Generated from the server's OpenAPI contract (sdk-gen/openapi.json) by ``npm run sdk:generate``.
"""

from ._generated.errors import *  # noqa: F401,F403  one exception class per server error code
from ._generated.errors import ERROR_CLASSES
from ._generated.errors import __all__ as _error_names
from ._generated.models import *  # noqa: F401,F403  the response dataclasses
from ._generated.models import __all__ as _model_names
from ._generated.operations import OPERATION_AUTH
from ._tokens import TokenManager, scope_key
from ._transport import UNSET, Unset
from .client import AsyncMachineAuthAdminClient, AsyncMachineAuthClient, MachineAuthAdminClient, MachineAuthClient
from .errors import MachineAuthConfigurationError, MachineAuthConnectionError, MachineAuthError, WebhookSignatureError
from .webhooks import WebhookDelivery, verify_webhook

__version__ = "1.0.0"

__all__ = [
    "MachineAuthClient",
    "MachineAuthAdminClient",
    "AsyncMachineAuthClient",
    "AsyncMachineAuthAdminClient",
    "TokenManager",
    "scope_key",
    "verify_webhook",
    "WebhookDelivery",
    "MachineAuthError",
    "MachineAuthConnectionError",
    "MachineAuthConfigurationError",
    "WebhookSignatureError",
    "ERROR_CLASSES",
    "OPERATION_AUTH",
    "UNSET",
    "Unset",
    *_error_names,
    *_model_names,
]
