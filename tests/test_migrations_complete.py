"""Every model change has its migration: a change without one would pass every test on the
test database (built from the models) and fail on a real one."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    except SystemExit as exit_:  # pragma: no cover - the failure message is the point
        pytest.fail(f"makemigrations --check found model changes without a migration (exit {exit_.code})")
