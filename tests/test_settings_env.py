"""config/settings.py read from the environment: safe defaults for development, no defaults
for secrets in production.

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


def test_production_refuses_to_start_without_a_secret_key(import_settings):
    result = import_settings(DJANGO_ENV="production")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_with_a_secret_key_has_debug_off_smtp_mail_and_secure_cookies(import_settings):
    result = import_settings(
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY="a-real-secret-from-the-vault",
        DJANGO_ALLOWED_HOSTS="foerderung.example.org",
        DATABASE_URL="postgres://app@db.internal:5432/foerderverwaltung",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
    )

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


def test_development_defaults_work_without_any_variable(import_settings):
    result = import_settings()

    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
