"""Signing a delivery, and the verification a receiver performs (docs/webhooks.md).

``Webhook-Signature: v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>`` where ``timestamp``
is the ``Webhook-Timestamp`` header (Unix seconds) and ``body`` the request body exactly as
sent (UTF-8). The timestamp is signed with the body so that a recorded request cannot be
replayed later; the ``Webhook-Id`` is the event's id, the same on every attempt.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_VERSION = "v1"
# A receiver refuses a request whose timestamp is further than this from its own clock.
TOLERANCE_SECONDS = 5 * 60


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex>``: HMAC-SHA256 with the endpoint's secret over ``"<timestamp>." + body``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signed_headers(*, event_id: str, secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Foerderverwaltung-Webhooks/1",
        "Webhook-Id": event_id,
        "Webhook-Timestamp": str(timestamp),
        "Webhook-Signature": signature(secret, timestamp, body),
    }


def verify(
    *,
    secret: str,
    body: bytes,
    timestamp: str,
    signature_header: str,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: a fresh timestamp and one matching ``v1=`` signature (constant time).

    The header may carry several space-separated signatures (one per secret while a secret is
    being replaced); one match is enough.
    """
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    expected = signature(secret, sent, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signature_header.split())
