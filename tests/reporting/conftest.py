import pytest

from tests.reporting.helpers import make_world


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The world has several users; PBKDF2 would make each fixture take seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db, _fast_password_hashing):
    return make_world()


@pytest.fixture
def finance(world):
    from tests.budgets.factories import UserFactory, membership

    user = UserFactory(first_name="Annegret", last_name="Kühn")
    membership(user, world["sn"], "finance")
    return user
