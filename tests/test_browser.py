"""One application from draft to approval, clicked through in headless Chromium.

Runs against pytest-django's ``live_server`` with Debian's Chromium (``apt-get install
chromium``), driven by Playwright's sync API; ``playwright install`` is not needed.
"""

import shutil
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import translation

from grants.applications.models import Application, ApplicationState
from tests.budgets.factories import FundingProgrammeFactory, UserFactory, envelope, membership, office
from tests.grants.factories import OrganisationFactory, carrier_user

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine has no network beyond localhost: stop Chromium from phoning home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser-test-2026"
# The application form's own submit button (the plan's add/remove buttons carry a name).
SAVE_BUTTON = "form:has(input[name=title]) button[type=submit]:not([name]):not(.default-submit)"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="needs Debian's Chromium at /usr/bin/chromium: apt-get install chromium",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls of the
    # test itself (setup, checks) are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
            # While that loop runs, Django keeps this thread's connections apart from the
            # usual ones (asgiref's Local); close them, or PostgreSQL cannot drop the test
            # database at the end of the session ("being accessed by other users").
            connections.close_all()


@pytest.fixture
def people():
    year = date.today().year + 1
    federal = office(name="Bundesamt", kind="federal", state="BE", code="BA")
    state_office = office(
        parent=federal, name="Demokratie-Zentrum Sachsen", kind="state", state="SN", code="SN"
    )
    programme = FundingProgrammeFactory(
        name="Weltoffenes Sachsen", period_start=date(year - 1, 1, 1), period_end=date(year + 5, 12, 31)
    )
    # Approval commits the grant against the office's budget envelope for that year.
    envelope(office=state_office, programme=programme, budget_year=year, allocated=Decimal("50000"))
    organisation = OrganisationFactory(name="Bürgerbündnis Leipziger Osten e.V.")
    carrier = carrier_user(organisation, username="traeger", password=PASSWORD)
    officer = UserFactory(username="sachbearbeitung", password=PASSWORD)
    membership(officer, state_office, "case_officer")
    approver = UserFactory(username="bewilligung", password=PASSWORD)
    membership(approver, federal, "approver")
    return {
        "year": year,
        "office": state_office,
        "programme": programme,
        "carrier": carrier,
        "officer": officer,
        "approver": approver,
    }


@contextmanager
def _screenshot_on_failure(browser):
    """A failed walk leaves screenshots of the open pages in test-results/."""
    try:
        yield
    except BaseException:
        SCREENSHOTS.mkdir(exist_ok=True)
        for number, page in enumerate(page for context in browser.contexts for page in context.pages):
            page.screenshot(path=str(SCREENSHOTS / f"browser_failure_{number}.png"), full_page=True)
        raise


