"""The API, version 1: one NinjaAPI under ``/api/v1/`` with the resource routers, the
authentication of ``api.auth`` for every operation, and problem details for every refusal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger

from api import problems
from api.auth import AUTH
from api.limits import max_body_bytes
from api.v1 import applications, budgets, catalogue, documents, grants, payments, proofs
from core.errors import AccessDenied, DomainError

DESCRIPTION = """\
The JSON API of the Förderverwaltung for integrators: carriers' bookkeeping, state budget
systems, programme monitoring. Every endpoint applies exactly the permissions of the pages
(a carrier sees its own organisations, staff the subtree of their offices) and calls the same
services; refusals are RFC 9457 problem details (`application/problem+json`) with the German
message of the rule that refused.

Authenticate with a personal API token (`Authorization: Bearer fv_…`, created on the page
"API-Zugänge") or, in the browser, with your session. Lists are paged with an opaque
`cursor` (`next_cursor` of the previous page) in a stable order (creation order).

Guide with examples: docs/api.md in the repository.
"""


class ProblemDetailsAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document names ``application/problem+json`` for every error."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content") or {}
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {problems.PROBLEM_CONTENT_TYPE: content["application/json"]}
        return schema


class LocalSwagger(Swagger):
    """Swagger UI from the static files django-ninja ships (no CDN), under the site's CSP."""

    template = "api/swagger.html"


api = ProblemDetailsAPI(
    title="Förderverwaltung API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=AUTH,
    docs=LocalSwagger(settings={"persistAuthorization": False, "defaultModelsExpandDepth": 0}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("", catalogue.router)
api.add_router("", applications.router)
api.add_router("", grants.router)
api.add_router("", payments.router)
api.add_router("", proofs.router)
api.add_router("", budgets.router)
api.add_router("", documents.router)


def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body without a declared length that outgrew what Django reads (413, as the declared ones)."""
    return problems.on_api_problem(
        request, problems.PayloadTooLarge(problems.too_large_message(max_body_bytes()))
    )


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problems.on_api_problem(request, problems.Forbidden(str(exc) or "403"))


# Every refusal as problem details: the API's own, the services' (DomainError, AccessDenied
# with its rule), model validation, 404 from the visibility selectors, ninja's schema checks.
HANDLERS: list[tuple[type[Exception], Any]] = [
    (problems.ApiProblem, problems.on_api_problem),
    (AccessDenied, problems.on_access_denied),
    (DomainError, problems.on_domain_error),
    (DjangoValidationError, problems.on_django_validation_error),
    (Http404, problems.on_not_found),
    (PermissionDenied, _forbidden),
    (NinjaValidationError, problems.on_request_invalid),
    (AuthenticationError, problems.on_http_error),
    (HttpError, problems.on_http_error),
    (RequestDataTooBig, _too_big),
]
for exception_class, handler in HANDLERS:
    api.add_exception_handler(exception_class, handler)
