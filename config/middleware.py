import logging
import time
from collections.abc import Callable

import sentry_sdk
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

from core.logs import accept_request_id, request_id_context

REQUEST_ID_HEADER = "X-Request-ID"
request_logger = logging.getLogger("config.request")


class DefaultLanguageMiddleware:
    """German unless the user chose another language with the switcher.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English
    browser would get an English UI; our users are German authorities and carriers, so
    only an explicit choice (the language cookie set by ``set_language``) changes it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class HealthCheckMiddleware:
    """Answers the load balancer's probe (``settings.HEALTH_CHECK_PATH``) before anything else.

    First in the chain on purpose: a balancer probes each machine by its address over plain
    HTTP on the private network, so the probe must not meet host validation (``ALLOWED_HOSTS``)
    or the HTTPS redirect, and one every few seconds is not worth a log line of its own
    (failures are logged by ``config.health``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == settings.HEALTH_CHECK_PATH and request.method in ("GET", "HEAD"):
            from config.health import health_response

            return health_response()
        return self.get_response(request)


class RequestIdMiddleware:
    """Gives each request an id and logs one line for it when it is answered.

    The id is the proxy's ``X-Request-ID`` when it sent a plausible one, otherwise a new one; it
    goes back in the response header, onto every log record made while the request runs
    (``core.logs``), into every task the request schedules (``config.celery``), and onto
    errors reported to Sentry. The request line names method, path (without the query string,
    which may hold search terms), status, duration and user id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accept_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.monotonic()
        with request_id_context(request_id):
            sentry_sdk.set_tag("request_id", request_id)
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            user = getattr(request, "user", None)
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
        return response


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.SECURE_CSP`` as the Content-Security-Policy header of every response.

    The setting has the shape of Django 6's ``SECURE_CSP`` (directive → sources), so moving to
    Django's own middleware later is a change of the middleware line only.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = "; ".join(
            f"{directive} {' '.join(sources)}".strip() for directive, sources in settings.SECURE_CSP.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
