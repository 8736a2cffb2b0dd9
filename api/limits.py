"""Limits of the API: a fixed-window request counter per token (or per browser session's user)
in the shared cache, and a maximum request body.

Fixed windows are coarse (a client may send twice the limit across a window boundary) but cost
one cache round trip and need no clock in sync: enough to keep one integration from starving
the others. The limits are settings (``API_RATE_LIMIT`` requests per ``API_RATE_WINDOW``
seconds, ``API_MAX_BODY_BYTES``), read per request so that tests can change them.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from api.problems import PayloadTooLarge, RateLimited, too_large_message

DEFAULT_RATE_LIMIT = 600
DEFAULT_RATE_WINDOW = 60
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def max_body_bytes() -> int:
    return int(getattr(settings, "API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))


def check_body_size(request: HttpRequest) -> None:
    """Refuse a body over the limit by its declared length, before anything reads it.

    A body without a declared length is bounded by ``DATA_UPLOAD_MAX_MEMORY_SIZE`` when it is
    read (``RequestDataTooBig``, answered as 413 as well).
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_body_bytes():
        raise PayloadTooLarge(too_large_message(max_body_bytes()))


def check_rate(key: str, *, now: float | None = None) -> None:
    """Count one request for ``key``; raise :class:`RateLimited` past the window's limit."""
    limit = int(getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE_LIMIT))
    window = int(getattr(settings, "API_RATE_WINDOW", DEFAULT_RATE_WINDOW))
    now = time.time() if now is None else now
    start = int(now // window) * window
    cache_key = f"api-rate:{key}:{start}"
    if cache.add(cache_key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: a new window
            cache.set(cache_key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        raise RateLimited(
            _("At most %(limit)s requests per %(window)s seconds; please wait before the next one.")
            % {"limit": limit, "window": window},
            retry_after=start + window - now,
        )
