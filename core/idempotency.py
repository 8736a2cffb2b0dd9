"""A form sent twice does the work once: one-time keys in every form, checked before the view runs.

Every ``{% csrf_token %}`` also renders a hidden ``idempotency_key`` with a fresh random value
(``core.templatetags.idempotency``, a template builtin that replaces Django's tag), so every
POST form of the application carries a key that is new each time the form is shown. The
middleware below claims the key for the user *before* the view runs: a row in
``IdempotencyKey`` whose unique constraint lets exactly one request with that key through.

- The first request runs the view. If it answers with a redirect (the Post/Redirect/Get of a
  successful form), the key keeps that answer; if it answers with a page (a form with
  errors, which wrote nothing) or fails, the key is released, so the form may be sent again.
- A replay (a double click, a reload that re-sends, the back button and send again) does not
  run the view: it is redirected to where the first answer went, with a note that nothing was
  done twice. A replay that arrives while the first request still runs waits for its answer
  (a double click sends both at once).

Requests without a key (the JSON API, the test client unless a test sends one) pass as before;
the services' own state checks under row locks remain the guard for those.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import IdempotencyKey

FIELD = "idempotency_key"
KEY = re.compile(r"[0-9a-f]{32}")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REDIRECTS = (301, 302, 303, 307, 308)
KEEP = timedelta(days=1)  # a form left open longer than this may be sent once more
WAIT_SECONDS = 20.0  # how long a replay waits for the first request's answer
POLL_SECONDS = 0.1


def form_key(request: HttpRequest) -> str | None:
    """The one-time key a POST form carries, or None (no form post, no key, a malformed key)."""
    if request.method != "POST" or request.content_type not in FORM_TYPES:
        return None
    key = request.POST.get(FIELD, "")
    return key if KEY.fullmatch(key) else None


class IdempotencyMiddleware:
    """See the module docstring; after authentication and messages in ``MIDDLEWARE``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = form_key(request)
        user = getattr(request, "user", None)
        if key is None or user is None or not user.is_authenticated:
            return self.get_response(request)
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            record = self._claim(user, key, request.path)
            if record is not None:
                return self._run(request, record)
            location = (
                IdempotencyKey.objects.filter(user=user, key=key).values_list("location", flat=True).first()
            )
            if location:
                messages.info(
                    request, _("This form had already been sent; it was not processed a second time.")
                )
                return HttpResponseRedirect(location)
            # "": the first request still runs; None: it wrote nothing and let the key go (claim it).
            if time.monotonic() > deadline:
                response = HttpResponse(
                    _("This form is still being processed. Please wait a moment and reload the page."),
                    status=409,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = "5"
                return response
            if location is not None:
                time.sleep(POLL_SECONDS)

    def _run(self, request: HttpRequest, record: IdempotencyKey) -> HttpResponse:
        try:
            response = self.get_response(request)
        except BaseException:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code in REDIRECTS and response.get("Location"):
            IdempotencyKey.objects.filter(pk=record.pk).update(location=response["Location"][:2000])
        else:
            IdempotencyKey.objects.filter(pk=record.pk).delete()
        return response

    @staticmethod
    def _claim(user: Any, key: str, path: str) -> IdempotencyKey | None:
        """The key's row, written now and committed; None when another request holds it."""
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, path=path[:400])
        except IntegrityError:
            return None
        IdempotencyKey.objects.filter(user=user, created_at__lt=timezone.now() - KEEP).delete()
        return record
