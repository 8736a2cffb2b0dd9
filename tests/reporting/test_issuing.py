"""Notices are issued by the workflow, stored once, listed and downloadable only by those who may see them."""

import hashlib
import os

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from grants.applications.models import Application
from grants.awards.models import Grant
from reporting import services
from reporting.models import Document
from reporting.selectors import documents_for
from reporting.tasks import generate_grant_notice, generate_missing_notices, generate_rejection_notice
from tests.budgets.factories import UserFactory, membership
from tests.grants.factories import OrganisationFactory, carrier_user
from tests.reporting.helpers import REASONS, approved, pdf_text, rejected

pytestmark = pytest.mark.django_db


def _read(document: Document) -> bytes:
    with document.file.open("rb") as f:
        return f.read()


def test_approval_issues_exactly_one_grant_notice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = approved(world)
    grant = Grant.objects.get(application=application)
    document = Document.objects.get()
    assert (document.kind, document.subject, document.application) == ("grant_notice", grant, application)
    assert document.file_name == f"Zuwendungsbescheid_{grant.file_number}.pdf"
    assert document.file.name.startswith(f"documents/{application.pk}/")
    content = _read(document)
    assert content.startswith(b"%PDF")
    assert (document.size, document.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert "12.345,67 €" in pdf_text(content)


def test_a_retried_notice_job_keeps_the_one_document(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        grant = approved(world).grant
    first = Document.objects.get()
    assert generate_grant_notice.delay(grant.pk).get() == first.pk
    assert generate_grant_notice.delay(grant.pk).get() == first.pk
    assert Document.objects.count() == 1
    assert _read(Document.objects.get()) == _read(first)


def test_a_worker_that_loses_the_race_removes_its_file(world, monkeypatch):
    grant = approved(world).grant
    real_render = services.render_grant_notice
    winner = {}

    def render_while_another_worker_commits(*, grant):
        # The other worker stores the notice between our existence check and our insert.
        monkeypatch.setattr(services, "render_grant_notice", real_render)
        winner["document"] = services.grant_notice_issue(grant=grant)
        return real_render(grant=grant)

    monkeypatch.setattr(services, "render_grant_notice", render_while_another_worker_commits)
    document = services.grant_notice_issue(grant=grant)
    assert document == winner["document"]
    assert Document.objects.count() == 1
    folder = document.file.storage.path(f"documents/{grant.application_id}")
    assert os.listdir(folder) == [os.path.basename(document.file.name)]


def test_rejection_issues_a_rejection_notice_with_the_reasons(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = rejected(world)
    document = Document.objects.get()
    assert (document.kind, document.subject) == ("rejection_notice", application)
    assert document.file_name == f"Ablehnungsbescheid_{application.reference}.pdf"
    text = pdf_text(_read(document))
    assert REASONS.split("\n\n")[0] in text
    assert generate_rejection_notice.delay(application.pk).get() == document.pk
    assert Document.objects.count() == 1


def test_no_notice_is_issued_before_the_decision_is_committed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        approved(world)
    assert callbacks  # scheduled, not run: a rolled-back approval leaves no document
    assert not Document.objects.exists()


def test_the_daily_catch_up_issues_notices_that_a_lost_job_never_issued(world):
    grant = approved(world).grant  # callbacks not run: as if the broker had been down
    application = rejected(world)
    assert generate_missing_notices.delay().get() == 2
    assert set(Document.objects.values_list("kind", "object_id")) == {
        ("grant_notice", grant.pk),
        ("rejection_notice", application.pk),
    }
    assert generate_missing_notices.delay().get() == 0


def test_documents_for_lists_the_application_and_grant_documents(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = approved(world)
        other = rejected(world)
    assert [d.kind for d in documents_for(application, user=world["approver"])] == ["grant_notice"]
    assert [d.kind for d in documents_for(other, user=world["approver"])] == ["rejection_notice"]
    assert Document.objects.get(kind="grant_notice").content_type == ContentType.objects.get_for_model(Grant)
    assert Document.objects.get(kind="rejection_notice").content_type == ContentType.objects.get_for_model(
        Application
    )


def test_document_list_partial_links_each_document(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = approved(world)
    document = Document.objects.get()
    html = render_to_string(
        "reporting/_document_list.html", {"documents": documents_for(application, user=world["approver"])}
    )
    assert f'href="{reverse("document_download", args=[document.pk])}"' in html
    assert document.file_name in html
    empty = render_to_string("reporting/_document_list.html", {"documents": []})
    assert "href" not in empty


@pytest.fixture
def notice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        approved(world)
    return Document.objects.get()


def _download(client, user, document):
    client.force_login(user)
    return client.get(reverse("document_download", args=[document.pk]))


def test_the_carrier_and_the_office_staff_can_download_the_notice(client, world, notice):
    for user in (world["carrier"], world["officer"], world["approver"]):
        response = _download(client, user, notice)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert notice.file_name in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == _read(notice)


def test_staff_of_an_office_above_can_download_the_notice(client, world, notice):
    auditor = UserFactory()
    membership(auditor, world["root"], "auditor")
    assert _download(client, auditor, notice).status_code == 200


def test_another_carrier_and_unrelated_office_staff_get_404(client, world, notice):
    stranger = carrier_user(OrganisationFactory(name="Kulturverein Zittau e.V."))
    unrelated = UserFactory()
    membership(unrelated, world["other"], "case_officer")
    nobody = UserFactory()
    for user in (stranger, unrelated, nobody):
        assert _download(client, user, notice).status_code == 404


def test_anonymous_users_are_sent_to_the_login(client, notice):
    response = client.get(reverse("document_download", args=[notice.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_document_list_tag_shows_an_applications_documents(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = approved(world)
    document = Document.objects.get()
    request = RequestFactory().get("/")
    request.user = world["carrier"]
    html = Template("{% load documents %}{% document_list application %}").render(
        Context({"application": application, "request": request})
    )
    assert reverse("document_download", args=[document.pk]) in html
