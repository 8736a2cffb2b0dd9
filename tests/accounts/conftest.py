"""People of one office for the login, second-factor and security-log tests."""

from __future__ import annotations

from binascii import unhexlify

import pytest
from django_otp.oath import totp

from tests.budgets.factories import UserFactory, membership, office
from tests.grants.factories import OrganisationFactory, carrier_user

PASSWORD = "Sonnenblume-Kastanie-42"


@pytest.fixture
def people(db):
    root = office(name="Demokratie-Zentrum Sachsen", code="SN", kind="state")
    local = office(parent=root, name="Partnerschaft für Demokratie Görlitz", code="GR")
    staff = {}
    for role in ("case_officer", "approver", "finance", "auditor"):
        user = UserFactory(username=role.replace("_", "-"))
        membership(user, local, role)
        staff[role] = user
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    carrier = carrier_user(OrganisationFactory(name="Bürgerbündnis Görlitz e.V."), username="traeger")
    everyone = {**staff, "admin": admin, "carrier": carrier, "office": local}
    for user in (*staff.values(), admin, carrier):
        user.set_password(PASSWORD)
        user.save()
    return everyone


@pytest.fixture
def required(settings):
    """Production's rule: approvers, finance staff and administrators must use a second factor."""
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def code_for():
    """The six digits an authenticator app shows for a key (hex) now, or ``offset`` steps on."""

    def code(key: str, offset: int = 0) -> str:
        return f"{totp(unhexlify(key), drift=offset):06d}"

    return code
