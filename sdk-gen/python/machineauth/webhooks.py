"""Checking webhook deliveries.

``X-Webhook-Signature`` is the hex HMAC-SHA256 of the raw body; ``X-Webhook-Signature-256:
t=<unix seconds>,v1=<hex HMAC-SHA256 of "<id>.<t>.<body>">`` also covers the delivery id and the
time, so old or replayed deliveries can be refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any, Mapping

from .errors import MachineAuthError, WebhookSignatureError

__all__ = ["WebhookDelivery", "verify_webhook"]


@dataclass(frozen=True)
class WebhookDelivery:
    """A verified delivery."""

    id: str | None
    """The delivery id (``X-Webhook-Id``), the same across retries: use it to drop duplicates."""
    event: str | None
    timestamp: int | None
    """When this attempt was signed, Unix seconds."""
    attempt: int | None
    payload: Any
    """The parsed JSON body."""


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    getter = getattr(headers, "get", None)
    value = getter(name) if getter is not None else None
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return value.strip() if isinstance(value, str) else None


def _hmac_hex(secret: str, *parts: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)
    for part in parts:
        mac.update(part)
    return mac.hexdigest()


def verify_webhook(
    body: bytes | str,
    headers: Mapping[str, Any],
    secret: str,
    *,
    tolerance: float = 300,
    now: float | None = None,
    allow_body_only_signature: bool = False,
) -> WebhookDelivery:
    """Checks a delivery against the webhook's secret and returns it; raises
    ``WebhookSignatureError`` (reason ``missing_header``, ``bad_signature`` or ``stale_timestamp``)
    otherwise. ``body`` must be the raw body as received. ``allow_body_only_signature`` accepts
    deliveries without ``X-Webhook-Signature-256`` (replays then pass): MachineAuth always sends it.
    """
    if not secret:
        raise WebhookSignatureError("bad_signature", "no webhook secret given")
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    signature = _header(headers, "X-Webhook-Signature")
    signature256 = _header(headers, "X-Webhook-Signature-256")
    delivery_id = _header(headers, "X-Webhook-Id")

    if not signature:
        raise WebhookSignatureError("missing_header", "X-Webhook-Signature is missing")
    if not hmac.compare_digest(_hmac_hex(secret, raw), signature.lower()):
        raise WebhookSignatureError("bad_signature", "X-Webhook-Signature does not match the body")

    timestamp = None
    if signature256 or not allow_body_only_signature:
        if not signature256 or not delivery_id:
            raise WebhookSignatureError("missing_header", "X-Webhook-Signature-256 and X-Webhook-Id are required")
        fields = [part.strip().split("=", 1) for part in signature256.split(",")]
        values = {}
        candidates = []
        for field in fields:
            if len(field) == 2:
                if field[0] == "v1":
                    candidates.append(field[1])
                else:
                    values[field[0]] = field[1]
        try:
            timestamp = int(values.get("t", ""))
        except ValueError:
            raise WebhookSignatureError("missing_header", "X-Webhook-Signature-256 is malformed") from None
        if not candidates:
            raise WebhookSignatureError("missing_header", "X-Webhook-Signature-256 is malformed")
        expected = _hmac_hex(secret, f"{delivery_id}.{timestamp}.".encode("utf-8"), raw)
        if not any(hmac.compare_digest(expected, candidate.lower()) for candidate in candidates):
            raise WebhookSignatureError("bad_signature", "X-Webhook-Signature-256 does not match")
        current = time.time() if now is None else now
        if abs(current - timestamp) > tolerance:
            raise WebhookSignatureError("stale_timestamp", f"the delivery was signed {int(current - timestamp)} s ago, outside the tolerance")

    try:
        payload = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise MachineAuthError("invalid_payload", "the signed body is not JSON") from None
    attempt_text = _header(headers, "X-Webhook-Attempt")
    attempt = int(attempt_text) if attempt_text and attempt_text.isdigit() else None
    return WebhookDelivery(id=delivery_id, event=_header(headers, "X-Webhook-Event"), timestamp=timestamp, attempt=attempt, payload=payload)
