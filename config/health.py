"""The health endpoint for the load balancer: is this machine fit to take requests?

``GET /health/`` checks what a request or a task needs (the database, the shared cache, the
broker, the file storage) and that the database has every migration this code expects (a new
release serves only after ``migrate``). 200 with ``{"status": "ok", ...}`` when everything
answers, 503 naming the failing components otherwise. The body names the component and the
kind of error only; the details (host names, messages) go to the log, not to the public.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    component: str
    ok: bool
    ms: float
    error: str = ""

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"ok": self.ok, "ms": self.ms}
        if self.error:
            out["error"] = self.error
        return out


class Unhealthy(Exception):
    """A check that ran but did not like the answer (the message says what it saw)."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise Unhealthy("SELECT 1 did not return 1")


def check_cache() -> None:
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise Unhealthy("the cache did not return what was just written")
    finally:
        cache.delete(key)


def check_broker() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        # Redis: connecting opens a channel, which pings the server.
        conn.ensure_connection(max_retries=1, timeout=settings.HEALTH_CHECK_TIMEOUT)


def check_storage() -> None:
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as stored:
            if stored.read() != b"ok":
                raise Unhealthy("the storage did not return what was just written")
    finally:
        default_storage.delete(name)


_migrations_complete = False


def check_migrations() -> None:
    """Unapplied migrations of this code; once none are left the answer is kept (they stay applied)."""
    global _migrations_complete
    if _migrations_complete:
        return
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        raise Unhealthy(f"{len(plan)} unapplied: {names}")
    _migrations_complete = True


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
    "migrations": check_migrations,
}


def run_checks() -> list[Result]:
    results = []
    for component, check in CHECKS.items():
        started = time.monotonic()
        error = ""
        try:
            check()
        except Unhealthy as exc:
            error = str(exc)
            logger.warning("Health check %s failed: %s", component, exc)
        except Exception as exc:
            error = type(exc).__name__
            logger.warning("Health check %s failed", component, exc_info=True)
        results.append(Result(component, not error, round((time.monotonic() - started) * 1000, 1), error))
    return results


def health_response() -> JsonResponse:
    results = run_checks()
    failing = [r.component for r in results if not r.ok]
    body = {
        "status": "fail" if failing else "ok",
        "failing": failing,
        "checks": {r.component: r.as_dict() for r in results},
    }
    response = JsonResponse(body, status=503 if failing else 200)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """The same answer under its URL (``config.urls``), for anything that resolves it by name."""
    return health_response()
