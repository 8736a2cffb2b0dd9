"""``{% allowed %}`` asks the named rule itself, without Django's superuser shortcut."""

import pytest
from django.template import Context, Template

from tests.budgets.factories import UserFactory

pytestmark = pytest.mark.django_db

TEMPLATE = Template('{% load permissions %}{% allowed "grants.request_drawdown" user org as can %}{{ can }}')


class _Org:
    """Any object the rule can read: a case of an organisation that is not the user's."""

    organisation_id = 999_999


def test_an_administrator_is_not_offered_a_step_the_rule_refuses():
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert admin.has_perm("grants.request_drawdown", _Org())  # Django's shortcut says yes
    assert TEMPLATE.render(Context({"user": admin, "org": _Org()})) == "False"
