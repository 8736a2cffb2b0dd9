"""One POST to an endpoint: no redirects, a short timeout, no address inside our own network.

Everything that can go wrong comes back as a :class:`Response` with an error, never as an
exception, so that the attempt is recorded in the delivery's transaction. Tests replace
:func:`post` or point endpoints at a local server.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

EXCERPT = 500


@dataclass(frozen=True)
class Response:
    status_code: int | None
    body: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is an answer (3xx, not delivered): following it could lead anywhere.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


class UnsafeAddress(ValueError):
    pass


def check_address(url: str) -> None:
    """Refuse hosts that resolve to loopback, private, link-local or reserved addresses.

    Integrators choose the URL; without this check the server could be made to call services
    inside its own network. ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` lifts it (development, or
    receivers inside the administration's network).
    """
    if getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False):
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as error:
        raise UnsafeAddress(f"cannot resolve {host}: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise UnsafeAddress(f"{host} resolves to {address}, an address that is not public")


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    try:
        check_address(url)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
        with _opener.open(request, timeout=timeout) as answer:
            return Response(answer.status, answer.read(EXCERPT).decode("utf-8", "replace"))
    except urllib.error.HTTPError as answer:
        text = answer.read(EXCERPT).decode("utf-8", "replace") if answer.fp else ""
        return Response(answer.code, text)
    except (OSError, HTTPException, ValueError) as error:  # refused, timeout, TLS, bad URL
        reason = getattr(error, "reason", None) or error
        return Response(None, error=f"{type(error).__name__}: {reason}"[:EXCERPT])
