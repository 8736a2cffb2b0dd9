"""The new pages for everyone pass axe-core's WCAG 2.1 A/AA rules (BITV 2.0): login (with the
wrong-password message), password reset, glossary, accessibility statement (also with the
feedback form's errors) and a grant page with the field help's "?" links (issue 11 §4, §5)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.browser_support import ROOT, ClientBrowser, chromium, needs_chromium  # noqa: F401
from tests.grants.test_services_proof import approve_plan, make_world

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db,
    needs_chromium,
    pytest.mark.skipif(not AXE.exists(), reason="needs axe-core from npm: run `make install` (npm ci)"),
]


def violations(browser: ClientBrowser, url: str, response) -> list[str]:
    page = browser.open(url, response)
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )["violations"]
    return [f"{url}: {v['id']} {v['help']} — {[n['target'] for n in v['nodes'][:3]]}" for v in found]


def test_help_and_sign_in_pages_pass_axe(chromium, client):  # noqa: F811
    browser = ClientBrowser(chromium, client, init_script=AXE)
    problems: list[str] = []
    try:
        for url in (
            reverse("login"),
            reverse("password_reset"),
            reverse("password_reset_done"),
            reverse("glossary"),
            reverse("accessibility"),
        ):
            problems += violations(browser, url, client.get(url))
        wrong = client.post(reverse("login"), {"username": "niemand", "password": "falsch"})
        problems += violations(browser, "/anmelden/?falsch", wrong)
        invalid = client.post(reverse("accessibility"), {"message": "", "email": "kein-at"})
        problems += violations(browser, "/hilfe/barrierefreiheit/?fehler", invalid)
        bad_link = client.get("/passwort-neu/MQ/falsch-123/", follow=True)
        problems += violations(browser, "/passwort-neu/ungueltig/", bad_link)
    finally:
        browser.close()
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)


def test_case_pages_with_field_help_and_contact_pass_axe(chromium, client):  # noqa: F811
    grant, carrier = approve_plan(
        make_world(), expenditure=[("fees", "Workshops", 2026, "2000")], own="200", instalments={2026: "1800"}
    )
    grant.office.email, grant.office.phone = "foerderung@dz-sachsen.example", "0351 123456-0"
    grant.office.save(update_fields=["email", "phone"])
    client.force_login(carrier)
    browser = ClientBrowser(chromium, client, init_script=AXE)
    problems: list[str] = []
    try:
        for url in (
            reverse("grant_detail", args=[grant.pk]),
            reverse("proof_detail", args=[grant.pk, grant.proofs.get().pk]),
            reverse("application_create"),
        ):
            problems += violations(browser, url, client.get(url))
    finally:
        browser.close()
    assert problems == [], json.dumps(problems, ensure_ascii=False, indent=1)
