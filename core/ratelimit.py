"""Counting requests per key and hour in the shared cache (production requires one shared by
every process, see CACHE_URL), for limits on forms that send e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.module_loading import import_string

HOUR = 60 * 60


def hits_this_hour(key: str) -> int:
    """Requests counted under ``key`` in the current hour, this one included."""
    cache.add(key, 0, timeout=HOUR)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=HOUR)
        return 1


def client_address(request: HttpRequest) -> str:
    """The client's address as the lockouts and the security log see it (behind the trusted
    proxies: the address the outermost one saw); configured by name so the kernel imports
    nothing of the apps."""
    return str(import_string(settings.AXES_CLIENT_IP_CALLABLE)(request) or "")
