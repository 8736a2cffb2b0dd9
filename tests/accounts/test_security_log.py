"""The security log: what it records, and who may read it (auditors and administrators)."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import SecurityEvent, SecurityEventKind
from accounts.security import client_ip, security_log
from grants.carriers.models import Organisation
from reporting.exports.services import export_job_create
from reporting.models import Document
from tests.budgets.factories import UserFactory, membership
from tests.reporting.helpers import approved, make_world

pytestmark = pytest.mark.django_db

PASSWORD = "Sonnenblume-Kastanie-42"


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))


def test_a_login_and_a_failed_login_are_logged_with_address_and_browser(client, people):
    client.post(
        reverse("login"),
        {"username": "niemand", "password": "raten"},
        REMOTE_ADDR="192.0.2.44",
        HTTP_USER_AGENT="Firefox/140",
    )
    client.post(reverse("login"), {"username": "traeger", "password": PASSWORD}, REMOTE_ADDR="192.0.2.45")
    failed, login = SecurityEvent.objects.order_by("pk")
    assert (failed.kind, failed.user, failed.username) == (SecurityEventKind.LOGIN_FAILED, None, "niemand")
    assert (failed.ip_address, failed.user_agent, failed.path) == ("192.0.2.44", "Firefox/140", "/anmelden/")
    assert (login.kind, login.user, login.username) == (SecurityEventKind.LOGIN, people["carrier"], "traeger")
    assert login.ip_address == "192.0.2.45"
    assert login.request_id


def test_a_refusal_is_logged_with_its_reason(client, people):
    client.force_login(people["carrier"])
    response = client.get(reverse("worklist"))
    assert response.status_code == 403
    [refusal] = SecurityEvent.objects.filter(kind=SecurityEventKind.PERMISSION_DENIED)
    assert (refusal.user, refusal.method, refusal.path) == (people["carrier"], "GET", "/arbeitsliste/")
    assert (
        refusal.detail == "Die Arbeitsliste steht nur Beschäftigten einer Koordinierungsstelle zur Verfügung."
    )


def test_bank_detail_changes_are_logged_with_the_organisation(people):
    organisation = Organisation.objects.get()
    request = RequestFactory().post("/organisationen/1/bankverbindung/", REMOTE_ADDR="192.0.2.9")
    event = security_log(
        kind=SecurityEventKind.BANK_DETAILS_CHANGED,
        user=people["finance"],
        request=request,
        obj=organisation,
        detail="DE02 1203 0000 0000 2020 51 bestätigt",
    )
    event.refresh_from_db()
    assert (event.object_type, event.object_id) == ("grants.Organisation", str(organisation.pk))
    assert (event.object_repr, event.username, event.ip_address) == (
        "Bürgerbündnis Görlitz e.V.",
        "finance",
        "192.0.2.9",
    )


def test_downloads_of_documents_and_exports_are_logged(client, django_capture_on_commit_callbacks):
    world = make_world()
    with django_capture_on_commit_callbacks(execute=True):
        approved(world)
    notice = Document.objects.get()
    client.force_login(world["carrier"])
    assert client.get(reverse("document_download", args=[notice.pk])).status_code == 200
    [download] = SecurityEvent.objects.filter(kind=SecurityEventKind.CONFIDENTIAL_DOWNLOAD)
    assert (download.user, download.object_type, download.object_id) == (
        world["carrier"],
        "reporting.Document",
        str(notice.pk),
    )

    finance = UserFactory()
    membership(finance, world["sn"], "finance")
    with django_capture_on_commit_callbacks(execute=True):
        job = export_job_create(user=finance, kind="grants", fmt="csv", filters={})
    job.refresh_from_db()
    client.force_login(finance)
    assert client.get(reverse("export_job_download", args=[job.pk])).status_code == 200
    [export] = SecurityEvent.objects.filter(kind=SecurityEventKind.PERSONAL_DATA_EXPORT)
    assert (export.user, export.object_id, export.detail) == (finance, str(job.pk), job.file_name)


def test_the_client_address_behind_a_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.80")
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "192.0.2.80"  # what the proxy saw, not what the client claimed
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


# --- reading it --------------------------------------------------------------------------------


@pytest.fixture
def log(people):
    for _n in range(30):
        security_log(kind=SecurityEventKind.LOGIN, user=people["carrier"])
    security_log(kind=SecurityEventKind.LOGIN_FAILED, user=None, username="mallory")
    security_log(kind=SecurityEventKind.LOCKOUT, user=None, username="mallory")
    return people


def rows(response) -> list[str]:
    body = response.content.decode().split('id="security-log"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>\s*<td", body)


def test_an_auditor_reads_the_log_page_by_page_filtered_by_event_and_user(client, log):
    client.force_login(log["auditor"])
    account = client.get(reverse("account")).content.decode()
    assert f'href="{reverse("security_log")}"' in account
    first = client.get(reverse("security_log"))
    assert first.status_code == 200
    text = first.content.decode()
    assert "Sicherheitsprotokoll" in text
    assert len(rows(first)) == 25
    assert "Seite 1" in text and 'rel="next"' in text  # pages on by cursor (core.lists)
    second_url = re.search(r'href="([^"]+)" rel="next"', text).group(1).replace("&amp;", "&")
    second = client.get(reverse("security_log") + second_url if second_url.startswith("?") else second_url)
    assert "Seite 2" in second.content.decode() and 0 < len(rows(second)) <= 25
    assert "Gesperrt nach fehlgeschlagenen Anmeldungen" in text  # newest first

    by_kind = client.get(reverse("security_log"), {"kind": SecurityEventKind.LOGIN_FAILED})
    assert len(rows(by_kind)) == 1
    by_user = client.get(reverse("security_log"), {"user": "mallory"})
    assert len(rows(by_user)) == 2
    by_name = client.get(reverse("security_log"), {"user": log["carrier"].last_name})
    assert len(rows(by_name)) == 25
    both = client.get(reverse("security_log"), {"user": "mallory", "kind": SecurityEventKind.LOGIN})
    assert "Keine Ereignisse passen zu diesen Filtern." in both.content.decode()


def test_administrators_read_it_in_the_admin_and_nobody_changes_it(client, log):
    client.force_login(log["admin"])
    assert client.get(reverse("security_log")).status_code == 200
    listing = client.get("/admin/accounts/securityevent/")
    assert listing.status_code == 200
    assert "mallory" in listing.content.decode()
    assert client.get("/admin/accounts/securityevent/add/").status_code == 403
    event = SecurityEvent.objects.filter(username="mallory").first()
    client.post(f"/admin/accounts/securityevent/{event.pk}/delete/", {"post": "yes"})
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("who", ["case_officer", "approver", "finance", "carrier"])
def test_everyone_else_is_refused_and_the_refusal_is_logged(client, log, who):
    client.force_login(log[who])
    response = client.get(reverse("security_log"))
    assert response.status_code == 403
    assert "Nur Prüferinnen und Prüfer sowie Administratoren können das Sicherheitsprotokoll sehen." in (
        response.content.decode()
    )
    assert reverse("security_log") not in client.get(reverse("account")).content.decode()
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.PERMISSION_DENIED, user=log[who], path=reverse("security_log")
    ).exists()


def test_the_account_page_lists_the_users_own_events(client, people):
    security_log(kind=SecurityEventKind.LOGIN_FAILED, user=people["carrier"])
    security_log(kind=SecurityEventKind.LOGIN_FAILED, user=people["approver"])
    client.force_login(people["carrier"])
    page = client.get(reverse("account")).content.decode()
    table = page.split('id="my-security-events"', 1)[1].split("</table>", 1)[0]
    assert table.count("Fehlgeschlagene Anmeldung") == 1
    assert table.count("<tr>") == 3  # header, the failed login, this login
