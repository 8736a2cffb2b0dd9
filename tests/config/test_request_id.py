"""One id per request: in the response header, on every log record of the request, in the
tasks the request schedules (through the broker, in a worker thread that never saw the
request), and in the JSON log lines."""

import io
import json
import logging
import threading
import time
import uuid

import pytest
from celery import shared_task
from celery.contrib.testing.worker import start_worker
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from config.middleware import RequestIdMiddleware
from core.logs import JsonFormatter, TextFormatter, current_request_id, request_id_context

pytestmark = pytest.mark.django_db

seen_in_task: dict[str, str | None] = {}
task_log = logging.getLogger("tests.config.task")


@shared_task(name="tests.config.remember_request_id")
def remember_request_id(key: str) -> None:
    seen_in_task[key] = current_request_id()
    task_log.info("task ran for %s", key)


def test_each_response_carries_a_new_request_id(client):
    first = client.get("/anmelden/")["X-Request-ID"]
    second = client.get("/anmelden/")["X-Request-ID"]

    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_a_proxy_s_request_id_is_kept_and_a_forged_one_replaced(client):
    assert (
        client.get("/anmelden/", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")["X-Request-ID"] == "lb-7f3a9c2e-0001"
    )

    forged = client.get("/anmelden/", HTTP_X_REQUEST_ID='x" injected {"level": "ERROR"}')["X-Request-ID"]
    assert forged != 'x" injected {"level": "ERROR"}'
    assert len(forged) == 32


def test_every_log_record_of_the_request_carries_its_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/antraege/", HTTP_X_REQUEST_ID="req-0123456789")  # redirects to the login

    (line,) = [r for r in caplog.records if r.name == "config.request"]
    assert line.request_id == response["X-Request-ID"] == "req-0123456789"
    assert (line.method, line.path, line.status, line.user_id) == ("GET", "/antraege/", 302, None)
    assert line.duration_ms >= 0
    # After the request, records have no id again.
    logging.getLogger("tests").warning("outside")
    assert caplog.records[-1].request_id is None


def test_the_request_line_names_the_logged_in_user_but_not_the_query_string(
    client, caplog, django_user_model
):
    user = django_user_model.objects.create_user("someone", password="x-long-password")
    client.force_login(user)
    caplog.set_level(logging.INFO, logger="config.request")

    client.get("/antraege/?q=Netzwerk+f%C3%BCr+Demokratie")

    (line,) = [r for r in caplog.records if r.name == "config.request"]
    assert (line.path, line.user_id) == ("/antraege/", user.pk)
    assert "Netzwerk" not in caplog.text


@pytest.fixture
def memory_worker():
    """Celery's embedded worker on the in-memory broker: messages really travel through a broker
    and the task runs in another thread, which never saw the request's context."""
    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = eager


def wait_for(key: str) -> None:
    deadline = time.monotonic() + 30
    while key not in seen_in_task:
        assert time.monotonic() < deadline, "the worker did not run the task"
        time.sleep(0.05)


def test_a_task_scheduled_in_a_request_logs_with_the_request_s_id(memory_worker, caplog):
    caplog.set_level(logging.INFO)
    key = uuid.uuid4().hex

    def view(request: HttpRequest) -> HttpResponse:
        remember_request_id.delay(key)
        return HttpResponse("scheduled")

    response = RequestIdMiddleware(view)(RequestFactory().post("/", HTTP_X_REQUEST_ID="req-approval-42"))
    wait_for(key)

    assert response["X-Request-ID"] == "req-approval-42"
    assert seen_in_task[key] == "req-approval-42"
    (record,) = [r for r in caplog.records if r.name == "tests.config.task"]
    assert record.request_id == "req-approval-42"
    assert record.task_name == "tests.config.remember_request_id"
    assert record.thread != threading.get_ident()  # it ran in the worker
    # The worker's next task, scheduled outside any request, has no id.
    other = uuid.uuid4().hex
    remember_request_id.delay(other)
    wait_for(other)
    assert seen_in_task[other] is None


def test_in_process_tasks_keep_the_request_s_id(caplog):
    caplog.set_level(logging.INFO)
    key = uuid.uuid4().hex
    with request_id_context("req-eager-0001"):
        remember_request_id.delay(key)  # eager in development and tests
        assert current_request_id() == "req-eager-0001"
    assert seen_in_task[key] == "req-eager-0001"


def test_json_lines_carry_the_ids_the_extra_fields_and_the_traceback():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.config.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with request_id_context("req-json-000001"):
            logger.warning("Export %s failed", "abc", extra={"job": "abc", "rows": 3})
            try:
                raise ValueError("broken")
            except ValueError:
                logger.exception("with traceback")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "Export abc failed"
    assert (first["level"], first["logger"], first["request_id"]) == (
        "WARNING",
        "tests.config.json",
        "req-json-000001",
    )
    assert (first["job"], first["rows"]) == ("abc", 3)
    assert first["time"].endswith("+00:00")
    assert "ValueError: broken" in second["exception"]


def test_the_development_console_shows_the_request_id():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    record.request_id, record.task_name = "0123456789abcdef", None
    assert "[0123456789ab] x: hello" in TextFormatter().format(record)
