"""Keyboard and leaving a page, in Chromium: focus stays visible, Enter never deletes a line,
typed input is not lost by walking away."""

from __future__ import annotations

import pytest

from accounts.models import User
from grants.applications.models import Application, ApplicationState
from tests.browser_support import ClientBrowser, chromium, needs_chromium  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db, needs_chromium]

COVERED = """() => {
  const bar = document.querySelector('.form-actions--sticky');
  const el = document.activeElement;
  if (!bar || !el || el === document.body) return null;
  const r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
  if (bar.contains(el) || r.height === 0) return null;
  const hidden = r.bottom > b.top + 1 && r.top < b.bottom - 1;
  return hidden ? (el.name || el.id || el.tagName) : null;
}"""


@pytest.fixture
def carrier_editor(chromium, demo_world, client):  # noqa: F811
    user = User.objects.get(username="traeger")
    client.force_login(user)
    draft = (
        Application.objects.filter(state=ApplicationState.DRAFT, organisation__members=user)
        .order_by("pk")
        .first()
    )
    assert draft is not None, "the demo has a draft for the carrier"
    browser = ClientBrowser(chromium, client, height=700)
    url = f"/antraege/{draft.pk}/bearbeiten/"
    page = browser.open(url)
    yield browser, page, draft
    browser.close()


def test_tabbing_through_the_editor_never_hides_the_focus_behind_the_sticky_buttons(carrier_editor):
    _browser, page, _draft = carrier_editor
    assert page.locator(".form-actions--sticky").count() == 1
    hidden = []
    for _ in range(80):
        page.keyboard.press("Tab")
        covered = page.evaluate(COVERED)
        if covered:
            hidden.append(covered)
    assert hidden == []


def test_leaving_an_edited_form_asks_first_and_keeps_what_was_typed(carrier_editor):
    browser, page, draft = carrier_editor
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.fill("input[name=title]", "Neuer Titel, noch nicht gespeichert")
    browser.serve("/antraege/")
    page.click("nav.main-nav a[href='/antraege/']", no_wait_after=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"/antraege/{draft.pk}/bearbeiten/")
    assert page.input_value("input[name=title]") == "Neuer Titel, noch nicht gespeichert"


def test_leaving_an_unchanged_form_does_not_ask(carrier_editor):
    browser, page, _draft = carrier_editor
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    browser.serve("/antraege/")
    page.click("nav.main-nav a[href='/antraege/']")
    page.wait_for_url("**/antraege/")
    assert dialogs == []


def test_enter_in_a_plan_line_saves_the_form_and_removes_no_line(carrier_editor):
    # Enter in a field presses the form's default button (its first submit button); record
    # which button that is, and stop it there, before htmx or the browser sends anything.
    _browser, page, _draft = carrier_editor
    page.evaluate(
        """() => {
          window.pressed = [];
          const stop = event => {
            const button = event.target.closest && event.target.closest('button, input[type=submit]');
            if (!button && event.type === 'click') return;
            window.pressed.push(event.type + ':' + ((event.submitter || button || {}).name || 'save'));
            event.preventDefault();
            event.stopImmediatePropagation();
          };
          document.addEventListener('click', stop, true);
          document.addEventListener('submit', stop, true);
        }"""
    )
    page.focus("input[name=expenditure-0-amount]")
    page.keyboard.press("Enter")
    page.wait_for_timeout(200)
    pressed = page.evaluate("window.pressed")
    assert pressed and all(name.endswith(":save") for name in pressed), pressed


def test_saving_one_form_of_the_proof_page_asks_before_dropping_a_narrative_typed_in_another(
    chromium,  # noqa: F811
    demo_world,
    client,
):
    from django.urls import reverse

    from grants.awards.models.proof import ProofOfUse as Proof
    from grants.awards.models.proof import ProofState

    user = User.objects.get(username="traeger")
    client.force_login(user)
    proof = (
        Proof.objects.filter(state=ProofState.DRAFT, grant__organisation__members=user).order_by("pk").first()
    )
    assert proof is not None, "the demo has a proof being written by the carrier"
    browser = ClientBrowser(chromium, client)
    try:
        page = browser.open(f"/zuwendungen/{proof.grant_id}/nachweise/{proof.pk}/")
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
        narrative = page.locator("#narrative textarea").first
        narrative.fill("Bericht, noch nicht gespeichert")
        page.locator("#narrative").evaluate("n => n.scrollIntoView()")
        statement = reverse("proof_statement", args=[proof.grant_id, proof.pk])
        page.locator(f"form[action='{statement}'] button[type=submit]:not(.default-submit)").first.click(
            no_wait_after=True
        )
        page.wait_for_timeout(300)
        assert dialogs == ["beforeunload"]
        assert narrative.input_value() == "Bericht, noch nicht gespeichert"
    finally:
        browser.close()
