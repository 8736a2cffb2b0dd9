"""The webhook pages as carriers and office staff use them: register an endpoint (the secret
shown once), the delivery log with its attempts, replay, deactivate, and every refusal."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from webhooks.models import Delivery, DeliveryAttempt, WebhookEndpoint
from webhooks.outbox import emit
from webhooks.tasks import deliver_event

pytestmark = pytest.mark.django_db


def org_url(world, key="organisation") -> str:
    return reverse("webhook_organisation", args=[world[key].pk])


def office_url(world, key="sn") -> str:
    return reverse("webhook_office", args=[world[key].pk])


def form(url: str, *events: str, description: str = "Buchhaltung") -> dict:
    return {"url": url, "description": description, "event_types": list(events) or ["payment.executed"]}


def announce(world):
    with transaction.atomic():
        return emit(
            "payment.executed",
            subject="drawdown:7",
            payload={"amount": "4321.09"},
            organisation_id=world["organisation"].pk,
            office_path=world["sn"].path,
        )


def text(response) -> str:
    return response.content.decode()


def test_the_start_page_lists_the_users_organisations_and_offices(client, world):
    client.force_login(world["carrier"])
    page = text(client.get(reverse("webhook_index")))
    assert "Jugendförderverein Görlitz e.V." in page
    assert org_url(world) in page

    client.force_login(world["officer"])
    page = text(client.get(reverse("webhook_index")))
    assert office_url(world) in page and "Demokratie-Zentrum Sachsen" in page
    assert "Jugendförderverein" not in page


def test_the_navigation_links_the_webhooks(client, world):
    client.force_login(world["carrier"])
    assert f'href="{reverse("webhook_index")}"' in text(client.get(reverse("webhook_index")))


def test_a_carrier_registers_an_endpoint_and_sees_its_secret_once(client, world, receiver):
    client.force_login(world["carrier"])
    page = client.get(org_url(world))
    assert page.status_code == 200
    assert "Webhooks von Jugendförderverein Görlitz e.V." in text(page)
    assert "Noch kein Endpunkt." in text(page)

    created = client.post(org_url(world), form(receiver.url, "payment.executed", "notice.issued"))

    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.organisation_id, endpoint.office, endpoint.url, endpoint.created_by) == (
        world["organisation"].pk,
        None,
        receiver.url,
        world["carrier"],
    )
    assert endpoint.event_types == ["notice.issued", "payment.executed"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.secret in text(created)
    assert "nur dieses eine Mal" in text(created)

    listing = text(client.get(org_url(world)))
    assert receiver.url in listing and "Zahlung ausgeführt" in listing
    assert endpoint.secret not in listing
    assert endpoint.secret not in text(client.get(reverse("webhook_endpoint", args=[endpoint.pk])))


def test_plain_http_is_refused_in_production_with_a_german_message(settings, client, world):
    settings.WEBHOOKS_ALLOW_HTTP = False
    client.force_login(world["carrier"])

    response = client.post(org_url(world), form("http://erp.example.org/hooks"))

    assert response.status_code == 400
    assert (
        "Die Adresse http://erp.example.org/hooks muss mit https:// beginnen: Ereignisse werden nur verschlüsselt gesendet."
        in text(response)
    )
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_without_events_is_refused(client, world):
    client.force_login(world["carrier"])
    response = client.post(org_url(world), {"url": "https://erp.example.org/hooks", "event_types": []})
    assert response.status_code == 400
    assert "Wählen Sie mindestens ein Ereignis, das der Endpunkt erhält." in text(response)
    assert not WebhookEndpoint.objects.exists()


def test_an_address_with_a_password_is_refused(client, world):
    client.force_login(world["carrier"])
    response = client.post(org_url(world), form("https://user:geheim@erp.example.org/hooks"))
    assert response.status_code == 400
    assert "darf keinen Benutzernamen und kein Passwort enthalten" in text(response)
    assert not WebhookEndpoint.objects.exists()


def test_a_foreign_carrier_and_office_staff_cannot_open_or_register_an_organisations_endpoints(client, world):
    refusal = "Nur Mitglieder der Organisation oder Mitarbeitende der Stelle oder einer übergeordneten Stelle dürfen ihre Webhooks sehen."
    for person in ("foreign_carrier", "officer", "finance"):
        client.force_login(world[person])
        page = client.get(org_url(world))
        assert page.status_code == 403
        assert refusal in text(page)
        assert "Jugendförderverein" not in text(page)
        assert client.post(org_url(world), form("https://erp.example.org/hooks")).status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_office_staff_register_endpoints_of_their_office_and_of_offices_below(client, world, receiver):
    client.force_login(world["officer"])
    assert client.post(office_url(world), form(receiver.url)).status_code == 200
    assert client.post(office_url(world, "leipzig"), form(receiver.url + "/l")).status_code == 200
    assert [e.office for e in WebhookEndpoint.objects.order_by("pk")] == [world["sn"], world["leipzig"]]


def test_staff_of_another_office_and_carriers_cannot_manage_an_offices_endpoints(
    client, world, endpoint, receiver
):
    hook = endpoint(world["officer"], receiver.url, office=world["sn"])
    for person in ("other_officer", "leipzig_officer", "carrier"):
        client.force_login(world[person])
        assert client.get(office_url(world)).status_code == 403
        assert client.post(office_url(world), form("https://erp.example.org/x")).status_code == 403
        assert client.get(reverse("webhook_endpoint", args=[hook.pk])).status_code == 403
        assert client.post(reverse("webhook_endpoint_deactivate", args=[hook.pk])).status_code == 403
    assert WebhookEndpoint.objects.filter(is_active=True).count() == 1


def test_an_auditor_sees_the_offices_endpoints_but_changes_nothing(client, world, endpoint, receiver):
    hook = endpoint(world["officer"], receiver.url, office=world["sn"])
    client.force_login(world["auditor"])

    page = client.get(office_url(world))
    assert page.status_code == 200 and receiver.url in text(page)
    assert "Endpunkt registrieren" not in text(page)
    assert client.get(reverse("webhook_endpoint", args=[hook.pk])).status_code == 200

    refused = client.post(office_url(world), form("https://erp.example.org/x"))
    assert refused.status_code == 403
    assert "dürfen ihre Webhooks verwalten" in text(refused)
    assert client.post(reverse("webhook_endpoint_deactivate", args=[hook.pk])).status_code == 403
    hook.refresh_from_db()
    assert hook.is_active


def test_the_delivery_log_shows_each_attempt_and_replay_sends_again(
    client, world, endpoint, receiver, django_capture_on_commit_callbacks
):
    hook = endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    event = announce(world)
    receiver.statuses = [500]
    deliver_event(str(event.pk))
    delivery = Delivery.objects.get()
    client.force_login(world["carrier"])

    page = text(client.get(reverse("webhook_endpoint", args=[hook.pk])))
    assert "Zustellprotokoll" in page
    assert str(event.pk) in page
    assert "HTTP 500" in page
    assert "ausstehend" in page and "nächster Versuch" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhook_delivery_replay", args=[delivery.pk]), follow=True)

    assert f"Das Ereignis {event.pk} wird erneut an {receiver.url} gesendet, mit derselben ID." in text(
        response
    )
    assert receiver.ids() == [str(event.pk), str(event.pk)]
    delivery.refresh_from_db()
    assert delivery.is_delivered
    page = text(client.get(reverse("webhook_endpoint", args=[hook.pk])))
    assert "HTTP 200" in page and "zugestellt" in page
    assert f"erneut gesendet von {world['carrier']}" in page


def test_a_foreign_carrier_cannot_replay(client, world, endpoint, receiver):
    endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    delivery = announce(world).deliveries.get()
    client.force_login(world["foreign_carrier"])
    assert client.post(reverse("webhook_delivery_replay", args=[delivery.pk])).status_code == 403
    assert not DeliveryAttempt.objects.exists()
    assert receiver.requests == []


def test_deactivating_an_endpoint(client, world, endpoint, receiver):
    hook = endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    client.force_login(world["carrier"])

    response = client.post(reverse("webhook_endpoint_deactivate", args=[hook.pk]), follow=True)

    assert f"Der Endpunkt {receiver.url} ist deaktiviert; es wird nichts mehr an ihn gesendet." in text(
        response
    )
    hook.refresh_from_db()
    assert not hook.is_active and hook.deactivated_by == world["carrier"]
    assert "deaktiviert am" in text(response)
    again = client.post(reverse("webhook_endpoint_deactivate", args=[hook.pk]), follow=True)
    assert "ist bereits deaktiviert" in text(again)


def test_anonymous_visitors_are_sent_to_the_login(client, world):
    response = client.get(reverse("webhook_index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_endpoint_page_costs_the_same_queries_for_one_delivery_or_many(client, world, endpoint, receiver):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hook = endpoint(world["carrier"], receiver.url, organisation=world["organisation"])
    client.force_login(world["carrier"])
    url = reverse("webhook_endpoint", args=[hook.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    receiver.statuses = [500]
    deliver_event(str(announce(world).pk))
    one = queries()
    for _ in range(5):
        deliver_event(str(announce(world).pk))
    assert queries() == one
