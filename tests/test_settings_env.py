"""config/settings.py read from the environment: safe defaults for development, no defaults
for secrets in production, and production (also when DJANGO_ENV is not set at all) refuses
to start without PostgreSQL, a broker and a shared cache.

Each case imports the settings in a fresh interpreter with a clean environment. The settings
file is copied into a temporary folder first, so a developer's own ``.env`` beside the real
one (which settings.py reads) cannot leak into the result.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = Path(__file__).resolve().parent.parent / "config" / "settings.py"

PRINT_SETTINGS = """
import json
import config.settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SECRET_KEY": s.SECRET_KEY,
    "ENGINE": s.DATABASES["default"]["ENGINE"],
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "CELERY_BROKER_URL": s.CELERY_BROKER_URL,
    "CELERY_TASK_ALWAYS_EAGER": s.CELERY_TASK_ALWAYS_EAGER,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE,
    "STATICFILES_BACKEND": s.STORAGES["staticfiles"]["BACKEND"],
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "CACHE_BACKEND": s.CACHES["default"]["BACKEND"],
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "LOG_FORMAT": s.LOG_FORMAT,
    "SENTRY_DSN": s.SENTRY_DSN,
}))
"""


@pytest.fixture
def import_settings(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "__init__.py").write_text("")
    shutil.copy(SETTINGS, tmp_path / "config" / "settings.py")

    def run(**environment: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", PRINT_SETTINGS],
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", **environment},
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "a-real-secret-from-the-vault",
    "DJANGO_ALLOWED_HOSTS": "foerderung.example.org",
    "DATABASE_URL": "postgres://app@db.internal:5432/foerderverwaltung",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
    "CACHE_URL": "redis://cache.internal:6379/1",
}


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The last line of the traceback: the ImproperlyConfigured message."""
    assert result.returncode != 0, result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    return last.removeprefix("django.core.exceptions.ImproperlyConfigured: ")


def test_production_refuses_to_start_without_a_secret_key(import_settings):
    result = import_settings(DJANGO_ENV="production")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("variable", ["DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"])
def test_production_refuses_to_start_without_each_service_and_names_it(import_settings, variable):
    environment = {name: value for name, value in PRODUCTION.items() if name != variable}

    message = refusal(import_settings(**environment))

    assert message.startswith("DJANGO_ENV=production needs these environment variables: ")
    assert variable in message
    others = {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"} - {variable}
    assert not any(f"{name} (" in message for name in others)


def test_production_names_every_missing_variable_at_once(import_settings):
    message = refusal(import_settings(DJANGO_ENV="production", DJANGO_SECRET_KEY="x" * 50))

    assert "DATABASE_URL (PostgreSQL" in message
    assert "CELERY_BROKER_URL (Redis" in message
    assert "CACHE_URL (a cache shared by every process" in message


def test_without_django_env_the_settings_are_production_strict(import_settings):
    # Fail closed: a server where DJANGO_ENV was forgotten gets no debug pages and no default secret.
    message = refusal(import_settings())
    assert "DJANGO_SECRET_KEY" in message

    result = import_settings(**{k: v for k, v in PRODUCTION.items() if k != "DJANGO_ENV"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("DATABASE_URL", "sqlite:////tmp/db.sqlite3", "DATABASE_URL must point at PostgreSQL"),
        ("CELERY_BROKER_URL", "memory://", "CELERY_BROKER_URL=memory://"),
        ("CACHE_URL", "locmemcache://", "CACHE_URL must name a cache shared by every process"),
        ("DJANGO_DEBUG", "1", "DJANGO_DEBUG is on"),
    ],
)
def test_production_refuses_the_development_stand_ins(import_settings, variable, value, named):
    assert named in refusal(import_settings(**{**PRODUCTION, variable: value}))


def test_an_unknown_django_env_is_refused(import_settings):
    assert "DJANGO_ENV='prod' is not known" in refusal(import_settings(DJANGO_ENV="prod"))


def test_production_with_a_secret_key_has_debug_off_smtp_mail_and_secure_cookies(import_settings):
    result = import_settings(**PRODUCTION)

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == "a-real-secret-from-the-vault"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert values["ALLOWED_HOSTS"] == ["foerderung.example.org"]
    assert values["CACHE_BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["LOG_FORMAT"] == "json"
    assert values["SENTRY_DSN"] == ""


def test_development_defaults_work_with_only_django_env_set(import_settings):
    result = import_settings(DJANGO_ENV="development")

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert values["CACHE_BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["LOG_FORMAT"] == "text"