def _log_in(browser, live_server, username):
    """A fresh browser context (own cookies) for one person, logged in, speaking German."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action$='/anmelden/'] button[type=submit]")
    page.wait_for_url(lambda url: "/anmelden/" not in url)
    return context, page


def _open_step(page, transition):
    """Unfold a workflow step on the detail page (only the first one starts open)."""
    form = page.locator(f"form[action$='/schritt/{transition}/']")
    details = page.locator("details", has=form)
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return form


def _step(page, transition):
    """Press the button of a workflow step on the detail page and wait for the page after it."""
    form = _open_step(page, transition)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    _expect_no_error(page)


def _expect_no_error(page):
    errors = page.locator(".alert--error, ul.errors")
    if errors.count():
        pytest.fail(f"the page shows errors: {errors.all_inner_texts()}")


def _state(application_pk):
    return Application.objects.values_list("state", flat=True).get(pk=application_pk)


def test_carrier_applies_officer_proposes_and_a_second_person_approves(browser, live_server, people):
    with _screenshot_on_failure(browser):
        application = _carrier_applies_and_submits(browser, live_server, people)
        _officer_checks_and_proposes_approval(browser, live_server, people, application)
        _another_person_approves(browser, live_server, people, application)


def _carrier_applies_and_submits(browser, live_server, people):
    year = people["year"]

    context, page = _log_in(browser, live_server, "traeger")
    page.goto(live_server.url + reverse("application_create"))
    page.select_option("select[name=programme]", str(people["programme"].pk))
    page.select_option("select[name=office]", str(people["office"].pk))
    page.select_option("select[name=financing_type]", "deficit")
    page.fill("input[name=title]", "Demokratiewerkstatt im Leipziger Osten")
    page.fill("textarea[name=summary]", "Workshops für Jugendliche zu demokratischer Teilhabe.")
    page.fill("textarea[name=goals]", "Jugendliche beteiligen sich an Entscheidungen im Stadtteil.")
    page.fill("textarea[name=target_groups]", "Jugendliche von 14 bis 21 Jahren")
    page.fill("input[name=region]", "Leipzig")
    page.fill("input[name=start_date]", f"{year}-01-01")
    page.fill("input[name=end_date]", f"{year}-12-31")
    with page.expect_navigation():
        page.click(SAVE_BUTTON)
    _expect_no_error(page)
    assert "/bearbeiten/" in page.url
    application = Application.objects.get(title="Demokratiewerkstatt im Leipziger Osten")
    assert application.state == ApplicationState.DRAFT

    # The editor opens with one empty row per side; a second cover row comes from the
    # htmx "add line" button, which swaps the plan editor in place.
    page.select_option("select[name=expenditure-0-category]", "staff")
    page.fill("input[name=expenditure-0-description]", "Projektleitung, 20 Wochenstunden")
    page.fill("input[name=expenditure-0-amount]", "12.000,00")
    page.select_option("select[name=cover-0-kind]", "own")
    page.fill("input[name=cover-0-amount]", "1.200,00")
    page.click("button[name=add_line][value=cover]")
    page.locator("select[name=cover-1-kind]").wait_for()
    assert page.input_value("input[name=cover-0-amount]") == "1.200,00", "the swap kept what was typed"
    page.select_option("select[name=cover-1-kind]", "grant")
    page.fill("input[name=cover-1-amount]", "10.800,00")
    with page.expect_navigation():
        page.click(SAVE_BUTTON)
    _expect_no_error(page)
    assert page.url.endswith(reverse("application_detail", args=[application.pk]))
    assert application.cover_lines.count() == 2
    assert sorted(application.cover_lines.values_list("amount", flat=True)) == [
        Decimal("1200.00"),
        Decimal("10800.00"),
    ]

    _step(page, "submit")
    assert _state(application.pk) == ApplicationState.SUBMITTED
    context.close()
    return application


def _officer_checks_and_proposes_approval(browser, live_server, people, application):
    year = people["year"]
    context, page = _log_in(browser, live_server, "sachbearbeitung")
    page.goto(live_server.url + reverse("application_detail", args=[application.pk]))
    _step(page, "start_formal_check")
    _step(page, "complete_formal_check")
    assert _state(application.pk) == ApplicationState.CONTENT_REVIEW
    proposal = _open_step(page, "propose_approval")
    assert proposal.locator(f"input[name=year_{year}]").input_value() == "10.800,00", (
        "starts from the request"
    )
    _step(page, "propose_approval")
    assert _state(application.pk) == ApplicationState.APPROVAL_PROPOSED
    # Four eyes: the proposer is offered no approval.
    assert page.locator("form[action$='/schritt/approve/']").count() == 0
    context.close()


def _another_person_approves(browser, live_server, people, application):
    context, page = _log_in(browser, live_server, "bewilligung")
    page.goto(live_server.url + reverse("application_detail", args=[application.pk]))
    _step(page, "approve")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "browser_approved.png"), full_page=True)

    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert application.decided_by == people["approver"]
    assert application.proposed_by == people["officer"]
    assert application.reference in page.locator(".page-header .eyebrow").inner_text()
    with translation.override("de"):
        approved_label = str(ApplicationState.APPROVED.label)
    assert approved_label == "Bewilligt", "the German catalogue translates the state"
    assert page.locator(".page-header .badge").inner_text().strip() == approved_label
    context.close()
