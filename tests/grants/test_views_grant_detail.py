"""The grant list and grant page: who sees what, finality through the page, the timeline, queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from grants.awards.models import Grant
from grants.awards.payments.services.drawdown import drawdown_certify, drawdown_request
from grants.awards.services.grant import grant_notice_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted(workflow, clock):
    """An approved grant (9,000.00 € for 2026) of ``workflow.organisation`` at ``workflow.office``."""
    clock.set(2026, 3, 2)
    application = workflow.bring_to("approved")
    # Model defaults hold the real ``timezone.now``; date the approval by the test clock.
    Grant.objects.filter(application=application).update(approved_at=clock.now)
    # The tests record steps up to 20.03.2026; none of their dates may lie in the future.
    clock.set(2026, 3, 20)
    return Grant.objects.get(application=application)


def html(response) -> str:
    return response.content.decode()


def test_carrier_sees_its_grants_in_the_list_and_others_do_not(client, workflow, granted):
    client.force_login(workflow.carrier)
    assert granted.file_number in html(client.get(reverse("grant_list")))
    client.force_login(workflow.other_carrier)
    assert granted.file_number not in html(client.get(reverse("grant_list")))
    client.force_login(workflow.unrelated_officer)
    assert granted.file_number not in html(client.get(reverse("grant_list")))
    client.force_login(workflow.ancestor_officer)
    assert granted.file_number in html(client.get(reverse("grant_list")))


def test_grant_list_filters_by_state_and_search(client, workflow, granted):
    client.force_login(workflow.officer)
    url = reverse("grant_list")
    assert granted.file_number in html(client.get(url, {"state": "notified"}))
    assert granted.file_number not in html(client.get(url, {"state": "final"}))
    assert granted.file_number in html(client.get(url, {"q": "Demokratiewerkstatt"}))
    assert granted.file_number not in html(client.get(url, {"q": "gibt es nicht"}))


def test_grant_page_is_hidden_from_other_organisations_and_unrelated_offices(client, workflow, granted):
    url = reverse("grant_detail", args=[granted.pk])
    for user in (workflow.other_carrier, workflow.unrelated_officer, workflow.sibling_officer):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_grant_page_shows_the_notice_in_german(client, workflow, granted):
    client.force_login(workflow.carrier)
    page = html(client.get(reverse("grant_detail", args=[granted.pk])))
    assert granted.file_number in page
    assert "Netzwerk für Demokratie e.V." in page
    assert "9.000,00 €" in page  # maximum amount and the 2026 instalment
    assert "01.01.2026 – 31.12.2026" in page
    assert "Bescheid erlassen" in page  # the grant's state
    assert "Zuwendungen" in page and "Finanzierungsplan" in page and "Verlauf" in page
    assert "10.000,00 €" in page  # planned expenditure, version 1


def test_posting_and_waiver_make_the_notice_final_through_the_page(client, workflow, granted, clock):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    detail = reverse("grant_detail", args=[granted.pk])
    client.force_login(workflow.carrier)
    # The recipient may not record the posting; the office may not waive for the recipient.
    assert (
        client.post(reverse("grant_notice_post", args=[granted.pk]), {"posted_on": "2026-03-03"}).status_code
        == 403
    )
    client.force_login(workflow.officer)
    response = client.post(
        reverse("grant_notice_post", args=[granted.pk]), {"posted_on": "2026-03-03"}, follow=True
    )
    assert "03/07/2026" in html(response)  # deemed received: posting + 4 days (English dates)
    granted.refresh_from_db()
    assert (granted.posted_on, granted.deemed_received_on, granted.objection_deadline) == (
        date(2026, 3, 3),
        date(2026, 3, 7),
        date(2026, 4, 7),
    )
    assert (
        client.post(
            reverse("grant_objection_waive", args=[granted.pk]), {"waived_on": "2026-03-09", "confirm": "on"}
        ).status_code
        == 403
    )

    client.force_login(workflow.carrier)
    page = html(client.get(detail))
    assert f'action="{reverse("grant_objection_waive", args=[granted.pk])}"' in page
    assert f'action="{reverse("grant_notice_post", args=[granted.pk])}"' not in page
    response = client.post(
        reverse("grant_objection_waive", args=[granted.pk]),
        {"waived_on": "2026-03-09", "confirm": "on"},
        follow=True,
    )
    page = html(response)
    assert "The notice is final from 03/09/2026." in page
    granted.refresh_from_db()
    assert (granted.state, granted.final_on) == ("final", date(2026, 3, 9))
    # The timeline shows who made it final, from which state to which, and why.
    assert "Notice issued → <strong>Final</strong>" in page
    assert "Right to object waived" in page


def test_waiver_without_confirmation_changes_nothing(client, workflow, granted):
    grant_notice_post(grant=granted, posted_on=date(2026, 3, 3), by=workflow.officer)
    client.force_login(workflow.carrier)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("grant_objection_waive", args=[granted.pk]), {"waived_on": "2026-03-09"}, follow=True
    )
    assert "Please confirm the waiver." in html(response)
    assert Grant.objects.get(pk=granted.pk).state == "notified"


def test_domain_errors_of_the_posting_are_shown_as_messages(client, workflow, granted):
    client.force_login(workflow.officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("grant_notice_post", args=[granted.pk]), {"posted_on": "2026-01-05"}, follow=True
    )
    assert "cannot have been posted before its approval on 03/02/2026" in html(response)
    assert Grant.objects.get(pk=granted.pk).posted_on is None


def test_timeline_merges_application_grant_and_drawdown_history(client, workflow, granted):
    Grant.objects.filter(pk=granted.pk).update(posted_on=date(2026, 3, 2))
    drawdown = drawdown_request(
        grant=granted,
        by=workflow.carrier,
        amount=Decimal("1000.00"),
        needed_on=date(2026, 3, 20),
        purpose="Honorare",
        today=date(2026, 3, 2),
    )
    drawdown_certify(drawdown=drawdown, by=workflow.officer, comment="Geprüft, Belege plausibel.")
    client.force_login(workflow.auditor)
    page = html(client.get(reverse("grant_detail", args=[granted.pk])))
    assert "Geprüft, Belege plausibel." in page
    assert "timeline__item--drawdown" in page and "timeline__item--application" in page


def _many_grants(workflow, n):
    for _ in range(n):
        workflow.bring_to("approved")


@pytest.mark.parametrize("n", [1, 12])
def test_grant_list_costs_the_same_queries_for_1_and_12_grants(
    client, workflow, clock, django_assert_num_queries, n
):
    clock.set(2026, 3, 2)
    _many_grants(workflow, n)
    client.force_login(workflow.officer)
    url = reverse("grant_list")
    client.get(url)
    # session, user, office roles, count, rows, programme and office options, nav (2),
    # the four deadline lists and the first checks of proofs
    with django_assert_num_queries(16):  # + the capped row count (core.lists)
        response = client.get(url)
    assert html(response).count('class="badge badge--notified"') == n


@pytest.mark.parametrize("n", [1, 8])
def test_grant_page_costs_the_same_queries_for_1_and_8_drawdowns(
    client, workflow, granted, django_assert_num_queries, n
):
    for i in range(n):
        d = drawdown_request(
            grant=granted,
            by=workflow.carrier,
            amount=Decimal("100.00"),
            needed_on=date(2026, 3, 20),
            purpose=f"Abruf {i}",
            today=date(2026, 3, 2),
        )
        drawdown_certify(drawdown=d, by=workflow.officer, comment=f"ok {i}")
    client.force_login(workflow.officer)
    url = reverse("grant_detail", args=[granted.pk])
    client.get(url)
    with django_assert_num_queries(18):  # + the office for the internal-papers rule, + the messages
        response = client.get(url)
    assert html(response).count("timeline__item timeline__item--drawdown") == n


def test_an_objection_recorded_on_the_page_holds_finality_until_it_is_concluded(client, workflow, granted):
    from grants.awards.services.grant import grants_make_final

    grant_notice_post(grant=granted, posted_on=date(2026, 3, 3), by=workflow.officer)
    record = reverse("grant_objection_record", args=[granted.pk])
    conclude = reverse("grant_objection_conclude", args=[granted.pk])
    # Nobody outside the office sees the grant; the recipient may not record objections itself.
    for user in (workflow.other_carrier, workflow.unrelated_officer):
        client.force_login(user)
        assert client.post(record, {"lodged_on": "2026-03-20"}).status_code == 404
    client.force_login(workflow.carrier)
    assert client.post(record, {"lodged_on": "2026-03-20"}).status_code == 403

    client.force_login(workflow.officer)
    page = html(client.post(record, {"lodged_on": "2026-03-20"}, follow=True))
    assert "Ein Widerspruch ist anhängig" in page
    assert grants_make_final(today=date(2026, 5, 1)) == []

    client.force_login(workflow.approver)
    page = html(
        client.post(
            conclude,
            {"final_on": "2026-05-05", "comment": "Widerspruch am 04.05.2026 zurückgenommen"},
            follow=True,
        )
    )
    assert "Der Bescheid ist ab dem 05.05.2026 bestandskräftig." in page
    granted.refresh_from_db()
    assert (granted.state, granted.final_on, granted.objection_lodged_on) == (
        "final",
        date(2026, 5, 5),
        date(2026, 3, 20),
    )


@pytest.mark.parametrize(
    ("role", "forms"),
    [
        ("carrier", {"waive"}),
        ("officer", {"objection"}),
        ("ancestor_officer", {"objection"}),
        ("approver", {"objection", "revoke"}),
        ("finance", set()),
        ("auditor", set()),
        ("sibling_officer", set()),
        ("superuser", set()),
    ],
)
def test_the_grant_page_offers_each_role_exactly_its_steps_on_a_posted_notice(
    client, workflow, granted, role, forms
):
    # Until issue 8 finance and auditors were offered "record an objection" (staff of the office).
    grant_notice_post(grant=granted, posted_on=date(2026, 3, 3), by=workflow.officer)
    client.force_login(workflow.person(role))
    response = client.get(reverse("grant_detail", args=[granted.pk]))
    if role == "sibling_officer":  # another local office below the same state office
        assert response.status_code == 404
        return
    page = html(response)
    shown = {
        "post": reverse("grant_notice_post", args=[granted.pk]) in page,
        "objection": reverse("grant_objection_record", args=[granted.pk]) in page,
        "conclude": reverse("grant_objection_conclude", args=[granted.pk]) in page,
        "waive": reverse("grant_objection_waive", args=[granted.pk]) in page,
        "revoke": reverse("grant_revoke", args=[granted.pk]) in page,
    }
    assert {name for name, present in shown.items() if present} == forms


def test_the_application_pages_link_to_its_grant_opens_the_grant_for_every_role_that_sees_it(
    demo_world, client
):
    """„Zur Zuwendung“ on an approved application redirects to the grant page (it crashed once)."""
    from accounts.models import User
    from grants.awards.models import Grant

    traeger = User.objects.get(username="traeger")
    grant = Grant.objects.filter(organisation__members=traeger).order_by("pk").first()
    opened = []
    for username in ("traeger", "sachbearbeitung", "bewilligung", "finanzen", "pruefung", "traeger2"):
        client.force_login(User.objects.get(username=username))
        response = client.get(f"/zuwendungen/zum-antrag/{grant.application_id}/")
        if response.status_code == 404:
            continue  # outside this user's offices or organisations
        assert response.status_code == 302, username
        assert response["Location"] == f"/zuwendungen/{grant.pk}/"
        assert client.get(response["Location"]).status_code == 200
        opened.append(username)
    assert {"traeger", "sachbearbeitung", "bewilligung"} <= set(opened)
    assert "traeger2" not in opened
