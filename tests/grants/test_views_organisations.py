import pytest
from django.urls import reverse
from django.utils import timezone

from grants.carriers.models import BankDetailsChange, Organisation
from grants.carriers.services import bank_details_change_confirm
from tests.budgets.factories import UserFactory, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, carrier_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(name="Jugendförderverein Görlitz e.V.", iban="", account_holder="")


def test_carriers_see_bic_and_bank_derived_from_their_iban_once_finance_confirms(client, org):
    # The change is a request that finance of the office handling the carrier confirms.
    local = office()
    ApplicationFactory(organisation=org, office=local, submitted_at=timezone.now())
    finance = UserFactory()
    membership(finance, local, "finance")
    client.force_login(carrier_user(org))
    response = client.post(
        reverse("organisation_bank", args=[org.pk]),
        {"iban": "DE89 3704 0044 0532 0130 00", "account_holder": "Jugendförderverein Görlitz e.V."},
        follow=True,
    )
    assert Organisation.objects.get(pk=org.pk).iban == ""
    assert "DE89 3704 0044 0532 0130 00" in response.content.decode()
    bank_details_change_confirm(change=BankDetailsChange.objects.get(organisation=org), by=finance)
    org.refresh_from_db()
    assert (org.iban, org.account_holder) == ("DE89370400440532013000", "Jugendförderverein Görlitz e.V.")
    page = client.get(reverse("organisation_list")).content.decode()
    assert "DE89 3704 0044 0532 0130 00" in page
    assert "COBADEFFXXX" in page and "Commerzbank" in page


def test_a_wrong_iban_is_refused_with_a_german_message_and_nothing_is_saved(client, org):
    client.force_login(carrier_user(org))
    response = client.post(
        reverse("organisation_bank", args=[org.pk]),
        {"iban": "DE89370400440532013001", "account_holder": "Verein"},
        follow=True,
    )
    assert "„DE89370400440532013001“ ist keine gültige IBAN. Bitte prüfen Sie sie Ziffer für Ziffer." in (
        response.content.decode()
    )
    assert Organisation.objects.get(pk=org.pk).iban == ""


def test_a_refused_iban_stays_in_the_field_as_typed(client, org):
    client.force_login(carrier_user(org))
    response = client.post(
        reverse("organisation_bank", args=[org.pk]),
        {"iban": "DE89 3704 0044 0532 0130 01", "account_holder": "Verein für Demokratie"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="DE89 3704 0044 0532 0130 01"' in html and 'aria-invalid="true"' in html
    assert 'value="Verein für Demokratie"' in html


def test_a_german_iban_with_an_unused_bank_code_is_refused(client, org, settings):
    client.force_login(carrier_user(org))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # Valid checksum, but no bank uses the bank code 99999999.
    from schwifty import IBAN

    iban = IBAN.generate("DE", bank_code="99999999", account_code="1234567890", validate_bban=False)
    response = client.post(
        reverse("organisation_bank", args=[org.pk]),
        {"iban": iban.compact, "account_holder": "Verein"},
        follow=True,
    )
    page = response.content.decode()
    assert "No German bank uses the bank code 99999999 of this IBAN." in page
    assert Organisation.objects.get(pk=org.pk).iban == ""


def test_other_carriers_and_staff_cannot_change_bank_details(client, org):
    root = office()
    staff = UserFactory()
    membership(staff, root, "finance")
    for user in (carrier_user(OrganisationFactory()), staff):
        client.force_login(user)
        response = client.post(
            reverse("organisation_bank", args=[org.pk]),
            {"iban": "DE89370400440532013000", "account_holder": "X"},
        )
        assert response.status_code == 404
    assert Organisation.objects.get(pk=org.pk).iban == ""


def test_the_list_shows_only_the_users_own_organisations(client, org):
    other = OrganisationFactory(name="Anderer Verein e.V.")
    client.force_login(carrier_user(org))
    page = client.get(reverse("organisation_list")).content.decode()
    assert org.name in page and other.name not in page
    assert "Meine Organisationen" in page


def test_an_administrators_request_changes_nothing_until_finance_confirms(client, org):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        reverse("organisation_bank", args=[org.pk]),
        {"iban": "DE89370400440532013000", "account_holder": "X"},
    )
    assert response.status_code == 302
    assert BankDetailsChange.objects.get(organisation=org).is_requested
    assert Organisation.objects.get(pk=org.pk).iban == ""


def test_the_bank_form_is_shown_to_members_who_may_change_it(client, org):
    client.force_login(carrier_user(org))
    page = client.get(reverse("organisation_list")).content.decode()
    assert reverse("organisation_bank", args=[org.pk]) in page
