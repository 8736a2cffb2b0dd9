"""Production as a whole: `check --deploy` has nothing to say, Sentry is switched on by its
variable, every Celery task has time limits and Redis never hands a running task to a second
worker, yet hands a dead worker's task on within minutes."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "foerderung.example.org",
    "DATABASE_URL": "postgres://app@db.internal:5432/foerderverwaltung",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
    "CACHE_URL": "redis://cache.internal:6379/1",
}


def run(code: list[str], **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_finds_nothing_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert result.stderr == ""


def test_production_sends_hsts_a_content_security_policy_and_redirects_to_https():
    code = (
        "import django; django.setup();"
        "from django.test import Client; c = Client();"
        "r = c.get('/anmelden/', HTTP_HOST='foerderung.example.org');"
        "print(r.status_code, r['Location']);"
        # A page without templates: the hashed static files exist only after collectstatic.
        "r = c.get('/abmelden/', HTTP_HOST='foerderung.example.org', HTTP_X_FORWARDED_PROTO='https');"
        "print(r.status_code); print(r['Strict-Transport-Security']); print(r['Content-Security-Policy'])"
    )
    result = run(["-c", code], DJANGO_SETTINGS_MODULE="config.settings", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    redirect, status, hsts, csp = result.stdout.splitlines()[-4:]
    assert redirect == "301 https://foerderung.example.org/anmelden/"
    assert status == "405"  # logging out takes a POST
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp


def test_every_page_has_a_content_security_policy_without_inline_scripts(client):
    policy = client.get("/anmelden/")["Content-Security-Policy"]

    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline scripts, no eval
    assert directives["img-src"] == "'self' data:"


SENTRY_STATE = (
    "import sentry_sdk, config.settings as s;"
    "client = sentry_sdk.get_client();"
    "print(client.is_active(), client.options.get('dsn'), client.options.get('send_default_pii'),"
    " client.options.get('environment'))"
)


def test_error_reporting_is_off_unless_sentry_dsn_is_set():
    off = run(["-c", SENTRY_STATE], **PRODUCTION)
    assert off.returncode == 0, off.stderr
    assert off.stdout.split()[0] == "False"

    dsn = "https://public-key@sentry.example.org/42"
    on = run(["-c", SENTRY_STATE], **PRODUCTION, SENTRY_DSN=dsn)
    assert on.returncode == 0, on.stderr
    assert on.stdout.split() == ["True", dsn, "False", "production"]


# --- Celery --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tasks():
    from config.celery import app

    app.loader.import_default_modules()  # what `celery worker` loads: every app's tasks module
    return {name: task for name, task in app.tasks.items() if not name.startswith(("celery.", "tests."))}


def test_every_task_has_a_soft_and_a_hard_time_limit(tasks):
    assert len(tasks) >= 12
    for name, task in tasks.items():
        assert task.soft_time_limit and task.time_limit, name
        assert 0 < task.soft_time_limit < task.time_limit, name


def test_exports_and_the_nightly_batches_may_run_ten_minutes_the_rest_two(tasks):
    export = tasks["reporting.exports.tasks.run_export_job"]
    assert (export.soft_time_limit, export.time_limit) == (540, 600)
    assert (tasks["grants.tasks.send_deadline_reminders"].time_limit) == 600
    notice = tasks["reporting.tasks.generate_grant_notice"]
    assert (notice.soft_time_limit, notice.time_limit) == (120, 150)  # the default
    assert set(settings.LONG_TASKS) <= set(tasks), "a long task was renamed: its limits would not apply"


def test_redis_hands_no_running_task_to_a_second_worker_but_a_dead_one_s_within_minutes(tasks):
    from config.celery import app

    options = app.conf.broker_transport_options
    longest = max(task.time_limit for task in tasks.values())
    # A message not acknowledged within the visibility timeout goes to another worker: with
    # acks_late that is every running task, so the timeout must outlast the longest one ...
    assert options["visibility_timeout"] > longest
    # ... and a killed worker's message is handed out again after the timeout plus one sweep
    # (Redis's default timeout is an hour).
    sweep = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    assert options["visibility_timeout"] + sweep <= 16 * 60
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1


def test_a_visibility_timeout_shorter_than_the_longest_task_is_refused():
    result = run(["-c", "import config.settings"], **PRODUCTION, CELERY_VISIBILITY_TIMEOUT="300")

    assert result.returncode != 0
    assert (
        "CELERY_VISIBILITY_TIMEOUT=300 s must be longer than the longest task may run (600 s)"
        in result.stderr
    )
