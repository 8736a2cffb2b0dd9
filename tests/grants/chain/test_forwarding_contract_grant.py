"""A private first recipient passes money on by contract: the micro-project's page says so and
nobody records a notice posting or an objection for it."""

from datetime import date

import pytest
from django.urls import reverse

from core.errors import DomainError
from grants.awards.services.grant import grant_notice_post
from tests.grants.chain.proofs_world import approve_micro
from tests.grants.chain.world import build_chain_world
from tests.grants.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "de"
    return build_chain_world()


def _micro(world):
    world.approve_first_grant("100000")
    fund = world.open_fund(world.action_kind, "40000")
    return approve_micro(world, fund, OrganisationFactory(name="Kulturwerkstatt e.V."), grant="1500")


def test_a_contract_has_no_posting_and_no_objection(client, world):
    world.municipality.legal_form = "ev"  # a private carrier runs this partnership
    world.municipality.save()
    micro = _micro(world)
    assert micro.is_forwarded_by_contract
    with pytest.raises(DomainError):
        grant_notice_post(grant=micro, posted_on=date(2026, 3, 25), by=world.pfd_officer)
    client.force_login(world.pfd_officer)
    page = client.get(reverse("grant_detail", args=[micro.pk])).content.decode()
    assert "Weiterleitungsvertrag" in page and "Widerspruchsfrist" in page
    assert "Bestandskraft des Bescheids" not in page


def test_a_public_first_recipients_forwarding_notice_keeps_its_objection_period(client, world):
    micro = _micro(world)
    assert not micro.is_forwarded_by_contract
    client.force_login(world.pfd_officer)
    page = client.get(reverse("grant_detail", args=[micro.pk])).content.decode()
    assert "Bestandskraft des Bescheids" in page
