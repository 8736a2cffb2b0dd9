"""Who may reach which application page: invisible → 404, visible but not allowed → 403."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_fsm_log.models import StateLog

from grants.applications.models import Application, Attachment
from grants.applications.services.application import application_submit
from grants.applications.services.attachment import attachment_add
from grants.awards.services.award import WORKFLOW_SERVICES as TRANSITION_SERVICES
from tests.budgets.factories import UserFactory, membership, office
from tests.grants.factories import ApplicationFactory, OrganisationFactory, add_plan, carrier_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    root = office(kind="federal")
    sn = office(parent=root, kind="state", state="SN")
    sibling = office(parent=root, kind="state", state="BY")
    app = ApplicationFactory(office=sn)
    add_plan(app)
    carrier = carrier_user(app.organisation)
    attachment = attachment_add(
        application=app,
        by=carrier,
        kind="concept",
        upload=SimpleUploadedFile("konzept.pdf", b"%PDF-1.4 Konzept", content_type="application/pdf"),
    )
    officer = UserFactory()
    membership(officer, sn, "case_officer")
    other_carrier = carrier_user(OrganisationFactory())
    sibling_staff = UserFactory()
    for role in ("case_officer", "approver", "finance", "auditor"):
        membership(sibling_staff, sibling, role)
    return {
        "app": app,
        "attachment": attachment,
        "carrier": carrier,
        "officer": officer,
        "other_carrier": other_carrier,
        "sibling_staff": sibling_staff,
    }


def _pdf(name="neu.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 neu", content_type="application/pdf")


def _edit_post():
    return {
        "programme": "",
        "title": "Übernommen",
        "expenditure-TOTAL_FORMS": "0",
        "expenditure-INITIAL_FORMS": "0",
        "cover-TOTAL_FORMS": "0",
        "cover-INITIAL_FORMS": "0",
    }


def _every_request(app, attachment):
    """(method, url, data) for every URL that shows or changes an application."""
    pk, apk = app.pk, attachment.pk
    step_data = {"comment": "Kommentar", "reasons": "Gründe", "year_2026": "9000"}
    yield "get", reverse("application_detail", args=[pk]), None
    yield "get", reverse("application_edit", args=[pk]), None
    yield "post", reverse("application_edit", args=[pk]), _edit_post()
    yield "post", reverse("plan_preview", args=[pk]), _edit_post()
    for name in TRANSITION_SERVICES:
        yield "post", reverse("application_transition", args=[pk, name]), step_data
    yield "post", reverse("attachment_upload", args=[pk]), {"kind": "other", "file": _pdf()}
    yield "get", reverse("attachment_download", args=[pk, apk]), None
    yield "post", reverse("attachment_delete", args=[pk, apk]), {}


@pytest.mark.parametrize("who", ["other_carrier", "sibling_staff", "officer"])
def test_every_application_url_is_404_for_users_who_cannot_see_the_application(client, world, who):
    """The officer of the office does not see the carrier's draft before it is handed in."""
    client.force_login(world[who])
    app = world["app"]
    statuses = {
        (method, url): getattr(client, method)(url, data).status_code
        for method, url, data in _every_request(app, world["attachment"])
    }
    assert statuses and set(statuses.values()) == {404}, statuses
    app.refresh_from_db()
    assert app.state == "draft"
    assert StateLog.objects.for_(app).count() == 0
    assert mail.outbox == []
    assert app.title == "Demokratiewerkstatt im Stadtteil"
    assert app.expenditure_lines.count() == 1
    assert list(app.attachments.values_list("original_name", flat=True)) == ["konzept.pdf"]


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    for method, url, data in _every_request(world["app"], world["attachment"]):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_office_staff_may_see_but_not_change_a_carriers_application(client, world):
    app, attachment = world["app"], world["attachment"]
    application_submit(application=app, by=world["carrier"])
    client.force_login(world["officer"])
    client.cookies["django_language"] = "en"
    assert client.get(reverse("application_detail", args=[app.pk])).status_code == 200
    download = client.get(reverse("attachment_download", args=[app.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 Konzept"
    from accounts.models import SecurityEvent

    logged = SecurityEvent.objects.filter(kind="document_download", user_id=world["officer"].pk)
    assert logged.count() == 1 and attachment.original_name in str(logged.get().__dict__)
    assert client.get(reverse("application_edit", args=[app.pk])).status_code == 403
    assert client.post(reverse("application_edit", args=[app.pk]), _edit_post()).status_code == 403
    assert client.post(reverse("plan_preview", args=[app.pk]), _edit_post()).status_code == 403
    upload = client.post(reverse("attachment_upload", args=[app.pk]), {"kind": "other", "file": _pdf()})
    assert upload.status_code == 403
    assert client.post(reverse("attachment_delete", args=[app.pk, attachment.pk])).status_code == 403
    # A carrier's step is refused with the rule's own reason.
    withdraw = client.post(reverse("application_transition", args=[app.pk, "withdraw"]), {"comment": ""})
    assert withdraw.status_code == 403
    assert (
        "Only members of the applying organisation may change this application." in withdraw.content.decode()
    )
    assert Application.objects.get(pk=app.pk).state == "submitted"
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_the_draft_opens_for_the_office_once_the_carrier_has_handed_it_in(client, world):
    app, attachment = world["app"], world["attachment"]
    client.force_login(world["officer"])
    detail = reverse("application_detail", args=[app.pk])
    download = reverse("attachment_download", args=[app.pk, attachment.pk])
    assert (client.get(detail).status_code, client.get(download).status_code) == (404, 404)
    application_submit(application=app, by=world["carrier"])
    assert (client.get(detail).status_code, client.get(download).status_code) == (200, 200)


def test_the_carrier_may_use_every_page_of_its_own_draft(client, world):
    app, attachment = world["app"], world["attachment"]
    client.force_login(world["carrier"])
    assert client.get(reverse("application_detail", args=[app.pk])).status_code == 200
    assert client.get(reverse("application_edit", args=[app.pk])).status_code == 200
    assert client.post(reverse("plan_preview", args=[app.pk]), _edit_post()).status_code == 200
    download = client.get(reverse("attachment_download", args=[app.pk, attachment.pk]))
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == 'attachment; filename="konzept.pdf"'
    upload = client.post(reverse("attachment_upload", args=[app.pk]), {"kind": "other", "file": _pdf()})
    assert upload.status_code == 302
    assert sorted(app.attachments.values_list("original_name", flat=True)) == ["konzept.pdf", "neu.pdf"]
    delete = client.post(reverse("attachment_delete", args=[app.pk, attachment.pk]), {"confirmed": "1"})
    assert delete.status_code == 302
    assert list(app.attachments.values_list("original_name", flat=True)) == ["neu.pdf"]
    submit = client.post(reverse("application_transition", args=[app.pk, "submit"]), {"comment": "Fertig"})
    assert submit.status_code == 302
    assert Application.objects.get(pk=app.pk).state == "submitted"


def test_a_submitted_application_is_no_longer_editable_by_its_carrier(client, world):
    app, attachment = world["app"], world["attachment"]
    application_submit(application=app, by=world["carrier"])
    client.force_login(world["carrier"])
    assert client.get(reverse("application_detail", args=[app.pk])).status_code == 200
    client.cookies["django_language"] = "en"
    response = client.get(reverse("application_edit", args=[app.pk]))
    assert response.status_code == 403
    assert "can only be changed as a draft or after a revision request" in response.content.decode()
    assert client.post(reverse("plan_preview", args=[app.pk]), _edit_post()).status_code == 403
    assert (
        client.post(
            reverse("attachment_upload", args=[app.pk]), {"kind": "other", "file": _pdf()}
        ).status_code
        == 403
    )
    assert client.post(reverse("attachment_delete", args=[app.pk, attachment.pk])).status_code == 403
    assert client.get(reverse("attachment_download", args=[app.pk, attachment.pk])).status_code == 200


def test_the_office_staff_may_take_their_step(client, world):
    app = world["app"]
    application_submit(application=app, by=world["carrier"])
    client.force_login(world["officer"])
    response = client.post(
        reverse("application_transition", args=[app.pk, "start_formal_check"]), {"comment": ""}
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).state == "formal_check"


def test_an_attachment_of_another_application_is_not_served_through_a_visible_one(client, world):
    other = ApplicationFactory(office=world["app"].office, organisation=OrganisationFactory())
    foreign = attachment_add(
        application=other, by=carrier_user(other.organisation), kind="other", upload=_pdf("fremd.pdf")
    )
    client.force_login(world["carrier"])
    url = reverse("attachment_download", args=[world["app"].pk, foreign.pk])
    assert client.get(url).status_code == 404
    assert client.post(reverse("attachment_delete", args=[world["app"].pk, foreign.pk])).status_code == 404


def test_transitions_are_post_only_and_unknown_steps_are_404(client, world):
    client.force_login(world["carrier"])
    app = world["app"]
    assert client.get(reverse("application_transition", args=[app.pk, "submit"])).status_code == 405
    assert client.post(reverse("application_transition", args=[app.pk, "delete"])).status_code == 404
    assert Decimal(app.cover_lines.get(kind="grant").amount) == Decimal("9000.00")


def test_an_administrator_sees_a_draft_but_is_offered_no_edit_or_step(client, world):
    app = world["app"]
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert reverse("application_edit", args=[app.pk]) not in html
    assert "/schritt/" not in html
    assert f'action="{reverse("attachment_upload", args=[app.pk])}"' not in html


def test_deleting_an_attachment_shows_what_is_deleted_and_asks_once(client, world):
    app, attachment = world["app"], world["attachment"]
    client.force_login(world["carrier"])
    url = reverse("attachment_delete", args=[app.pk, attachment.pk])
    preview = client.post(url)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "konzept.pdf" in page and app.reference in page and "nicht rückgängig" in page
    assert 'name="confirmed" value="1"' in page and f'action="{url}"' in page
    assert Attachment.objects.filter(pk=attachment.pk).exists()  # the first POST wrote nothing
    done = client.post(url, {"confirmed": "1"})
    assert done.status_code == 302 and not Attachment.objects.filter(pk=attachment.pk).exists()
