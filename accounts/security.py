"""The security log: one function writes it, every app calls it.

``security_log(kind=…, user=…, request=…, obj=…, detail=…)`` records logins, failed logins,
lockouts, refusals, bank-detail changes, exports of personal data and downloads of confidential
documents (``SecurityEventKind``). Each line also goes to the ``accounts.security`` logger, so a
log collector sees it with the request id.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts.models import SecurityEvent, SecurityEventKind

logger = logging.getLogger("accounts.security")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` proxies the
    address the outermost of them saw (the n-th entry from the right of X-Forwarded-For; the
    entries left of it are whatever the client sent and prove nothing).

    Also django-axes' ``AXES_CLIENT_IP_CALLABLE``, so lockouts and the log name the same address.
    """
    address = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def security_log(
    *,
    kind: SecurityEventKind | str,
    user: Any,
    request: HttpRequest | None = None,
    obj: Any = None,
    detail: str = "",
    username: str = "",
) -> SecurityEvent:
    """Write one line of the security log.

    ``user`` is who acted (None or an anonymous user for a failed login; then ``username`` is
    what was typed). ``obj`` is what the event concerns (a document, an export job, bank
    details); its type, key and name are kept as text, so the log outlives the object.
    Inside a service's transaction the line is rolled back with the change it records.
    """
    acting = user if getattr(user, "is_authenticated", False) else None
    event = SecurityEvent(
        kind=kind,
        user_id=acting.pk if acting is not None else None,
        username=(acting.get_username() if acting is not None else username)[:150],
        detail=str(detail),
    )
    if request is not None:
        event.ip_address = client_ip(request)
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        event.method = (request.method or "")[:10]
        event.path = request.path[:300]
        event.request_id = str(getattr(request, "request_id", ""))[:64]
    if obj is not None:
        event.object_type = obj._meta.label if hasattr(obj, "_meta") else type(obj).__name__
        event.object_id = str(getattr(obj, "pk", "") or "")[:64]
        event.object_repr = str(obj)[:200]
    event.save()
    logger.info(
        "security event %s",
        event.kind,
        extra={
            "security_event": event.kind,
            "user_id": event.user_id,
            "username": event.username,
            "ip_address": event.ip_address,
            "object": f"{event.object_type}:{event.object_id}" if event.object_type else "",
        },
    )
    return event
