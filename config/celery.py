"""The Celery app, and the request id carried from a web request into the tasks it schedules.

Publishing a task copies the current request id (``core.logs``) into the message headers; the
worker binds it, with the task's id and name, for as long as the task runs, so the worker's
log lines and error reports name the request that caused them. A task that schedules another
passes the id on; tasks from beat have none.
"""

import os
from typing import Any

import sentry_sdk
from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

from core.logs import bind_task, current_request_id, unbind_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("foerderverwaltung")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REQUEST_ID_HEADER = "request_id"


@before_task_publish.connect(weak=False)
def _send_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = current_request_id()
    if headers is not None and request_id and not headers.get(REQUEST_ID_HEADER):
        headers[REQUEST_ID_HEADER] = request_id


@task_prerun.connect(weak=False)
def _bind_request_id(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    # From the message header in a worker; in-process (eager) the caller's id is still current.
    request_id = getattr(task.request, REQUEST_ID_HEADER, None) or current_request_id()
    task.request._log_context = bind_task(request_id, task_id or "", task.name)
    if request_id:
        sentry_sdk.set_tag("request_id", request_id)


@task_postrun.connect(weak=False)
def _unbind_request_id(task: Any = None, **kwargs: Any) -> None:
    tokens = getattr(task.request, "_log_context", None)
    if tokens is not None:
        task.request._log_context = None
        unbind_task(tokens)
