"""The page "API-Zugänge": a person creates a token (shown once), sees its list, revokes it."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_token_is_created_shown_once_and_stored_only_as_its_hash(client, workflow, clock):
    clock.set(2026, 3, 2)
    client.force_login(workflow.carrier)
    page = client.get(reverse("api_tokens"))
    assert page.status_code == 200
    assert "API-Zugänge" in page.content.decode()
    response = client.post(
        reverse("api_tokens"), {"name": "Buchhaltung", "scope": "read", "expires_on": "2026-06-30"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    token = ApiToken.objects.get(user=workflow.carrier)
    secret = html.split('id="new-token" type="text" size="70" readonly value="')[1].split('"')[0]
    assert secret.startswith(f"fv_{token.prefix}_")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values_list().get())
    assert "Das API-Token „Buchhaltung“ wurde angelegt." in html
    assert "nur dieses eine Mal angezeigt" in html
    assert token.scope == "read"
    assert token.expires_at.isoformat() == "2026-06-30T22:00:00+00:00"  # through 30 June, Berlin time
    # Shown once: the list names the token by its prefix, never again in full.
    again = client.get(reverse("api_tokens")).content.decode()
    assert secret not in again
    assert f"fv_{token.prefix}_…" in again
    assert "30.06.2026" in again  # the last valid day, not the moment it ends
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()["token"][
        "name"
    ] == ("Buchhaltung")


def test_bad_input_writes_nothing_and_says_why_in_german(client, workflow, clock):
    clock.set(2026, 3, 2)
    client.force_login(workflow.carrier)
    response = client.post(
        reverse("api_tokens"), {"name": "Zu lang", "scope": "read_write", "expires_on": "2027-12-31"}
    )
    assert "Ein Token gilt höchstens ein Jahr, also längstens bis 02.03.2027." in response.content.decode()
    response = client.post(
        reverse("api_tokens"), {"name": "Alt", "scope": "read_write", "expires_on": "2026-03-01"}
    )
    assert "Das Ablaufdatum muss in der Zukunft liegen." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_only_the_owner_revokes_a_token(client, workflow, clock):
    from api.tokens import token_create

    clock.set(2026, 3, 2)
    from datetime import date

    token, secret = token_create(user=workflow.carrier, name="ERP", scope="read", expires_on=date(2026, 5, 1))
    client.force_login(workflow.other_carrier)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    client.force_login(workflow.carrier)
    response = client.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert "Das API-Token „ERP“ wurde widerrufen; es funktioniert nicht mehr." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at == clock.now
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_the_page_needs_a_login(client, db):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302
