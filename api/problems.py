"""Errors as RFC 9457 problem details (``application/problem+json``).

Every refusal of the API is one JSON object: ``type`` (a URI reference naming the kind of
problem, documented in docs/api.md), ``title`` (its German name), ``status``, ``detail`` (the
German sentence of the service or rule that refused), ``rule`` (the named permission that
refused, where one did) and ``errors`` (one entry per field or row, with a JSON pointer into
the request).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.errors import AccessDenied, DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "/api/v1/problems/"


def problem_type(slug: str) -> str:
    return f"{TYPE_BASE}{slug}"


def problem(
    *,
    status: int,
    slug: str,
    title: str,
    detail: str,
    rule: str | None = None,
    errors: Iterable[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"type": problem_type(slug), "title": title, "status": status, "detail": detail}
    if rule:
        body["rule"] = rule
    if errors is not None:
        body["errors"] = list(errors)
    response = HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False),
        status=status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- the API's own refusals -----------------------------------------------------------------


class ApiProblem(Exception):
    """A refusal the API itself makes (not a service): status, slug, title and detail."""

    status = 400
    slug = "bad-request"

    def __init__(self, detail: str, *, rule: str | None = None, errors: list[dict[str, Any]] | None = None):
        self.detail = detail
        self.rule = rule
        self.errors = errors
        super().__init__(detail)

    def title(self) -> str:
        return _("Bad request")

    def headers(self) -> dict[str, str]:
        return {}


class Unauthenticated(ApiProblem):
    status = 401
    slug = "unauthenticated"

    def title(self) -> str:
        return _("Not authenticated")

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="api"'}


class ScopeDenied(ApiProblem):
    status = 403
    slug = "token-scope"

    def title(self) -> str:
        return _("Token may only read")


class CsrfFailed(ApiProblem):
    status = 403
    slug = "csrf-failed"

    def title(self) -> str:
        return _("CSRF check failed")


class Forbidden(ApiProblem):
    status = 403
    slug = "access-denied"

    def title(self) -> str:
        return _("Access denied")


class PayloadTooLarge(ApiProblem):
    status = 413
    slug = "too-large"

    def title(self) -> str:
        return _("Request too large")


class InvalidInput(ApiProblem):
    status = 422
    slug = "invalid-request"

    def title(self) -> str:
        return _("Invalid request")


class RuleRefused(ApiProblem):
    """A service's rules refused the request row by row (e.g. a receipt list)."""

    status = 422
    slug = "domain-rule"

    def title(self) -> str:
        return _("Refused by a rule")


class RateLimited(ApiProblem):
    status = 429
    slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: float):
        super().__init__(detail)
        self.retry_after = max(1, math.ceil(retry_after))

    def title(self) -> str:
        return _("Too many requests")

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


# --- handlers (registered on the NinjaAPI in api.v1) ------------------------------------------


def on_api_problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return problem(
        status=exc.status,
        slug=exc.slug,
        title=exc.title(),
        detail=exc.detail,
        rule=exc.rule,
        errors=exc.errors,
        headers=exc.headers(),
    )


def on_access_denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    return problem(
        status=403,
        slug="access-denied",
        title=_("Access denied"),
        detail=" ".join(exc.messages),
        rule=getattr(exc, "rule", "") or None,
    )


def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, AccessDenied):
        return on_access_denied(request, exc)
    return problem(
        status=422,
        slug="domain-rule",
        title=_("Refused by a rule"),
        detail=" ".join(exc.messages),
        errors=[{"detail": message} for message in exc.messages],
    )


def on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = [
            {"pointer": f"/body/{'' if name == '__all__' else name}".rstrip("/"), "detail": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"detail": message} for message in exc.messages]
    return problem(
        status=422,
        slug="domain-rule",
        title=_("Refused by a rule"),
        detail=" ".join(e["detail"] for e in errors),
        errors=errors,
    )


def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem(
        status=404,
        slug="not-found",
        title=_("Not found"),
        detail=_("There is no such object, or you may not see it."),
    )


# The names the endpoints give their schema parameters; a pointer names the field, not them.
SCHEMA_PARAMETERS = ("body", "filters", "page", "query")


def _pointer(loc: Iterable[Any]) -> str:
    """``("body", "body", "amount")`` → ``/body/amount``, ``("query", "query", "group_by", 0)`` →
    ``/query/group_by/0``."""
    parts = [str(part) for part in loc]
    if len(parts) > 2 and parts[1] in SCHEMA_PARAMETERS:
        del parts[1]
    return "/" + "/".join(parts)


def on_request_invalid(request: HttpRequest, exc: Any) -> HttpResponse:
    """ninja's ValidationError: the request does not match the schema (pydantic's messages)."""
    errors = [
        {"pointer": _pointer(error.get("loc", ())), "detail": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return problem(
        status=422,
        slug="invalid-request",
        title=_("Invalid request"),
        detail=_("The request does not match the API description; see errors."),
        errors=errors,
    )


def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    """ninja's own HttpError (e.g. its CSRF check) and AuthenticationError."""
    status = int(getattr(exc, "status_code", 401))
    if status == 401:
        return on_api_problem(request, Unauthenticated(_("Please authenticate with an API token (Bearer).")))
    if status == 403:
        return on_api_problem(request, Forbidden(str(exc)))
    return problem(status=status, slug="bad-request", title=_("Bad request"), detail=str(exc))


def too_large_message(limit: int) -> str:
    return _("A request to the API may carry at most %(size)s KiB.") % {"size": limit // 1024}


__all__ = [
    "ApiProblem",
    "CsrfFailed",
    "Forbidden",
    "InvalidInput",
    "PayloadTooLarge",
    "RateLimited",
    "RuleRefused",
    "ScopeDenied",
    "Unauthenticated",
    "on_access_denied",
    "on_api_problem",
    "on_django_validation_error",
    "on_domain_error",
    "on_http_error",
    "on_not_found",
    "on_request_invalid",
    "problem",
]
